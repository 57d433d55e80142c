/* SPDX-License-Identifier: MIT */
/*
 * usdt_elf.c - builds the USDT provider object, a tiny ET_DYN ELF, in memory.
 *
 * Each probe gets a slot in .text holding a stub function that the fire
 * path calls with the probe's arguments in the SysV registers, a cell in
 * .probes holding its 2-byte semaphore (see usdt.h), and a stapsdt note that
 * tells tracers where both are and how to read the arguments.  What
 * `readelf -n` shows for `app:request(u64, str)`, the first probe:
 *
 *   stapsdt  0x00000032  NT_STAPSDT (SystemTap probe descriptors)
 *     Provider: app
 *     Name: request
 *     Location: 0x00000000000001c6, Base: 0x00000000000001d0, Semaphore: 0x00000000001001c4
 *     Arguments: 8@%rdi 8@%rsi
 *   GNU      0x00000014  NT_GNU_BUILD_ID (unique build ID bitstring)
 *     Build ID: (SHA-1 of the builder's inputs, see usdt_id.c)
 *
 * (slot 0x1c0: zeros, the stub at 0x1c6; cell 0x1001c0: LTTng state
 * mirror, the semaphore at 0x1001c4, the stub's idle bytes)
 *
 * Layout (every segment congruent mod 4096):
 *
 *   vaddr 0      R+X  ELF header, program headers, .note.gnu.build-id (in
 *                     the first page, PT_NOTE: perf and the kernel's BPF
 *                     stack build-ids look there), .text (slots: six zero
 *                     bytes, the stub, int3 padding), .stapsdt.base
 *   vaddr 1 MiB  RW   .dynamic, .probes: header, one cell per probe exactly
 *                     1 MiB after its slot (LTTng state mirror, semaphore,
 *                     the stub's idle bytes: the inline check in dynprobe.h
 *                     compares slot and cell, 8 bytes each, through one
 *                     pointer), argument types; then .hash,
 *                     .dynsym, .dynstr (nothing resolves symbols at run time;
 *                     they are for tracers and perf).  All inside p_filesz:
 *                     the kernel cannot count a semaphore in .bss.
 *   file only    --   .note.stapsdt, .shstrtab, section headers
 *
 * The gap between the segments is reserved PROT_NONE address space, not
 * memory.  1 MiB caps a USDT provider at about 65,000 probes (16,000 when
 * it also publishes on LTTng: 64-byte slots).
 *
 * The section header order is what bcc needs: it looks for .probes only
 * after the first executable section, and for .note.stapsdt only after
 * .probes; .note.gnu.build-id comes after both.
 * n_descsz is the exact descriptor length; padding follows it (bcc drops
 * notes whose size includes padding).  The image is written by hand rather
 * than through libelf's layout engine: it is a few hundred bytes, the exact
 * offsets matter to tracers, and it keeps provider load in the tens of µs.
 * The unit tests read it back with libelf.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "arch.h"
#include "usdt.h"

#define PAGE 4096u
#define NPHDR 5
/* The build-id note: header, "GNU\0", the id. */
#define BUILD_ID_NOTE_SIZE (sizeof(Elf64_Nhdr) + 4 + DP_USDT_BUILD_ID_SIZE)

enum section {
	S_NULL, S_HASH, S_DYNSYM, S_DYNSTR, S_TEXT, S_BASE, S_DYNAMIC, S_PROBES,
	S_NOTE, S_BUILD_ID, S_SHSTRTAB, S_COUNT
};

static const char *const section_names[S_COUNT] = {
	"", ".hash", ".dynsym", ".dynstr", ".text", ".stapsdt.base", ".dynamic",
	DP_USDT_SEC_PROBES, DP_USDT_SEC_STAPSDT, DP_USDT_SEC_BUILD_ID, ".shstrtab",
};

/* Byte-string builder for .dynstr and .shstrtab. */
struct strtab {
	char *buf;
	size_t len, cap;
};

/* Make room for `need` more bytes. */
static int strtab_reserve(struct strtab *t, size_t need)
{
	if (t->len + need > t->cap) {
		size_t cap = (t->cap ? t->cap * 2 : 256) + need;
		char *b = realloc(t->buf, cap);
		if (!b)
			return -ENOMEM;
		t->buf = b;
		t->cap = cap;
	}
	return 0;
}

