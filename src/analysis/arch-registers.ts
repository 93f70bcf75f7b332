import type { Btf } from '../btf/btf.js';
import { Kind, isComposite } from '../btf/kinds.js';
import type { CompositeType } from '../btf/types.js';

/**
 * The register structs a BPF program reads its context through, per architecture, with the member
 * names each architecture gives them. libbpf's bpf_tracing.h picks the struct per target:
 * `struct pt_regs` (x86, arm, mips, powerpc, loongarch), `struct user_pt_regs` (arm64), the
 * `user_pt_regs` typedef (s390), `struct user_regs_struct` (riscv); the syscall-argument macros read
 * flavors such as `pt_regs___arm64.orig_x0`. Kernels' own `struct pt_regs` wraps the user-visible
 * registers in anonymous unions, so the kernel names are listed flattened.
 */
export type RegisterStruct = 'pt_regs' | 'user_pt_regs' | 'user_regs_struct';

export const REGISTER_STRUCTS: readonly RegisterStruct[] = ['pt_regs', 'user_pt_regs', 'user_regs_struct'];

/** `ppc64` and `mips64` are byte-order families: the arch name also says the byte order. */
export type ArchFamily = 'x86_64' | 'i386' | 'arm64' | 'arm' | 's390x' | 'ppc64' | 'riscv64' | 'loongarch64' | 'mips64';

interface ArchRegisters {
  readonly family: ArchFamily;
  /**
   * Whether a BPF object can be built for it. i386 cannot: bpf_tracing.h's x86 branch reads the
   * x86_64 names (`di`, `si`, ...) under vmlinux.h, and its `__i386__` branch is unreachable with
   * `-target bpf`. So names x86_64 shares with i386 count as x86_64 in objects, and only kernels
   * (whose `struct pt_regs` is complete) are told apart from i386 — by r8..r15 or the segment halves.
   */
  readonly objectTarget: boolean;
  readonly structs: Readonly<Partial<Record<RegisterStruct, readonly string[]>>>;
}

const range = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

const X86_64_PT_REGS = [
  ...range('r', 8, 15), 'bp', 'bx', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss',
  // 6.9+ (FRED): cs and ss share anonymous unions with these
  'csx', 'fred_cs', 'ssx', 'fred_ss',
  // the uapi <asm/ptrace.h> names bpf_tracing.h reads when built without vmlinux.h
  'rbp', 'rbx', 'rax', 'rcx', 'rdx', 'rsi', 'rdi', 'orig_rax', 'rip', 'eflags', 'rsp',
];
const RISCV_REGS = ['ra', 'sp', 'gp', 'tp', ...range('t', 0, 6), ...range('s', 0, 11), ...range('a', 0, 7)];

const ARCH_REGISTERS: readonly ArchRegisters[] = [
  {
    family: 'x86_64', objectTarget: true, structs: {
      pt_regs: X86_64_PT_REGS,
      user_regs_struct: [...X86_64_PT_REGS, 'fs_base', 'gs_base', 'ds', 'es', 'fs', 'gs'],
    },
  },
  {
    family: 'i386', objectTarget: false, structs: {
      pt_regs: ['bx', 'cx', 'dx', 'si', 'di', 'bp', 'ax', 'ds', '__dsh', 'es', '__esh', 'fs', '__fsh', 'gs', '__gsh',
        'orig_ax', 'ip', 'cs', '__csh', 'flags', 'sp', 'ss', '__ssh'],
    },
  },
  {
    family: 'arm64', objectTarget: true, structs: {
      pt_regs: ['user_regs', 'regs', 'sp', 'pc', 'pstate', 'orig_x0', 'syscallno', 'unused2', 'orig_addr_limit', 'unused',
        'pmr', 'pmr_save', 'sdei_ttbr1', 'stackframe', 'lockdep_hardirqs', 'exit_rcu'],
      user_pt_regs: ['regs', 'sp', 'pc', 'pstate'],
    },
  },
  { family: 'arm', objectTarget: true, structs: { pt_regs: ['uregs'] } },
  {
    family: 's390x', objectTarget: true, structs: {
      pt_regs: ['user_regs', 'args', 'psw', 'gprs', 'orig_gpr2', 'monitor_code', 'int_code', 'int_parm', 'int_parm_long',
        'tpi_info', 'flags', 'cr1', 'last_break', 'cpu', 'percpu_register'],
      user_pt_regs: ['args', 'psw', 'gprs', 'orig_gpr2'],
    },
  },
  {
    family: 'ppc64', objectTarget: true, structs: {
      pt_regs: ['user_regs', 'gpr', 'nip', 'msr', 'orig_gpr3', 'ctr', 'link', 'xer', 'ccr', 'softe', 'trap', 'dar', 'dear',
        'dsisr', 'esr', 'result', 'ppr', 'exit_result', 'kuap', 'amr', 'iamr', '__pad'],
      user_pt_regs: ['gpr', 'nip', 'msr', 'orig_gpr3', 'ctr', 'link', 'xer', 'ccr', 'softe', 'trap', 'dar', 'dsisr', 'result'],
    },
  },
  {
    family: 'riscv64', objectTarget: true, structs: {
      pt_regs: ['epc', ...RISCV_REGS, 'status', 'badaddr', 'cause', 'orig_a0'],
      user_regs_struct: ['pc', ...RISCV_REGS],
    },
  },
  {
    // bpf_tracing.h reads loongarch's `struct pt_regs` directly; its uapi `user_pt_regs` (also with
    // `regs`) is left out so that arm64's `user_pt_regs.regs` stays arm64's own.
    family: 'loongarch64', objectTarget: true, structs: {
      pt_regs: ['regs', 'orig_a0', 'csr_era', 'csr_badvaddr', 'csr_crmd', 'csr_prmd', 'csr_euen', 'csr_ecfg', 'csr_estat', '__last'],
    },
  },
  {
    family: 'mips64', objectTarget: true, structs: {
      pt_regs: ['regs', 'lo', 'hi', 'cp0_badvaddr', 'cp0_status', 'cp0_cause', 'cp0_epc'],
    },
  },
];

