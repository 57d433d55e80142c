/* SPDX-License-Identifier: MIT */
/*
 * gen_dynprobe - fire N dpgen:req events (and N/10 dpgen:tick) through the
 * dynprobe library's LTTng backend: the provider is declared at run time,
 * compiled/loaded by libdynprobe, and recorded by an ordinary session.
 * Same values and command line as gen_static (gen_values.h), plus:
 *
 *   gen_dynprobe N [SEED [DUMPFILE [THREADS [PAUSE_US]]]]
 *
 * THREADS threads fire N events each (thread t from seed SEED + t; only
 * thread 0's values are dumped), sleeping PAUSE_US between events (live
 * tests need events spread over time).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynprobe.h"
#include "gen_values.h"

static int setup(struct dynprobe_provider **prov, struct dynprobe_probe **req,
		 struct dynprobe_probe **tick)
{
	static const enum dynprobe_type req_sig[] = { DYNPROBE_STR, DYNPROBE_I64, DYNPROBE_I64,
						      DYNPROBE_DOUBLE };
	static const enum dynprobe_type tick_sig[] = { DYNPROBE_U64 };
	DYNPROBE_OPTS(dynprobe_provider_opts, o, .backends = DYNPROBE_BACKEND_LTTNG);
	char buf[256];
	int err;

	if ((err = dynprobe_provider_new("dpgen", &o, prov)) ||
	    (err = dynprobe_probe_add(*prov, "req", req_sig, 4, NULL, req)) ||
	    (err = dynprobe_probe_add(*prov, "tick", tick_sig, 1, NULL, tick)) ||
	    (err = dynprobe_provider_load(*prov))) {
		fprintf(stderr, "gen_dynprobe: %s\n", dynprobe_strerror(err, buf, sizeof(buf)));
		return -1;
	}
	return 0;
}

struct worker {
	struct dynprobe_probe *req, *tick;
	uint64_t n, state, pause_us;
	FILE *dump;
};

static void *fire_all(void *arg)
{
	struct worker *w = arg;
	uint64_t state = w->state ? w->state : 1; /* xorshift must not start at 0 */
	struct gen_value v;

	for (uint64_t i = 0; i < w->n; i++) {
		gen_next(&state, &v);
		DYNPROBE_FIRE(w->req, v.method, v.lat, v.sv, v.rv);
		if (i % 10 == 0)
			DYNPROBE_FIRE(w->tick, i);
		if (w->dump)
			gen_dump(w->dump, &v);
		if (w->pause_us)
			usleep((useconds_t)w->pause_us);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 42;
	unsigned threads = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 0) : 1;
	uint64_t pause_us = argc > 5 ? strtoull(argv[5], NULL, 0) : 0;
	struct dynprobe_provider *prov = NULL;
	struct dynprobe_probe *req, *tick;
	struct worker w[16];
	pthread_t tid[16];
	FILE *dump = NULL;
	int rc = 1;

	if (threads < 1 || threads > 16) {
		fprintf(stderr, "gen_dynprobe: THREADS must be 1..16\n");
		return 1;
	}
	if (argc > 3 && strcmp(argv[3], "-") && !(dump = fopen(argv[3], "w"))) {
		perror(argv[3]);
		return 1;
	}
	if (setup(&prov, &req, &tick))
		goto out;
	for (unsigned t = 0; t < threads; t++)
		w[t] = (struct worker){req, tick, n, seed + t, pause_us, t ? NULL : dump};
	for (unsigned t = 1; t < threads; t++)
		if (pthread_create(&tid[t], NULL, fire_all, &w[t]))
			goto out;
	fire_all(&w[0]);
	for (unsigned t = 1; t < threads; t++)
		pthread_join(tid[t], NULL);
	rc = 0;
out:
	if (dump && fclose(dump)) {
		perror(argv[3]);
		rc = 1;
	}
	dynprobe_provider_free(prov);
	return rc;
}
