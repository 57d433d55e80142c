/* SPDX-License-Identifier: MIT */
/*
 * cmd_list.c - `dynprobe list [PID...]`: the dynprobe providers and probes
 * in one or all running processes, one row per probe with each backend's
 * state, then per provider the USDT image a tracer names.
 *
 * Sources, all read out of other processes and so all hostile input (list
 * runs as root: every length is bounded, every address computed without
 * wrapping, and a malformed source is skipped, never trusted):
 *
 *   USDT images   found by their mappings: shared files named
 *                 PROVIDER-BUILDID.so, memfds "/memfd:dynprobe:NAME", and
 *                 deleted O_TMPFILEs; the file is read back through
 *                 /proc/PID/map_files (or the process's fd for it) and parsed
 *                 by usdt_reader.c; the live state word, semaphores and stub
 *                 bytes come from /proc/PID/mem.
 *   LTTng objects found by their file name; the exported descriptor, read
 *                 from the process's memory, lists the events and
 *                 lttng-ust's per-event enabled state.
 *
 * A probe on both backends is one row: USDT state, semaphore, whether a
 * uprobe is attached; LTTng state and whether a session enabled the event.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dynprobe.h>

#include "backends/usdt/usdt_format.h"
#include "commands.h"
#include "introspect_format.h"
#include "tp.h" /* the generated LTTng providers' descriptor ABI */

#define MAX_FILE (64u << 20)

struct mapping {
	uint64_t start, end, offset, inode;
	char path[512];
};

/* One output row: a probe, and what each backend says about it. */
struct row {
	int pid;
	char provider[DYNPROBE_MAX_PROVIDER_NAME + 1];
	char probe[DYNPROBE_MAX_PROBE_NAME + 1];
	bool usdt, lttng;	/* seen on the backend */
	const char *usdt_state; /* loaded / unloaded */
	unsigned sem;
	bool attached;	      /* a uprobe on the stub, or the semaphore */
	char lttng_state[24]; /* loaded/runtime ..., or mapped */
	bool enabled;	      /* an LTTng session enabled the event */
	char args[160];
};

/* One USDT image: where a tracer finds it; for a private one, why (from
 * the process's introspection record). */
struct image_row {
	int pid;
	char provider[DYNPROBE_MAX_PROVIDER_NAME + 1];
	char where[600];
	bool private_img;
	char why[DP_INTRO_MAX_WHERE];
};

struct listing {
	struct row *rows;
	size_t nrows, cap;
	struct image_row *images;
	size_t nimages, icap;
	struct image_row *whys; /* pid, provider, why: matched to images when printing */
	size_t nwhys, wcap;
};

static int read_file(int fd, uint8_t **ret, size_t *ret_len)
{
	struct stat st;
	uint8_t *buf;
	size_t off = 0;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > MAX_FILE)
		return -1;
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return -1;
	while (off < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + off, (size_t)st.st_size - off, (off_t)off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	*ret = buf;
	*ret_len = off;
	return 0;
}

/* The fd number in the process that holds `inode`, or -1. */
static int find_fd(int pid, uint64_t inode)
{
	char path[64], fdpath[300];
	struct dirent *e;
	struct stat st;
	int found = -1;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return -1;
	while (found < 0 && (e = readdir(d))) {
		snprintf(fdpath, sizeof(fdpath), "/proc/%d/fd/%s", pid, e->d_name);
		if (isdigit((unsigned char)e->d_name[0]) && stat(fdpath, &st) == 0 &&
		    (uint64_t)st.st_ino == inode)
			found = atoi(e->d_name);
	}
	closedir(d);
	return found;
}

/* Prefer map_files (root); else the process's fd with that inode. */
static int open_mapping(int pid, const struct mapping *m)
{
	char path[128];
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, pid, m->start,
		 m->end);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0)
		return fd;
	n = find_fd(pid, m->inode);
	if (n < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, n);
	return open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
}

