import type { ReasonClass } from '../analysis/reason.js';

/** What a reason class means and how it is usually fixed: SARIF rules and other help text read it. */
export interface ClassHelp {
  /** A PascalCase name for the class (SARIF `reportingDescriptor.name`). */
  readonly name: string;
  /** One sentence. */
  readonly summary: string;
  /** What happens at load time, and when it does not matter. */
  readonly description: string;
  /** The usual fixes, most direct first. */
  readonly fixes: readonly string[];
  /** What it usually does to a program; each finding carries its own verdict. */
  readonly usually: 'fails' | 'warn' | 'unknown';
}

const AUTOLOAD_OFF = 'turn autoload off for the program on kernels that lack it (bpf_program__set_autoload(prog, false) before loading), and load an alternative there';

export const CLASS_HELP: Readonly<Record<ReasonClass, ClassHelp>> = {
  CORE_RELOCATION: {
    name: 'CoreRelocation',
    summary: 'A CO-RE relocation finds no match in the kernel\'s BTF.',
    description: 'libbpf could not resolve a CO-RE relocation (a type, field or enumerator the program reads through preserve_access_index or a bpf_core_* macro) against the kernel\'s BTF, so it poisoned the instruction. If a path the verifier explores reaches that instruction, the program fails to load and libbpf prints "failed to resolve CO-RE relocation". If a guard makes it dead code, the program loads.',
    fixes: [
      'guard the access with bpf_core_type_exists(), bpf_core_field_exists() or bpf_core_enum_value_exists(), so that kernels without it never reach it',
      'read older layouts through a ___flavor type (struct task_struct___old with the field as older kernels have it), chosen with bpf_core_field_exists()',
      'for a user-space ABI type (read from user memory), declare a local copy without preserve_access_index: it is not relocated',
      AUTOLOAD_OFF,
    ],
    usually: 'fails',
  },
  CORE_AMBIGUOUS: {
    name: 'CoreAmbiguous',
    summary: 'A local type matches several kernel types that disagree: libbpf fails the whole object.',
    description: 'A CO-RE relocation has more than one candidate in the kernel\'s BTF and they give different results. libbpf refuses to guess and fails bpf_object__load for every program of the object.',
    fixes: ['make the local type match exactly one kernel type: rename or drop conflicting ___flavor definitions', AUTOLOAD_OFF],
    usually: 'fails',
  },
  CORE_ERROR: {
    name: 'CoreError',
    summary: 'A CO-RE relocation cannot be applied: libbpf fails the whole object.',
    description: 'libbpf hit a hard error while relocating (an instruction that does not match its relocation, a value that does not fit, a malformed spec). Unlike an unresolved relocation, this is not poisoned: bpf_object__load fails for every program of the object.',
    fixes: ['rebuild the object with a clang and libbpf that agree on the CO-RE format', 'check the relocated access: a bitfield or value the instruction cannot hold', AUTOLOAD_OFF],
    usually: 'fails',
  },
  HELPER_UNAVAILABLE: {
    name: 'HelperUnavailable',
    summary: 'The program calls a BPF helper the kernel does not have.',
    description: 'The helper is not in the kernel\'s enum bpf_func_id, and a path the verifier explores calls it: the verifier rejects the program ("invalid func unknown#N").',
    fixes: ['guard the call with bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_<name>)', 'fall back to the helper older kernels offer (bpf_probe_read for bpf_probe_read_user/kernel)', AUTOLOAD_OFF],
    usually: 'fails',
  },
  MAP_TYPE_UNSUPPORTED: {
    name: 'MapTypeUnsupported',
    summary: 'The object defines a map of a type the kernel does not know: libbpf cannot create it.',
    description: 'The map type is not in the kernel\'s enum bpf_map_type. Map creation fails, and with it bpf_object__load for every program of the object.',
    fixes: ['pick the map type at load time with bpf_map__set_type() from what the kernel has (a perf buffer where there is no ring buffer)', 'or disable the map with bpf_map__set_autocreate(map, false) and the programs that use it'],
    usually: 'fails',
  },
  PROG_TYPE_UNSUPPORTED: {
    name: 'ProgTypeUnsupported',
    summary: 'The program\'s type or attach type is unknown to the kernel.',
    description: 'The program type (from its SEC() name) is not in the kernel\'s enum bpf_prog_type, or its expected attach type not in enum bpf_attach_type: BPF_PROG_LOAD fails.',
    fixes: [AUTOLOAD_OFF, 'use an older program type for the same hook where there is one (kprobe for fentry, tracepoint for tp_btf)'],
    usually: 'fails',
  },
  ATTACH_TARGET_MISSING: {
    name: 'AttachTargetMissing',
    summary: 'What the program attaches to is not in the kernel.',
    description: 'The function, tracepoint, LSM hook or iterator named in the program\'s section is missing from the kernel (removed, renamed or inlined). BTF-attached programs (fentry/fexit, tp_btf, lsm, iter) fail to load; kprobes and tracepoints load, and attaching fails.',
    fixes: ['attach to a function or event every kernel has (raw_syscalls/sys_enter selecting by syscall number, for example)', 'skip attaching where it is missing, or pick the target at run time (bpf_program__set_attach_target)', AUTOLOAD_OFF],
    usually: 'warn',
  },
  ATTACH_SIGNATURE_MISMATCH: {
    name: 'AttachSignatureMismatch',
    summary: 'The program reads its context as the attach target\'s prototype does not allow on this kernel.',
    description: 'tp_btf, fentry/fexit, lsm and iter programs read their arguments from a context typed by the target\'s prototype in the kernel\'s BTF (btf_trace_<tracepoint>, the traced function, bpf_lsm_<hook>, bpf_iter_<name>). The verifier refuses a read past the prototype\'s arguments, a memory access through an argument the prototype does not type as a pointer to a struct, and a read through a moved context pointer. Tracepoints and functions change their arguments between releases (block_rq_insert lost its request_queue argument). Raw tracepoints load, and attaching fails.',
    fixes: ['tracepoints: declare each kernel\'s prototype as a ___flavor of its btf_trace_ typedef and read the arguments under bpf_core_type_matches, not a kernel version check', 'functions: one program per prototype, the one to load picked by user space from the kernel\'s BTF', AUTOLOAD_OFF],
    usually: 'fails',
  },
  KFUNC_MISSING: {
    name: 'KfuncMissing',
    summary: 'The program calls a kfunc the kernel does not have.',
    description: 'The kfunc is not in the kernel\'s BTF. A strong extern fails bpf_object__load for the whole object; a __weak one is poisoned, and the verifier rejects the program if a path reaches the call.',
    fixes: ['declare the kfunc __weak and call it only under if (bpf_ksym_exists(kfunc))', AUTOLOAD_OFF],
    usually: 'fails',
  },
  KSYM_MISSING: {
    name: 'KsymMissing',
    summary: 'A typed __ksym variable is not in the kernel\'s BTF: libbpf fails the whole object.',
    description: 'libbpf resolves typed __ksym externs against the kernel\'s BTF; a strong one that is missing fails bpf_object__load.',
    fixes: ['declare it __weak and test bpf_ksym_exists() before using it'],
    usually: 'fails',
  },
  NO_BTF: {
    name: 'NoKernelBtf',
    summary: 'The kernel has no BTF, and the object needs it.',
    description: 'The kernel was built without CONFIG_DEBUG_INFO_BTF. Objects with CO-RE relocations, typed ksyms, kfuncs or BTF-attached programs cannot be loaded without a BTF for that kernel.',
    fixes: ['ship a BTF for the kernel (from BTFHub, for example) and load with btf_custom_path pointing at it', 'or build a variant of the object that needs no kernel BTF for those kernels'],
    usually: 'fails',
  },
  WALK_INCOMPLETE: {
    name: 'WalkIncomplete',
    summary: 'The path analysis ran out of budget before covering every path: undecided.',
    description: 'corecheck walks the program\'s paths as the verifier would to tell which poisoned instructions and calls are reached. It stopped before covering every path, so it cannot say whether the program loads.',
    fixes: ['raise the analysis budget and check again', 'load the program on a kernel of that kind to find out'],
    usually: 'unknown',
  },
  ARCH_MISMATCH: {
    name: 'ArchMismatch',
    summary: 'The object was built for another architecture than the kernel\'s.',
    description: 'Its register (pt_regs) accesses and syscall entry points are another architecture\'s, so they fail on this kernel as a group: one cause, not one failure per access.',
    fixes: ['build one object per architecture (clang -target bpf -D__TARGET_ARCH_<arch> with that architecture\'s vmlinux.h) and load the one that matches the machine', 'or check only kernels of the architecture it was built for (the default; --arch all checks every kernel)'],
    usually: 'fails',
  },
  INSN_UNSUPPORTED: {
    name: 'InsnUnsupported',
    summary: 'The program uses an instruction or a program shape the kernel\'s verifier generation does not accept.',
    description: 'Each kernel\'s verifier knows the instructions of its time: JMP32 from 5.1, atomic fetch/xchg/cmpxchg from 5.12, cpu v4 (sign extension, sdiv/smod, bswap, gotol) from 6.6, may_goto and addr_space_cast from 6.9, load-acquire/store-release from 6.15; loops from 5.3, programs over 4096 instructions from 5.2, tail calls beside bpf-to-bpf calls from 5.10 (x86-64). corecheck infers the generation from the kernel\'s own BTF (verifier structures and enums), not its version string.',
    fixes: ['build for an older instruction set (clang -mcpu=v2 or v3) for older kernels', 'or turn autoload off for the program on kernels without the feature'],
    usually: 'fails',
  },
  VERIFIER_RULE: {
    name: 'VerifierRule',
    summary: 'A rule of the kernel\'s verifier, of its generation or of every kernel, refuses the program.',
    description: 'Beyond the instruction set, the verifier judges how the program uses its context, stack and return value. Some rules belong to a generation: from 6.1 to 6.12, a helper that reads a stack slot (a map key, a value to store, data to output) turns a pointer spilled in that slot into a scalar, so reading through the pointer after reloading it is refused (5.10 kept BTF pointers there; later kernels keep every pointer a helper only reads). Others hold on every kernel: a tracepoint program may not read the first 8 bytes of its context (the common fields), and fentry/fexit programs must return 0. corecheck infers the generation from the kernel\'s own BTF.',
    fixes: ['the reason\'s own fix: a copy of a spilled pointer as the helper\'s argument, the field read through bpf_get_current_pid_tgid() and friends instead of the common fields, return 0'],
    usually: 'fails',
  },
  OBJECT_REFUSED: {
    name: 'ObjectRefused',
    summary: 'libbpf, or the kernel loading the object\'s BTF, refuses the whole object before any program is verified.',
    description: 'libbpf 1.5 refuses to open an object with a legacy \'maps\' section or an extern without BTF, and fails the load when the kernel refuses BTF the object cannot do without (struct_ops). No program of the object loads, on any kernel.',
    fixes: ['declare maps in SEC(".maps") with BTF', 'build with clang, whose BTF describes every extern and gives each integer one encoding'],
    usually: 'fails',
  },
  TAIL_CALL_INCOMPATIBLE: {
    name: 'TailCallIncompatible',
    summary: 'The program shares a prog array with a program loaded before it that the kernel does not consider compatible.',
    description: 'The first program loaded that refers to a prog array (or devmap, cpumap) owns it; each later one must match the owner, or its load fails with EINVAL after a clean verification. Every kernel compares the program type; kernels with struct bpf_map_owner (recent upstream, and Debian\'s 6.1 and 6.12 by backport) also compare the expected attach type and, for tracing and LSM programs, the attach target\'s prototype (for tp_btf on 6.12, the tracepoint template\'s). Each program may load on its own while the object does not; corecheck reads what each kernel compares from its BTF.',
    fixes: ['give each attach signature its own prog array: one per program type, attach type and attach prototype', 'or share a prog array only between programs of one program type and attach point'],
    usually: 'fails',
  },
};
