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
	uint64_t slot[1100], stub[1100], sem[1100];
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

static void build_for(struct built *b, const struct dp_probe_desc *const *probes, size_t n,
		      enum dp_stub_kind kind, unsigned int backends)
{
	struct dp_provider_desc d = { .name = "app", .nprobes = n, .probes = probes };

	b->layout.slot_vaddr = b->slot;
	b->layout.stub_vaddr = b->stub;
	b->layout.sem_vaddr = b->sem;
	assert_int_equal(dp_usdt_build_image(&d, kind, backends, &b->img, &b->len,
					     &b->layout), 0);
	elf_version(EV_CURRENT);
	b->elf = elf_memory((char *)b->img, b->len);
	assert_non_null(b->elf);
	assert_int_equal(elf_kind(b->elf), ELF_K_ELF);
}

static void build(struct built *b, const struct dp_probe_desc *const *probes, size_t n,
		  enum dp_stub_kind kind)
{
	build_for(b, probes, n, kind, DYNPROBE_BACKEND_USDT);
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
		".stapsdt.base", ".dynamic", ".probes", ".note.stapsdt", ".note.gnu.build-id", ".shstrtab" };
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
		assert_true(n < 11);
		assert_string_equal(elf_strptr(b.elf, shstrndx, sh.sh_name), order[n]);
	}
	assert_int_equal(n, 10);
	unbuild(&b);
}

static void test_segments(void **state)
{
	const struct dp_probe_desc *probes[] = { &probe_a, &probe_b };
	struct built b;
	size_t nph;
	GElf_Phdr ph[5];
	GElf_Shdr probes_sh, text_sh;
	(void)state;

	build(&b, probes, 2, DP_STUB_NOP5);
	assert_int_equal(elf_getphdrnum(b.elf, &nph), 0);
	assert_int_equal(nph, 5);
	for (size_t i = 0; i < 5; i++) {
		gelf_getphdr(b.elf, (int)i, &ph[i]);
		assert_int_equal(ph[i].p_vaddr % 4096, ph[i].p_offset % 4096);
	}
	assert_int_equal(ph[0].p_type, PT_LOAD);
	assert_int_equal(ph[0].p_flags, PF_R | PF_X);
	assert_int_equal(ph[1].p_type, PT_LOAD);
	assert_int_equal(ph[1].p_flags, PF_R | PF_W);
	assert_int_equal(ph[2].p_type, PT_DYNAMIC);
	assert_int_equal(ph[3].p_type, PT_NOTE); /* the build-id, in the first page */
	assert_true(ph[3].p_offset + ph[3].p_filesz <= 4096);
	assert_int_equal(ph[4].p_type, PT_GNU_STACK);
	assert_int_equal(ph[4].p_flags & PF_X, 0);
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
		/* The probe is the stub, 6 bytes into its slot; the semaphore
		 * is in the cell exactly DISTANCE after the slot. */
		assert_int_equal(b.stub[i], b.slot[i] + DP_USDT_STUB_OFFSET);
		assert_int_equal(b.sem[i], b.slot[i] + DYNPROBE__WATCH_DISTANCE + DP_USDT_CELL_SEM);
		check_note((uint8_t *)data->d_buf + desc_off, nh.n_descsz, probes[i]->name,
			   b.stub[i], base_sh.sh_addr, b.sem[i], args[i]);
		assert_true(b.sem[i] >= probes_sh.sh_addr + sizeof(struct dp_usdt_probes_header));
		assert_true(b.sem[i] + 2 <= probes_sh.sh_addr + probes_sh.sh_size);
		/* One semaphore per probe, 2-byte aligned, distinct. */
		assert_int_equal(b.sem[i] % 2, 0);
		i++;
	}
	assert_int_equal(i, 3);
	unbuild(&b);
}

