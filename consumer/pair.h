/* SPDX-License-Identifier: MIT */
/*
 * pair.h - open START events of --pair (see pair.c).
 */
#ifndef DYNPROBE_CONSUMER_PAIR_H
#define DYNPROBE_CONSUMER_PAIR_H

#include <stddef.h>
#include <stdint.h>

#define DP_DEFAULT_MAX_PENDING (1u << 20)

struct dp_pending;

struct dp_pending *dp_pending_new(size_t max);
void dp_pending_free(struct dp_pending *p);
/* 0 stored, 1 replaced an open start with the same key, -1 full (dropped). */
int dp_pending_put(struct dp_pending *p, const uint8_t *key, size_t len, int64_t ts);
/* 1 and the start's timestamp (removed), or 0 when no start is open. */
int dp_pending_take(struct dp_pending *p, const uint8_t *key, size_t len, int64_t *ts);
size_t dp_pending_count(const struct dp_pending *p);

#endif
