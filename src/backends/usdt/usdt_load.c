/* SPDX-License-Identifier: MIT */
/*
 * usdt_load.c - maps a built USDT image into the process and calls stubs.
 *
 * The image is published first (usdt_publish.c: a shared file in a
 * trusted directory, else a sealed memfd named "dynprobe:<provider>"), and
 * its two PT_LOAD segments are mmap()ed from that descriptor exactly as
 * ld.so would (the image has no relocations or constructors; dlopen()
 * would also hand back an earlier image whose path or SONAME matches).
 * The descriptor stays open for the image's lifetime: it holds the shared
 * file's liveness lock, and bcc and bpftrace resolve a "/memfd:..." mapping
 * through /proc/PID/fd.
 *
 * Images are never unmapped: a thread may be between reading a stub's
 * first byte and calling it, or between loading a probe's watch pointer
 * and reading through it, while another unloads or frees.  An unloaded
 * image just has its state word set to 0.  A freed provider's image is
 * retired, not forgotten, so that a program that creates and frees
 * providers forever keeps a bounded address space:
 *
 *   - a new image identical to a retired one (same build-id) takes it over
 *     as it is: no file, no mapping, the same inode for attached tracers;
 *   - otherwise a retired image of the same geometry (probe count, slot
 *     size, stub kind) lends its address range: the new image is mapped
 *     over it with MAP_FIXED.  Every stub and cell of the old image is
 *     then a stub and a cell of the new one at the same address, so a
 *     thread still holding an old pointer calls a harmless stub or reads
 *     a word the fire path re-checks, never unmapped memory.
 *
 * Cost: a load is about a dozen system calls (publishing, 3 mmap()s) and
 * touches no page of the image: images are built with their state word
 * LOADED (usdt_format.h), dp_usdt_set_state() writes the word only when
 * it changes, and the introspection record takes the state from the
 * image's bookkeeping.  A first write to a mapped page is a page fault,
 * and on this project's VM (shadow page tables) one costs as much as half
 * the rest of a load; so the RW page is first written by a tracer's
 * semaphore, an unload or a free, and a shared file's page stays shared
 * until then.  The stub kind (a uname()) is decided once per process.
 *
 * A traced stub, as seen in memory (kernel 6.18 optimizes the nop5):
 *   idle     0f 1f 44 00 00 c3    nop5; ret
 *   traced   cc 1f 44 00 00 c3    int3 (first hits), then
 *            e8 xx xx xx xx c3    call to the uprobe trampoline
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "introspect.h"
#include "usdt.h"

/* Links of a retired image in one of the two indexes below. */
struct retired_link {
	struct dp_usdt_image *prev, *next;
};

/* Never freed: threads may still read through pointers into its mapping,
 * and retired images are reused. */
struct dp_usdt_image {
	struct retired_link by_id, by_shape; /* while retired */
	bool in_use;			     /* owned by a provider (else retired) */
	int fd;
	enum dp_usdt_image_kind kind;
	char *where; /* FILE: path; else why not a file */
	uint8_t id[DP_USDT_BUILD_ID_SIZE];
	size_t len;	      /* of the image */
	uintptr_t base;	      /* of the reserved range */
	size_t span;	      /* reserved bytes from base */
	size_t nprobes, slot; /* geometry, for lending the range */
	enum dp_stub_kind stub;
	volatile struct dp_usdt_probes_header *header;
	/* What header->state holds (only this file writes it): reading it
	 * here instead touches no page of the image. */
	uint32_t state;
};

/* Retired images, indexed by build-id (to take one over as it is) and by
 * shape (probe count, slot size, stub kind: to borrow its range), so that
 * a load never walks more than one bucket. */
#define RETIRED_BUCKETS 256
static pthread_mutex_t images_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dp_usdt_image *by_id[RETIRED_BUCKETS], *by_shape[RETIRED_BUCKETS];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
/* The kernel's release and DYNPROBE_USDT_STUB do not change while the
 * process runs: decided once, not with a uname() per load. */
static enum dp_stub_kind stub_kind;

/* A fork() while another thread holds one of this backend's locks must
 * not leave the child's copy locked forever.  They are leaf locks, held
 * for a few stores at a time, and every store leaves the lists usable (an
 * image or directory a vanished thread was adding is at worst never seen,
 * an image it was taking stays marked in use), so the child simply starts
 * with fresh locks; taking them in a prepare handler instead would order
 * them against the core's fork handlers, which take provider locks that
 * load() holds while it takes these. */
static void fork_child(void)
{
	pthread_mutex_init(&images_lock, NULL);
	dp_usdt_publish_fork_child();
}

static void init_once_fn(void)
{
	stub_kind = dp_usdt_stub_kind();
	pthread_atfork(NULL, NULL, fork_child);
}

