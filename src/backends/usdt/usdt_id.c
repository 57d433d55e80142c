/* SPDX-License-Identifier: MIT */
/*
 * usdt_id.c - the identity of a USDT image: a SHA-1 (FIPS 180-4) of
 * everything the image builder turns into bytes.
 *
 * The image is a pure function of the image format version, the library
 * version, the provider's name, its probes' names and argument types, the
 * stub kind and the backend mask (slot size, header).  Hashing those
 * inputs, a few hundred bytes, costs far less than hashing the image; the
 * result is the image's .note.gnu.build-id (perf keys its SDT cache by it)
 * and names the shared file, so that the same provider in two processes
 * maps the same file.  Nothing trusts the hash alone: a file is only
 * mapped when its bytes equal the image this process built.
 */
#include <string.h>

#include "config.h"
#include "usdt.h"

struct sha1 {
	uint32_t h[5];
	uint8_t block[64];
	size_t fill;
	uint64_t total;
};

static uint32_t rol(uint32_t v, int n)
{
	return (v << n) | (v >> (32 - n));
}

static void sha1_block(struct sha1 *s, const uint8_t *p)
{
	uint32_t w[80], a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];

	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		       (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
	for (int t = 16; t < 80; t++)
		w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	for (int t = 0; t < 80; t++) {
		uint32_t f, k;
		if (t < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (t < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (t < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		uint32_t tmp = rol(a, 5) + f + e + k + w[t];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = tmp;
	}
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
}

static void sha1_init(struct sha1 *s)
{
	static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};

	memcpy(s->h, iv, sizeof(iv));
	s->fill = 0;
	s->total = 0;
}

static void sha1_update(struct sha1 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->total += len;
	while (len) {
		size_t n = 64 - s->fill < len ? 64 - s->fill : len;
		memcpy(s->block + s->fill, p, n);
		s->fill += n;
		p += n;
		len -= n;
		if (s->fill == 64) {
			sha1_block(s, s->block);
			s->fill = 0;
		}
	}
}

static void sha1_final(struct sha1 *s, uint8_t out[DP_USDT_BUILD_ID_SIZE])
{
	uint64_t bits = s->total * 8;
	uint8_t pad = 0x80, len[8];

	sha1_update(s, &pad, 1);
	pad = 0;
	while (s->fill != 56)
		sha1_update(s, &pad, 1);
	for (int i = 0; i < 8; i++)
		len[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha1_update(s, len, 8);
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (uint8_t)(s->h[i] >> (24 - 8 * j));
}

void dp_usdt_sha1(const void *data, size_t len, uint8_t out[DP_USDT_BUILD_ID_SIZE])
{
	struct sha1 s;

	sha1_init(&s);
	sha1_update(&s, data, len);
	sha1_final(&s, out);
}

/* Each field is length-prefixed or fixed-size, so that no two different
 * inputs serialize to the same bytes. */
void dp_usdt_image_id(const struct dp_provider_desc *d, enum dp_stub_kind kind,
		      unsigned int backends, uint8_t out[DP_USDT_BUILD_ID_SIZE])
{
	static const char tag[] = "dynprobe-usdt-image";
	uint32_t head[4] = {DP_USDT_FORMAT_VERSION, (uint32_t)kind, backends, (uint32_t)d->nprobes};
	struct sha1 s;

	sha1_init(&s);
	sha1_update(&s, tag, sizeof(tag));
	sha1_update(&s, DYNPROBE_VERSION, sizeof(DYNPROBE_VERSION));
	sha1_update(&s, head, sizeof(head));
	sha1_update(&s, d->name, strlen(d->name) + 1);
	for (size_t i = 0; i < d->nprobes; i++) {
		const struct dp_probe_desc *p = d->probes[i];
		uint8_t types[1 + DYNPROBE_MAX_ARGS] = {(uint8_t)p->nargs};

		for (size_t a = 0; a < p->nargs && a < DYNPROBE_MAX_ARGS; a++)
			types[1 + a] = (uint8_t)p->types[a];
		sha1_update(&s, p->name, strlen(p->name) + 1);
		sha1_update(&s, types, sizeof(types));
	}
	sha1_final(&s, out);
}
