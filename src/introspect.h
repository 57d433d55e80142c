/* SPDX-License-Identifier: MIT */
/*
 * introspect.h - writing the per-process introspection record (format:
 * introspect_format.h) that `dynprobe list` reads.
 *
 * The core calls dp_introspect_update(provider) after every load and
 * unload, and dp_introspect_forget(provider) in free before the provider's
 * memory goes, holding no dynprobe lock.  An update rewrites that
 * provider's part of the record only (introspect.c): the core's
 * dp_provider_introspect() adds the provider with dp_intro_put_provider()
 * and then calls each loaded backend's introspect op, which adds one
 * backend record (dp_intro_begin_backend(), fields, dp_intro_end()).  The
 * first update of a process or fork child writes every provider, through
 * the core's walker dp_registry_introspect() (the same, for each).
 */
#ifndef DYNPROBE_INTROSPECT_H
#define DYNPROBE_INTROSPECT_H

#include "internal.h"
#include "introspect_format.h"

struct dp_intro_writer;

DP_HIDDEN void dp_introspect_update(const void *provider);
DP_HIDDEN void dp_introspect_forget(const void *provider);
/* For the core's fork handlers (provider.c): the record's lock, taken
 * before the registry's, released after it, in parent and child. */
DP_HIDDEN void dp_introspect_fork_prepare(void);
DP_HIDDEN void dp_introspect_fork_done(void);

/* `key` (the provider) names the chunk the records that follow belong to. */
DP_HIDDEN void dp_intro_put_provider(struct dp_intro_writer *w, const void *key, const char *name,
				     unsigned int backends, unsigned int loaded, size_t nprobes,
				     const struct dp_probe_desc *const *probes);
DP_HIDDEN void dp_intro_begin_backend(struct dp_intro_writer *w, unsigned int backend,
				      uint32_t version);
DP_HIDDEN void dp_intro_u32(struct dp_intro_writer *w, uint32_t v);
DP_HIDDEN void dp_intro_u64(struct dp_intro_writer *w, uint64_t v);
DP_HIDDEN void dp_intro_str(struct dp_intro_writer *w, const char *s);
DP_HIDDEN void dp_intro_end(struct dp_intro_writer *w);

/* The core's walkers (provider.c): one provider and its loaded backends,
 * under the provider's lock; every provider, under the registry lock too. */
DP_HIDDEN int dp_provider_introspect(const void *provider, struct dp_intro_writer *w);
DP_HIDDEN int dp_registry_introspect(struct dp_intro_writer *w);

#endif