static int strtab_add(struct strtab *t, const char *s, uint32_t *ret_off)
{
	size_t n = strlen(s) + 1;

	if (strtab_reserve(t, n) < 0)
		return -ENOMEM;
	memcpy(t->buf + t->len, s, n);
	if (ret_off)
		*ret_off = (uint32_t)t->len;
	t->len += n;
	return 0;
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int arg_size(enum dynprobe_type type)
{
	switch (type) {
	case DYNPROBE_I8: return -1;
	case DYNPROBE_U8: return 1;
	case DYNPROBE_I16: return -2;
	case DYNPROBE_U16: return 2;
	case DYNPROBE_I32: return -4;
	case DYNPROBE_U32: return 4;
	case DYNPROBE_I64: return -8;
	case DYNPROBE_U64:
	case DYNPROBE_STR:
	case DYNPROBE_DOUBLE: return 8;
	default: return 0;
	}
}

/* Values are passed fully extended to 64 bits, so the 64-bit register name
 * is right for every width; the size prefix tells the tracer how many bytes
 * are meaningful and whether to sign-extend.  Registers and stack slots
 * come from the architecture table (src/arch.c): on x86-64, arguments
 * 7..12 are on the stack, where 0(%rsp) is the return address at the
 * stub's first instruction. */
int dp_usdt_arg_spec(enum dynprobe_type type, size_t index, char *buf, size_t len)
{
	int size = arg_size(type);
	int n;

	if (!size || index >= DYNPROBE_MAX_ARGS)
		return -EINVAL;
	if (index < dp_arch.reg_args)
		n = snprintf(buf, len, "%d@%%%s", size, dp_arch.arg_regs[index]);
	else
		n = snprintf(buf, len, "%d@%zu(%%%s)", size,
			     dp_arch.stack_arg0 + dp_arch.stack_slot * (index - dp_arch.reg_args),
			     dp_arch.stack_pointer);
	return n > 0 && (size_t)n < len ? 0 : -ENOSPC;
}

enum dp_stub_kind dp_usdt_stub_kind(void)
{
	const char *env = dp_env(DP_ENV_USDT_STUB);
	struct utsname u;
	unsigned major = 0, minor = 0;

	if (env && !strcmp(env, "nop1"))
		return DP_STUB_NOP1;
	if (env && !strcmp(env, "nop5"))
		return DP_STUB_NOP5;
	if (uname(&u) == 0 && sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
	    (major << 8 | minor) >= dp_arch.fast_kernel)
		return DP_STUB_NOP5;
	return DP_STUB_NOP1;
}

/* One slot: zeros the inline check compares with the cell's state and
 * semaphore, the stub, padding (never executed); src/arch.c has the bytes. */
static void write_slot(uint8_t *p, size_t size, enum dp_stub_kind kind)
{
	memset(p, 0, DP_USDT_STUB_OFFSET);
	memset(p + DP_USDT_STUB_OFFSET, dp_arch.pad, size - DP_USDT_STUB_OFFSET);
	if (kind == DP_STUB_NOP5)
		memcpy(p + DP_USDT_STUB_OFFSET, dp_arch.stub_fast, dp_arch.stub_fast_len);
	else
		memcpy(p + DP_USDT_STUB_OFFSET, dp_arch.stub_plain, dp_arch.stub_plain_len);
}

static uint32_t sysv_hash(const char *name)
{
	uint32_t h = 0, g;

	for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
		h = (h << 4) + *s;
		g = h & 0xf0000000u;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

/* Offsets of everything, computed before anything is written. */
struct plan {
	size_t nprobes, nsyms;
	size_t slot;                 /* slot size, DP_USDT_SLOT(_LTTNG) */
	size_t build_id_off;         /* the build-id note, in the first page */
	size_t hash_off, hash_size;
	size_t dynsym_off, dynsym_size;
	size_t dynstr_off;
	size_t text_off, text_size;
	size_t base_off;
	size_t rx_end;
	size_t rw_off;               /* file offset of the RW segment (vaddr DISTANCE) */
	size_t dynamic_off, dynamic_size; /* .dynamic and .probes: virtual addresses */
	size_t probes_off, probes_size;
	size_t types_off;            /* vaddr of the type rows */
	size_t rw_end;               /* vaddr */
	size_t note_off, note_size;
	size_t shstrtab_off;
	size_t shdr_off;
	size_t total;
	struct strtab dynstr, shstrtab, notes;
	uint32_t shname[S_COUNT];
	uint32_t soname_off;
	uint32_t *sym_name_off;
};

static int note_append(struct strtab *notes, const char *provider,
		       const struct dp_probe_desc *p, uint64_t pc, uint64_t base,
		       uint64_t sem)
{
	char args[DYNPROBE_MAX_ARGS * 16] = "";
	size_t alen = 0;
	Elf64_Nhdr nh;
	size_t desc_len, need;
	int r;

	for (size_t i = 0; i < p->nargs; i++) {
		char spec[32];
		r = dp_usdt_arg_spec(p->types[i], i, spec, sizeof(spec));
		if (r < 0)
			return r;
		alen += (size_t)snprintf(args + alen, sizeof(args) - alen, "%s%s",
					 i ? " " : "", spec);
	}
	desc_len = 3 * 8 + strlen(provider) + 1 + strlen(p->name) + 1 + alen + 1;
	need = sizeof(nh) + 8 + align_up(desc_len, 4);
	if (strtab_reserve(notes, need) < 0)
		return -ENOMEM;
	nh.n_namesz = sizeof(DP_USDT_NOTE_STAPSDT);
	nh.n_descsz = (Elf64_Word)desc_len; /* exact: padding is not counted */
	nh.n_type = DP_USDT_NT_STAPSDT;
	char *w = notes->buf + notes->len;
	memset(w, 0, need);
	memcpy(w, &nh, sizeof(nh));
	memcpy(w + sizeof(nh), DP_USDT_NOTE_STAPSDT, sizeof(DP_USDT_NOTE_STAPSDT));
	w += sizeof(nh) + 8;
	memcpy(w, &pc, 8);
	memcpy(w + 8, &base, 8);
	memcpy(w + 16, &sem, 8);
	w += 24;
	w += sprintf(w, "%s", provider) + 1;
	w += sprintf(w, "%s", p->name) + 1;
	memcpy(w, args, alen + 1);
	notes->len += need;
	return 0;
}

static int plan_strings(struct plan *pl, const struct dp_provider_desc *d)
{
	char sym[DYNPROBE_MAX_PROVIDER_NAME + DYNPROBE_MAX_PROBE_NAME + 16];
	int r;

	r = strtab_add(&pl->dynstr, "", NULL);
	if (r < 0)
		return r;
	snprintf(sym, sizeof(sym), "libdynprobe-usdt-%s.so", d->name);
	r = strtab_add(&pl->dynstr, sym, &pl->soname_off);
	if (r < 0)
		return r;
	pl->sym_name_off = calloc(d->nprobes ? d->nprobes : 1, sizeof(uint32_t));
	if (!pl->sym_name_off)
		return -ENOMEM;
	for (size_t i = 0; i < d->nprobes; i++) {
		/* Stub symbols make stacks and `perf report` readable. */
		snprintf(sym, sizeof(sym), "%s__%s", d->name, d->probes[i]->name);
		r = strtab_add(&pl->dynstr, sym, &pl->sym_name_off[i]);
		if (r < 0)
			return r;
	}
	for (int s = 0; s < S_COUNT; s++) {
		r = strtab_add(&pl->shstrtab, section_names[s], &pl->shname[s]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Every slot's cell sits DYNPROBE__WATCH_DISTANCE after it (see
 * dynprobe.h), so the RW segment starts at that virtual address, and the
 * .dynamic section and .probes header fit in front of the first cell, with
 * a slot to spare for the lttng-ust record around it. */
static int plan_layout(struct plan *pl, size_t nprobes, size_t slot)
{
	size_t off = sizeof(Elf64_Ehdr) + NPHDR * sizeof(Elf64_Phdr);

	pl->nprobes = nprobes;
	pl->nsyms = nprobes + 1;
	pl->slot = slot;
	pl->build_id_off = off;
	off += BUILD_ID_NOTE_SIZE;
	pl->text_off = align_up(off + DP_USDT_SLOT_LTTNG, DP_USDT_SLOT_LTTNG);
	pl->text_size = nprobes * slot;
	pl->base_off = pl->text_off + pl->text_size;
	pl->rx_end = pl->base_off + 1;
	if (pl->rx_end > DYNPROBE__WATCH_DISTANCE)
		return -DYNPROBE_EPROBES; /* stubs would run into their own cells */
	pl->rw_off = align_up(pl->rx_end, PAGE);
	pl->dynamic_off = DYNPROBE__WATCH_DISTANCE;
	pl->dynamic_size = 7 * sizeof(Elf64_Dyn);
	pl->probes_off = pl->dynamic_off + pl->dynamic_size;
	if (pl->probes_off + sizeof(struct dp_usdt_probes_header) + DP_USDT_SLOT_LTTNG >
	    DYNPROBE__WATCH_DISTANCE + pl->text_off)
		return -EINVAL; /* cannot happen: headers are fixed-size */
	/* header, then the cells at stub + DISTANCE, then the type rows */
	pl->types_off = DYNPROBE__WATCH_DISTANCE + pl->text_off + pl->text_size;
	pl->probes_size = pl->types_off + DYNPROBE_MAX_ARGS * nprobes - pl->probes_off;
	/* The symbol tables go last, so that only the stubs count against
	 * the distance to the cells. */
	pl->hash_off = align_up(pl->probes_off + pl->probes_size, 8);
	pl->hash_size = (2 + pl->nsyms + pl->nsyms) * 4; /* nbucket = nchain = nsyms */
	pl->dynsym_off = align_up(pl->hash_off + pl->hash_size, 8);
	pl->dynsym_size = pl->nsyms * sizeof(Elf64_Sym);
	pl->dynstr_off = pl->dynsym_off + pl->dynsym_size;
	pl->rw_end = pl->dynstr_off + pl->dynstr.len;
	pl->note_off = align_up(pl->rw_off + (pl->rw_end - pl->dynamic_off), 4);
	return 0;
}

/* File offset of a virtual address in the RW segment. */
static size_t rw_file(const struct plan *pl, size_t vaddr)
{
	return pl->rw_off + (vaddr - DYNPROBE__WATCH_DISTANCE);
}

static void write_headers(uint8_t *img, const struct plan *pl)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_SYSV;
	eh->e_type = ET_DYN;
	eh->e_machine = dp_arch.elf_machine;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_shoff = pl->shdr_off;
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = NPHDR;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = S_COUNT;
	eh->e_shstrndx = S_SHSTRTAB;

	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
			      .p_offset = 0, .p_vaddr = 0, .p_paddr = 0,
			      .p_filesz = pl->rx_end, .p_memsz = pl->rx_end, .p_align = PAGE };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
			      .p_offset = pl->rw_off, .p_vaddr = pl->dynamic_off,
			      .p_paddr = pl->dynamic_off,
			      .p_filesz = pl->rw_end - pl->dynamic_off,
			      .p_memsz = pl->rw_end - pl->dynamic_off, .p_align = PAGE };
	ph[2] = (Elf64_Phdr){ .p_type = PT_DYNAMIC, .p_flags = PF_R | PF_W,
			      .p_offset = pl->rw_off, .p_vaddr = pl->dynamic_off,
			      .p_paddr = pl->dynamic_off, .p_filesz = pl->dynamic_size,
			      .p_memsz = pl->dynamic_size, .p_align = 8 };
	/* The kernel (BPF stack build-ids) and perf find the build-id
	 * through PT_NOTE in the first page. */
	ph[3] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_flags = PF_R, .p_offset = pl->build_id_off,
			      .p_vaddr = pl->build_id_off, .p_paddr = pl->build_id_off,
			      .p_filesz = BUILD_ID_NOTE_SIZE, .p_memsz = BUILD_ID_NOTE_SIZE,
			      .p_align = 4 };
	ph[4] = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W, .p_align = 16 };
}

