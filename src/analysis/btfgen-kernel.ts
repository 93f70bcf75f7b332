import type { Btf } from '../btf/btf.js';
import { KernelBtfUse } from '../core/btfgen.js';
import type { ReloKindName } from '../core/relo-kind.js';
import type { RelocationResult } from '../core/relocate.js';
import type { ObjectVerdict } from './check.js';
import type { ObjectContext } from './object-context.js';
import { verdictRank, type ReasonVerdict } from './reason.js';

/**
 * A CO-RE relocation no candidate of the kernel resolved, and what the check made of it. Plain
 * data: it crosses worker threads and is printed as it is in `btfgen --json`.
 */
export interface UnresolvedRelocation {
  readonly section: string;
  /** libbpf's `relo #N` within the section. */
  readonly index: number;
  /** The function that holds the instruction, and the instruction's index in it. */
  readonly function: string | null;
  readonly insn: number | null;
  readonly kind: ReloKindName;
  /** The local spec in libbpf's notation (null when it does not parse). */
  readonly spec: string | null;
  /** `poisoned`: nothing matched, the instruction traps if reached; `error`: libbpf fails the whole object here. */
  readonly outcome: 'poisoned' | 'error';
  /**
   * The check's worst verdict for it over the programs that hold it: `fails` (the verifier reaches
   * it, or a hard error), `unknown`, `warn`, or `info` (dead code behind a guard, or in no program
   * that loads).
   */
  readonly verdict: ReasonVerdict;
  /** The programs whose check has a reason for it. */
  readonly programs: readonly string[];
}

/** One kernel's minimized BTF (`bpftool gen min_core_btf`) and what its relocations left unresolved. */
export interface KernelBtfgen {
  /** The minimized BTF, in the kernel's byte order. */
  readonly btf: Uint8Array;
  /** Types it holds. */
  readonly types: number;
  /** Per object of the run (in order): its unresolved relocations here, or null when the object is not for this kernel. */
  readonly unresolved: readonly (readonly UnresolvedRelocation[] | null)[];
}

/**
 * What the objects meant for one kernel need of its BTF. Every program is relocated, autoload or
 * not (bpftool does the same: a program loaded later by name needs its types too); `verdicts` are
 * the same objects' check on this kernel, which says whether each miss breaks the load.
 */
export function btfgenOfKernel(btf: Btf, objects: readonly (ObjectContext | null)[], verdicts: readonly (ObjectVerdict | null)[]): KernelBtfgen {
  const use = new KernelBtfUse(btf);
  const target = { vmlinux: btf, modules: [] };
  const unresolved = objects.map((context, i) => {
    const verdict = verdicts[i];
    if (!context || !verdict) return null;
    // the check's own relocations when every program loads by default
    const relocation = context.relocation(target, true);
    for (const r of relocation.relocations) use.record(r);
    return relocation.relocations.filter((r) => r.outcome === 'poisoned' || r.outcome === 'error').map((r) => judged(r, verdict));
  });
  return { btf: use.minimized(), types: use.typeCount, unresolved };
}

/** An unresolved relocation with the verdict the check gave the reasons about it. */
function judged(r: RelocationResult, verdict: ObjectVerdict): UnresolvedRelocation {
  const programs: string[] = [];
  let worst: ReasonVerdict | undefined;
  for (const p of verdict.programs) {
    // a hard error stops libbpf at one relocation and fails every autoload program with it;
    // a poisoned instruction is a reason of each program that links its function
    const about = p.reasons.filter((x) => (r.outcome === 'error'
      ? (x.class === 'CORE_ERROR' || x.class === 'CORE_AMBIGUOUS') && x.subject.kind === 'core-error' && x.subject.section === r.section && x.subject.index === r.index
      : x.class === 'CORE_RELOCATION' && x.function === r.program && x.insn === r.programInsn));
    if (about.length === 0) continue;
    programs.push(p.name);
    for (const x of about) if (worst === undefined || verdictRank(x.verdict) < verdictRank(worst)) worst = x.verdict;
  }
  return {
    section: r.section, index: r.index, function: r.program, insn: r.programInsn, kind: r.kind, spec: r.spec,
    outcome: r.outcome === 'error' ? 'error' : 'poisoned',
    // no program has a reason for it: its function is in no program that loads (or an earlier hard error
    // failed the object first, which its own entry says)
    verdict: worst ?? (r.outcome === 'error' ? 'fails' : 'info'),
    programs,
  };
}
