/* SPDX-License-Identifier: MIT */
/* usdt.h - the USDT backend's internals, shared by the image builder
 * (usdt_elf.c), the loader (usdt_load.c) and the unit tests. */
#ifndef DYNPROBE_USDT_H
#define DYNPROBE_USDT_H

#include <limits.h>

#include "internal.h"
#include "trusted_dir.h"
#include "usdt_format.h"
#include "watch.h"

struct dp_usdt_image;

/* What a loaded USDT image tells the core about one probe. */
struct dp_usdt_site {
	const volatile uint8_t *stub;       /* first byte of the called stub */
	/* The inline check's base: the stub's slot (see watch.h); the
	 * probe's cell is DYNPROBE__WATCH_DISTANCE after it. */
	const volatile uint8_t *watch;
	volatile uint16_t *sem;             /* the semaphore, in the cell */
	uint16_t stub_idle;                 /* first two stub bytes, unpatched */
};

/* Build the ELF image for the provider, map it, and fill sites[i] for
 * probes[i].  The image is never unmapped (a thread may still be reading a
 * stub); *ret_image owns its descriptor.  usdt_backend.c adapts these to
 * backend.h. */
DP_HIDDEN int dp_usdt_load(const struct dp_provider_desc *desc,
			   unsigned int backends, struct dp_usdt_site *sites,
			   struct dp_usdt_image **ret_image);
/* Mark the image loaded (1) or unloaded (0) for `dynprobe list`. */
DP_HIDDEN void dp_usdt_set_state(struct dp_usdt_image *image, uint32_t state);
DP_HIDDEN int dp_usdt_fd(const struct dp_usdt_image *image);
/* Where the image lives: the shared file's path (*ret_shared true), or why
 * it is a private memfd. */
DP_HIDDEN const char *dp_usdt_where(const struct dp_usdt_image *image, bool *ret_shared);
/* Append the image's backend record to the introspection record. */
struct dp_intro_writer;
DP_HIDDEN void dp_usdt_introspect(const struct dp_usdt_image *image,
				  const struct dp_usdt_site *sites, size_t nprobes,
				  struct dp_intro_writer *w);
/* Retire the image: it stays mapped, inert, for reuse by a later load. */
DP_HIDDEN void dp_usdt_release(struct dp_usdt_image *image);
/* Call the stub with values already converted (see union dp_value). */
DP_HIDDEN void dp_usdt_call(const struct dp_usdt_site *site, size_t nargs,
			    const union dp_value *values);

/* How a stub starts.  NOP5 (0f 1f 44 00 00) lets kernels >= 6.18 turn a
 * traced stub into a call to a trampoline; older kernels single-step it, so
 * they get NOP1 (90), which int3 emulation handles. */
enum dp_stub_kind {
	DP_STUB_NOP1 = 1,
	DP_STUB_NOP5 = 5,
};

/* Each probe owns a slot in .text: zero bytes (never executed), then the
 * stub, then int3 padding; its cell, DYNPROBE__WATCH_DISTANCE further in
 * .probes, holds a guest's state mirror, the semaphore the note points at
 * and a copy of the stub's first two idle bytes.  src/watch.h owns these
 * sizes and offsets and explains the inline check that reads them. */
#define DP_USDT_SLOT DP_WATCH_SLOT
#define DP_USDT_SLOT_LTTNG DP_WATCH_SHARED_STRIDE
#define DP_USDT_STUB_OFFSET DP_WATCH_STUB_OFFSET
#define DP_USDT_CELL_SEM DP_WATCH_CELL_SEM   /* semaphore, from the cell's start */
#define DP_USDT_CELL_IDLE DP_WATCH_CELL_IDLE /* idle stub bytes, from the cell's start */
/* .probes: struct dp_usdt_probes_header (usdt_format.h), the cells, then
 * one DYNPROBE_MAX_ARGS-byte row of enum dynprobe_type per probe (the
 * notes' arg specs cannot tell a string from a u64 or a double). */

/* Where things landed in the image (virtual addresses before relocation). */
struct dp_usdt_layout {
	uint64_t *slot_vaddr;   /* [nprobes], caller-allocated: watch bases */
	uint64_t *stub_vaddr;   /* [nprobes], caller-allocated */
	uint64_t *sem_vaddr;    /* [nprobes], caller-allocated */
	uint64_t slot_size;     /* DP_USDT_SLOT or DP_USDT_SLOT_LTTNG */
	uint64_t header_vaddr;  /* struct dp_usdt_probes_header */
	uint64_t rx_size;       /* R+X segment: file offset 0, vaddr 0 */
	uint64_t rw_offset;     /* RW segment: file offset */
	uint64_t rw_vaddr;      /* ... and virtual address */
	uint64_t rw_size;
	uint8_t build_id[DP_USDT_BUILD_ID_SIZE]; /* the image's identity */
};

/* Build the whole ELF image in one malloc()ed buffer. */
DP_HIDDEN int dp_usdt_build_image(const struct dp_provider_desc *desc,
				  enum dp_stub_kind kind, unsigned int backends,
				  uint8_t **ret_buf, size_t *ret_len,
				  struct dp_usdt_layout *layout);

/* The note's argument spec for argument `index` of type `type`, e.g.
 * "-4@%rdi" or "8@16(%rsp)". */
DP_HIDDEN int dp_usdt_arg_spec(enum dynprobe_type type, size_t index, char *buf, size_t len);

/* ---- where the image lives (usdt_publish.c) ---- */

/* A shared file nobody maps and nobody opened for this long is removed by
 * the next process that writes a file into the directory. */
#define DP_USDT_STALE_SECONDS 600

enum dp_usdt_image_kind {
	DP_USDT_IMAGE_FILE = 1, /* shared file in a trusted directory */
	DP_USDT_IMAGE_MEMFD,    /* private, sealed */
	DP_USDT_IMAGE_TMPFILE,  /* private, unlinked, without memfd_create */
};

struct dp_usdt_published {
	int fd;                        /* read-only for FILE; held (flock) */
	enum dp_usdt_image_kind kind;
	char path[PATH_MAX];           /* FILE: the path tracers name */
	char why[DP_TRUST_WHY_MAX];    /* otherwise: why not a shared file */
};

/* Put the image where tracers find it (see usdt_publish.c); 0 or -errno. */
DP_HIDDEN int dp_usdt_publish(const struct dp_provider_desc *desc, const uint8_t *buf,
			      size_t len, const uint8_t id[DP_USDT_BUILD_ID_SIZE],
			      struct dp_usdt_published *out);

/* After fork(), in the child: the publisher's lock, unlocked. */
DP_HIDDEN void dp_usdt_publish_fork_child(void);

/* The image's identity (usdt_id.c): SHA-1 of everything the builder turns
 * into bytes; its .note.gnu.build-id and shared file name. */
DP_HIDDEN void dp_usdt_image_id(const struct dp_provider_desc *desc, enum dp_stub_kind kind,
				unsigned int backends, uint8_t out[DP_USDT_BUILD_ID_SIZE]);
DP_HIDDEN void dp_usdt_sha1(const void *data, size_t len, uint8_t out[DP_USDT_BUILD_ID_SIZE]);

/* The stub kind this kernel wants ($DYNPROBE_USDT_STUB=nop1|nop5 overrides). */
DP_HIDDEN enum dp_stub_kind dp_usdt_stub_kind(void);

#endif