static void write_dynamic(uint8_t *img, const struct plan *pl)
{
	Elf64_Dyn *dyn = (Elf64_Dyn *)(img + rw_file(pl, pl->dynamic_off));
	size_t i = 0;

	dyn[i++] = (Elf64_Dyn){ .d_tag = DT_HASH, .d_un.d_ptr = pl->hash_off };
	dyn[i++] = (Elf64_Dyn){ .d_tag = DT_STRTAB, .d_un.d_ptr = pl->dynstr_off };
	dyn[i++] = (Elf64_Dyn){ .d_tag = DT_SYMTAB, .d_un.d_ptr = pl->dynsym_off };
	dyn[i++] = (Elf64_Dyn){ .d_tag = DT_STRSZ, .d_un.d_val = pl->dynstr.len };
	dyn[i++] = (Elf64_Dyn){ .d_tag = DT_SYMENT, .d_un.d_val = sizeof(Elf64_Sym) };
	dyn[i++] = (Elf64_Dyn){ .d_tag = DT_SONAME, .d_un.d_val = pl->soname_off };
	dyn[i++] = (Elf64_Dyn){ .d_tag = DT_NULL };
}

static void write_symbols(uint8_t *img, const struct plan *pl, const struct dp_provider_desc *d)
{
	Elf64_Sym *sym = (Elf64_Sym *)(img + rw_file(pl, pl->dynsym_off));
	uint32_t *hash = (uint32_t *)(img + rw_file(pl, pl->hash_off));
	uint32_t nb = (uint32_t)pl->nsyms;
	uint32_t *bucket = hash + 2, *chain = hash + 2 + nb;

	hash[0] = nb;
	hash[1] = nb;
	for (size_t i = 0; i < pl->nprobes; i++) {
		Elf64_Sym *s = &sym[i + 1];
		const char *name = pl->dynstr.buf + pl->sym_name_off[i];
		uint32_t b = sysv_hash(name) % nb;

		s->st_name = pl->sym_name_off[i];
		s->st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
		s->st_shndx = S_TEXT;
		s->st_value = pl->text_off + i * pl->slot + DP_USDT_STUB_OFFSET;
		s->st_size = pl->slot - DP_USDT_STUB_OFFSET;
		chain[i + 1] = bucket[b]; /* prepend to the bucket's chain */
		bucket[b] = (uint32_t)(i + 1);
	}
	(void)d;
}

