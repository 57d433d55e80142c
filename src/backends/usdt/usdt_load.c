/* SPDX-License-Identifier: MIT */
/*
 * usdt_load.c - maps a built USDT image into the process and calls stubs.
 *
 * The image goes into a memfd named "dynprobe:<provider>", sealed against
 * writes, and its two PT_LOAD segments are mmap()ed from it exactly as ld.so
 * would (it has no relocations or constructors; dlopen() would also hand
 * back an earlier image whose path or SONAME matches).  The memfd stays open for
 * the image's lifetime: bcc and bpftrace resolve a "/memfd:..." mapping
 * through /proc/PID/fd, so a closed memfd would hide the probes from `-p`.
 * Where memfd_create() is unavailable the image goes into an unlinked
 * O_TMPFILE in $TMPDIR (mode 0600, created by us, so nobody else could have
 * written it); tracers still see it through /proc/PID/fd.
 *
 * Images are never unmapped: a thread may be between
 * reading a stub's first byte and calling it while another unloads.  An
 * unloaded image just has its state word set to 0, and is reused when the
 * same provider loads again unchanged, so attached tracers keep working.
 *
 * A traced stub, as seen in memory (kernel 6.18 optimizes the nop5):
 *   idle     0f 1f 44 00 00 c3    nop5; ret
 *   traced   cc 1f 44 00 00 c3    int3 (first hits), then
 *            e8 xx xx xx xx c3    call to the uprobe trampoline
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "usdt.h"

struct dp_usdt_image {
	int fd;
	volatile struct dp_usdt_probes_header *header;
};

static int image_fd_memfd(const char *provider)
{
	char name[DYNPROBE_MAX_PROVIDER_NAME + 16];

	if (dp_env(DP_ENV_USDT_NO_MEMFD))
		return -ENOSYS;
	snprintf(name, sizeof(name), "dynprobe:%s", provider);
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	return fd < 0 ? -errno : fd;
}

static int image_fd_tmpfile(void)
{
	const char *dir = dp_env(DP_ENV_TMPDIR);
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC | O_EXCL, 0600);
	return fd < 0 ? -errno : fd;
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int image_open(const char *provider, const uint8_t *buf, size_t len)
{
	bool memfd = true;
	int fd = image_fd_memfd(provider), r;

	if (fd < 0) {
		dp_log("memfd_create unavailable (%s), using an unlinked file in $TMPDIR",
		       strerror(-fd));
		memfd = false;
		fd = image_fd_tmpfile();
		if (fd < 0)
			return fd;
	}
	r = write_all(fd, buf, len);
	if (r < 0) {
		close(fd);
		return r;
	}
	/* Nobody may change the code we are about to run. */
	if (memfd)
		fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	return fd;
}

static size_t page_up(size_t v)
{
	return (v + 4095) & ~(size_t)4095;
}

/* Map the two PT_LOAD segments ourselves, as ld.so would.  The image has
 * no relocations and no code to run at load, and dlopen() would return an
 * earlier image for a reused "/proc/self/fd/N" path or SONAME. */
static int image_map(struct dp_usdt_image *img, const struct dp_usdt_layout *l,
		     uintptr_t *ret_base)
{
	size_t span = (size_t)l->rw_vaddr + page_up((size_t)l->rw_size);
	uint8_t *base, *p;

	base = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	p = mmap(base, page_up((size_t)l->rx_size), PROT_READ | PROT_EXEC,
		 MAP_PRIVATE | MAP_FIXED, img->fd, 0);
	if (p == MAP_FAILED)
		goto err;
	p = mmap(base + l->rw_vaddr, page_up((size_t)l->rw_size), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_FIXED, img->fd, (off_t)l->rw_offset);
	if (p == MAP_FAILED)
		goto err;
	*ret_base = (uintptr_t)base;
	return 0;
err:
	dp_log("mapping the USDT image failed: %s", strerror(errno));
	munmap(base, span); /* nothing can reference it yet */
	return -DYNPROBE_EELF;
}

int dp_usdt_load(const struct dp_provider_desc *desc, unsigned int backends,
		 struct dp_usdt_site *sites, struct dp_usdt_image **ret_image)
{
	struct dp_usdt_layout layout = { 0 };
	struct dp_usdt_image *img = NULL;
	enum dp_stub_kind kind = dp_usdt_stub_kind();
	uint8_t *buf = NULL;
	uintptr_t base = 0;
	size_t len = 0;
	size_t n = desc->nprobes ? desc->nprobes : 1;
	int r;