/* Read len bytes at base + off of the process; false on overflow too. */
static bool read_mem(int memfd, uint64_t base, uint64_t off, void *buf, size_t len)
{
	uint64_t at;

	if (memfd < 0 || __builtin_add_overflow(base, off, &at) || at > (uint64_t)INT64_MAX)
		return false;
	return pread(memfd, buf, len, (off_t)at) == (ssize_t)len;
}

static struct row *row_get(struct listing *l, int pid, const char *provider, const char *probe)
{
	for (size_t i = 0; i < l->nrows; i++)
		if (l->rows[i].pid == pid && !strcmp(l->rows[i].provider, provider) &&
		    !strcmp(l->rows[i].probe, probe))
			return &l->rows[i];
	if (l->nrows == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct row *r = realloc(l->rows, cap * sizeof(*r));
		if (!r)
			return NULL;
		l->rows = r;
		l->cap = cap;
	}
	struct row *r = &l->rows[l->nrows++];
	memset(r, 0, sizeof(*r));
	r->pid = pid;
	snprintf(r->provider, sizeof(r->provider), "%s", provider);
	snprintf(r->probe, sizeof(r->probe), "%s", probe);
	return r;
}

static struct image_row *image_push(struct image_row **v, size_t *n, size_t *cap, int pid,
				    const char *provider)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		struct image_row *r = realloc(*v, c * sizeof(*r));
		if (!r)
			return NULL;
		*v = r;
		*cap = c;
	}
	struct image_row *r = &(*v)[(*n)++];
	memset(r, 0, sizeof(*r));
	r->pid = pid;
	snprintf(r->provider, sizeof(r->provider), "%s", provider);
	return r;
}

static void image_add(struct listing *l, int pid, const char *provider, const char *where,
		      bool private_img)
{
	struct image_row *r = image_push(&l->images, &l->nimages, &l->icap, pid, provider);

	if (r) {
		snprintf(r->where, sizeof(r->where), "%s", where);
		r->private_img = private_img;
	}
}

/* ---- USDT ---- */

struct usdt_ctx {
	struct listing *l;
	int pid, memfd;
	uint64_t base;
	const char *state;
	unsigned backends;
	char provider[DYNPROBE_MAX_PROVIDER_NAME + 1];
};

static void types_text(const uint8_t *types, size_t nargs, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t a = 0; a < nargs && a < DYNPROBE_MAX_ARGS && n < len; a++) {
		const char *t = dynprobe_type_name((enum dynprobe_type)types[a]);
		int k = snprintf(buf + n, len - n, "%s%s", a ? " " : "", t ? t : "?");
		if (k < 0)
			break;
		n += (size_t)k;
	}
	if (!nargs)
		snprintf(buf, len, "-");
}

static int usdt_probe(const struct dp_usdt_probe_info *p, void *arg)
{
	struct usdt_ctx *c = arg;
	struct row *r = row_get(c->l, c->pid, p->provider, p->name);
	uint16_t sem = 0;
	uint8_t live[2];

	if (!r)
		return 1;
	snprintf(c->provider, sizeof(c->provider), "%s", p->provider);
	read_mem(c->memfd, c->base, p->sem, &sem, sizeof(sem));
	r->usdt = true;
	r->usdt_state = c->state;
	r->sem = sem;
	/* A uprobe changes the stub's first bytes; a semaphore counts tracers
	 * that asked for it. */
	r->attached =
	    sem || (read_mem(c->memfd, c->base, p->pc, live, 2) && memcmp(live, p->idle, 2));
	if (c->backends & DYNPROBE_BACKEND_LTTNG)
		r->lttng = true;
	types_text(p->types, p->nargs, r->args, sizeof(r->args));
	return 0;
}

/* What to print as the image's name for tracers. */
static void usdt_where(int pid, const struct mapping *m, bool shared, char *buf, size_t len)
{
	int fd;

	if (shared) {
		snprintf(buf, len, "%s", m->path);
		return;
	}
	fd = find_fd(pid, m->inode);
	if (fd >= 0)
		snprintf(buf, len, "/proc/%d/fd/%d (private %s, -p %d only", pid, fd,
			 strncmp(m->path, "/memfd:", 7) ? "file" : "memfd", pid);
	else
		snprintf(buf, len, "(private, no descriptor");
}