static void write_sections(uint8_t *img, const struct plan *pl)
{
	Elf64_Shdr *sh = (Elf64_Shdr *)(img + pl->shdr_off);
	struct {
		uint32_t type;
		uint64_t flags, off, size, align, entsize;
		uint32_t link;
		uint64_t addr; /* when it differs from off */
	} s[S_COUNT] = {
		[S_HASH] = { SHT_HASH, SHF_ALLOC, rw_file(pl, pl->hash_off), pl->hash_size, 8, 4,
			     S_DYNSYM, pl->hash_off },
		[S_DYNSYM] = { SHT_DYNSYM, SHF_ALLOC, rw_file(pl, pl->dynsym_off), pl->dynsym_size, 8,
			       sizeof(Elf64_Sym), S_DYNSTR, pl->dynsym_off },
		[S_DYNSTR] = { SHT_STRTAB, SHF_ALLOC, rw_file(pl, pl->dynstr_off), pl->dynstr.len, 1, 0,
			       0, pl->dynstr_off },
		[S_TEXT] = { SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, pl->text_off, pl->text_size,
			     pl->slot, 0, 0 },
		[S_BASE] = { SHT_PROGBITS, SHF_ALLOC, pl->base_off, 1, 1, 0, 0 },
		[S_DYNAMIC] = { SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE, rw_file(pl, pl->dynamic_off),
				pl->dynamic_size, 8, sizeof(Elf64_Dyn), S_DYNSTR, pl->dynamic_off },
		[S_PROBES] = { SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, rw_file(pl, pl->probes_off),
			       pl->probes_size, 4, 0, 0, pl->probes_off },
		[S_NOTE] = { SHT_NOTE, 0, pl->note_off, pl->note_size, 4, 0, 0 },
		[S_BUILD_ID] = { SHT_NOTE, SHF_ALLOC, pl->build_id_off, BUILD_ID_NOTE_SIZE, 4, 0, 0 },
		[S_SHSTRTAB] = { SHT_STRTAB, 0, pl->shstrtab_off, pl->shstrtab.len, 1, 0, 0 },
	};

	for (int i = 1; i < S_COUNT; i++) {
		sh[i].sh_name = pl->shname[i];
		sh[i].sh_type = s[i].type;
		sh[i].sh_flags = s[i].flags;
		sh[i].sh_addr = !(s[i].flags & SHF_ALLOC) ? 0 : s[i].addr ? s[i].addr : s[i].off;
		sh[i].sh_offset = s[i].off;
		sh[i].sh_size = s[i].size;
		sh[i].sh_link = s[i].link;
		sh[i].sh_info = i == S_DYNSYM ? 1 : 0; /* first non-local symbol */
		sh[i].sh_addralign = s[i].align;
		sh[i].sh_entsize = s[i].entsize;
	}
}

