/* SPDX-License-Identifier: MIT */
/*
 * validate.c - metadata and index checks (formats in validate.h).
 *
 * Every size read from a file is compared with what is actually there
 * before it is used, in 64-bit arithmetic that cannot wrap (sizes in bits
 * are divided, never multiplied).
 */
#include "validate.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MD_HEADER_LEN 37

static uint32_t rd32(const uint8_t *p, int be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t rd64be(const uint8_t *p)
{
	return (uint64_t)rd32(p, 1) << 32 | rd32(p + 4, 1);
}

/* One metadata packet at `off`; its length in bytes, or 0 with a message. */
static size_t check_md_packet(const uint8_t *buf, size_t len, size_t off, int be,
			      const uint8_t *uuid, unsigned n, char *err, size_t errlen)
{
	const uint8_t *h = buf + off;
	uint32_t content, size;

	if (len - off < MD_HEADER_LEN) {
		snprintf(err, errlen,
			 "truncated: packet %u at byte %zu has only %zu bytes of "
			 "its %d-byte header",
			 n, off, len - off, MD_HEADER_LEN);
		return 0;
	}
	if (rd32(h, be) != DP_METADATA_MAGIC || memcmp(h + 4, uuid, 16)) {
		snprintf(err, errlen, "damaged: packet %u at byte %zu has a wrong %s", n, off,
			 rd32(h, be) != DP_METADATA_MAGIC ? "magic number" : "trace UUID");
		return 0;
	}
	content = rd32(h + 24, be);
	size = rd32(h + 28, be);
	if (size % 8 || content % 8 || content > size || content < MD_HEADER_LEN * 8) {
		snprintf(err, errlen,
			 "damaged: packet %u at byte %zu has content size %" PRIu32
			 " and packet size %" PRIu32 " bits",
			 n, off, content, size);
		return 0;
	}
	if (h[32] || h[33] || h[34] || h[35] != 1 || h[36] != 8) {
		snprintf(err, errlen,
			 "damaged: packet %u at byte %zu declares compression, "
			 "encryption, a checksum or a version other than 1.8",
			 n, off);
		return 0;
	}
	if (size / 8 > len - off) {
		snprintf(err, errlen,
			 "truncated: packet %u at byte %zu is %" PRIu32 " bytes "
			 "long, the file ends %zu bytes after its start",
			 n, off, size / 8, len - off);
		return 0;
	}
	if (memchr(h + MD_HEADER_LEN, 0, content / 8 - MD_HEADER_LEN)) {
		snprintf(err, errlen, "damaged: packet %u at byte %zu has a NUL byte in its text",
			 n, off);
		return 0;
	}
	return size / 8;
}

int dp_check_metadata(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	uint8_t uuid[16];
	size_t off = 0, step;
	unsigned n = 0;
	int be;

	if (!len) {
		snprintf(err, errlen, "empty");
		return -1;
	}
	if (len < 4 || (rd32(buf, 0) != DP_METADATA_MAGIC && rd32(buf, 1) != DP_METADATA_MAGIC))
		return 0; /* text metadata */
	be = rd32(buf, 1) == DP_METADATA_MAGIC;
	if (len < MD_HEADER_LEN) {
		snprintf(err, errlen, "truncated: %zu bytes, shorter than one packet header", len);
		return -1;
	}
	memcpy(uuid, buf + 4, 16);
	for (; off < len; off += step, n++)
		if (!(step = check_md_packet(buf, len, off, be, uuid, n + 1, err, errlen)))
			return -1;
	return 0;
}

struct index_entry {
	uint64_t offset, packet_bits, content_bits, ts_begin, ts_end, discarded, seq;
};

static void read_entry(const uint8_t *p, uint32_t entry_len, struct index_entry *e)
{
	e->offset = rd64be(p);
	e->packet_bits = rd64be(p + 8);
	e->content_bits = rd64be(p + 16);
	e->ts_begin = rd64be(p + 24);
	e->ts_end = rd64be(p + 32);
	e->discarded = rd64be(p + 40);
	e->seq = entry_len >= 72 ? rd64be(p + 64) : 0;
}

/* Entry i against the previous one and the stream file. */
static int check_entry(const struct index_entry *e, const struct index_entry *prev, size_t i,
		       uint64_t expect_off, uint64_t stream_size, int has_seq, char *err,
		       size_t errlen)
{
	const char *what = NULL;

	if (e->offset != expect_off)
		what = "an offset that does not follow the previous packet";
	else if (!e->packet_bits || e->packet_bits % 8 || e->content_bits > e->packet_bits)
		what = "impossible packet or content sizes";
	else if (e->packet_bits / 8 > stream_size - e->offset)
		what = "a packet that runs past the end of the stream file";
	else if (e->ts_begin > e->ts_end)
		what = "a packet that ends before it begins";
	else if (prev && (e->ts_begin < prev->ts_begin || e->discarded < prev->discarded))
		what = "a timestamp or a discarded-events count that goes backwards";
	else if (prev && has_seq && e->seq <= prev->seq)
		what = "a packet sequence number that goes backwards";
	if (!what)
		return 0;
	snprintf(err, errlen, "damaged: entry %zu has %s", i + 1, what);
	return -1;
}

/* The CTF packet magic, in either byte order, at `off`. */
static int packet_starts(dp_read_at_fn read_at, void *ctx, uint64_t off)
{
	uint8_t m[4];

	if (read_at(ctx, off, m, 4))
		return 0;
	return rd32(m, 0) == DP_PACKET_MAGIC || rd32(m, 1) == DP_PACKET_MAGIC;
}

int dp_check_index(const uint8_t *buf, size_t len, uint64_t stream_size, dp_read_at_fn read_at,
		   void *ctx, char *err, size_t errlen)
{
	struct index_entry e, prev;
	uint32_t entry_len;
	uint64_t off = 0;
	size_t n;
	int skip_magic;

	if (len < 16 || rd32(buf, 1) != DP_INDEX_MAGIC || rd32(buf + 4, 1) != 1) {
		snprintf(err, errlen, "damaged: %s",
			 len < 16 ? "shorter than its header"
				  : "not an LTTng index (magic number or major version)");
		return -1;
	}
	entry_len = rd32(buf + 12, 1);
	if (entry_len < 56 || entry_len > 4096 || (len - 16) % entry_len) {
		snprintf(err, errlen,
			 "damaged: entry size %" PRIu32 " does not divide the "
			 "%zu bytes after the header",
			 entry_len, len - 16);
		return -1;
	}
	n = (len - 16) / entry_len;
	/* Only streams that start with a magic number (LTTng's) have one at
	 * every packet. */
	skip_magic = !read_at || !packet_starts(read_at, ctx, 0);
	for (size_t i = 0; i < n; i++, off += e.packet_bits / 8) {
		read_entry(buf + 16 + i * entry_len, entry_len, &e);
		if (check_entry(&e, i ? &prev : NULL, i, off, stream_size, entry_len >= 72, err,
				errlen))
			return -1;
		if (!skip_magic && !packet_starts(read_at, ctx, e.offset)) {
			snprintf(err, errlen,
				 "damaged: entry %zu points at byte %" PRIu64 ", where "
				 "no packet starts",
				 i + 1, e.offset);
			return -1;
		}
		prev = e;
	}
	if (off != stream_size) {
		snprintf(err, errlen,
			 "damaged or stale: it describes %" PRIu64 " bytes of a "
			 "%" PRIu64 "-byte stream file",
			 off, stream_size);
		return -1;
	}
	return 0;
}