/* One mapped USDT image; returns the number of probes listed. */
static int list_usdt(struct listing *l, int pid, const struct mapping *m, bool shared, int memfd)
{
	struct usdt_ctx c = {.l = l, .pid = pid, .memfd = memfd, .base = m->start};
	struct dp_usdt_image_info info;
	struct dp_usdt_probes_header live;
	uint8_t *img = NULL;
	size_t len = 0;
	char where[600];
	int fd = open_mapping(pid, m), n = 0;

	if (fd < 0 || read_file(fd, &img, &len) < 0)
		goto out;
	if (dp_usdt_read_image(img, len, &info, NULL, NULL) < 0)
		goto out;
	/* The live header: the state the process gives the image now. */
	if (!read_mem(memfd, m->start, info.header_vaddr, &live, sizeof(live)) ||
	    live.magic != DP_USDT_MAGIC || live.state == DP_USDT_STATE_FREED)
		goto out;
	c.state = live.state == DP_USDT_STATE_LOADED ? "loaded" : "unloaded";
	c.backends = info.header.backends;
	n = dp_usdt_read_image(img, len, &info, usdt_probe, &c);
	if (n > 0) {
		usdt_where(pid, m, shared, where, sizeof(where));
		image_add(l, pid, c.provider, where, !shared);
	}
out:
	free(img);
	if (fd >= 0)
		close(fd);
	return n > 0 ? n : 0;
}

/* PROVIDER-40HEX.so, as the library names shared images. */
static bool shared_image_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n, hex = 2 * DP_USDT_BUILD_ID_SIZE, sfx = strlen(DP_USDT_FILE_SUFFIX);

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n < hex + sfx + 2 || strcmp(base + n - sfx, DP_USDT_FILE_SUFFIX) ||
	    base[n - sfx - hex - 1] != '-')
		return false;
	for (size_t i = n - sfx - hex; i < n - sfx; i++)
		if (!isxdigit((unsigned char)base[i]))
			return false;
	return true;
}

/* ---- LTTng ---- */

#define MAX_EVENTS 100000

/* Find the exported descriptor of a generated LTTng provider in its file
 * (libelf checks the ELF structures' bounds). */
static uint64_t lttng_desc_vaddr(const uint8_t *img, size_t len)
{
	Elf *e = elf_memory((char *)img, len);
	Elf_Scn *scn = NULL;
	uint64_t found = 0;

	while (e && !found && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && i < data->d_size / sizeof(Elf64_Sym); i++) {
			GElf_Sym sym;
			const char *name;
			if (!gelf_getsym(data, (int)i, &sym))
				continue;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (name && !strcmp(name, DP_TP_DESC_SYMBOL) && sym.st_shndx != SHN_UNDEF) {
				found = sym.st_value;
				break;
			}
		}
	}
	if (e)
		elf_end(e);
	return found;
}

static void read_str(int memfd, uint64_t addr, char *buf, size_t len)
{
	ssize_t n =
	    addr && addr <= (uint64_t)INT64_MAX ? pread(memfd, buf, len - 1, (off_t)addr) : -1;

	buf[n > 0 ? (size_t)n : 0] = '\0';
	buf[strnlen(buf, len - 1)] = '\0';
}

/* "u64 latency,str path" -> "u64:latency str:path" */
static void signature_text(const char *sig, char *buf, size_t len)
{
	size_t n = 0;

	for (const char *p = sig; *p && n + 1 < len; p++)
		buf[n++] = *p == ',' ? ' ' : *p == ' ' ? ':' : *p;
	buf[n] = '\0';
	if (!n)
		snprintf(buf, len, "-");
}

