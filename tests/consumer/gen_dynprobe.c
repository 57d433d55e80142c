/* SPDX-License-Identifier: MIT */
/*
 * gen_dynprobe - fire N dpgen:req events (and N/10 dpgen:tick) through the
 * dynprobe library's LTTng backend: the provider is declared at run time,
 * compiled/loaded by libdynprobe, and recorded by an ordinary session.
 * Same values and command line as gen_static (gen_values.h):
 *
 *   gen_dynprobe N [SEED [DUMPFILE]]
 */
#include <stdio.h>
#include <stdlib.h>

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

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000;
	uint64_t state = argc > 2 ? strtoull(argv[2], NULL, 0) : 42;
	struct dynprobe_provider *prov = NULL;
	struct dynprobe_probe *req, *tick;
	FILE *dump = NULL;
	struct gen_value v;
	int rc = 1;

	if (argc > 3 && !(dump = fopen(argv[3], "w"))) {
		perror(argv[3]);
		return 1;
	}
	if (setup(&prov, &req, &tick))
		goto out;
	state = state ? state : 1;   /* xorshift must not start at 0 */
	for (uint64_t i = 0; i < n; i++) {
		gen_next(&state, &v);
		DYNPROBE_FIRE(req, v.method, v.lat, v.sv, v.rv);
		if (i % 10 == 0)
			DYNPROBE_FIRE(tick, i);
		if (dump)
			gen_dump(dump, &v);
	}
	rc = 0;
out:
	if (dump && fclose(dump)) {
		perror(argv[3]);
		rc = 1;
	}
	dynprobe_provider_free(prov);
	return rc;
}
