/* SPDX-License-Identifier: MIT */
/*
 * libbpf_usdt - attach a BPF program to a USDT probe of a file for every
 * process (libbpf's bpf_program__attach_usdt with pid -1), the way a
 * libbpf tool would.
 *
 *   libbpf_usdt OBJ PATH PROVIDER PROBE
 *
 * Prints "attached", then "seen PID A B" the first time a process hits
 * the probe (A, B: its first two arguments as u64 and i32), and exits when
 * stdin closes, after printing "count PID N" per process.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct hit {
	unsigned long long count, a;
	long long b;
};

#define MAX_PIDS 64

static int dump(int map, unsigned *seen, size_t *nseen, int final)
{
	unsigned key, next;
	struct hit h;
	int first = 1;

	while (bpf_map_get_next_key(map, first ? NULL : &key, &next) == 0) {
		first = 0;
		key = next;
		if (bpf_map_lookup_elem(map, &key, &h))
			continue;
		if (final) {
			printf("count %u %llu\n", key, h.count);
			continue;
		}
		size_t i = 0;
		while (i < *nseen && seen[i] != key)
			i++;
		if (i == *nseen && *nseen < MAX_PIDS) {
			seen[(*nseen)++] = key;
			printf("seen %u %llu %lld\n", key, h.a, h.b);
		}
	}
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;
	unsigned seen[MAX_PIDS];
	size_t nseen = 0;
	int map;

	if (argc != 5) {
		fprintf(stderr, "usage: libbpf_usdt OBJ PATH PROVIDER PROBE\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "libbpf_usdt: cannot load %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "on_req");
	link = prog ? bpf_program__attach_usdt(prog, -1, argv[2], argv[3], argv[4], NULL) : NULL;
	if (!link) {
		fprintf(stderr, "libbpf_usdt: attach_usdt %s:%s:%s failed: %s\n", argv[2], argv[3],
			argv[4], strerror(errno));
		return 1;
	}
	map = bpf_map__fd(bpf_object__find_map_by_name(obj, "hits"));
	printf("attached\n");
	fflush(stdout);
	for (;;) {
		struct pollfd p = {.fd = 0, .events = POLLIN};
		char c;
		if (poll(&p, 1, 50) > 0 && read(0, &c, 1) <= 0)
			break;
		dump(map, seen, &nseen, 0);
	}
	dump(map, seen, &nseen, 1);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
