/* SPDX-License-Identifier: MIT */
/* Reads the generated USDT image back with libelf and checks every rule
 * that bpftrace, bcc and libbpf depend on (see DESIGN.md). */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends/usdt/usdt.h"

struct built {
	uint8_t *img;
	size_t len;
	uint64_t stub[1100], sem[1100];
	struct dp_usdt_layout layout;
	Elf *elf;
};

static struct dp_probe_desc probe_a = {
	.name = "request", .nargs = 2, .types = { DYNPROBE_U64, DYNPROBE_STR },
};
static struct dp_probe_desc probe_b = {
	.name = "negatives", .nargs = 12,
	.types = { DYNPROBE_I8, DYNPROBE_U8, DYNPROBE_I16, DYNPROBE_U16, DYNPROBE_I32,
		   DYNPROBE_U32, DYNPROBE_I64, DYNPROBE_U64, DYNPROBE_STR, DYNPROBE_DOUBLE,
		   DYNPROBE_I32, DYNPROBE_U8 },
};
static struct dp_probe_desc probe_c = { .name = "noargs", .nargs = 0 };

static void build(struct built *b, const struct dp_probe_desc *const *probes, size_t n,
		  enum dp_stub_kind kind)
{
	struct dp_provider_desc d = { .name = "app", .nprobes = n, .probes = probes };

	b->layout.stub_vaddr = b->stub;
	b->layout.sem_vaddr = b->sem;
	assert_int_equal(dp_usdt_build_image(&d, kind, DYNPROBE_BACKEND_USDT, &b->img, &b->len,
					     &b->layout), 0);
	elf_version(EV_CURRENT);
	b->elf = elf_memory((char *)b->img, b->len);
	assert_non_null(b->elf);
	assert_int_equal(elf_kind(b->elf), ELF_K_ELF);
}

static void unbuild(struct built *b)
{
	elf_end(b->elf);
	free(b->img);
}

static Elf_Scn *section(Elf *e, const char *want, GElf_Shdr *sh)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	assert_int_equal(elf_getshdrstrndx(e, &shstrndx), 0);
	while ((scn = elf_nextscn(e, scn))) {
		gelf_getshdr(scn, sh);
		if (!strcmp(elf_strptr(e, shstrndx, sh->sh_name), want))
			return scn;
	}
	fail_msg("no section %s", want);
	return NULL;
}

static void test_header_and_order(void **state)
{
	const struct dp_probe_desc *probes[] = { &probe_a, &probe_b, &probe_c };
	static const char *const order[] = { "", ".hash", ".dynsym", ".dynstr", ".text",
		".stapsdt.base", ".dynamic", ".probes", ".note.stapsdt", ".shstrtab" };
	struct built b;
	GElf_Ehdr eh;
	size_t shstrndx, n = 0;
	Elf_Scn *scn = NULL;
	(void)state;

	build(&b, probes, 3, DP_STUB_NOP5);
	assert_non_null(gelf_getehdr(b.elf, &eh));
	assert_int_equal(eh.e_ident[EI_CLASS], ELFCLASS64);
	assert_int_equal(eh.e_ident[EI_DATA], ELFDATA2LSB);
	assert_int_equal(eh.e_type, ET_DYN);
	assert_int_equal(eh.e_machine, EM_X86_64);
	assert_int_equal(elf_getshdrstrndx(b.elf, &shstrndx), 0);
	assert_string_equal(elf_strptr(b.elf, shstrndx, 0), "");
	while ((scn = elf_nextscn(b.elf, scn))) {
		GElf_Shdr sh;
		gelf_getshdr(scn, &sh);
		n++;
		assert_true(n < 10);
		assert_string_equal(elf_strptr(b.elf, shstrndx, sh.sh_name), order[n]);
	}
	assert_int_equal(n, 9);
	unbuild(&b);
}

