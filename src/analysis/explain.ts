import type { RelocationResult } from '../core/relocate.js';
import { describeCoreSubject, type CoreSubject } from '../core/subject.js';

/** libbpf's advice for programs that cannot load on some kernels, whatever the cause. */
export const autoloadFix = (programs: string | readonly string[]): string => {
  const names = (typeof programs === 'string' ? [programs] : programs).map((p) => `'${p}'`);
  const list = names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  return `or turn autoload off for ${list} on kernels without it (bpf_program__set_autoload(prog, false) before loading)`;
};

/**
 * What a kernel lacks for a poisoned relocation. No candidate of the root's name and kind: the
 * type itself. Candidates but none matching: the field, the enumerator, or (type relocations) the
 * type in a compatible shape.
 */
export function coreLack(x: RelocationResult): CoreSubject['aspect'] {
  if (!x.subject || x.candidatesFound === 0) return 'type';
  return x.subject.aspect;
}

/** Concrete fixes for a CO-RE failure, the most direct first. `hard`: it failed the whole object. */
export function coreFixes(x: RelocationResult, program: string, hard: boolean): string[] {
  if (hard) {
    return [
      'make the local type match exactly one kernel type: rename or drop conflicting ___flavor definitions',
      autoloadFix(program),
    ];
  }
  const s = x.subject;
  if (!s) return [autoloadFix(program)];
  const type = `${s.rootKind} ${s.root}`;
  switch (coreLack(x)) {
    case 'type':
      return [
        `guard the access with bpf_core_type_exists(${type})`,
        `if ${describeCoreSubject(s, 'type')} is a user-space ABI type (read from user memory, as struct open_how of openat2), declare a local copy without preserve_access_index: it is not relocated, and its layout does not depend on the kernel`,
        autoloadFix(program),
      ];
    case 'enumerator':
      return [`guard the use with bpf_core_enum_value_exists(${type}, ${s.enumerator})`, autoloadFix(program)];
    case 'field': {
      const field = s.path.filter((p) => !p.startsWith('[')).join('.');
      return [
        `guard the access with bpf_core_field_exists(${type}, ${field})`,
        `read older layouts through a ___flavor (e.g. ${s.rootKind} ${s.essential}___old with the field as older kernels have it), chosen with bpf_core_field_exists`,
        autoloadFix(program),
      ];
    }
  }
}

/** Fixes for an instruction or program shape a kernel's verifier generation refuses (`INSN_UNSUPPORTED`), by feature. */
const INSN_FIXES: Record<string, readonly string[]> = {
  jmp32: ['build with clang -mcpu=v2 (no JMP32) for kernels before 5.1; -mcpu=v3 and newer emit JMP32'],
  'atomic-fetch': ['use __sync_fetch_and_add only as a statement (its result unused: a plain atomic add, known since 4.x), and no __sync_lock_test_and_set, __sync_val_compare_and_swap or atomic and/or/xor'],
  'cpu-v4': ['build with clang -mcpu=v3 for kernels before 6.6'],
  'may-goto': ['use a loop with a constant bound, or bpf_loop(), for kernels before 6.9'],
  'addr-space-cast': ['arenas need Linux 6.9: turn the program off on older kernels'],
  'load-acquire': ['use plain loads and stores (READ_ONCE/WRITE_ONCE) with explicit barriers, or build with clang -mcpu=v3, for kernels before 6.15'],
  loops: ['unroll the loop (#pragma unroll with a constant bound) for kernels before 5.3'],
  'program-size': ['split the program with tail calls, or make it smaller, for kernels before 5.2'],
  'tail-calls-with-calls': ['mark the called functions __always_inline, or move the tail call to a program without bpf-to-bpf calls, for kernels before 5.10'],
};

/** Concrete fixes for an `INSN_UNSUPPORTED` reason, the most direct first. */
export function insnFixes(feature: string, program: string): string[] {
  return [...(INSN_FIXES[feature] ?? []), autoloadFix(program)];
}
