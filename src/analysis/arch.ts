import type { Btf } from '../btf/btf.js';
import { Kind, isModOrTypedef } from '../btf/kinds.js';
import { essentialName } from '../btf/essential.js';
import { isSpecError, parseSpec } from '../core/spec.js';
import type { BpfObject } from '../object/object.js';
import {
  KERNEL_REGISTER_NAMES, OBJECT_REGISTER_NAMES, REGISTER_STRUCTS, archOfFamily, classifyRegisterMembers,
  flattenedMemberNames, type ArchFamily, type RegisterStruct,
} from './arch-registers.js';

/** Architecture names as corecheck uses them (see src/kernels/kernel-info.ts normalizeArch): x86_64, arm64, s390x, ppc64le, riscv64, ... */
export interface ArchEvidence {
  readonly arch: string;
  /** e.g. "CO-RE reads struct pt_regs.di (x86_64)", "kprobe section kprobe/__x64_sys_openat", "embedded in an ELF binary for x86_64 (e_machine 62)" */
  readonly why: string;
}

export interface ObjectArch {
  /** The inferred architecture, or null when nothing in the object says (an arch-neutral object). */
  readonly arch: string | null;
  readonly evidence: readonly ArchEvidence[];
  /** Evidence for more than one architecture (kept, so the report can say so); arch is then the one with most evidence, ties → null. */
  readonly conflicting: boolean;
}

/**
 * What a BPF object says about the architecture it was built for. Three kinds of evidence, each
 * fact counted once: CO-RE accesses to register-struct members only one architecture has (and the
 * object's own BTF definition of such a struct, which vmlinux.h-based objects carry), arch-prefixed
 * syscall wrappers in kprobe/fentry section names, and the e_machine of the binary the object was
 * found in. `hostMachine` is that e_machine (libbpf skeleton, Go, Rust), if any; `hostLittleEndian`
 * its byte order (only EM_PPC64 needs it), by default the object's own.
 */
export function inferObjectArch(obj: BpfObject, hostMachine?: number, hostLittleEndian = obj.littleEndian): ObjectArch {
  const evidence = [
    ...coreEvidence(obj),
    ...btfDefinitionEvidence(obj),
    ...sectionEvidence(obj),
    ...hostEvidence(hostMachine, hostLittleEndian),
  ];
  const counts = new Map<string, number>();
  for (const e of evidence) counts.set(e.arch, (counts.get(e.arch) ?? 0) + 1);
  let arch: string | null = null;
  let most = 0;
  for (const [a, n] of counts) {
    if (n > most) {
      arch = a;
      most = n;
    } else if (n === most) {
      arch = null;
    }
  }
  return { arch, evidence, conflicting: counts.size > 1 };
}

/**
 * A kernel's architecture from its own `struct pt_regs` (the first definition with members: BTF
 * that is not deduplicated has several), or null when its member names do not single one out.
 */
export function kernelArchFromBtf(btf: Btf): string | null {
  const id = btf.idsByName('pt_regs').find((i) => btf.kind(i) === Kind.STRUCT && btf.vlen(i) > 0);
  if (id === undefined) return null;
  const match = classifyRegisterMembers('pt_regs', flattenedMemberNames(btf, id), KERNEL_REGISTER_NAMES);
  return match ? archOfFamily(match.family, btf.littleEndian) : null;
}

/**
 * The register struct a type id names: the struct itself or any typedef on the way to it (s390's
 * `user_pt_regs` is a typedef of an anonymous struct), by essential name so that flavors such as
 * `pt_regs___arm64` count. Returns the name as written, for the evidence text.
 */
function registerStructOf(btf: Btf, id: number): { struct: RegisterStruct; written: string } | undefined {
  // BTF with value cycles was rejected at parse time; the bound is a second guard
  for (let depth = 0; depth < btf.typeCount; depth++) {
    const name = btf.name(id);
    const struct = REGISTER_STRUCTS.find((s) => s === essentialName(name));
    if (struct) return { struct, written: btf.kind(id) === Kind.TYPEDEF ? name : `struct ${name}` };
    if (!isModOrTypedef(btf.kind(id))) return undefined;
    id = btf.sizeOrType(id);
  }
  return undefined;
}

/** One evidence per distinct `struct.member` the object's CO-RE relocations access. */
function coreEvidence(obj: BpfObject): ArchEvidence[] {
  const btf = obj.btf;
  if (!btf) return [];
  const out = new Map<string, ArchEvidence>();
  for (const relo of obj.coreRelocations()) {
    const { typeId, kind } = relo.record;
    if (!btf.hasType(typeId)) continue;
    const root = registerStructOf(btf, typeId);
    if (!root) continue;
    const spec = parseSpec(btf, typeId, relo.accessStr, kind);
    // spec[0] is the root; the first named member after it is the register (anonymous unions
    // are skipped by the spec, array indices have no name)
    const member = isSpecError(spec) ? undefined : spec.spec.slice(1).find((a) => a.name !== null)?.name;
    if (!member) continue;
    const family = OBJECT_REGISTER_NAMES.get(root.struct)!.get(member);
    if (!family) continue;
    const arch = archOfFamily(family, obj.littleEndian);
    const what = `${root.written}.${member}`;
    if (!out.has(what)) out.set(what, { arch, why: `CO-RE reads ${what} (${arch})` });
  }
  return [...out.values()];
}