static int lttng_event(struct listing *l, int pid, const char *prov, const struct dp_tp_desc *d,
		       uint32_t i, int memfd)
{
	char name[DYNPROBE_MAX_PROBE_NAME + 1], sig[1024];
	struct dp_tp_event ev;
	uint64_t at;
	int state = 0;
	struct row *r;

	if (__builtin_mul_overflow((uint64_t)i, (uint64_t)d->event_size, &at) ||
	    !read_mem(memfd, (uint64_t)(uintptr_t)d->events, at, &ev, sizeof(ev)))
		return -1;
	read_str(memfd, (uint64_t)(uintptr_t)ev.name, name, sizeof(name));
	read_str(memfd, (uint64_t)(uintptr_t)ev.signature, sig, sizeof(sig));
	read_mem(memfd, (uint64_t)(uintptr_t)ev.state, 0, &state, sizeof(state));
	if (!name[0] || !(r = row_get(l, pid, prov, name)))
		return -1;
	r->lttng = true;
	if (!r->lttng_state[0]) /* the record, if any, says more */
		snprintf(r->lttng_state, sizeof(r->lttng_state), "mapped");
	r->enabled = state != 0;
	if (!r->usdt) /* USDT knows the exact types; LTTng adds field names */
		signature_text(sig, r->args, sizeof(r->args));
	return 0;
}

/* The descriptor in the process's memory gives every event's name,
 * signature and lttng-ust's own enabled state. */
static int list_lttng(struct listing *l, int pid, const struct mapping *m, int memfd)
{
	char prov[DYNPROBE_MAX_PROVIDER_NAME + 1];
	struct dp_tp_desc desc;
	uint8_t *img = NULL;
	size_t len = 0;
	uint64_t vaddr = 0;
	int fd = open_mapping(pid, m), shown = 0;

	if (fd >= 0 && read_file(fd, &img, &len) == 0)
		vaddr = lttng_desc_vaddr(img, len);
	if (fd >= 0)
		close(fd);
	free(img);
	if (!vaddr || !read_mem(memfd, m->start, vaddr, &desc, sizeof(desc)) ||
	    desc.major != DP_TP_ABI_MAJOR || desc.struct_size < sizeof(desc))
		return 0;
	read_str(memfd, (uint64_t)(uintptr_t)desc.provider, prov, sizeof(prov));
	if (!prov[0])
		return 0;
	for (uint32_t i = 0; i < desc.nevents && i < MAX_EVENTS; i++) {
		if (lttng_event(l, pid, prov, &desc, i, memfd) < 0)
			break;
		shown++;
	}
	return shown;
}

/* ---- the introspection record ---- */

struct record_ctx {
	struct listing *l;
	int pid, memfd;
};

static const char *lttng_mode_name(uint32_t mode)
{
	switch (mode) {
	case DP_INTRO_LTTNG_RUNTIME:
		return "runtime";
	case DP_INTRO_LTTNG_COMPILED:
		return "compiled";
	case DP_INTRO_LTTNG_PREBUILT:
		return "prebuilt";
	default:
		return "?";
	}
}

/* What the record adds to a probe's row: LTTng state, mode and session,
 * and USDT facts when no image was read (its words, through /proc/PID/mem). */
static void record_probe(const struct record_ctx *c, const struct dp_intro_read_provider *pv,
			 const struct dp_intro_read_probe *p)
{
	struct row *r = row_get(c->l, c->pid, pv->name, p->name);
	int state = 0;

	if (!r)
		return;
	if (pv->has_lttng) {
		r->lttng = true;
		snprintf(r->lttng_state, sizeof(r->lttng_state), "%s/%s",
			 pv->lttng_loaded ? "loaded" : "unloaded", lttng_mode_name(pv->lttng_mode));
		r->enabled = p->lttng_state &&
			     read_mem(c->memfd, p->lttng_state, 0, &state, sizeof(state)) && state;
	}
	if (pv->has_usdt && !r->usdt && p->usdt_sem) {
		uint16_t sem = 0, idle = 0, live = 0;
		read_mem(c->memfd, p->usdt_sem, 0, &sem, sizeof(sem));
		/* the cell keeps the stub's idle bytes right after the semaphore */
		read_mem(c->memfd, p->usdt_sem, 2, &idle, sizeof(idle));
		read_mem(c->memfd, p->usdt_stub, 0, &live, sizeof(live));
		r->usdt = true;
		r->usdt_state = pv->usdt_state == DP_USDT_STATE_LOADED ? "loaded" : "unloaded";
		r->sem = sem;
		r->attached = sem || live != idle;
	}
	if (!r->args[0])
		types_text(p->types, p->nargs, r->args, sizeof(r->args));
}

