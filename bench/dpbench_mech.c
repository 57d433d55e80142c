/* SPDX-License-Identifier: MIT */
/*
 * dpbench_mech.c - the mechanisms dpbench compares, and their timed loops.
 *
 * Every mechanism gets one loop function per argument count (0, 2, 6), each
 * a separate noinline function so the compiler treats them alike.  The
 * loop body starts with an empty asm with a "memory" clobber: it forces the
 * compiler to re-load, on every iteration, whatever the call site reads
 * from memory (the sdt.h semaphore, the lttng-ust tracepoint state, the
 * dynprobe probe pointer and its watched words), exactly as a real call
 * site between other code does, and stops it from hoisting the check out
 * of the loop or deleting the loop.  The arguments depend on the loop
 * counter, so they cannot be precomputed either; like in real code they are
 * evaluated only when the guard says a tracer listens.
 *
 * The same fields everywhere: p0 (none), p2 (a:int64, s:string) and
 * p6 (a:int64, s:string, b:uint32, c:int64, d:uint64, e:int32).
 *
 * The libstapsdt-style *stand-in* (lsdt_guard, lsdt_fire) is written here
 * from the description of libstapsdt's design (not its code): a probe is a
 * called stub whose body is `90 90 90 90 c3` with a stapsdt note on its
 * first byte and no semaphore; "is enabled" is an inlined peek for 0xCC at
 * the stub; firing goes through a variadic function that reads every
 * argument as uint64_t and calls the stub through a pointer.  It is not
 * libstapsdt: its check is inlined where the real probeIsEnabled() is a call
 * into the library (built -O0 as shipped), so it flatters libstapsdt.  The
 * real library is measured by dpbench_stapsdt.c when DPBENCH_LIBSTAPSDT
 * names a build of it (stapsdt_guard, stapsdt_fire).
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dpbench.h"

#if DPBENCH_HAVE_UST
#include "dpbench_tp.h"
#endif
#if DPBENCH_HAVE_DYNPROBE
#include <dynprobe.h>
#endif

const int dpb_nargs[DPB_NARGS_VARIANTS] = { 0, 2, 6 };
/* Non-const globals: the call sites load them like real code would. */
const char *dpb_str = "GET /index.html";
FILE *dpb_log;

/* ---- empty loop --------------------------------------------------------- */
DPB_LOOP(loop_empty, (void)i)

/* ---- sys/sdt.h with semaphores -------------------------------------------- */
__extension__ unsigned short dpbench_p0_semaphore __attribute__((section(".probes"), used));
__extension__ unsigned short dpbench_p2_semaphore __attribute__((section(".probes"), used));
__extension__ unsigned short dpbench_p6_semaphore __attribute__((section(".probes"), used));
#define DPB_SEM(n) __builtin_expect(dpbench_##n##_semaphore, 0)
DPB_LOOP(loop_sdt0, if (DPB_SEM(p0)) STAP_PROBE(dpbench, p0))
DPB_LOOP(loop_sdt2, if (DPB_SEM(p2)) DPB_CALL(STAP_PROBE2, dpbench, p2, DPB_A2))
DPB_LOOP(loop_sdt6, if (DPB_SEM(p6)) DPB_CALL(STAP_PROBE6, dpbench, p6, DPB_A6))