static void write_build_id(uint8_t *p, const uint8_t id[DP_USDT_BUILD_ID_SIZE])
{
	Elf64_Nhdr nh = { .n_namesz = sizeof(DP_USDT_NOTE_GNU), .n_descsz = DP_USDT_BUILD_ID_SIZE,
			  .n_type = DP_USDT_NT_GNU_BUILD_ID };

	memcpy(p, &nh, sizeof(nh));
	memcpy(p + sizeof(nh), DP_USDT_NOTE_GNU, sizeof(DP_USDT_NOTE_GNU));
	memcpy(p + sizeof(nh) + 4, id, DP_USDT_BUILD_ID_SIZE);
}

static void plan_free(struct plan *pl)
{
	free(pl->dynstr.buf);
	free(pl->shstrtab.buf);
	free(pl->notes.buf);
	free(pl->sym_name_off);
}

int dp_usdt_build_image(const struct dp_provider_desc *d, enum dp_stub_kind kind,
			unsigned int backends, uint8_t **ret_buf, size_t *ret_len,
			struct dp_usdt_layout *layout)
{
	struct plan pl = { 0 };
	uint8_t *img = NULL;
	int r;

	dp_usdt_image_id(d, kind, backends, layout->build_id);
	r = plan_strings(&pl, d);
	if (r < 0)
		goto err;
	r = plan_layout(&pl, d->nprobes,
			(backends & DYNPROBE_BACKEND_LTTNG) ? DP_USDT_SLOT_LTTNG : DP_USDT_SLOT);
	if (r < 0)
		goto err;
	for (size_t i = 0; i < d->nprobes; i++) {
		uint64_t slot = pl.text_off + i * pl.slot;
		uint64_t pc = slot + DP_USDT_STUB_OFFSET;
		uint64_t sem = slot + DYNPROBE__WATCH_DISTANCE + DP_USDT_CELL_SEM;

		r = note_append(&pl.notes, d->name, d->probes[i], pc, pl.base_off, sem);
		if (r < 0)
			goto err;
		layout->slot_vaddr[i] = slot;
		layout->stub_vaddr[i] = pc;
		layout->sem_vaddr[i] = sem;
	}
	layout->slot_size = pl.slot;
	layout->header_vaddr = pl.probes_off;
	layout->rx_size = pl.rx_end;
	layout->rw_offset = pl.rw_off;
	layout->rw_vaddr = pl.dynamic_off;
	layout->rw_size = pl.rw_end - pl.dynamic_off;
	pl.note_size = pl.notes.len;
	pl.shstrtab_off = pl.note_off + pl.note_size;
	pl.shdr_off = align_up(pl.shstrtab_off + pl.shstrtab.len, 8);
	pl.total = pl.shdr_off + S_COUNT * sizeof(Elf64_Shdr);

