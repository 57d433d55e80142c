/* SPDX-License-Identifier: MIT */
/*
 * arch.h - the one architecture table: every fact that differs between
 * CPUs (the ELF machine, the calling convention as stapsdt argument specs
 * describe it, the stub bytes and when the kernel optimizes them).  meson
 * refuses other CPU families (meson.build), so this build has exactly one
 * entry, dp_arch.  To port: a new table in arch.c, the family in
 * meson.build's list, and the inline check's assembly in dynprobe.h
 * (a C fallback already exists).
 */
#ifndef DYNPROBE_ARCH_H
#define DYNPROBE_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define DP_ARCH_STUB_MAX 8

struct dp_arch {
	const char *name;             /* meson's cpu_family */
	uint16_t elf_machine;         /* e_machine of the USDT image */
	/* Arguments: the first reg_args in these registers (names without
	 * '%'), the rest in stack slots from stack_arg0(%stack_pointer) at the
	 * stub's first instruction. */
	unsigned int reg_args;
	const char *const *arg_regs;
	const char *stack_pointer;
	unsigned int stack_arg0, stack_slot;
	/* Stubs, called like functions.  The fast one suits kernels from
	 * fast_kernel (major << 8 | minor), which turn a traced one into a
	 * call to a trampoline; older kernels single-step it, and get the
	 * plain one.  pad fills a slot after its stub (never executed). */
	uint8_t stub_fast[DP_ARCH_STUB_MAX], stub_fast_len;
	uint8_t stub_plain[DP_ARCH_STUB_MAX], stub_plain_len;
	unsigned int fast_kernel;
	uint8_t pad;
};

DP_HIDDEN extern const struct dp_arch dp_arch;

#endif /* DYNPROBE_ARCH_H */
