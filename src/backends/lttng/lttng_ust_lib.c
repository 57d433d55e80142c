/* SPDX-License-Identifier: MIT */
/*
 * lttng_ust_lib.c - bring liblttng-ust into the process, once, and only
 * when it can work there.  Shared by both LTTng modes.
 *
 * Before anything is dlopen()ed (the runtime mode's liblttng-ust.so.1, or
 * a compiled provider that links it), dp_ust_process_check() refuses, with
 * a message that says why, the two cases where lttng-ust would crash or
 * abort the program instead of returning an error:
 *
 *   - a fully static program (no ELF interpreter: gcc -static): dlopen()
 *     would map a second C library and the program dies inside it;
 *   - a process that already has lttng-ust 2.12 or older loaded
 *     (liblttng-ust.so.0, provider ABI 2): two tracers of different ABIs
 *     would run side by side with interposed symbols, which lttng-ust 2.13
 *     itself reports as unsupported ("Incompatible library ABIs detected
 *     within the same process").
 *
 * dp_ust_lib_get() then dlopen()s liblttng-ust.so.1 itself (the soname of
 * provider ABI major 3, lttng-ust 2.13 and later) and resolves every
 * symbol the runtime mode calls, all from the public headers: probe
 * (un)registration (ust-events.h), call-site (un)registration
 * (tracepoint.h), and the RCU flavour that guards call sites, read side and
 * grace period (lttng/urcu/urcu-ust.h).  A missing symbol means another ABI: a
 * clear -DYNPROBE_ENOLTTNG, with nothing registered.  The library is never
 * dlclose()d.
 *
 * fork() without exec: lttng-ust must be told, or the child's events carry
 * the parent's vpid and its listener threads are missing.  liblttng-ust.so.1
 * exports lttng_ust_before_fork/after_fork_parent/after_fork_child
 * (liblttng-ust-fork.so is only an LD_PRELOAD wrapper of fork() calling
 * them).  They are not re-entrant, so they are registered once per process
 * with pthread_atfork(), and not at all when liblttng-ust-fork.so is
 * preloaded (it already calls them).
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

#include "lttng.h"

static struct dp_ust_lib ust_lib;
static int ust_lib_err;

/* A program run by the kernel without an ELF interpreter is static. */
static bool process_is_static(void)
{
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM);

	if (!ph)
		return false; /* cannot tell: assume the ordinary case */
	for (unsigned long i = 0; i < n; i++)
		if (ph[i].p_type == PT_INTERP)
			return false;
	return true;
}

int dp_ust_process_check(void)
{
	void *old;

	if (process_is_static()) {
		dp_logl(DYNPROBE_LOG_WARN,
			"lttng: this program is statically linked (no ELF interpreter): the LTTng "
			"backend must dlopen() liblttng-ust, which a static program cannot do; link "
			"it dynamically, or use the USDT backend");
		return -DYNPROBE_ENOLTTNG;
	}
	old = dlopen("liblttng-ust.so.0", RTLD_LAZY | RTLD_NOLOAD);
	if (old || dlsym(RTLD_DEFAULT, "ltt_probe_register")) {
		if (old)
			dlclose(old);
		dp_logl(DYNPROBE_LOG_WARN,
			"lttng: lttng-ust 2.12 or older (liblttng-ust.so.0, provider ABI 2) is already "
			"loaded in this process; liblttng-ust.so.1 is not supported next to it, so "
			"the LTTng backend stays off");
		return -DYNPROBE_ENOLTTNG;
	}
	return 0;
}

/* ---- fork ---- */

static void (*ust_before_fork)(sigset_t *);
static void (*ust_after_fork_parent)(sigset_t *);
static void (*ust_after_fork_child)(sigset_t *);
static __thread sigset_t fork_sigset;
static void *atfork_handle;

static void fork_prepare(void) { ust_before_fork(&fork_sigset); }
static void fork_parent(void) { ust_after_fork_parent(&fork_sigset); }
static void fork_child(void) { ust_after_fork_child(&fork_sigset); }