/** At most this many register names are quoted in a definition's evidence text. */
const NAMES_QUOTED = 6;

/**
 * A register struct the object's BTF defines with members: libbpf-tools objects compiled against an
 * x86 vmlinux.h carry x86's whole `struct pt_regs`; bpf_tracing.h's flavors (`pt_regs___arm64`)
 * carry the one member they read. One evidence per struct name.
 */
function btfDefinitionEvidence(obj: BpfObject): ArchEvidence[] {
  const btf = obj.btf;
  if (!btf) return [];
  const out: ArchEvidence[] = [];
  const seen = new Set<string>();
  for (let id = btf.firstId; id < btf.typeCount; id++) {
    if (btf.kind(id) !== Kind.STRUCT || btf.vlen(id) === 0) continue;
    const written = btf.name(id);
    const struct = REGISTER_STRUCTS.find((s) => s === essentialName(written));
    if (!struct || seen.has(written)) continue;
    seen.add(written);
    const match = classifyRegisterMembers(struct, flattenedMemberNames(btf, id), OBJECT_REGISTER_NAMES);
    if (!match) continue;
    const arch = archOfFamily(match.family, obj.littleEndian);
    const quoted = match.names.slice(0, NAMES_QUOTED).join(', ') + (match.names.length > NAMES_QUOTED ? ', ...' : '');
    out.push({ arch, why: `object BTF defines struct ${written} with ${arch} registers (${quoted})` });
  }
  return out;
}

/** Section kinds whose target is a kernel function, where a syscall wrapper's name appears. */
const FUNCTION_PROBE_KINDS: ReadonlySet<string> = new Set([
  'kprobe', 'kretprobe', 'kprobe.multi', 'kretprobe.multi', 'kprobe.session', 'ksyscall', 'kretsyscall',
  'fentry', 'fexit', 'fmod_ret', 'fentry.s', 'fexit.s', 'fmod_ret.s',
]);

/**
 * Syscall wrappers of ARCH_HAS_SYSCALL_WRAPPER kernels are named `__<arch>_sys_<name>` (and
 * `__<arch>_compat_sys_<name>` for the compat ABI, which lives in the 64-bit kernel): a probe on
 * one attaches only on that architecture. `__ia32_sys_` and `__x32_` are x86_64's compat entries.
 */
const SYSCALL_WRAPPER = /(?:^|[^A-Za-z0-9_])__(x64|x32|ia32|arm64|s390x|s390|powerpc|riscv)_(?:compat_)?sys_/;
const WRAPPER_FAMILY: Readonly<Record<string, ArchFamily>> = {
  x64: 'x86_64', x32: 'x86_64', ia32: 'x86_64', arm64: 'arm64', s390x: 's390x', s390: 's390x', powerpc: 'ppc64', riscv: 'riscv64',
};

/** Whether a function name is an architecture's syscall wrapper (`__x64_sys_openat`, `__arm64_compat_sys_read`). */
export const isArchSyscallWrapper = (name: string): boolean => SYSCALL_WRAPPER.test(name);

/** One evidence per distinct section naming an arch-prefixed syscall wrapper. */
function sectionEvidence(obj: BpfObject): ArchEvidence[] {
  const out = new Map<string, ArchEvidence>();
  for (const p of obj.programs) {
    if (p.isSubprogram || out.has(p.section)) continue;
    const name = p.section.startsWith('?') ? p.section.slice(1) : p.section;
    const slash = name.indexOf('/');
    if (slash < 0 || !FUNCTION_PROBE_KINDS.has(name.slice(0, slash))) continue;
    const m = SYSCALL_WRAPPER.exec(name.slice(slash));
    if (!m) continue;
    const arch = archOfFamily(WRAPPER_FAMILY[m[1]], obj.littleEndian);
    out.set(p.section, { arch, why: `${name.slice(0, slash)} section ${p.section}` });
  }
  return [...out.values()];
}

/** ELF e_machine values of the binaries BPF objects are embedded in. */
const MACHINE_FAMILY: Readonly<Record<number, ArchFamily>> = {
  62: 'x86_64', 183: 'arm64', 22: 's390x', 21: 'ppc64', 243: 'riscv64', 3: 'i386', 40: 'arm', 258: 'loongarch64',
};

/** The arch name of an ELF e_machine (EM_PPC64 by byte order), or undefined for others. */
export function archOfMachine(machine: number, littleEndian: boolean): string | undefined {
  const family = MACHINE_FAMILY[machine];
  return family === undefined ? undefined : archOfFamily(family, littleEndian);
}

function hostEvidence(machine: number | undefined, littleEndian: boolean): ArchEvidence[] {
  if (machine === undefined) return [];
  const arch = archOfMachine(machine, littleEndian);
  return arch ? [{ arch, why: `embedded in an ELF binary for ${arch} (e_machine ${machine})` }] : [];
}
