/* SPDX-License-Identifier: MIT */
/*
 * provider.h - the provider object, shared by provider.c (lifecycle,
 * registry, fork), probe.c (adding probes, their names) and load.c
 * (building and publishing on the backends).
 */
#ifndef DYNPROBE_PROVIDER_H
#define DYNPROBE_PROVIDER_H

#include "backend.h"
#include "internal.h"

/* One backend the provider publishes on; site k of its probes is backend
 * k's.  ops is NULL for a public backend left out of this build. */
struct provider_backend {
	const struct dp_backend *ops;
	unsigned int mask; /* DYNPROBE_BACKEND_* */
	uint8_t index;	   /* 1 + table index, as dp_probe_live.backend[] has it */
	void *image;	   /* NULL: not built for the current probes */
	int error;	   /* last load error */
};

/* The provider's name blocks.  A directory that fills is replaced by a
 * bigger copy and kept (older) until the provider is freed: readers of
 * dynprobe_probe_name() take no lock. */
struct name_dir {
	struct name_dir *older;
	uint32_t nblocks, cap;
	char *block[];
};

struct dynprobe_provider {
	char name[DYNPROBE_MAX_PROVIDER_NAME + 1];
	unsigned int backends; /* selected */
	unsigned int loaded;   /* currently loaded on (read without the lock) */
	struct provider_backend be[DP_PROBE_SITES]; /* selected, in table order */
	size_t nbe;
	unsigned int lttng_mode; /* DYNPROBE_LTTNG_MODE_* as asked */
	char *cache_dir, *prebuilt_path, *usdt_dir;
	uint32_t *probes; /* handles' numbers (dp_probe_at()), in the order added */
	size_t nprobes, cap;
	/* Open addressing over the names, for probe_add's duplicate check
	 * only: dropped when the provider loads (probe_add is refused then)
	 * and rebuilt by the next probe_add after an unload. */
	uint32_t *index;   /* 1 + probe index, 0: empty bucket */
	size_t index_size; /* 0, or a power of two at least twice nprobes */
	uint32_t *hashes;  /* per probe, its name's hash (NULL with no index) */
	/* Names, in blocks that never move (dynprobe_probe_name() returns
	 * pointers into them), freed with the provider; a slot names its
	 * text by block << 12 | offset. */
	struct name_dir *names;
	uint32_t name_used, name_size; /* of the last block */
	bool stale; /* probes changed since the objects were built */
	pthread_mutex_t lock;
	/* The registry (provider.c, under its lock): every provider in a
	 * list, newest first, and by name in hash buckets. */
	struct dynprobe_provider *next, **pprev;
	struct dynprobe_provider *bucket_next;
	uint32_t name_hash;
};

static inline struct dynprobe_probe *provider_probe(const struct dynprobe_provider *prov, size_t i)
{
	return dp_probe_at(prov->probes[i]);
}

static inline struct dp_slot *provider_slot(const struct dynprobe_provider *prov, size_t i)
{
	return dp_probe_slot_unchecked(provider_probe(prov, i));
}

/* probe.c */
DP_HIDDEN void provider_names_free(struct dynprobe_provider *prov);
/* The probe's name (its explicit argument names follow it). */
DP_HIDDEN const char *probe_name(const struct dp_slot *slot);
/* Loaded: give back what only probe_add needs (the name index, the probe
 * array's spare room). */
DP_HIDDEN void provider_compact(struct dynprobe_provider *prov);
/* The probe's description for the backends; arg_names point into the
 * provider's names or at static defaults. */
DP_HIDDEN void probe_desc(const struct dp_slot *slot, struct dp_probe_desc *desc);
/* Unbind the probe's sites and release it (provider_free). */
DP_HIDDEN void probe_free(struct dynprobe_probe *probe);

/* load.c */
DP_HIDDEN void provider_unload_locked(struct dynprobe_provider *prov);
DP_HIDDEN void provider_release_images(struct dynprobe_provider *prov);

/* provider.c: the provider's part of the introspection record is
 * rewritten (no lock held). */
DP_HIDDEN void provider_introspect_update(struct dynprobe_provider *prov);
/* provider.c: options structs. */
DP_HIDDEN int opts_check(const void *opts, size_t known);
#define OPT(opts, type, field, dflt)                                                               \
	((opts) && (opts)->sz >= offsetof(type, field) + sizeof((opts)->field) ? (opts)->field     \
									       : (dflt))

#endif /* DYNPROBE_PROVIDER_H */
