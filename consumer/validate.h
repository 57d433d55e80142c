/* SPDX-License-Identifier: MIT */
/*
 * validate.h - check what `dynprobe report` hands to libbabeltrace2.
 *
 * babeltrace2 2.0 loops forever on a truncated packetized metadata file
 * and aborts (assertions) on an index entry that points past its stream
 * file.  Both formats are small and documented, so they are checked here
 * first, byte by byte, as hostile input: a damaged metadata file is an
 * error naming it; a damaged index is left out (babeltrace2 then indexes
 * the stream file itself) and reported.
 *
 *  - Packetized metadata (CTF 1.8 §7.1): packets with a 37-byte header
 *    (magic 0x75d11d57, UUID, checksum, content and packet sizes in bits,
 *    compression/encryption/checksum schemes, major 1, minor 8), then TSDL
 *    text.  Text metadata (starting with a CTF 1.8 comment) is left to babeltrace2, which
 *    fails cleanly on it.
 *  - LTTng index files (index/NAME.idx): a big-endian header (magic
 *    0xc1f1dcc1, major 1, minor, entry size) and one entry per packet:
 *    offset and sizes, timestamps, discarded-events counter, stream id,
 *    and from 1.1 the stream instance id and packet sequence number.
 */
#ifndef DYNPROBE_CONSUMER_VALIDATE_H
#define DYNPROBE_CONSUMER_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#define DP_METADATA_MAGIC 0x75d11d57u
#define DP_INDEX_MAGIC 0xc1f1dcc1u
#define DP_PACKET_MAGIC 0xc1fc1fc1u

/* 0 when `buf` is text metadata or well-formed packetized metadata;
 * -1 with a message (no file name) otherwise. */
int dp_check_metadata(const uint8_t *buf, size_t len, char *err, size_t errlen);

/* Reads `n` bytes of the stream file at `off`; 0 or -1. */
typedef int (*dp_read_at_fn)(void *ctx, uint64_t off, void *buf, size_t n);

/* 0 when the index describes exactly the stream file of `stream_size`
 * bytes, packet after packet, each starting with the CTF packet magic
 * (checked through read_at, which may be NULL); -1 with a message. */
int dp_check_index(const uint8_t *buf, size_t len, uint64_t stream_size, dp_read_at_fn read_at,
		   void *ctx, char *err, size_t errlen);

#endif