/** Per struct: member name → the one family using it. Names two families share are left out. */
export type UniqueNames = ReadonlyMap<RegisterStruct, ReadonlyMap<string, ArchFamily>>;

function uniqueNames(objectTargetsOnly: boolean): UniqueNames {
  const out = new Map<RegisterStruct, Map<string, ArchFamily>>();
  for (const struct of REGISTER_STRUCTS) {
    const owners = new Map<string, Set<ArchFamily>>();
    for (const a of ARCH_REGISTERS) {
      if (objectTargetsOnly && !a.objectTarget) continue;
      for (const name of a.structs[struct] ?? []) {
        const set = owners.get(name) ?? new Set<ArchFamily>();
        set.add(a.family);
        owners.set(name, set);
      }
    }
    const unique = new Map<string, ArchFamily>();
    for (const [name, set] of owners) if (set.size === 1) unique.set(name, [...set][0]);
    out.set(struct, unique);
  }
  return out;
}

/** Names that tell a BPF object's target apart (i386 is not a target, see ArchRegisters). */
export const OBJECT_REGISTER_NAMES: UniqueNames = uniqueNames(true);
/** Names that tell a kernel's architecture apart. */
export const KERNEL_REGISTER_NAMES: UniqueNames = uniqueNames(false);

/** The arch name of a family, for data of the given byte order. */
export function archOfFamily(family: ArchFamily, littleEndian: boolean): string {
  if (family === 'ppc64') return littleEndian ? 'ppc64le' : 'ppc64';
  if (family === 'mips64') return littleEndian ? 'mips64el' : 'mips64';
  return family;
}

/** Member names of a struct or union, anonymous struct/union members flattened into their parent. */
export function flattenedMemberNames(btf: Btf, id: number): string[] {
  const out: string[] = [];
  const walk = (typeId: number, depth: number): void => {
    const t = btf.type(btf.skipModsAndTypedefs(typeId));
    if (!isComposite(t.kind)) return;
    for (const m of (t as CompositeType<typeof Kind.STRUCT>).members) {
      if (m.name !== '') out.push(m.name);
      // depth bound: BTF rejected value cycles already; this only keeps a hostile blob cheap
      else if (depth < 8) walk(m.type, depth + 1);
    }
  };
  walk(id, 0);
  return out;
}

export interface RegisterMatch {
  readonly family: ArchFamily;
  /** The member names that only this family uses, in member order. */
  readonly names: readonly string[];
}

/**
 * Classifies a register struct's member names: the family with the most names unique to it, or
 * null when none has any or two have as many (then the struct does not say).
 */
export function classifyRegisterMembers(struct: RegisterStruct, names: readonly string[], table: UniqueNames): RegisterMatch | null {
  const unique = table.get(struct)!;
  const byFamily = new Map<ArchFamily, string[]>();
  for (const n of names) {
    const family = unique.get(n);
    if (family === undefined) continue;
    const list = byFamily.get(family) ?? [];
    if (!list.includes(n)) list.push(n);
    byFamily.set(family, list);
  }
  let best: RegisterMatch | null = null;
  let tie = false;
  for (const [family, list] of byFamily) {
    if (!best || list.length > best.names.length) {
      best = { family, names: list };
      tie = false;
    } else if (list.length === best.names.length) {
      tie = true;
    }
  }
  return tie ? null : best;
}
