import type { CoreSubject } from '../core/subject.js';
import { describeCoreSubject } from '../core/subject.js';
import type { SourceLine } from '../object/object.js';

/** Will the kernel load it: yes, no, yes with something to act on, or the analysis cannot tell. */
export type Verdict = 'loads' | 'fails' | 'warn' | 'unknown';

/**
 * What one reason makes of a program. `info` changes nothing: a poisoned instruction no path
 * reaches is CO-RE working as designed (a guard made it dead code), so the program loads.
 */
export type ReasonVerdict = 'fails' | 'warn' | 'unknown' | 'info';

export type ReasonClass =
  | 'CORE_RELOCATION' // a poisoned instruction: reached (fails) or dead code (info)
  | 'CORE_AMBIGUOUS' // libbpf's ambiguity errors: the whole object fails
  | 'CORE_ERROR' // any other hard CO-RE error: the whole object fails
  | 'HELPER_UNAVAILABLE'
  | 'MAP_TYPE_UNSUPPORTED'
  | 'PROG_TYPE_UNSUPPORTED'
  | 'ATTACH_TARGET_MISSING'
  | 'KFUNC_MISSING'
  | 'KSYM_MISSING'
  | 'NO_BTF'
  | 'WALK_INCOMPLETE' // the path analysis ran out of budget: undecided
  | 'ARCH_MISMATCH' // the object was built for another architecture than the kernel's
  | 'ATTACH_SIGNATURE_MISMATCH' // a context read the attach target's prototype in that kernel does not allow
  | 'INSN_UNSUPPORTED' // an instruction or program shape the kernel's verifier generation refuses
  | 'VERIFIER_RULE' // a rule of the kernel's verifier (of its generation, or of every kernel) refuses the program
  | 'OBJECT_REFUSED' // libbpf, or the kernel loading the object's BTF, refuses the object before any program is verified
  | 'TAIL_CALL_INCOMPATIBLE'; // a program differs from the owner of a prog array it shares: EINVAL after verification

/** How a context read disagrees with the target's prototype: past its arguments, a scalar dereferenced, or through a moved context pointer. */
export type SignatureProblem = 'beyond' | 'scalar' | 'modified-ctx';

/**
 * The one thing a reason is about, as data. Two reasons with equal subjects (by `subjectKey`) have
 * one root cause: the same missing struct breaks every program and site that reads it.
 */
export type Subject =
  | { readonly kind: 'core'; readonly core: CoreSubject; /** what the kernel lacks of it */ readonly lacks: CoreSubject['aspect'] }
  | { readonly kind: 'core-error'; readonly section: string; readonly index: number; readonly core: CoreSubject | null }
  | { readonly kind: 'helper'; readonly name: string; readonly id: number }
  | { readonly kind: 'map-type'; readonly name: string; readonly id: number }
  | { readonly kind: 'prog-type'; readonly name: string }
  | { readonly kind: 'attach-type'; readonly name: string }
  | {
    readonly kind: 'attach-target';
    /** Section kind: fentry, tp_btf, kprobe, ... */
    readonly via: string;
    readonly name: string;
    /** What the kernel must have, for a person and as the cause's identity: `function mutex_lock`, `tracepoint block_rq_insert (btf_trace_block_rq_insert)`. */
    readonly needs: string;
  }
  | {
    readonly kind: 'attach-signature';
    /** Section kind: tp_btf, fentry, raw_tp, ... */
    readonly via: string;
    /** The section's target: the tracepoint, function, LSM hook or iterator. */
    readonly target: string;
    /** The kernel BTF name of its prototype: `btf_trace_block_rq_insert`, `do_unlinkat`, `bpf_lsm_file_open`. */
    readonly declaredBy: string;
    /** The argument number, from 0 (ctx[n]). */
    readonly argument: number;
    /** The prototype as this kernel declares it, in C. */
    readonly prototype: string;
    /** What the program expects, for a person: `reads argument 2 (ctx[1]) as a pointer and dereferences it`. */
    readonly expects: string;
    readonly problem: SignatureProblem;
  }
  | { readonly kind: 'kfunc' | 'ksym'; readonly name: string }
  | { readonly kind: 'kernel-btf' }
  | { readonly kind: 'walk'; readonly program: string }
  | { readonly kind: 'arch'; readonly arch: string }
  /** `feature`: `jmp32`, `atomic-fetch`, `cpu-v4`, `may-goto`, `addr-space-cast`, `load-acquire`, `loops`, `program-size`, `tail-calls-with-calls`; `since`: the first release that accepts it. */
  | { readonly kind: 'insn'; readonly feature: string; readonly since: string }
  /**
   * `rule`: `helper-read-clobbers-spill`, `tracepoint-common-fields`, `tracing-return-zero`;
   * `relaxedIn`: the releases whose verifier accepts the program ('' when no release does).
   */
  | { readonly kind: 'verifier-rule'; readonly rule: string; readonly what: string; readonly relaxedIn: string }
  /** `what`: `legacy-maps`, `extern-without-btf`, `btf-rejected`; `name`: the section, extern or BTF type. */
  | { readonly kind: 'object-refused'; readonly what: string; readonly name: string }
  /** A shared prog array: its owner (the first program loaded that uses it) and what the program differs in (`OwnerField`). */
  | { readonly kind: 'tail-call-owner'; readonly map: string; readonly owner: string; readonly field: string };

