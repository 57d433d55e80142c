/* SPDX-License-Identifier: MIT */
/*
 * usdt_format.h - the USDT image format: the one definition shared by the
 * builder (usdt_elf.c) and its readers (usdt_reader.c, used by
 * `dynprobe list` and the fuzz target).
 *
 * An image is an ET_DYN ELF object (see usdt_elf.c for the layout) whose
 * .probes section starts with struct dp_usdt_probes_header, followed by one
 * cell per probe and then one row of DYNPROBE_MAX_ARGS argument types per
 * probe, in the order of the .note.stapsdt notes.  Readers get these bytes
 * from another process: they trust nothing in them (usdt_reader.c).
 *
 * Shared image files are named PROVIDER-BUILDID.so, BUILDID being the 40
 * hex digits of the image's .note.gnu.build-id (usdt_id.c).
 */
#ifndef DYNPROBE_USDT_FORMAT_H
#define DYNPROBE_USDT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "dynprobe.h"

/* Bump whenever the builder's output changes in any way: it is part of
 * the image identity, so old and new images never share a file name. */
#define DP_USDT_FORMAT_VERSION 3 /* 3: built with state LOADED */

#define DP_USDT_MAGIC 0x504e5944u /* "DYNP" at the start of .probes */

/* Header state word: what the provider's process says about the image.
 * Images are built LOADED: a load maps one and, if all goes well, writes
 * nothing into it (a first write to a page costs a page fault, and on a
 * VM with shadow page tables far more than the rest of the load). */
#define DP_USDT_STATE_UNLOADED 0u
#define DP_USDT_STATE_LOADED 1u
#define DP_USDT_STATE_FREED 2u /* retired: kept mapped for reuse */

/* .probes starts with this header; `dynprobe list` reads the live copy
 * through /proc/PID/mem for `state`. */
struct dp_usdt_probes_header {
	uint32_t magic;     /* DP_USDT_MAGIC */
	uint32_t state;     /* DP_USDT_STATE_* */
	uint32_t nprobes;   /* probes, cells and type rows */
	uint32_t backends;  /* DYNPROBE_BACKEND_* of the provider */
	uint32_t types_off; /* type rows, from the header's start */
	uint32_t version;   /* DP_USDT_FORMAT_VERSION */
	uint32_t reserved[2];
};

/* Notes. */
#define DP_USDT_NT_STAPSDT 3 /* name "stapsdt" */
#define DP_USDT_NOTE_STAPSDT "stapsdt"
#define DP_USDT_NT_GNU_BUILD_ID 3 /* name "GNU" */
#define DP_USDT_NOTE_GNU "GNU"
#define DP_USDT_BUILD_ID_SIZE 20

/* Section names the readers look for. */
#define DP_USDT_SEC_PROBES ".probes"
#define DP_USDT_SEC_STAPSDT ".note.stapsdt"
#define DP_USDT_SEC_BUILD_ID ".note.gnu.build-id"

/* Shared files: PROVIDER "-" 40 hex ".so". */
#define DP_USDT_FILE_SUFFIX ".so"
#define DP_USDT_TMP_PREFIX ".tmp-" /* being written: .tmp-PID-N-NAME */
#define DP_USDT_FILE_NAME_MAX (DYNPROBE_MAX_PROVIDER_NAME + 1 + 2 * DP_USDT_BUILD_ID_SIZE + 4)

/* ---- reading an image (usdt_reader.c) ---- */

/* One probe as the image describes it.  Strings are NUL-terminated copies;
 * addresses are the image's virtual addresses (add the mapping's base). */
struct dp_usdt_probe_info {
	char provider[DYNPROBE_MAX_PROVIDER_NAME + 1];
	char name[DYNPROBE_MAX_PROBE_NAME + 1];
	uint64_t pc, sem;
	uint8_t idle[2];         /* the stub's first bytes in the file */
	uint8_t nargs;           /* from the note's argument specs, <= 12 */
	uint8_t types[DYNPROBE_MAX_ARGS]; /* enum dynprobe_type; 0 = unknown */
};

struct dp_usdt_image_info {
	struct dp_usdt_probes_header header; /* as in the file */
	uint64_t header_vaddr;               /* where the live header is */
	uint8_t build_id[DP_USDT_BUILD_ID_SIZE];
	int has_build_id;
};

/* Parse `len` untrusted bytes.  Calls `fn` once per well-formed probe note
 * (at most header.nprobes times; a non-zero return stops the walk).
 * Returns the number of probes reported, or -EINVAL when the bytes are not
 * a dynprobe USDT image. */
typedef int (*dp_usdt_probe_fn)(const struct dp_usdt_probe_info *probe, void *arg);
int dp_usdt_read_image(const uint8_t *img, size_t len, struct dp_usdt_image_info *info,
		       dp_usdt_probe_fn fn, void *arg);

#endif