static void register_atfork_once(void)
{
	void *h = atfork_handle;
	void *pre = dlopen("liblttng-ust-fork.so.1", RTLD_NOW | RTLD_NOLOAD);

	if (pre) {
		dlclose(pre);
		dp_logl(DYNPROBE_LOG_INFO, "lttng: liblttng-ust-fork.so is preloaded; it handles fork()");
		return;
	}
	ust_before_fork = (void (*)(sigset_t *))dlsym(h, "lttng_ust_before_fork");
	ust_after_fork_parent = (void (*)(sigset_t *))dlsym(h, "lttng_ust_after_fork_parent");
	ust_after_fork_child = (void (*)(sigset_t *))dlsym(h, "lttng_ust_after_fork_child");
	if (!ust_before_fork || !ust_after_fork_parent || !ust_after_fork_child) {
		dp_logl(DYNPROBE_LOG_WARN,
			"lttng: lttng_ust_*_fork not found; forked children keep the parent's vpid");
		return;
	}
	if (pthread_atfork(fork_prepare, fork_parent, fork_child))
		dp_logl(DYNPROBE_LOG_WARN, "lttng: pthread_atfork failed");
}

void dp_ust_register_atfork(void *handle)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	atfork_handle = handle;
	pthread_once(&once, register_atfork_once);
}

/* ---- the library ---- */

struct sym {
	const char *name;
	size_t off;
};

#define SYM(field, name) { name, offsetof(struct dp_ust_lib, field) }
static const struct sym syms[] = {
	SYM(probe_register, "lttng_ust_probe_register"),
	SYM(probe_unregister, "lttng_ust_probe_unregister"),
	SYM(module_register, "lttng_ust_tracepoint_module_register"),
	SYM(module_unregister, "lttng_ust_tracepoint_module_unregister"),
	/* The tracepoint RCU flavour itself (lttng/urcu/urcu-ust.h), which
	 * lttng_ust_tp_rcu_read_lock() and _unlock() only wrap. */
	SYM(rcu_read_lock, "lttng_ust_urcu_read_lock"),
	SYM(rcu_read_unlock, "lttng_ust_urcu_read_unlock"),
	SYM(synchronize_rcu, "lttng_ust_urcu_synchronize_rcu"),
};

static void lib_open(void)
{
	struct dp_ust_lib l = { 0 };
	struct link_map *lm = NULL;
	int r;

	r = dp_ust_process_check();
	if (r < 0)
		goto err;
	/* RTLD_GLOBAL as lttng-ust's own tracepoint.h does; NODELETE: never
	 * unmapped, whatever the callers do with their handles. */
	l.handle = dlopen(DP_UST_SONAME, RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE);
	if (!l.handle) {
		dp_logl(DYNPROBE_LOG_WARN,
			"lttng: cannot load %s (lttng-ust >= 2.13, provider ABI %d): %s", DP_UST_SONAME,
			DP_UST_PROVIDER_MAJOR, dlerror());
		r = -DYNPROBE_ENOLTTNG;
		goto err;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *p = dlsym(l.handle, syms[i].name);
		if (!p) {
			dp_logl(DYNPROBE_LOG_WARN,
				"lttng: %s has no %s: not the lttng-ust provider ABI %d this library "
				"speaks; nothing registered", DP_UST_SONAME, syms[i].name,
				DP_UST_PROVIDER_MAJOR);
			r = -DYNPROBE_ENOLTTNG;
			goto err; /* the handle stays: NODELETE, and harmless */
		}
		memcpy((char *)&l + syms[i].off, &p, sizeof(p));
	}
	if (dlinfo(l.handle, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name)
		dp_logl(DYNPROBE_LOG_DEBUG, "lttng: runtime mode uses %s", lm->l_name);
	ust_lib = l;
	dp_ust_register_atfork(l.handle);
	return;
err:
	ust_lib_err = r;
}

int dp_ust_lib_get(const struct dp_ust_lib **ret)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, lib_open);
	*ret = ust_lib_err ? NULL : &ust_lib;
	return ust_lib_err;
}