export interface Reason {
  readonly class: ReasonClass;
  readonly verdict: ReasonVerdict;
  /** One line: what goes wrong. For CO-RE, the line libbpf prints. */
  readonly message: string;
  readonly subject: Subject;
  /** Where in the source, from `.BTF.ext` line info. */
  readonly source?: SourceLine;
  /** The function and instruction (function-relative) concerned, when there is one. */
  readonly function?: string;
  readonly insn?: number;
  /** Concrete ways to fix it, most direct first. */
  readonly fixes: readonly string[];
  /**
   * The verifier generation the judgement assumed (`describeModel`), on reasons that depend on it:
   * whether a path reaches an instruction, and which instructions the kernel knows.
   */
  readonly verifier?: string;
}

/** A subject's identity across programs, sites and kernels. */
export function subjectKey(s: Subject): string {
  switch (s.kind) {
    case 'core': return `core:${describeCoreSubject(s.core, s.lacks)}`;
    case 'core-error': return `core-error:${s.section}#${s.index}`;
    case 'helper': case 'map-type': return `${s.kind}:${s.id}`;
    // fentry and fexit of one function, or tp_btf and raw_tp of one tracepoint: one missing thing
    case 'attach-target': return `attach:${s.needs}`;
    // one cause per argument of one prototype and way of disagreeing, whatever the kernel's prototype text
    case 'attach-signature': return `signature:${s.declaredBy}#${s.argument}:${s.problem}`;
    case 'walk': return 'walk';
    case 'arch': return `arch:${s.arch}`;
    case 'insn': return `insn:${s.feature}`;
    case 'verifier-rule': return `rule:${s.rule}`;
    case 'object-refused': return `refused:${s.what}:${s.name}`;
    // every program at odds with one owner in one field: one cause
    case 'tail-call-owner': return `tail-call-owner:${s.map}:${s.owner}:${s.field}`;
    case 'kernel-btf': return 'kernel-btf';
    default: return `${s.kind}:${s.name}`;
  }
}

/** What the kernel lacks, for a person: `struct open_how`, `helper bpf_loop`, `kfunc bpf_rcu_read_lock`. */
export function describeSubject(s: Subject): string {
  switch (s.kind) {
    case 'core': return describeCoreSubject(s.core, s.lacks);
    case 'core-error': return s.core ? describeCoreSubject(s.core) : `CO-RE relocation #${s.index} of ${s.section}`;
    case 'helper': return `helper bpf_${s.name}`;
    case 'map-type': return `map type BPF_MAP_TYPE_${s.name}`;
    case 'prog-type': return `program type BPF_PROG_TYPE_${s.name}`;
    case 'attach-type': return `attach type ${s.name}`;
    case 'attach-target': return s.needs;
    case 'attach-signature': return `argument ${s.argument + 1} of ${s.declaredBy} (${s.problem === 'beyond' ? 'missing' : s.problem === 'scalar' ? 'not a pointer' : 'read through a moved ctx pointer'})`;
    case 'kfunc': case 'ksym': return `${s.kind} ${s.name}`;
    case 'kernel-btf': return 'kernel BTF';
    case 'walk': return 'a complete path analysis';
    case 'arch': return `an ${s.arch} kernel`;
    case 'insn': return `${s.feature} (Linux ${s.since}+)`;
    case 'verifier-rule': return s.relaxedIn ? `${s.what} (accepted by Linux ${s.relaxedIn})` : s.what;
    case 'object-refused': return s.what === 'legacy-maps' ? "legacy 'maps' section" : s.what === 'extern-without-btf' ? `BTF for extern ${s.name}` : `object BTF the kernel accepts (INT ${s.name})`;
    case 'tail-call-owner': return `prog array ${s.map} shared with its owner ${s.owner} (${s.field.replace(/_/g, ' ')} differs)`;
  }
}

const RANK: Record<Verdict | ReasonVerdict, number> = { fails: 0, unknown: 1, warn: 2, info: 3, loads: 4 };

/** The verdict a set of reasons gives: any failure fails; then undecided; then warnings. `info` loads. */
export function worst(verdicts: readonly (Verdict | ReasonVerdict)[]): Verdict {
  let best: Verdict = 'loads';
  for (const v of verdicts) if (v !== 'info' && RANK[v] < RANK[best]) best = v;
  return best;
}

/** Orders verdicts from the worst: fails, unknown, warn, info, loads. */
export const verdictRank = (v: Verdict | ReasonVerdict): number => RANK[v];
