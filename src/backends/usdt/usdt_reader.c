/* SPDX-License-Identifier: MIT */
/*
 * usdt_reader.c - reads a USDT image back, for `dynprobe list`.
 *
 * `dynprobe list` runs as root and reads images out of other processes,
 * which may have written anything into them: every offset, size and count
 * here is checked against the buffer before use, in 64-bit arithmetic that
 * cannot wrap (sizes are capped far below 2^63 first), and the type rows
 * are indexed by the header's probe count, never by the number of notes.
 * No libelf: the few structures needed are read by hand, so the fuzz target
 * (tests/fuzz/fuzz_list_reader.c) covers all the code that touches the
 * bytes.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "usdt_format.h"

#define MAX_IMAGE (256u << 20) /* far larger than any real image */
#define MAX_SECTIONS 4096

struct reader {
	const uint8_t *img;
	size_t len;
	Elf64_Shdr probes, stapsdt, build_id; /* sh_type 0: absent */
};

/* Is [off, off + size) inside the image?  Never wraps: len <= MAX_IMAGE. */
static int in_image(const struct reader *r, uint64_t off, uint64_t size)
{
	return off <= r->len && size <= r->len - off;
}

static uint32_t align4(uint32_t v)
{
	return (v + 3u) & ~3u;
}

static int find_sections(struct reader *r)
{
	Elf64_Ehdr eh;
	Elf64_Shdr strtab;

	if (r->len < sizeof(eh))
		return -EINVAL;
	memcpy(&eh, r->img, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    eh.e_shnum == 0 || eh.e_shnum > MAX_SECTIONS || eh.e_shstrndx >= eh.e_shnum ||
	    !in_image(r, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr)))
		return -EINVAL;
	memcpy(&strtab, r->img + eh.e_shoff + (uint64_t)eh.e_shstrndx * sizeof(Elf64_Shdr),
	       sizeof(strtab));
	if (strtab.sh_type != SHT_STRTAB || !in_image(r, strtab.sh_offset, strtab.sh_size))
		return -EINVAL;
	for (uint32_t i = 1; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;
		memcpy(&sh, r->img + eh.e_shoff + (uint64_t)i * sizeof(sh), sizeof(sh));
		if (sh.sh_name >= strtab.sh_size || sh.sh_type == SHT_NOBITS ||
		    !in_image(r, sh.sh_offset, sh.sh_size))
			continue;
		const char *name = (const char *)r->img + strtab.sh_offset + sh.sh_name;
		size_t room = strtab.sh_size - sh.sh_name;
		if (!memchr(name, '\0', room))
			continue;
		if (!strcmp(name, DP_USDT_SEC_PROBES))
			r->probes = sh;
		else if (!strcmp(name, DP_USDT_SEC_STAPSDT) && sh.sh_type == SHT_NOTE)
			r->stapsdt = sh;
		else if (!strcmp(name, DP_USDT_SEC_BUILD_ID) && sh.sh_type == SHT_NOTE)
			r->build_id = sh;
	}
	return r->probes.sh_type && r->stapsdt.sh_type ? 0 : -EINVAL;
}

/* One note at *off inside section `sh`: its name and descriptor.  Returns
 * 0 and advances *off, or -EINVAL at the end or on a malformed note. */
struct note {
	uint32_t type;
	const char *name;
	uint32_t namesz;
	const uint8_t *desc;
	uint32_t descsz;
};

static int next_note(const struct reader *r, const Elf64_Shdr *sh, uint64_t *off, struct note *n)
{
	Elf64_Nhdr nh;
	uint64_t left = sh->sh_size - *off;

	if (*off >= sh->sh_size || left < sizeof(nh))
		return -EINVAL;
	memcpy(&nh, r->img + sh->sh_offset + *off, sizeof(nh));
	/* namesz and descsz are 32-bit: align4 of a value near 2^32 would
	 * wrap, so cap them against what is left first */
	if (nh.n_namesz > left || nh.n_descsz > left)
		return -EINVAL;
	uint64_t need = sizeof(nh) + (uint64_t)align4(nh.n_namesz) + align4(nh.n_descsz);
	if (need > left)
		return -EINVAL;
	n->type = nh.n_type;
	n->name = (const char *)r->img + sh->sh_offset + *off + sizeof(nh);
	n->namesz = nh.n_namesz;
	n->desc = (const uint8_t *)n->name + align4(nh.n_namesz);
	n->descsz = nh.n_descsz;
	*off += need;
	return 0;
}