static int record_provider(const struct dp_intro_read_provider *pv, void *arg)
{
	const struct record_ctx *c = arg;
	struct image_row *w;

	for (uint32_t i = 0; i < pv->nprobes; i++)
		record_probe(c, pv, &pv->probes[i]);
	if (pv->has_usdt && pv->usdt_kind != DP_INTRO_USDT_FILE) {
		w = image_push(&c->l->whys, &c->l->nwhys, &c->l->wcap, c->pid, pv->name);
		if (w)
			snprintf(w->why, sizeof(w->why), "%s", pv->usdt_where);
	}
	return 0;
}

/* A consistent copy: the generation even and unchanged across the read. */
static int list_record(struct listing *l, int pid, const struct mapping *m, int memfd)
{
	struct record_ctx c = {.l = l, .pid = pid, .memfd = memfd};
	int fd = open_mapping(pid, m), n = 0;
	uint32_t gen = 0, again = 1;
	uint8_t *buf = NULL;
	size_t len = 0;

	for (int attempt = 0; fd >= 0 && attempt < 20; attempt++) {
		free(buf);
		buf = NULL;
		if (read_file(fd, &buf, &len) < 0 || dp_intro_read(buf, len, &gen, NULL, NULL) < 0)
			continue;
		if (pread(fd, &again, sizeof(again),
			  offsetof(struct dp_intro_header, generation)) == sizeof(again) &&
		    again == gen) {
			n = dp_intro_read(buf, len, NULL, record_provider, &c);
			break;
		}
	}
	free(buf);
	if (fd >= 0)
		close(fd);
	return n > 0 ? n : 0;
}

/* ---- processes ---- */

static bool parse_maps_line(const char *line, struct mapping *m)
{
	char perms[8], dev[16];
	int pos = 0;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %15s %" SCNu64 " %n", &m->start,
		   &m->end, perms, &m->offset, dev, &m->inode, &pos) < 6)
		return false;
	snprintf(m->path, sizeof(m->path), "%s", line + pos);
	m->path[strcspn(m->path, "\n")] = '\0';
	return true;
}

/* Which kind of dynprobe object a mapping may be. */
enum source { SRC_NONE, SRC_USDT_SHARED, SRC_USDT_PRIVATE, SRC_LTTNG, SRC_RECORD };

static enum source classify(const struct mapping *m)
{
	if (m->offset != 0 || !m->inode)
		return SRC_NONE;
	if (strstr(m->path, DP_TP_NAME_PREFIX))
		return SRC_LTTNG;
	if (!strncmp(m->path, "/memfd:" DP_INTRO_MEMFD_NAME " ", 8 + strlen(DP_INTRO_MEMFD_NAME)))
		return SRC_RECORD;
	if (!strncmp(m->path, "/memfd:dynprobe:", 16))
		return SRC_USDT_PRIVATE;
	if (strstr(m->path, " (deleted)")) /* an O_TMPFILE image, or a removed file */
		return SRC_USDT_PRIVATE;
	if (shared_image_name(m->path))
		return SRC_USDT_SHARED;
	return SRC_NONE;
}