	layout.slot_vaddr = calloc(n, sizeof(uint64_t));
	layout.stub_vaddr = calloc(n, sizeof(uint64_t));
	layout.sem_vaddr = calloc(n, sizeof(uint64_t));
	img = calloc(1, sizeof(*img));
	if (!layout.slot_vaddr || !layout.stub_vaddr || !layout.sem_vaddr || !img) {
		r = -ENOMEM;
		goto err;
	}
	img->fd = -1;
	r = dp_usdt_build_image(desc, kind, backends, &buf, &len, &layout);
	if (r < 0)
		goto err;
	img->fd = image_open(desc->name, buf, len);
	if (img->fd < 0) {
		r = img->fd;
		goto err;
	}
	r = image_map(img, &layout, &base);
	if (r < 0)
		goto err;
	img->header = (volatile struct dp_usdt_probes_header *)(base + layout.header_vaddr);
	for (size_t i = 0; i < desc->nprobes; i++) {
		sites[i].stub = (const volatile uint8_t *)(base + layout.stub_vaddr[i]);
		sites[i].watch = (const volatile uint8_t *)(base + layout.slot_vaddr[i]);
		sites[i].sem = (volatile uint16_t *)(base + layout.sem_vaddr[i]);
		memcpy(&sites[i].stub_idle, buf + layout.stub_vaddr[i], 2);
	}
	*ret_image = img;
	img = NULL;
	r = 0;
err:
	if (img && img->fd >= 0)
		close(img->fd);
	free(img);
	free(buf);
	free(layout.slot_vaddr);
	free(layout.stub_vaddr);
	free(layout.sem_vaddr);
	return r;
}

void dp_usdt_set_state(struct dp_usdt_image *image, uint32_t state)
{
	if (image && image->header)
		__atomic_store_n(&image->header->state, state, __ATOMIC_RELEASE);
}

int dp_usdt_fd(const struct dp_usdt_image *image)
{
	return image ? image->fd : -1;
}

void dp_usdt_release(struct dp_usdt_image *image)
{
	if (!image)
		return;
	dp_usdt_set_state(image, 0);
	/* Closing the fd hides the (still mapped, now inert) image from
	 * tracers that look for it through /proc/PID/fd. */
	if (image->fd >= 0)
		close(image->fd);
	free(image);
}

/* One typed call per arity: the stub is a real function taking the values
 * in the SysV integer registers, then on the stack, exactly where the
 * note's argument specs say they are. */
typedef uint64_t u;
void dp_usdt_call(const struct dp_usdt_site *site, size_t nargs, const union dp_value *v)
{
	const void *f = (const void *)site->stub;

	switch (nargs) {
	case 0: ((void (*)(void))f)(); break;
	case 1: ((void (*)(u))f)(v[0].u); break;
	case 2: ((void (*)(u, u))f)(v[0].u, v[1].u); break;
	case 3: ((void (*)(u, u, u))f)(v[0].u, v[1].u, v[2].u); break;
	case 4: ((void (*)(u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u); break;
	case 5: ((void (*)(u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u, v[4].u); break;
	case 6: ((void (*)(u, u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u, v[4].u, v[5].u); break;
	case 7: ((void (*)(u, u, u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u, v[4].u, v[5].u, v[6].u); break;
	case 8: ((void (*)(u, u, u, u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u, v[4].u, v[5].u, v[6].u, v[7].u); break;
	case 9: ((void (*)(u, u, u, u, u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u, v[4].u, v[5].u, v[6].u, v[7].u, v[8].u); break;
	case 10: ((void (*)(u, u, u, u, u, u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u, v[4].u, v[5].u, v[6].u, v[7].u, v[8].u, v[9].u); break;
	case 11: ((void (*)(u, u, u, u, u, u, u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u, v[4].u, v[5].u, v[6].u, v[7].u, v[8].u, v[9].u, v[10].u); break;
	case 12: ((void (*)(u, u, u, u, u, u, u, u, u, u, u, u))f)(v[0].u, v[1].u, v[2].u, v[3].u, v[4].u, v[5].u, v[6].u, v[7].u, v[8].u, v[9].u, v[10].u, v[11].u); break;
	default: break;
	}
}