static void check_stubs(enum dp_stub_kind kind, const uint8_t *expect, size_t n,
			unsigned int backends)
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
	build_for(&b, probes, 1000, kind, backends);
	size_t slot = backends & DYNPROBE_BACKEND_LTTNG ? DP_USDT_SLOT_LTTNG : DP_USDT_SLOT;
	static const uint8_t zeros[8];
	GElf_Shdr probes_sh;
	section(b.elf, ".probes", &probes_sh);
	assert_int_equal(b.layout.slot_size, slot);
	/* Room for the lttng-ust record (state at offset 24 in 2.13) in front
	 * of the first cell, behind the .probes header. */
	assert_true(b.slot[0] + DYNPROBE__WATCH_DISTANCE - 32 >=
		    probes_sh.sh_addr + sizeof(struct dp_usdt_probes_header));
	for (size_t i = 0; i < 1000; i++) {
		assert_int_equal(b.slot[i] % slot, 0);
		if (i)
			assert_int_equal(b.slot[i], b.slot[i - 1] + slot);
		assert_int_equal(b.stub[i], b.slot[i] + DP_USDT_STUB_OFFSET);
		/* a stub never crosses a 4 KiB page */
		assert_int_equal(b.stub[i] / 4096, (b.stub[i] + n - 1) / 4096);
		/* the slot: zeros, then the stub */
		assert_memory_equal(b.img + b.slot[i], zeros, DP_USDT_STUB_OFFSET);
		assert_memory_equal(b.img + b.stub[i], expect, n);
		/* The cell: LTTng state 0, semaphore 0, the stub's idle bytes... */
		const uint8_t *cell = b.img + probes_sh.sh_offset +
				      (b.slot[i] + DYNPROBE__WATCH_DISTANCE - probes_sh.sh_addr);
		assert_memory_equal(cell, zeros, 6);
		assert_memory_equal(cell + DP_USDT_CELL_IDLE, expect, 2);
		/* ...so the inline check's two words are equal while idle, and
		 * the cell lies inside .probes, in the file. */
		assert_memory_equal(cell, b.img + b.slot[i], 8);
		assert_true(b.slot[i] + DYNPROBE__WATCH_DISTANCE + 8 <=
			    probes_sh.sh_addr + probes_sh.sh_size);
	}
	unbuild(&b);
}

static void test_stubs(void **state)
{
	static const uint8_t nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00, 0xc3 };
	static const uint8_t nop1[] = { 0x90, 0xc3 };
	(void)state;

	check_stubs(DP_STUB_NOP5, nop5, sizeof(nop5), DYNPROBE_BACKEND_USDT);
	check_stubs(DP_STUB_NOP1, nop1, sizeof(nop1), DYNPROBE_BACKEND_USDT);
	check_stubs(DP_STUB_NOP5, nop5, sizeof(nop5),
		    DYNPROBE_BACKEND_USDT | DYNPROBE_BACKEND_LTTNG);
}

static void test_too_many_probes(void **state)
{
	static struct dp_probe_desc one = { .name = "p", .nargs = 0 };
	const struct dp_probe_desc **probes = calloc(70000, sizeof(*probes));
	struct dp_provider_desc d = { .name = "big", .nprobes = 70000, .probes = probes };
	uint64_t *stub = calloc(70000, 8), *sem = calloc(70000, 8), *slot = calloc(70000, 8);
	struct dp_usdt_layout l = { .slot_vaddr = slot, .stub_vaddr = stub, .sem_vaddr = sem };
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
	img = NULL;
	/* 64-byte slots on both backends: about 16,000 */
	assert_int_equal(dp_usdt_build_image(&d, DP_STUB_NOP5, DYNPROBE_BACKEND_USDT | DYNPROBE_BACKEND_LTTNG,
					     &img, &len, &l), -DYNPROBE_EPROBES);
	assert_null(img);
	d.nprobes = 16000;
	assert_int_equal(dp_usdt_build_image(&d, DP_STUB_NOP5, DYNPROBE_BACKEND_USDT | DYNPROBE_BACKEND_LTTNG,
					     &img, &len, &l), 0);
	free(img);
	free(slot);
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
