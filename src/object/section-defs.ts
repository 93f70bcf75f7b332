/**
 * libbpf's `section_defs` table (libbpf 1.5, `libbpf.c`): how a program's ELF section name selects its
 * program type, expected attach type and attach target. Order matters: the first match wins.
 *
 * A name ending in '+' matches itself exactly or followed by `/extras` (the extras are the attach
 * target); a name ending in '/' needs the extras; any other name must match exactly.
 */
export interface SectionDef {
  readonly sec: string;
  /** `enum bpf_prog_type` name, without `BPF_PROG_TYPE_`. */
  readonly progType: string;
  /** `enum bpf_attach_type` name, or undefined for 0. */
  readonly attachType?: string;
  /** SEC_ATTACH_BTF: the attach target is a kernel BTF function or type. */
  readonly attachBtf?: boolean;
  readonly sleepable?: boolean;
}

const d = (sec: string, progType: string, attachType?: string, flags: { attachBtf?: boolean; sleepable?: boolean } = {}): SectionDef =>
  ({ sec, progType, attachType, ...flags });
const BTF = { attachBtf: true };
const BTF_S = { attachBtf: true, sleepable: true };
const S = { sleepable: true };

export const SECTION_DEFS: readonly SectionDef[] = [
  d('socket', 'SOCKET_FILTER'),
  d('sk_reuseport/migrate', 'SK_REUSEPORT', 'BPF_SK_REUSEPORT_SELECT_OR_MIGRATE'),
  d('sk_reuseport', 'SK_REUSEPORT', 'BPF_SK_REUSEPORT_SELECT'),
  d('kprobe+', 'KPROBE'),
  d('uprobe+', 'KPROBE'),
  d('uprobe.s+', 'KPROBE', undefined, S),
  d('kretprobe+', 'KPROBE'),
  d('uretprobe+', 'KPROBE'),
  d('uretprobe.s+', 'KPROBE', undefined, S),
  d('kprobe.multi+', 'KPROBE', 'BPF_TRACE_KPROBE_MULTI'),
  d('kretprobe.multi+', 'KPROBE', 'BPF_TRACE_KPROBE_MULTI'),
  d('kprobe.session+', 'KPROBE', 'BPF_TRACE_KPROBE_SESSION'),
  d('uprobe.multi+', 'KPROBE', 'BPF_TRACE_UPROBE_MULTI'),
  d('uretprobe.multi+', 'KPROBE', 'BPF_TRACE_UPROBE_MULTI'),
  d('uprobe.multi.s+', 'KPROBE', 'BPF_TRACE_UPROBE_MULTI', S),
  d('uretprobe.multi.s+', 'KPROBE', 'BPF_TRACE_UPROBE_MULTI', S),
  d('ksyscall+', 'KPROBE'),
  d('kretsyscall+', 'KPROBE'),
  d('usdt+', 'KPROBE'),
  d('usdt.s+', 'KPROBE', undefined, S),
  d('tc/ingress', 'SCHED_CLS', 'BPF_TCX_INGRESS'),
  d('tc/egress', 'SCHED_CLS', 'BPF_TCX_EGRESS'),
  d('tcx/ingress', 'SCHED_CLS', 'BPF_TCX_INGRESS'),
  d('tcx/egress', 'SCHED_CLS', 'BPF_TCX_EGRESS'),
  d('tc', 'SCHED_CLS'),
  d('classifier', 'SCHED_CLS'),
  d('action', 'SCHED_ACT'),
  d('netkit/primary', 'SCHED_CLS', 'BPF_NETKIT_PRIMARY'),
  d('netkit/peer', 'SCHED_CLS', 'BPF_NETKIT_PEER'),
  d('tracepoint+', 'TRACEPOINT'),
  d('tp+', 'TRACEPOINT'),
  d('raw_tracepoint+', 'RAW_TRACEPOINT'),
  d('raw_tp+', 'RAW_TRACEPOINT'),
  d('raw_tracepoint.w+', 'RAW_TRACEPOINT_WRITABLE'),
  d('raw_tp.w+', 'RAW_TRACEPOINT_WRITABLE'),
  d('tp_btf+', 'TRACING', 'BPF_TRACE_RAW_TP', BTF),
  d('fentry+', 'TRACING', 'BPF_TRACE_FENTRY', BTF),
  d('fmod_ret+', 'TRACING', 'BPF_MODIFY_RETURN', BTF),
  d('fexit+', 'TRACING', 'BPF_TRACE_FEXIT', BTF),
  d('fentry.s+', 'TRACING', 'BPF_TRACE_FENTRY', BTF_S),
  d('fmod_ret.s+', 'TRACING', 'BPF_MODIFY_RETURN', BTF_S),
  d('fexit.s+', 'TRACING', 'BPF_TRACE_FEXIT', BTF_S),
  d('freplace+', 'EXT', undefined, BTF),
  d('lsm+', 'LSM', 'BPF_LSM_MAC', BTF),
  d('lsm.s+', 'LSM', 'BPF_LSM_MAC', BTF_S),
  d('lsm_cgroup+', 'LSM', 'BPF_LSM_CGROUP', BTF),
  d('iter+', 'TRACING', 'BPF_TRACE_ITER', BTF),
  d('iter.s+', 'TRACING', 'BPF_TRACE_ITER', BTF_S),
  d('syscall', 'SYSCALL', undefined, S),
  d('xdp.frags/devmap', 'XDP', 'BPF_XDP_DEVMAP'),
  d('xdp/devmap', 'XDP', 'BPF_XDP_DEVMAP'),
  d('xdp.frags/cpumap', 'XDP', 'BPF_XDP_CPUMAP'),
  d('xdp/cpumap', 'XDP', 'BPF_XDP_CPUMAP'),
  d('xdp.frags', 'XDP', 'BPF_XDP'),
  d('xdp', 'XDP', 'BPF_XDP'),
  d('perf_event', 'PERF_EVENT'),
  d('lwt_in', 'LWT_IN'),
  d('lwt_out', 'LWT_OUT'),
  d('lwt_xmit', 'LWT_XMIT'),
  d('lwt_seg6local', 'LWT_SEG6LOCAL'),
  d('sockops', 'SOCK_OPS', 'BPF_CGROUP_SOCK_OPS'),
  d('sk_skb/stream_parser', 'SK_SKB', 'BPF_SK_SKB_STREAM_PARSER'),
  d('sk_skb/stream_verdict', 'SK_SKB', 'BPF_SK_SKB_STREAM_VERDICT'),
  d('sk_skb/verdict', 'SK_SKB', 'BPF_SK_SKB_VERDICT'),
  d('sk_skb', 'SK_SKB'),
  d('sk_msg', 'SK_MSG', 'BPF_SK_MSG_VERDICT'),
  d('lirc_mode2', 'LIRC_MODE2', 'BPF_LIRC_MODE2'),
  d('flow_dissector', 'FLOW_DISSECTOR', 'BPF_FLOW_DISSECTOR'),
  d('cgroup_skb/ingress', 'CGROUP_SKB', 'BPF_CGROUP_INET_INGRESS'),
  d('cgroup_skb/egress', 'CGROUP_SKB', 'BPF_CGROUP_INET_EGRESS'),
  d('cgroup/skb', 'CGROUP_SKB'),
  d('cgroup/sock_create', 'CGROUP_SOCK', 'BPF_CGROUP_INET_SOCK_CREATE'),
  d('cgroup/sock_release', 'CGROUP_SOCK', 'BPF_CGROUP_INET_SOCK_RELEASE'),
  d('cgroup/sock', 'CGROUP_SOCK', 'BPF_CGROUP_INET_SOCK_CREATE'),
  d('cgroup/post_bind4', 'CGROUP_SOCK', 'BPF_CGROUP_INET4_POST_BIND'),
  d('cgroup/post_bind6', 'CGROUP_SOCK', 'BPF_CGROUP_INET6_POST_BIND'),
  d('cgroup/bind4', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET4_BIND'),
  d('cgroup/bind6', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET6_BIND'),
  d('cgroup/connect4', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET4_CONNECT'),
  d('cgroup/connect6', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET6_CONNECT'),
  d('cgroup/connect_unix', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UNIX_CONNECT'),
  d('cgroup/sendmsg4', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UDP4_SENDMSG'),
  d('cgroup/sendmsg6', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UDP6_SENDMSG'),
  d('cgroup/sendmsg_unix', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UNIX_SENDMSG'),
  d('cgroup/recvmsg4', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UDP4_RECVMSG'),
  d('cgroup/recvmsg6', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UDP6_RECVMSG'),
  d('cgroup/recvmsg_unix', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UNIX_RECVMSG'),
  d('cgroup/getpeername4', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET4_GETPEERNAME'),
  d('cgroup/getpeername6', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET6_GETPEERNAME'),
  d('cgroup/getpeername_unix', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UNIX_GETPEERNAME'),
  d('cgroup/getsockname4', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET4_GETSOCKNAME'),
  d('cgroup/getsockname6', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET6_GETSOCKNAME'),
  d('cgroup/getsockname_unix', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UNIX_GETSOCKNAME'),
  d('cgroup/sysctl', 'CGROUP_SYSCTL', 'BPF_CGROUP_SYSCTL'),
  d('cgroup/getsockopt', 'CGROUP_SOCKOPT', 'BPF_CGROUP_GETSOCKOPT'),
  d('cgroup/setsockopt', 'CGROUP_SOCKOPT', 'BPF_CGROUP_SETSOCKOPT'),
  d('cgroup/dev', 'CGROUP_DEVICE', 'BPF_CGROUP_DEVICE'),
  d('struct_ops+', 'STRUCT_OPS'),
  d('struct_ops.s+', 'STRUCT_OPS', undefined, S),
  d('sk_lookup', 'SK_LOOKUP', 'BPF_SK_LOOKUP'),
  d('netfilter', 'NETFILTER', 'BPF_NETFILTER'),
];

/** libbpf's `sec_def_matches`. */
export function sectionDefMatches(def: SectionDef, secName: string): boolean {
  const sec = def.sec;
  const last = sec[sec.length - 1];
  if (last === '/') return secName.startsWith(sec);
  if (last === '+') {
    const prefix = sec.slice(0, -1);
    if (!secName.startsWith(prefix)) return false;
    return secName.length === prefix.length || secName[prefix.length] === '/';
  }
  return secName === sec;
}

export interface ProgramSection {
  readonly def?: SectionDef;
  /** Whether libbpf loads the program by default (`?` prefix turns autoload off). */
  readonly autoload: boolean;
  /** What follows `<type>/` in a `+` definition: the kprobe function, tracepoint, BTF function, ... */
  readonly attachTarget?: string;
}

/** libbpf's `find_sec_def`, plus the attach target libbpf's attach handlers read from the name. */
export function classifySection(name: string): ProgramSection {
  const autoload = !name.startsWith('?');
  const secName = autoload ? name : name.slice(1);
  const def = SECTION_DEFS.find((x) => sectionDefMatches(x, secName));
  if (!def) return { autoload };
  let attachTarget: string | undefined;
  if (def.sec.endsWith('+')) {
    const prefix = def.sec.slice(0, -1);
    if (secName.length > prefix.length + 1) attachTarget = secName.slice(prefix.length + 1);
  }
  return { def, autoload, attachTarget };
}