static size_t page_up(size_t v)
{
	return (v + 4095) & ~(size_t)4095;
}

static size_t span_of(const struct dp_usdt_layout *l)
{
	return (size_t)l->rw_vaddr + page_up((size_t)l->rw_size);
}

/* Map the two PT_LOAD segments from fd at `base` (a range reserved
 * PROT_NONE, or a retired image's range), and make anything of the range
 * past the new RW segment inaccessible again (nothing reads there). */
static int map_segments(int fd, const struct dp_usdt_layout *l, uint8_t *base, size_t span)
{
	size_t rw_end = span_of(l);

	if (mmap(base, page_up((size_t)l->rx_size), PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED,
		 fd, 0) == MAP_FAILED)
		return -errno;
	if (mmap(base + l->rw_vaddr, page_up((size_t)l->rw_size), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_FIXED, fd, (off_t)l->rw_offset) == MAP_FAILED)
		return -errno;
	if (span > rw_end && mmap(base + rw_end, span - rw_end, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		return -errno;
	return 0;
}

/* A fresh range: reserve it, then map the segments into it. */
static int map_fresh(int fd, const struct dp_usdt_layout *l, uintptr_t *ret_base)
{
	size_t span = span_of(l);
	uint8_t *base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r;

	if (base == MAP_FAILED)
		return -errno;
	r = map_segments(fd, l, base, span);
	if (r < 0) {
		munmap(base, span); /* nothing can reference it yet */
		return r;
	}
	*ret_base = (uintptr_t)base;
	return 0;
}

static unsigned int id_bucket(const uint8_t id[DP_USDT_BUILD_ID_SIZE])
{
	return id[0];
}

static unsigned int shape_bucket(size_t nprobes, size_t slot, enum dp_stub_kind stub)
{
	return (unsigned int)((nprobes * 31u + slot * 7u + (unsigned int)stub) % RETIRED_BUCKETS);
}

static void list_push(struct dp_usdt_image **head, struct dp_usdt_image *img, size_t off)
{
	struct retired_link *l = (struct retired_link *)((char *)img + off);

	l->prev = NULL;
	l->next = *head;
	if (*head)
		((struct retired_link *)((char *)*head + off))->prev = img;
	*head = img;
}

static void list_del(struct dp_usdt_image **head, struct dp_usdt_image *img, size_t off)
{
	struct retired_link *l = (struct retired_link *)((char *)img + off);

	if (l->prev)
		((struct retired_link *)((char *)l->prev + off))->next = l->next;
	else
		*head = l->next;
	if (l->next)
		((struct retired_link *)((char *)l->next + off))->prev = l->prev;
}

/* Called with images_lock. */
static void retire(struct dp_usdt_image *img)
{
	img->in_use = false;
	list_push(&by_id[id_bucket(img->id)], img, offsetof(struct dp_usdt_image, by_id));
	list_push(&by_shape[shape_bucket(img->nprobes, img->slot, img->stub)], img,
		  offsetof(struct dp_usdt_image, by_shape));
}

/* Called with images_lock. */
static void unretire(struct dp_usdt_image *img)
{
	img->in_use = true;
	list_del(&by_id[id_bucket(img->id)], img, offsetof(struct dp_usdt_image, by_id));
	list_del(&by_shape[shape_bucket(img->nprobes, img->slot, img->stub)], img,
		 offsetof(struct dp_usdt_image, by_shape));
}

/* A retired image to take over: identical (*ret_same), else one whose
 * range the new image can use.  Taken out of the indexes; called with
 * images_lock. */
static struct dp_usdt_image *retired_find(const struct dp_usdt_layout *l, size_t len,
					  size_t nprobes, enum dp_stub_kind stub, bool *ret_same)
{
	struct dp_usdt_image *i;

	for (i = by_id[id_bucket(l->build_id)]; i; i = i->by_id.next)
		if (i->len == len && !memcmp(i->id, l->build_id, sizeof(i->id)))
			break;
	*ret_same = i != NULL;
	if (!i)
		for (i = by_shape[shape_bucket(nprobes, l->slot_size, stub)]; i;
		     i = i->by_shape.next)
			if (i->nprobes == nprobes && i->slot == l->slot_size && i->stub == stub &&
			    i->span >= span_of(l))
				break;
	if (i)
		unretire(i);
	return i;
}

/* Publish the image and map it, into the lent range of `old` if any
 * (then `old` becomes the image), else into a fresh one. */
static int publish_and_map(const struct dp_provider_desc *desc, const uint8_t *buf, size_t len,
			   const struct dp_usdt_layout *l, struct dp_usdt_image *old,
			   struct dp_usdt_image **ret_img)
{
	struct dp_usdt_published *pub = malloc(sizeof(*pub));
	struct dp_usdt_image *img = old ? old : calloc(1, sizeof(*img));
	uintptr_t base = old ? old->base : 0;
	int r;

	if (!pub || !img) {
		r = -ENOMEM;
		goto err;
	}
	r = dp_usdt_publish(desc, buf, len, l->build_id, pub);
	if (r < 0)
		goto err;
	r = old ? map_segments(pub->fd, l, (uint8_t *)base, old->span)
		: map_fresh(pub->fd, l, &base);
	if (r < 0) {
		dp_logl(DYNPROBE_LOG_WARN, "USDT: mapping the image of %s failed: %s", desc->name, strerror(-r));
		close(pub->fd);
		if (old)
			memset(old->id, 0, sizeof(old->id)); /* half replaced: never reuse */
		r = -DYNPROBE_EELF;
		goto err;
	}
	if (old) {
		close(old->fd); /* nothing of this process maps the old file now */
		free(old->where);
	} else {
		img->base = base;
		img->span = span_of(l);
	}
	img->fd = pub->fd;
	img->kind = pub->kind;
	img->where = strdup(pub->kind == DP_USDT_IMAGE_FILE ? pub->path : pub->why);
	memcpy(img->id, l->build_id, sizeof(img->id));
	img->len = len;
	img->header = (volatile struct dp_usdt_probes_header *)(base + l->header_vaddr);
	img->state = DP_USDT_STATE_LOADED; /* as built: usdt_format.h */
	*ret_img = img;
	free(pub);
	return 0;
err:
	if (!old)
		free(img);
	free(pub);
	return r;
}

static void fill_sites(const struct dp_usdt_image *img, const struct dp_usdt_layout *l,
		       const uint8_t *buf, size_t n, struct dp_usdt_site *sites)
{
	for (size_t i = 0; i < n; i++) {
		sites[i].stub = (const volatile uint8_t *)(img->base + l->stub_vaddr[i]);
		sites[i].watch = (const volatile uint8_t *)(img->base + l->slot_vaddr[i]);
		sites[i].sem = (volatile uint16_t *)(img->base + l->sem_vaddr[i]);
		memcpy(&sites[i].stub_idle, buf + l->stub_vaddr[i], 2);
	}
}

/* Take a retired image over or make a new one; on failure a lent image
 * goes back to the retired ones. */
static int image_get(const struct dp_provider_desc *desc, const uint8_t *buf, size_t len,
		     const struct dp_usdt_layout *l, enum dp_stub_kind stub,
		     struct dp_usdt_image **ret_img)
{
	struct dp_usdt_image *old, *img = NULL;
	bool same;
	int r;

	pthread_mutex_lock(&images_lock);
	old = retired_find(l, len, desc->nprobes, stub, &same);
	pthread_mutex_unlock(&images_lock);
	if (same) {
		dp_logl(DYNPROBE_LOG_DEBUG, "USDT: provider %s: reusing a retired identical image", desc->name);
		*ret_img = old;
		return 0;
	}
	r = publish_and_map(desc, buf, len, l, old, &img);
	if (r == 0 && !old) {
		img->nprobes = desc->nprobes;
		img->slot = l->slot_size;
		img->stub = stub;
		img->in_use = true;
	}
	if (r < 0 && old) {
		pthread_mutex_lock(&images_lock);
		retire(old); /* whole, or half replaced: its id was cleared */
		pthread_mutex_unlock(&images_lock);
	}
	*ret_img = img;
	return r;
}

int dp_usdt_load(const struct dp_provider_desc *desc, unsigned int backends,
		 struct dp_usdt_site *sites, struct dp_usdt_image **ret_image)
{
	struct dp_usdt_layout layout = {0};
	struct dp_usdt_image *img = NULL;
	enum dp_stub_kind kind;
	uint8_t *buf = NULL;
	size_t len = 0;
	size_t n = desc->nprobes ? desc->nprobes : 1;
	int r;

	layout.slot_vaddr = calloc(n, sizeof(uint64_t));
	layout.stub_vaddr = calloc(n, sizeof(uint64_t));
	layout.sem_vaddr = calloc(n, sizeof(uint64_t));
	if (!layout.slot_vaddr || !layout.stub_vaddr || !layout.sem_vaddr) {
		r = -ENOMEM;
		goto err;
	}
	pthread_once(&init_once, init_once_fn);
	kind = stub_kind;
	r = dp_usdt_build_image(desc, kind, backends, &buf, &len, &layout);
	if (r < 0)
		goto err;
	r = image_get(desc, buf, len, &layout, kind, &img);
	if (r < 0)
		goto err;
	/* A new image says LOADED already; a retired one taken over says FREED. */
	dp_usdt_set_state(img, DP_USDT_STATE_LOADED);
	fill_sites(img, &layout, buf, desc->nprobes, sites);
	*ret_image = img;
err:
	free(buf);
	free(layout.slot_vaddr);
	free(layout.stub_vaddr);
	free(layout.sem_vaddr);
	return r;
}

void dp_usdt_set_state(struct dp_usdt_image *image, uint32_t state)
{
	/* Only a change is written: the page stays untouched (and, for a
	 * shared file, shared) until something really changes. */
	if (image && image->header && image->state != state) {
		__atomic_store_n(&image->header->state, state, __ATOMIC_RELEASE);
		image->state = state;
	}
}

int dp_usdt_fd(const struct dp_usdt_image *image)
{
	return image ? image->fd : -1;
}

const char *dp_usdt_where(const struct dp_usdt_image *image, bool *ret_shared)
{
	if (ret_shared)
		*ret_shared = image && image->kind == DP_USDT_IMAGE_FILE;
	return image ? image->where : NULL;
}

/* The image's record for `dynprobe list` (introspect_format.h, USDT v1). */
void dp_usdt_introspect(const struct dp_usdt_image *image, const struct dp_usdt_site *sites,
			size_t nprobes, struct dp_intro_writer *w)
{
	static const uint32_t kinds[] = {
		[DP_USDT_IMAGE_FILE] = DP_INTRO_USDT_FILE,
		[DP_USDT_IMAGE_MEMFD] = DP_INTRO_USDT_MEMFD,
		[DP_USDT_IMAGE_TMPFILE] = DP_INTRO_USDT_TMPFILE,
	};

	dp_intro_begin_backend(w, DYNPROBE_BACKEND_USDT, DP_INTRO_USDT_VERSION);
	dp_intro_u32(w, image->state);
	dp_intro_u32(w, kinds[image->kind]);
	dp_intro_u64(w, image->base);
	dp_intro_str(w, image->where);
	dp_intro_u32(w, (uint32_t)nprobes);
	for (size_t i = 0; i < nprobes; i++) {
		dp_intro_u64(w, (uint64_t)(uintptr_t)sites[i].stub);
		dp_intro_u64(w, (uint64_t)(uintptr_t)sites[i].sem);
	}
	dp_intro_end(w);
}

/* Retire: the mapping and the descriptor (the file's liveness lock) stay,
 * for the next identical image or one that borrows the range. */
void dp_usdt_release(struct dp_usdt_image *image)
{
	if (!image)
		return;
	dp_usdt_set_state(image, DP_USDT_STATE_FREED);
	pthread_mutex_lock(&images_lock);
	retire(image);
	pthread_mutex_unlock(&images_lock);
}

/* One typed call per arity: the stub is a real function taking the values
 * in the SysV integer registers, then on the stack, exactly where the
 * note's argument specs say they are. */
typedef uint64_t u;
void dp_usdt_call(const struct dp_usdt_site *site, size_t nargs, const union dp_value *v)
{
	const void *f = (const void *)site->stub;

	switch (nargs) {
	case 0:
		((void (*)(void))f)();
		break;
	case 1:
		((void (*)(u))f)(v[0].u);
		break;
	case 2:
		((void (*)(u, u))f)(v[0].u, v[1].u);
		break;
	case 3:
		((void (*)(u, u, u))f)(v[0].u, v[1].u, v[2].u);
		break;
	case 4:
		((void (*)(u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u);
		break;
	case 5:
		((void (*)(u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u, v[4].u);
		break;
	case 6:
		((void (*)(u, u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u, v[4].u, v[5].u);
		break;
	case 7:
		((void (*)(u, u, u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u, v[4].u, v[5].u,
						   v[6].u);
		break;
	case 8:
		((void (*)(u, u, u, u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u, v[4].u,
						      v[5].u, v[6].u, v[7].u);
		break;
	case 9:
		((void (*)(u, u, u, u, u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u, v[4].u,
							 v[5].u, v[6].u, v[7].u, v[8].u);
		break;
	case 10:
		((void (*)(u, u, u, u, u, u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u, v[4].u,
							    v[5].u, v[6].u, v[7].u, v[8].u, v[9].u);
		break;
	case 11:
		((void (*)(u, u, u, u, u, u, u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u,
							       v[4].u, v[5].u, v[6].u, v[7].u,
							       v[8].u, v[9].u, v[10].u);
		break;
	case 12:
		((void (*)(u, u, u, u, u, u, u, u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u,
								  v[4].u, v[5].u, v[6].u, v[7].u,
								  v[8].u, v[9].u, v[10].u, v[11].u);
		break;
	default:
		break;
	}
}
