// SPDX-License-Identifier: GPL-2.0
/*
 * openat2 — the seed example for corecheck (default input of `corecheck inspect`).
 *
 * Modelled on Falco's modern probe `openat2_e`, which failed to load on RHEL 8
 * (kernel 4.18.0-372): the program reads the user-space `struct open_how` passed
 * as the 3rd argument of openat2(2) and uses `how.flags`.  Because the type is
 * declared with __attribute__((preserve_access_index)) (exactly as in vmlinux.h),
 * clang records the access `how.flags` as a CO-RE relocation
 *
 *     <byte_off> [N] struct open_how.flags (0:0 @ offset 0)
 *
 * in .BTF.ext.  At load time libbpf looks for `struct open_how` in the target
 * kernel's BTF.  openat2(2) and `struct open_how` only appeared in Linux 5.6, so a
 * 4.18 kernel (RHEL/CentOS 8) has no candidate at all: libbpf does not fail the
 * relocation, it *poisons* the instruction (replaces it with a call to the invalid
 * helper 0xbad2310 = 195896080) and the kernel verifier then rejects the program
 * ("invalid func unknown#195896080").  So the object loads on 5.6+ and fails on
 * 4.18 purely because of CO-RE — nothing else in it needs a newer kernel: it is a
 * plain tracepoint program with a perf event array (no ring buffer, no BTF-enabled
 * tp_btf/fentry program type, none of which exist on the 4.18 el8 kernel).
 * Like Falco's probe, both programs attach to the raw_syscalls/sys_enter tracepoint,
 * which every kernel has, and pick openat2 by syscall number (437 on every
 * architecture): a syscalls/sys_enter_openat2 tracepoint would not exist on 4.18 at
 * all, and attaching (not loading) would fail there.
 *
 * Two programs:
 *   openat2_e        the failing pattern: unconditional access to how.flags.
 *   openat2_guarded  the fix: the access is under `if (bpf_core_type_exists(struct
 *                    open_how))`.  On 4.18 that relocation resolves to 0, the
 *                    verifier sees the branch as dead and never checks the poisoned
 *                    instruction inside it, so the program loads.
 *
 * No vmlinux.h: the few kernel types needed are declared locally, as vmlinux.h
 * declares them.  Build: ./build.sh (clang-19 -target bpfel -O2 -g -c).
 */
/* the basic types bpf_helper_defs.h needs (vmlinux.h provides them too) */
typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define BPF_MAP_TYPE_PERF_EVENT_ARRAY 4
#define BPF_F_CURRENT_CPU 0xffffffffULL

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/* include/linux/trace_events.h */
struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

/* the context of the raw_syscalls/sys_enter tracepoint (and of syscalls/sys_enter_*) */
struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long int id;
	long unsigned int args[6];
	char __data[0];
};

/* include/uapi/linux/openat2.h, Linux >= 5.6 */
struct open_how {
	__u64 flags;
	__u64 mode;
	__u64 resolve;
};

#pragma clang attribute pop

struct event {
	__u32 pid;
	__u32 guarded;
	__u64 flags;
};

#define NR_openat2 437

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* Unguarded: fails to load on kernels without struct open_how (< 5.6). */
SEC("tracepoint/raw_syscalls/sys_enter")
int openat2_e(struct trace_event_raw_sys_enter *ctx)
{
	struct open_how how = {};
	struct event ev = {};

	if (ctx->id != NR_openat2)
		return 0;
	bpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]);
	ev.pid = bpf_get_current_pid_tgid() >> 32;
	ev.flags = how.flags; /* CO-RE <byte_off> struct open_how.flags (0:0 @ offset 0) */
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &ev, sizeof(ev));
	return 0;
}

/* Guarded: loads everywhere; on < 5.6 the access is dead code. */
SEC("tracepoint/raw_syscalls/sys_enter")
int openat2_guarded(struct trace_event_raw_sys_enter *ctx)
{
	struct event ev = {};

	if (ctx->id != NR_openat2)
		return 0;
	ev.pid = bpf_get_current_pid_tgid() >> 32;
	ev.guarded = 1;
	if (bpf_core_type_exists(struct open_how)) {
		struct open_how how = {};

		bpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]);
		ev.flags = how.flags;
	}
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &ev, sizeof(ev));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
