/* SPDX-License-Identifier: MIT */
/*
 * arch.c - the architecture table (see arch.h).
 *
 * x86-64: System V calling convention (integer arguments in rdi, rsi,
 * rdx, rcx, r8, r9, then on the stack above the return address); stubs
 * nop5; ret (0f 1f 44 00 00 c3), which kernel 6.18 optimizes into a call
 * to the uprobe trampoline when traced (~25 % cheaper a hit than int3),
 * or nop; ret before it (a single-stepped nop5 costs 3x a nop); int3
 * padding.
 */
#include <elf.h>

#include "arch.h"
#include "watch.h"

_Static_assert(DP_WATCH_SLOT - DP_WATCH_STUB_OFFSET >= DP_ARCH_STUB_MAX,
	       "any stub fits a slot after the zeros the inline check compares");

#if defined(__x86_64__)
static const char *const x86_64_regs[] = { "rdi", "rsi", "rdx", "rcx", "r8", "r9" };

const struct dp_arch dp_arch = {
	.name = "x86_64",
	.elf_machine = EM_X86_64,
	.reg_args = 6,
	.arg_regs = x86_64_regs,
	.stack_pointer = "rsp",
	.stack_arg0 = 8,
	.stack_slot = 8,
	.stub_fast = { 0x0f, 0x1f, 0x44, 0x00, 0x00, 0xc3 },
	.stub_fast_len = 6,
	.stub_plain = { 0x90, 0xc3 },
	.stub_plain_len = 2,
	.fast_kernel = 6 << 8 | 18,
	.pad = 0xcc,
};
#else
#error "dynprobe: no architecture table for this CPU (src/arch.c); meson.build should have refused it"
#endif
