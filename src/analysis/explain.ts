import type { RelocationResult } from '../core/relocate.js';

/** The parts of a local spec as libbpf prints it: `<byte_off> [13] struct open_how.flags (0:0 @ offset 0)`,
 * `<enumval_value> [61] enum bpf_func_id::BPF_FUNC_loop = 181`, `<type_exists> [7] struct task_struct`. */
interface SpecParts {
  /** `struct open_how`, `enum bpf_func_id`, `typedef foo` */
  readonly type: string;
  /** `flags`, `args[2]`, `ent.pid` */
  readonly field?: string;
  readonly enumerator?: string;
}

function specParts(spec: string | null): SpecParts | undefined {
  const m = /^(?:<\w+> )?\[\d+\] (\S+) ([^\s.:[]+)(?:\.([^\s]+)|::(\S+))?/.exec(spec ?? '');
  if (!m) return undefined;
  return { type: `${m[1]} ${m[2]}`, field: m[3], enumerator: m[4] };
}

/** What the kernel lacks for a poisoned relocation, from its spec and whether candidates existed. */
export function coreLack(x: RelocationResult): string | undefined {
  const p = specParts(x.spec);
  if (!p) return undefined;
  if (x.candidatesFound === 0) return p.type;
  if (p.enumerator) return `${p.type}::${p.enumerator}`;
  if (p.field) return `${p.type}.${p.field} (a field of that name and a compatible type)`;
  return p.type;
}

/** Concrete fixes, the most direct first. `hard`: the relocation failed the whole object. */
export function coreFixes(x: RelocationResult, program: string, hard: boolean): string[] {
  const p = specParts(x.spec);
  const autoload = `or turn autoload off for '${program}' on kernels without it (bpf_program__set_autoload(prog, false) before loading)`;
  if (hard) {
    return [
      'make the local type match exactly one kernel type: rename or drop conflicting ___flavor definitions',
      autoload,
    ];
  }
  if (!p) return [autoload];
  if (x.candidatesFound === 0) {
    return [
      `guard the access with bpf_core_type_exists(${p.type})`,
      `if ${p.type} is a user-space ABI type (read from user memory, as struct open_how of openat2), declare a local copy without preserve_access_index: it is not relocated, and its layout does not depend on the kernel`,
      autoload,
    ];
  }
  if (p.enumerator) {
    return [`guard the use with bpf_core_enum_value_exists(${p.type}, ${p.enumerator})`, autoload];
  }
  const field = p.field?.replace(/\[\d+\]/g, '');
  const base = p.type.replace(/___\w+$/, '');
  return [
    `guard the access with bpf_core_field_exists(${p.type}, ${field})`,
    `read older layouts through a ___flavor (e.g. ${base}___old with the field as older kernels have it), chosen with bpf_core_field_exists`,
    autoload,
  ];
}