static void test_segments(void **state)
{
	const struct dp_probe_desc *probes[] = { &probe_a, &probe_b };
	struct built b;
	size_t nph;
	GElf_Phdr ph[4];
	GElf_Shdr probes_sh, text_sh;
	(void)state;

	build(&b, probes, 2, DP_STUB_NOP5);
	assert_int_equal(elf_getphdrnum(b.elf, &nph), 0);
	assert_int_equal(nph, 4);
	for (size_t i = 0; i < 4; i++) {
		gelf_getphdr(b.elf, (int)i, &ph[i]);
		assert_int_equal(ph[i].p_vaddr % 4096, ph[i].p_offset % 4096);
	}
	assert_int_equal(ph[0].p_type, PT_LOAD);
	assert_int_equal(ph[0].p_flags, PF_R | PF_X);
	assert_int_equal(ph[1].p_type, PT_LOAD);
	assert_int_equal(ph[1].p_flags, PF_R | PF_W);
	assert_int_equal(ph[2].p_type, PT_DYNAMIC);
	assert_int_equal(ph[3].p_type, PT_GNU_STACK);
	assert_int_equal(ph[3].p_flags & PF_X, 0);
	assert_true(ph[0].p_align <= 4096 && ph[1].p_align <= 4096);
	section(b.elf, ".probes", &probes_sh);
	assert_true(probes_sh.sh_flags & SHF_WRITE);
	assert_int_equal(probes_sh.sh_type, SHT_PROGBITS);
	/* Semaphores must be file-backed: inside the RW segment's p_filesz. */
	assert_true(probes_sh.sh_addr >= ph[1].p_vaddr);
	assert_true(probes_sh.sh_addr + probes_sh.sh_size <= ph[1].p_vaddr + ph[1].p_filesz);
	section(b.elf, ".text", &text_sh);
	assert_true(text_sh.sh_addr + text_sh.sh_size <= ph[0].p_vaddr + ph[0].p_filesz);
	/* The RW segment starts where the inline check expects the cells. */
	assert_int_equal(ph[1].p_vaddr, DYNPROBE__WATCH_DISTANCE);
	assert_int_equal(ph[1].p_offset % 4096, 0);
	assert_true(ph[1].p_offset < 2 * 4096); /* the file stays small */
	unbuild(&b);
}

static void check_note(const uint8_t *desc, size_t descsz, const char *probe,
		       uint64_t pc, uint64_t base, uint64_t sem, const char *args)
{
	uint64_t v;
	const char *s = (const char *)desc + 24;

	assert_int_equal(descsz, 24 + strlen("app") + 1 + strlen(probe) + 1 + strlen(args) + 1);
	memcpy(&v, desc, 8);
	assert_int_equal(v, pc);
	memcpy(&v, desc + 8, 8);
	assert_int_equal(v, base);
	memcpy(&v, desc + 16, 8);
	assert_int_equal(v, sem);
	assert_string_equal(s, "app");
	s += strlen(s) + 1;
	assert_string_equal(s, probe);
	s += strlen(s) + 1;
	assert_string_equal(s, args);
}

static void test_notes(void **state)
{
	const struct dp_probe_desc *probes[] = { &probe_a, &probe_b, &probe_c };
	const char *args[] = {
		"8@%rdi 8@%rsi",
		"-1@%rdi 1@%rsi -2@%rdx 2@%rcx -4@%r8 4@%r9 -8@8(%rsp) 8@16(%rsp) 8@24(%rsp) "
		"8@32(%rsp) -4@40(%rsp) 1@48(%rsp)",
		"",
	};
	struct built b;
	GElf_Shdr note_sh, base_sh, probes_sh;
	Elf_Data *data;
	GElf_Nhdr nh;
	size_t off = 0, name_off, desc_off, i = 0;
	(void)state;

	build(&b, probes, 3, DP_STUB_NOP5);
	section(b.elf, ".stapsdt.base", &base_sh);
	section(b.elf, ".probes", &probes_sh);
	data = elf_getdata(section(b.elf, ".note.stapsdt", &note_sh), NULL);
	assert_int_equal(note_sh.sh_type, SHT_NOTE);
	while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		assert_int_equal(nh.n_namesz, 8);
		assert_int_equal(nh.n_type, 3);
		assert_string_equal((char *)data->d_buf + name_off, "stapsdt");
		assert_true(i < 3);
		/* The semaphore is the cell exactly DISTANCE after the stub. */
		check_note((uint8_t *)data->d_buf + desc_off, nh.n_descsz, probes[i]->name,
			   b.stub[i], base_sh.sh_addr, b.stub[i] + DYNPROBE__WATCH_DISTANCE, args[i]);
		assert_true(b.sem[i] >= probes_sh.sh_addr + sizeof(struct dp_usdt_probes_header));
		assert_true(b.sem[i] + 2 <= probes_sh.sh_addr + probes_sh.sh_size);
		/* One semaphore per probe, 2-byte aligned, distinct. */
		assert_int_equal(b.sem[i] % 2, 0);
		i++;
	}
	assert_int_equal(i, 3);
	unbuild(&b);
}