/* ---- static lttng-ust tracepoint ----------------------------------------- */
#if DPBENCH_HAVE_UST
#define DPB_UST(n, ...)                                                       \
	if (lttng_ust_tracepoint_enabled(dpbench_ust, n))                     \
		lttng_ust_do_tracepoint(dpbench_ust, n, ##__VA_ARGS__)
DPB_LOOP(loop_ust0, DPB_UST(p0))
DPB_LOOP(loop_ust2, DPB_CALL(DPB_UST, p2, DPB_A2))
DPB_LOOP(loop_ust6, DPB_CALL(DPB_UST, p6, DPB_A6))
#endif

/* ---- dynprobe -------------------------------------------------------------- */
#if DPBENCH_HAVE_DYNPROBE
enum { DPB_B_USDT, DPB_B_LTTNG, DPB_B_BOTH, DPB_B_MAX };
#define DPB_MANY 10000
#define DPB_MANY_FIRED 5000 /* a probe in the middle of the 10,000 */
struct dynprobe_probe *dpb_dp[DPB_B_MAX][DPB_NARGS_VARIANTS];
struct dynprobe_probe *dpb_dp_one, *dpb_dp_many;
static struct dynprobe_provider *dpb_prov[DPB_B_MAX], *dpb_prov_one, *dpb_prov_many;
#define DPB_DP_LOOPS(b, tag)                                                  \
	DPB_LOOP(loop_dp_##tag##0, DYNPROBE_FIRE(dpb_dp[b][0]))                \
	DPB_LOOP(loop_dp_##tag##2, DYNPROBE_FIRE(dpb_dp[b][1], DPB_A2))        \
	DPB_LOOP(loop_dp_##tag##6, DYNPROBE_FIRE(dpb_dp[b][2], DPB_A6))
DPB_DP_LOOPS(DPB_B_USDT, usdt)
DPB_DP_LOOPS(DPB_B_LTTNG, lttng)
DPB_DP_LOOPS(DPB_B_BOTH, both)
DPB_LOOP(loop_dp_one2, DYNPROBE_FIRE(dpb_dp_one, DPB_A2))
/* Sites: the watched pointer in static storage, like sdt.h's semaphore. */
static struct dynprobe_site dpb_site_usdt = DYNPROBE_SITE_INIT;
static struct dynprobe_site dpb_site_lttng = DYNPROBE_SITE_INIT;
DPB_LOOP(loop_dp_site_usdt2, DYNPROBE_FIRE(&dpb_site_usdt, DPB_A2))
DPB_LOOP(loop_dp_site_lttng2, DYNPROBE_FIRE(&dpb_site_lttng, DPB_A2))
DPB_LOOP(loop_dp_many2, DYNPROBE_FIRE(dpb_dp_many, DPB_A2))
#endif

/* ---- libstapsdt style -------------------------------------------------------- */
/* The stub bytes and the register argument specs are x86-64's. */
#if defined(__x86_64__)
#define DPB_HAVE_LSDT 1
/* A called stub `nop; nop; nop; nop; ret` with a stapsdt note on its first
 * nop and no semaphore (address 0), as libstapsdt generates. */
#define DPB_LSDT_STUB(sym, probe, args)                                       \
	__asm__(".pushsection .text\n"                                        \
		".p2align 4\n"                                                \
		".type " #sym ", @function\n"                                 \
		#sym ":\n"                                                    \
		"990: nop\n nop\n nop\n nop\n ret\n"                          \
		".size " #sym ", . - " #sym "\n"                              \
		".popsection\n"                                               \
		".pushsection .note.stapsdt, \"?\", \"note\"\n"               \
		".balign 4\n"                                                 \
		".4byte 992f-991f, 994f-993f, 3\n"                            \
		"991: .asciz \"stapsdt\"\n"                                   \
		"992: .balign 4\n"                                            \
		"993: .8byte 990b\n"                                          \
		".8byte _.stapsdt.base\n"                                     \
		".8byte 0\n"                                                  \
		".asciz \"dpbench_lsdt\"\n"                                   \
		".asciz \"" probe "\"\n"                                      \
		".asciz \"" args "\"\n"                                       \
		"994: .balign 4\n"                                            \
		".popsection\n");                                             \
	void sym(void)
DPB_LSDT_STUB(dpb_lsdt_stub0, "p0", "");
DPB_LSDT_STUB(dpb_lsdt_stub2, "p2", "-8@%rdi 8@%rsi");
DPB_LSDT_STUB(dpb_lsdt_stub6, "p6", "-8@%rdi 8@%rsi 4@%rdx -8@%rcx 8@%r8 -4@%r9");

struct dpb_lsdt_probe {
	void (*fire)(void);
	int argc;
};
struct dpb_lsdt_probe dpb_lsdt[DPB_NARGS_VARIANTS] = {
	{ dpb_lsdt_stub0, 0 }, { dpb_lsdt_stub2, 2 }, { dpb_lsdt_stub6, 6 },
};

typedef void (*dpb_stub6_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/* Variadic fire that reads every argument as uint64_t, like libstapsdt's
 * probeFire; the stub is reached through a pointer. */
static __attribute__((noinline)) void dpb_lsdt_fire(const struct dpb_lsdt_probe *p, ...)
{
	uint64_t a[6] = { 0 };
	va_list ap;

	va_start(ap, p);
	for (int k = 0; k < p->argc; k++)
		a[k] = va_arg(ap, uint64_t);
	va_end(ap);
	switch (p->argc) {
	case 0:
		p->fire();
		break;
	case 2:
		((void (*)(uint64_t, uint64_t))p->fire)(a[0], a[1]);
		break;
	default:
		((dpb_stub6_fn)p->fire)(a[0], a[1], a[2], a[3], a[4], a[5]);
		break;
	}
}

#define DPB_LSDT_ON(k) (*(const volatile uint8_t *)(uintptr_t)dpb_lsdt[k].fire == 0xCC)
DPB_LOOP(loop_lsdtg0, if (DPB_LSDT_ON(0)) dpb_lsdt_fire(&dpb_lsdt[0]))
DPB_LOOP(loop_lsdtg2, if (DPB_LSDT_ON(1)) dpb_lsdt_fire(&dpb_lsdt[1], DPB_U2))
DPB_LOOP(loop_lsdtg6, if (DPB_LSDT_ON(2)) dpb_lsdt_fire(&dpb_lsdt[2], DPB_U6))
DPB_LOOP(loop_lsdtf0, dpb_lsdt_fire(&dpb_lsdt[0]))
DPB_LOOP(loop_lsdtf2, dpb_lsdt_fire(&dpb_lsdt[1], DPB_U2))
DPB_LOOP(loop_lsdtf6, dpb_lsdt_fire(&dpb_lsdt[2], DPB_U6))
#else
#define DPB_HAVE_LSDT 0
#define DPB_LSDT_ON(k) 0
#endif

/* ---- logging baseline ------------------------------------------------------- */
DPB_LOOP(loop_log0, fprintf(dpb_log, "p0\n"))
DPB_LOOP(loop_log2, DPB_CALL(fprintf, dpb_log, "p2 a=%" PRId64 " s=%s\n", DPB_A2))
DPB_LOOP(loop_log6, DPB_CALL(fprintf, dpb_log, "p6 a=%" PRId64 " s=%s b=%" PRIu32
			     " c=%" PRId64 " d=%" PRIu64 " e=%" PRId32 "\n", DPB_A6))

struct dpb_mech_info dpb_mechs[DPB_MECH_MAX] = {
	[DPB_EMPTY] = { "empty", "empty loop (asm memory barrier only)",
			{ loop_empty, loop_empty, loop_empty } },
	[DPB_SDT] = { "sdt", "sys/sdt.h STAP_PROBEn guarded by its .probes semaphore",
		      { loop_sdt0, loop_sdt2, loop_sdt6 } },
#if DPBENCH_HAVE_UST
	[DPB_UST] = { "ust", "static lttng-ust tracepoint, lttng_ust_tracepoint_enabled guard",
		      { loop_ust0, loop_ust2, loop_ust6 } },
#else
	[DPB_UST] = { "ust", "static lttng-ust tracepoint", { 0 },
		      "n/a (dpbench built without lttng-ust)" },
#endif
#if DPBENCH_HAVE_DYNPROBE
	[DPB_DP_USDT] = { "dp_usdt", "DYNPROBE_FIRE, provider on USDT",
			  { loop_dp_usdt0, loop_dp_usdt2, loop_dp_usdt6 } },
	[DPB_DP_LTTNG] = { "dp_lttng", "DYNPROBE_FIRE, provider on LTTng",
			   { loop_dp_lttng0, loop_dp_lttng2, loop_dp_lttng6 } },
	[DPB_DP_BOTH] = { "dp_both", "DYNPROBE_FIRE, provider on USDT and LTTng",
			  { loop_dp_both0, loop_dp_both2, loop_dp_both6 } },
	[DPB_DP_ONE] = { "dp_usdt_1", "DYNPROBE_FIRE, USDT provider with 1 probe",
			 { NULL, loop_dp_one2, NULL } },
	[DPB_DP_MANY] = { "dp_usdt_10k", "DYNPROBE_FIRE, USDT provider with 10,000 probes (fires #5000)",
			  { NULL, loop_dp_many2, NULL } },
	[DPB_DP_USDT_SITE] = { "dp_usdt_site", "DYNPROBE_FIRE on a static dynprobe_site, USDT",
			       { NULL, loop_dp_site_usdt2, NULL } },
	[DPB_DP_LTTNG_SITE] = { "dp_lttng_site", "DYNPROBE_FIRE on a static dynprobe_site, LTTng",
				{ NULL, loop_dp_site_lttng2, NULL } },
#else
	[DPB_DP_USDT] = { "dp_usdt", "DYNPROBE_FIRE, provider on USDT", { 0 },
			  "n/a (backend unavailable: dpbench built without libdynprobe)" },
	[DPB_DP_LTTNG] = { "dp_lttng", "DYNPROBE_FIRE, provider on LTTng", { 0 },
			   "n/a (backend unavailable: dpbench built without libdynprobe)" },
	[DPB_DP_BOTH] = { "dp_both", "DYNPROBE_FIRE, provider on USDT and LTTng", { 0 },
			  "n/a (backend unavailable: dpbench built without libdynprobe)" },
	[DPB_DP_ONE] = { "dp_usdt_1", "DYNPROBE_FIRE, USDT provider with 1 probe", { 0 },
			 "n/a (backend unavailable: dpbench built without libdynprobe)" },
	[DPB_DP_MANY] = { "dp_usdt_10k", "DYNPROBE_FIRE, USDT provider with 10,000 probes", { 0 },
			  "n/a (backend unavailable: dpbench built without libdynprobe)" },
	[DPB_DP_USDT_SITE] = { "dp_usdt_site", "DYNPROBE_FIRE on a dynprobe_site, USDT", { 0 },
			       "n/a (backend unavailable: dpbench built without libdynprobe)" },
	[DPB_DP_LTTNG_SITE] = { "dp_lttng_site", "DYNPROBE_FIRE on a dynprobe_site, LTTng", { 0 },
				"n/a (backend unavailable: dpbench built without libdynprobe)" },
#endif
#if DPB_HAVE_LSDT
	[DPB_LSDT_GUARD] = { "lsdt_guard", "libstapsdt stand-in: inlined 0xCC peek, then variadic fire of a 90 90 90 90 c3 stub",
			     { loop_lsdtg0, loop_lsdtg2, loop_lsdtg6 } },
	[DPB_LSDT_FIRE] = { "lsdt_fire", "libstapsdt stand-in: unguarded variadic fire of a 90 90 90 90 c3 stub",
			    { loop_lsdtf0, loop_lsdtf2, loop_lsdtf6 } },
#else
	[DPB_LSDT_GUARD] = { "lsdt_guard", "libstapsdt style", { 0 },
			     "n/a (the libstapsdt-style stub is written for x86-64)" },
	[DPB_LSDT_FIRE] = { "lsdt_fire", "libstapsdt style", { 0 },
			    "n/a (the libstapsdt-style stub is written for x86-64)" },
#endif
	[DPB_FPRINTF] = { "fprintf", "fprintf of the same fields to a buffered file (shared FILE)",
			  { loop_log0, loop_log2, loop_log6 } },
};

/* ---- set-up ------------------------------------------------------------------ */
#if DPBENCH_HAVE_DYNPROBE
static const enum dynprobe_type dpb_sig[] = {
	DYNPROBE_I64, DYNPROBE_STR, DYNPROBE_U32, DYNPROBE_I64, DYNPROBE_U64, DYNPROBE_I32,
};
static const char *const dpb_argn[] = { "a", "s", "b", "c", "d", "e" };

/* Build and load one provider.  Small providers (count <= 3) get probes
 * "p<nargs[k]>" and report all of them in probes[]; the scaling providers
 * get "s0".."s<count-1>" and report only the probe the loop fires.
 * Fills *why (the cell's n/a reason) on failure. */
static int dpb_dp_make(const char *name, unsigned int backends, const char *cache,
		       size_t count, const int *nargs, struct dynprobe_provider **ret_prov,
		       struct dynprobe_probe **probes, char *why)
{
	DYNPROBE_OPTS(dynprobe_provider_opts, po, .backends = backends, .cache_dir = cache);
	DYNPROBE_OPTS(dynprobe_probe_opts, pr, .arg_names = dpb_argn);
	struct dynprobe_provider *prov = NULL;
	size_t fired = count > 3 ? DPB_MANY_FIRED : 0;
	char pname[32], ebuf[160];
	int err;

	err = dynprobe_provider_new(name, &po, &prov);
	for (size_t k = 0; !err && k < count; k++) {
		struct dynprobe_probe *p = NULL;

		if (count <= 3)
			snprintf(pname, sizeof(pname), "p%d", nargs[k]);
		else
			snprintf(pname, sizeof(pname), "s%zu", k);
		err = dynprobe_probe_add(prov, pname, dpb_sig, (size_t)nargs[k], &pr, &p);
		if (count <= 3)
			probes[k] = p;
		else if (k == fired)
			probes[0] = p;
	}
	if (!err)
		err = dynprobe_provider_load(prov);
	if (err == DYNPROBE_LOAD_PARTIAL) {
		/* A cell must measure every backend it names, or none. */
		unsigned int lost = backends & ~dynprobe_provider_loaded_backends(prov);
		int berr = dynprobe_provider_backend_error(prov, lost & DYNPROBE_BACKEND_LTTNG ?
							      DYNPROBE_BACKEND_LTTNG :
							      DYNPROBE_BACKEND_USDT);
		snprintf(why, DPB_REASON_LEN, "n/a (%s: %s backend failed to load: %s)", name,
			 lost & DYNPROBE_BACKEND_LTTNG ? "LTTng" : "USDT",
			 dynprobe_strerror(berr, ebuf, sizeof(ebuf)));
	} else if (err) {
		snprintf(why, DPB_REASON_LEN, "n/a (%s load failed: %s)", name,
			 dynprobe_strerror(err, ebuf, sizeof(ebuf)));
	}
	if (err) {
		fprintf(stderr, "dpbench: %s\n", why);
		prov = dynprobe_provider_free(prov);
		memset(probes, 0, (count <= 3 ? count : 1) * sizeof(*probes));
	}
	*ret_prov = prov;
	return err;
}

static void dpb_dp_init(const char *cache, bool quick)
{
	static const unsigned int bk[DPB_B_MAX] = {
		DYNPROBE_BACKEND_USDT, DYNPROBE_BACKEND_LTTNG, DYNPROBE_BACKEND_ALL,
	};
	static const char *const names[DPB_B_MAX] = { "dpb_usdt", "dpb_lttng", "dpb_both" };
	static const enum dpb_mech mech[DPB_B_MAX] = { DPB_DP_USDT, DPB_DP_LTTNG, DPB_DP_BOTH };
	static int two[DPB_MANY];

	/* An operator's override would silently change what a cell measures. */
	unsetenv("DYNPROBE_BACKENDS");
	for (int b = 0; b < DPB_B_MAX; b++)
		dpb_dp_make(names[b], bk[b], cache, 3, dpb_nargs, &dpb_prov[b], dpb_dp[b],
			    dpb_mechs[mech[b]].na);
	if (dpb_dp[DPB_B_USDT][1])
		dynprobe_site_bind(&dpb_site_usdt, dpb_dp[DPB_B_USDT][1]);
	else
		snprintf(dpb_mechs[DPB_DP_USDT_SITE].na, DPB_REASON_LEN, "%s", dpb_mechs[DPB_DP_USDT].na);
	if (dpb_dp[DPB_B_LTTNG][1])
		dynprobe_site_bind(&dpb_site_lttng, dpb_dp[DPB_B_LTTNG][1]);
	else
		snprintf(dpb_mechs[DPB_DP_LTTNG_SITE].na, DPB_REASON_LEN, "%s", dpb_mechs[DPB_DP_LTTNG].na);
	for (int k = 0; k < DPB_MANY; k++)
		two[k] = 2;
	dpb_dp_make("dpb_one", DYNPROBE_BACKEND_USDT, cache, 1, two, &dpb_prov_one,
		    &dpb_dp_one, dpb_mechs[DPB_DP_ONE].na);
	/* While a 10,000-probe object is mapped, bpftrace 0.17 spends ~1.5 s
	 * per attached probe re-reading it: too slow for the smoke run. */
	if (quick)
		snprintf(dpb_mechs[DPB_DP_MANY].na, DPB_REASON_LEN, "n/a (skipped in --quick: "
			 "with a 10000-probe object mapped bpftrace attaches ~1.5 s per probe)");
	else
		dpb_dp_make("dpb_many", DYNPROBE_BACKEND_USDT, cache, DPB_MANY, two,
			    &dpb_prov_many, &dpb_dp_many, dpb_mechs[DPB_DP_MANY].na);
}
#endif

void dpb_mech_init(const struct dpb_mech_opts *opts)
{
	dpb_log = fopen(opts->log_path, "w");
	if (!dpb_log) {
		snprintf(dpb_mechs[DPB_FPRINTF].na, DPB_REASON_LEN, "n/a (cannot open %s: %s)",
			 opts->log_path, strerror(errno));
	}
#if DPBENCH_HAVE_DYNPROBE
	dpb_dp_init(opts->cache_dir, opts->quick);
#endif
	dpb_stapsdt_init();
}

/* The log would otherwise grow by hundreds of MB over a full run. */
void dpb_mech_before_run(enum dpb_mech m)
{
	if (m != DPB_FPRINTF || !dpb_log)
		return;
	fflush(dpb_log);
	if (ftruncate(fileno(dpb_log), 0) == 0)
		rewind(dpb_log);
}

void dpb_mech_fini(void)
{
	if (dpb_log)
		fclose(dpb_log);
	dpb_log = NULL;
	/* Providers stay loaded: the process exits right after. */
}

/* ---- what tracers see --------------------------------------------------------- */

#if DPBENCH_HAVE_DYNPROBE
/* How many of p[0..n) have a tracer on `backend`; counts them in *watched. */
static int dpb_dp_count(struct dynprobe_probe *const *p, size_t n, unsigned int backend,
			int *watched)
{
	int on = 0;

	for (size_t k = 0; k < n; k++) {
		if (!p[k])
			continue;
		(*watched)++;
		on += !!(dynprobe_probe_listening(p[k]) & backend);
	}
	return on;
}
#endif

/* Returns how many watched USDT sites are attached; *watched gets the total. */
static int dpb_usdt_scan(int *watched)
{
	const unsigned int u = DYNPROBE_BACKEND_USDT;
	int on = 0;

	*watched = DPB_HAVE_LSDT ? 6 : 3;
	on += !!dpbench_p0_semaphore + !!dpbench_p2_semaphore + !!dpbench_p6_semaphore;
	for (int k = 0; DPB_HAVE_LSDT && k < DPB_NARGS_VARIANTS; k++)
		on += DPB_LSDT_ON(k);
#if DPBENCH_HAVE_DYNPROBE
	on += dpb_dp_count(dpb_dp[DPB_B_USDT], DPB_NARGS_VARIANTS, u, watched);
	on += dpb_dp_count(dpb_dp[DPB_B_BOTH], DPB_NARGS_VARIANTS, u, watched);
	on += dpb_dp_count(&dpb_dp_one, 1, u, watched);
	on += dpb_dp_count(&dpb_dp_many, 1, u, watched);
#endif
	on += dpb_stapsdt_scan(watched);
	return on;
}

static int dpb_lttng_scan(int *watched)
{
	int on = 0;

	*watched = 0;
#if DPBENCH_HAVE_UST
	*watched = 3;
	on += !!lttng_ust_tracepoint_enabled(dpbench_ust, p0);
	on += !!lttng_ust_tracepoint_enabled(dpbench_ust, p2);
	on += !!lttng_ust_tracepoint_enabled(dpbench_ust, p6);
#endif
#if DPBENCH_HAVE_DYNPROBE
	on += dpb_dp_count(dpb_dp[DPB_B_LTTNG], DPB_NARGS_VARIANTS, DYNPROBE_BACKEND_LTTNG, watched);
	on += dpb_dp_count(dpb_dp[DPB_B_BOTH], DPB_NARGS_VARIANTS, DYNPROBE_BACKEND_LTTNG, watched);
#endif
	return on;
}

int dpb_usdt_attached(void) { int w; return dpb_usdt_scan(&w); }
int dpb_usdt_watched(void) { int w; dpb_usdt_scan(&w); return w; }
int dpb_lttng_enabled(void) { int w; return dpb_lttng_scan(&w); }
int dpb_lttng_watched(void) { int w; dpb_lttng_scan(&w); return w; }

static int dpb_append(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int dpb_append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *off)
		return -ENOSPC;
	*off += (size_t)n;
	return 0;
}

/* bpftrace attach points for every USDT site the matrix fires.  One wildcard attach point per object where
 * possible: bpftrace 0.17 re-reads every USDT object mapped in the process
 * for each attach point, ~2 s each once the 10,000-probe object is loaded. */
int dpb_usdt_targets(char *buf, size_t len, int pid)
{
	char exe[512];
	size_t off = 0;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int err = 0;

	if (n <= 0)
		return -errno;
	exe[n] = '\0';
#if DPBENCH_HAVE_DYNPROBE
	static const char *const names[] = { "dpb_both", "dpb_usdt", "dpb_one" };
	struct dynprobe_provider *provs[] = { dpb_prov[DPB_B_BOTH], dpb_prov[DPB_B_USDT],
					      dpb_prov_one };

	for (int b = 0; b < 3; b++)
		if (provs[b])
			err |= dpb_append(buf, len, &off, "usdt:/proc/%d/fd/%d:%s:*,", pid,
					  dynprobe_provider_usdt_fd(provs[b]), names[b]);
	if (dpb_prov_many)
		err |= dpb_append(buf, len, &off, "usdt:/proc/%d/fd/%d:dpb_many:s%d,", pid,
				  dynprobe_provider_usdt_fd(dpb_prov_many), DPB_MANY_FIRED);
#endif
	err |= dpb_append(buf, len, &off, "usdt:%s:dpbench:*", exe);
	if (DPB_HAVE_LSDT)
		err |= dpb_append(buf, len, &off, ",usdt:%s:dpbench_lsdt:*", exe);
	if (dpb_stapsdt_object()[0])
		err |= dpb_append(buf, len, &off, ",usdt:%s:dpb_stapsdt:*", dpb_stapsdt_object());
	return err ? -ENOSPC : 0;
}

const char *const *dpb_lttng_patterns(void)
{
	static const char *const pat[] = { "dpbench_ust:*", "dpb_lttng:*", "dpb_both:*", NULL };

	return pat;
}