	img = calloc(1, pl.total);
	if (!img) {
		r = -ENOMEM;
		goto err;
	}
	write_headers(img, &pl);
	write_symbols(img, &pl, d);
	memcpy(img + rw_file(&pl, pl.dynstr_off), pl.dynstr.buf, pl.dynstr.len);
	for (size_t i = 0; i < d->nprobes; i++)
		write_slot(img + layout->slot_vaddr[i], pl.slot, kind);
	write_dynamic(img, &pl);
	write_build_id(img + pl.build_id_off, layout->build_id);
	struct dp_usdt_probes_header hdr = {
		.magic = DP_USDT_MAGIC, .state = DP_USDT_STATE_LOADED, /* usdt_format.h */
		.nprobes = (uint32_t)d->nprobes, .backends = backends,
		.types_off = (uint32_t)(pl.types_off - pl.probes_off),
		.version = DP_USDT_FORMAT_VERSION,
	};
	memcpy(img + rw_file(&pl, pl.probes_off), &hdr, sizeof(hdr));
	for (size_t i = 0; i < d->nprobes; i++) /* the cell's copy of the idle stub bytes */
		memcpy(img + rw_file(&pl, layout->slot_vaddr[i] + DYNPROBE__WATCH_DISTANCE +
					  DP_USDT_CELL_IDLE),
		       img + layout->stub_vaddr[i], 2);
	uint8_t *types = img + rw_file(&pl, pl.types_off);
	for (size_t i = 0; i < d->nprobes; i++)
		for (size_t a = 0; a < d->probes[i]->nargs; a++)
			types[i * DYNPROBE_MAX_ARGS + a] = (uint8_t)d->probes[i]->types[a];
	if (pl.note_size) /* no probes: no notes, and notes.buf is NULL */
		memcpy(img + pl.note_off, pl.notes.buf, pl.note_size);
	memcpy(img + pl.shstrtab_off, pl.shstrtab.buf, pl.shstrtab.len);
	write_sections(img, &pl);
	*ret_buf = img;
	*ret_len = pl.total;
	plan_free(&pl);
	return 0;
err:
	plan_free(&pl);
	free(img);
	return r;
}