static int list_pid(struct listing *l, int pid)
{
	char path[64], line[1024];
	uint64_t seen_inode = 0;
	int memfd, shown = 0;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "re");
	if (!maps)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	memfd = open(path, O_RDONLY | O_CLOEXEC);
	while (fgets(line, sizeof(line), maps)) {
		struct mapping m;
		if (!parse_maps_line(line, &m) || m.inode == seen_inode)
			continue;
		switch (classify(&m)) {
		case SRC_LTTNG:
			seen_inode = m.inode;
			shown += list_lttng(l, pid, &m, memfd);
			break;
		case SRC_USDT_SHARED:
		case SRC_USDT_PRIVATE:
			seen_inode = m.inode;
			shown += list_usdt(l, pid, &m, classify(&m) == SRC_USDT_SHARED, memfd);
			break;
		case SRC_RECORD:
			seen_inode = m.inode;
			list_record(l, pid, &m, memfd);
			break;
		case SRC_NONE:
			break;
		}
	}
	if (memfd >= 0)
		close(memfd);
	fclose(maps);
	return shown;
}

static void print_rows(const struct listing *l)
{
	printf("%-7s %-16s %-24s %-8s %-4s %-8s %-8s %-7s %s\n", "PID", "PROVIDER", "PROBE", "USDT",
	       "SEM", "ATTACHED", "LTTNG", "ENABLED", "ARGS");
	for (size_t i = 0; i < l->nrows; i++) {
		const struct row *r = &l->rows[i];
		char sem[16] = "-";
		if (r->usdt)
			snprintf(sem, sizeof(sem), "%u", r->sem);
		printf("%-7d %-16s %-24s %-8s %-4s %-8s %-8s %-7s %s\n", r->pid, r->provider,
		       r->probe, r->usdt ? r->usdt_state : "-", sem,
		       r->usdt ? (r->attached ? "yes" : "no") : "-",
		       r->lttng ? (r->lttng_state[0] ? r->lttng_state : "?") : "-",
		       r->lttng && r->lttng_state[0] ? (r->enabled ? "yes" : "no") : "-", r->args);
	}
	if (!l->nimages)
		return;
	printf("\n%-7s %-16s %s\n", "PID", "PROVIDER",
	       "USDT IMAGE (trace every process: usdt:PATH:PROVIDER:PROBE, no -p)");
	for (size_t i = 0; i < l->nimages; i++) {
		const struct image_row *im = &l->images[i];
		const char *why = NULL;
		for (size_t k = 0; im->private_img && k < l->nwhys; k++)
			if (l->whys[k].pid == im->pid && !strcmp(l->whys[k].provider, im->provider))
				why = l->whys[k].why;
		printf("%-7d %-16s %s%s%s%s\n", im->pid, im->provider, im->where,
		       why && *why ? ": " : "", why ? why : "", im->private_img ? ")" : "");
	}
}

static void list_usage(FILE *out)
{
	fprintf(out,
		"usage: dynprobe list [PID...]\n\n"
		"Lists dynprobe providers and probes in the given (default: all) processes, one\n"
		"row per probe: USDT load state, semaphore count and whether a tracer is attached\n"
		"(semaphore set or stub patched by a uprobe); LTTng state and whether a session\n"
		"enabled the event; argument types.  Then, per provider, the USDT image to give\n"
		"tracers: a shared file traces every process that maps it (no -p needed).\n");
}

static int list_all(struct listing *l)
{
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]) && atoi(e->d_name) != getpid())
			list_pid(l, atoi(e->d_name));
	if (d)
		closedir(d);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	struct listing l = {0};
	int r = 0;

	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			list_usage(stdout);
			return 0;
		}
		long pid = strtol(argv[i], &end, 10);
		if (argv[i][0] == '-' || *end || end == argv[i] || pid <= 0 || pid > INT32_MAX) {
			fprintf(stderr, "dynprobe list: '%s' is %s\n", argv[i],
				argv[i][0] == '-' ? "not an option of list" : "not a PID");
			list_usage(stderr);
			return 2;
		}
	}
	elf_version(EV_CURRENT);
	for (int i = 1; i < argc && !r; i++) {
		if (list_pid(&l, atoi(argv[i])) < 0) {
			fprintf(stderr, "dynprobe list: no process %s (or no access)\n", argv[i]);
			r = 1;
		}
	}
	if (argc < 2)
		list_all(&l);
	if (!r)
		print_rows(&l);
	free(l.rows);
	free(l.images);
	free(l.whys);
	return r;
}