static void check_stubs(enum dp_stub_kind kind, const uint8_t *expect, size_t n)
{
	static struct dp_probe_desc many[1000];
	static char names[1000][16];
	const struct dp_probe_desc *probes[1000];
	struct built b;

	for (size_t i = 0; i < 1000; i++) {
		snprintf(names[i], sizeof(names[i]), "p%zu", i);
		many[i] = (struct dp_probe_desc){ .name = names[i], .nargs = 1,
						  .types = { DYNPROBE_I32 } };
		probes[i] = &many[i];
	}
	build(&b, probes, 1000, kind);
	GElf_Shdr probes_sh;
	section(b.elf, ".probes", &probes_sh);
	for (size_t i = 0; i < 1000; i++) {
		assert_int_equal(b.stub[i] % 16, 0);
		/* a stub never crosses a 4 KiB page */
		assert_int_equal(b.stub[i] / 4096, (b.stub[i] + DP_USDT_STUB_SIZE - 1) / 4096);
		assert_memory_equal(b.img + b.stub[i], expect, n);
		if (i)
			assert_int_equal(b.sem[i], b.sem[i - 1] + DP_USDT_CELL_SIZE);
		/* The cell (semaphore 0, then the stub's idle bytes). */
		const uint8_t *cell = b.img + probes_sh.sh_offset + (b.sem[i] - probes_sh.sh_addr);
		assert_memory_equal(cell + 2, expect, 2);
		assert_int_equal(cell[0] | cell[1], 0);
	}
	unbuild(&b);
}

static void test_stubs(void **state)
{
	static const uint8_t nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00, 0xc3 };
	static const uint8_t nop1[] = { 0x90, 0xc3 };
	(void)state;

	check_stubs(DP_STUB_NOP5, nop5, sizeof(nop5));
	check_stubs(DP_STUB_NOP1, nop1, sizeof(nop1));
}

static void test_too_many_probes(void **state)
{
	static struct dp_probe_desc one = { .name = "p", .nargs = 0 };
	const struct dp_probe_desc **probes = calloc(70000, sizeof(*probes));
	struct dp_provider_desc d = { .name = "big", .nprobes = 70000, .probes = probes };
	uint64_t *stub = calloc(70000, 8), *sem = calloc(70000, 8);
	struct dp_usdt_layout l = { .stub_vaddr = stub, .sem_vaddr = sem };
	uint8_t *img = NULL;
	size_t len = 0;
	(void)state;

	for (size_t i = 0; i < 70000; i++)
		probes[i] = &one;
	assert_int_equal(dp_usdt_build_image(&d, DP_STUB_NOP5, 1, &img, &len, &l), -DYNPROBE_EPROBES);
	assert_null(img);
	d.nprobes = 60000;
	assert_int_equal(dp_usdt_build_image(&d, DP_STUB_NOP5, 1, &img, &len, &l), 0);
	free(img);
	free(probes);
	free(stub);
	free(sem);
}

static void test_arg_spec(void **state)
{
	char buf[32];
	(void)state;

	assert_int_equal(dp_usdt_arg_spec(DYNPROBE_I32, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "-4@%rdi");
	assert_int_equal(dp_usdt_arg_spec(DYNPROBE_DOUBLE, 5, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "8@%r9");
	assert_int_equal(dp_usdt_arg_spec(DYNPROBE_I16, 6, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "-2@8(%rsp)");
	assert_int_equal(dp_usdt_arg_spec(DYNPROBE_U8, 11, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1@48(%rsp)");
	assert_int_equal(dp_usdt_arg_spec(DYNPROBE_U8, 12, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(dp_usdt_arg_spec((enum dynprobe_type)0, 0, buf, sizeof(buf)), -EINVAL);
}

static void test_types_row(void **state)
{
	const struct dp_probe_desc *probes[] = { &probe_a, &probe_b };
	struct built b;
	GElf_Shdr sh;
	struct dp_usdt_probes_header hdr;
	(void)state;

	build(&b, probes, 2, DP_STUB_NOP1);
	section(b.elf, ".probes", &sh);
	memcpy(&hdr, b.img + sh.sh_offset, sizeof(hdr));
	assert_int_equal(hdr.magic, DP_USDT_MAGIC);
	assert_int_equal(hdr.nprobes, 2);
	const uint8_t *types = b.img + sh.sh_offset + hdr.types_off;
	assert_int_equal(types[0], DYNPROBE_U64);
	assert_int_equal(types[1], DYNPROBE_STR);
	assert_int_equal(types[DYNPROBE_MAX_ARGS + 9], DYNPROBE_DOUBLE);
	unbuild(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_and_order),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_stubs),
		cmocka_unit_test(test_arg_spec),
		cmocka_unit_test(test_too_many_probes),
		cmocka_unit_test(test_types_row),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("usdt_elf", tests, NULL, NULL);
}
