/* SPDX-License-Identifier: MIT */
/*
 * usdt_count.bpf.c - a libbpf USDT program for test_libbpf.sh: per process,
 * how often the probe fired and its first two arguments (u64, i32), read
 * through libbpf's BPF_USDT() from the note's argument specs.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

struct hit {
	__u64 count;
	__u64 a;
	__s64 b;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct hit);
} hits SEC(".maps");

SEC("usdt")
int BPF_USDT(on_req, __u64 a, int b)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct hit zero = { 0 }, *h;

	h = bpf_map_lookup_elem(&hits, &pid);
	if (!h) {
		bpf_map_update_elem(&hits, &pid, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hits, &pid);
		if (!h)
			return 0;
	}
	__sync_fetch_and_add(&h->count, 1);
	h->a = a;
	h->b = b;
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