static int note_named(const struct note *n, const char *want)
{
	size_t l = strlen(want) + 1;

	return n->namesz == l && !memcmp(n->name, want, l);
}

/* Copy a NUL-terminated string starting at *p (before end) into buf;
 * false if it does not end inside the descriptor or does not fit. */
static int take_str(const char **p, const char *end, char *buf, size_t len)
{
	const char *nul = memchr(*p, '\0', (size_t)(end - *p));

	if (!nul || (size_t)(nul - *p) >= len)
		return 0;
	memcpy(buf, *p, (size_t)(nul - *p) + 1);
	*p = nul + 1;
	return 1;
}

static uint8_t count_args(const char *args)
{
	unsigned n = 0;

	for (const char *p = args; *p; p++)
		if (*p == '@')
			n++;
	return (uint8_t)(n < DYNPROBE_MAX_ARGS ? n : DYNPROBE_MAX_ARGS);
}

/* A stapsdt descriptor: pc, base, semaphore, then provider, name and
 * argument strings. */
static int parse_probe(const struct reader *r, const struct note *n, struct dp_usdt_probe_info *p)
{
	const char *s = (const char *)n->desc + 24, *end = (const char *)n->desc + n->descsz;
	char args[DYNPROBE_MAX_ARGS * 24];

	if (n->descsz < 24 + 3)
		return 0;
	memset(p, 0, sizeof(*p));
	memcpy(&p->pc, n->desc, 8);
	memcpy(&p->sem, n->desc + 16, 8);
	if (!take_str(&s, end, p->provider, sizeof(p->provider)) ||
	    !take_str(&s, end, p->name, sizeof(p->name)))
		return 0;
	args[0] = '\0';
	if (s < end && !take_str(&s, end, args, sizeof(args)))
		return 0;
	p->nargs = count_args(args);
	if (in_image(r, p->pc, 2))
		memcpy(p->idle, r->img + p->pc, 2);
	return 1;
}

/* The type row of probe `index`, if the header says there is one. */
static void probe_types(const struct reader *r, const struct dp_usdt_probes_header *h, size_t index,
			struct dp_usdt_probe_info *p)
{
	uint64_t rows = (uint64_t)h->types_off;
	uint64_t size = (uint64_t)h->nprobes * DYNPROBE_MAX_ARGS;

	if (index >= h->nprobes || rows > r->probes.sh_size || size > r->probes.sh_size - rows)
		return;
	const uint8_t *row = r->img + r->probes.sh_offset + rows + index * DYNPROBE_MAX_ARGS;
	for (size_t a = 0; a < p->nargs; a++)
		p->types[a] = row[a] < DYNPROBE_TYPE_MAX ? row[a] : 0;
}

static void read_build_id(const struct reader *r, struct dp_usdt_image_info *info)
{
	uint64_t off = 0;
	struct note n;

	while (r->build_id.sh_type && next_note(r, &r->build_id, &off, &n) == 0) {
		if (n.type == DP_USDT_NT_GNU_BUILD_ID && note_named(&n, DP_USDT_NOTE_GNU) &&
		    n.descsz == DP_USDT_BUILD_ID_SIZE) {
			memcpy(info->build_id, n.desc, DP_USDT_BUILD_ID_SIZE);
			info->has_build_id = 1;
			return;
		}
	}
}

int dp_usdt_read_image(const uint8_t *img, size_t len, struct dp_usdt_image_info *info,
		       dp_usdt_probe_fn fn, void *arg)
{
	struct reader r = {.img = img, .len = len};
	struct dp_usdt_probe_info p;
	uint64_t off = 0;
	size_t index = 0;
	struct note n;

	memset(info, 0, sizeof(*info));
	if (!img || len > MAX_IMAGE || find_sections(&r) < 0 ||
	    r.probes.sh_size < sizeof(info->header))
		return -EINVAL;
	memcpy(&info->header, img + r.probes.sh_offset, sizeof(info->header));
	if (info->header.magic != DP_USDT_MAGIC)
		return -EINVAL;
	info->header_vaddr = r.probes.sh_addr;
	read_build_id(&r, info);
	while (index < info->header.nprobes && next_note(&r, &r.stapsdt, &off, &n) == 0) {
		if (n.type != DP_USDT_NT_STAPSDT || !note_named(&n, DP_USDT_NOTE_STAPSDT) ||
		    !parse_probe(&r, &n, &p))
			continue;
		probe_types(&r, &info->header, index, &p);
		index++;
		if (fn && fn(&p, arg))
			break;
	}
	return (int)index;
}
