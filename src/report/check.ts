import type { ObjectVerdict, ProgramVerdict } from '../analysis/check.js';
import { describeSubject, subjectKey, type Reason, type Verdict } from '../analysis/reason.js';

/** One kernel of a check run. */
export interface CheckedKernel {
  readonly label: string;
  /** False when the kernel has no BTF (every verdict then says so). */
  readonly btf: boolean;
}

/** `corecheck check` as data: per object, per kernel, per program, with JSON's snake_case names. */
export interface CheckReport {
  readonly kernels: readonly CheckedKernel[];
  readonly objects: readonly CheckedObject[];
}

export interface CheckedObject {
  readonly name: string;
  readonly kernels: readonly ObjectOnKernel[];
}

export interface ObjectOnKernel {
  readonly kernel: string;
  /** What `bpf_object__load` of every autoload program gives. */
  readonly verdict: Verdict;
  readonly programs: readonly ReportedProgram[];
}

export interface ReportedProgram {
  readonly name: string;
  readonly section: string;
  readonly autoload: boolean;
  readonly verdict: Verdict;
  readonly reasons: readonly ReportedReason[];
}

export interface ReportedReason {
  readonly class: Reason['class'];
  readonly verdict: Reason['verdict'];
  readonly message: string;
  readonly missing: string | null;
  readonly source: { readonly file: string; readonly line: number; readonly column: number; readonly text: string } | null;
  readonly function: string | null;
  readonly insn: number | null;
  /** The checked kernels where this program does not have this problem. */
  readonly present_on: readonly string[];
  readonly fixes: readonly string[];
}

/**
 * Builds the report from each object's verdict on each kernel (`results[o][k]` for `objects[o]` on
 * `kernels[k]`), adding to every reason the kernels of the run where that program is free of it.
 */
export function buildCheckReport(kernels: readonly CheckedKernel[], objects: readonly string[], results: readonly (readonly ObjectVerdict[])[]): CheckReport {
  return {
    kernels,
    objects: objects.map((name, o) => {
      const perKernel = results[o];
      // program name -> reason key -> indices of the kernels where the program has that reason
      const having = new Map<string, Map<string, Set<number>>>();
      perKernel.forEach((v, k) => {
        for (const p of v.programs) {
          let keys = having.get(p.name);
          if (!keys) having.set(p.name, (keys = new Map()));
          for (const r of p.reasons) {
            const key = subjectKey(r.subject);
            if (!keys.has(key)) keys.set(key, new Set());
            keys.get(key)!.add(k);
          }
        }
      });
      const presentOn = (prog: string, key: string): string[] =>
        kernels.filter((kk, k) => kk.btf && !having.get(prog)?.get(key)?.has(k)).map((kk) => kk.label);
      return {
        name,
        kernels: perKernel.map((v, k) => ({
          kernel: kernels[k].label,
          verdict: v.verdict,
          programs: v.programs.map((p) => reportProgram(p, presentOn)),
        })),
      };
    }),
  };
}

function reportProgram(p: ProgramVerdict, presentOn: (prog: string, key: string) => string[]): ReportedProgram {
  return {
    name: p.name, section: p.section, autoload: p.autoload, verdict: p.verdict,
    reasons: p.reasons.map((r) => ({
      class: r.class, verdict: r.verdict, message: r.message, missing: describeSubject(r.subject),
      source: r.source ? { file: r.source.file, line: r.source.line, column: r.source.column, text: r.source.text } : null,
      function: r.function ?? null, insn: r.insn ?? null, present_on: presentOn(p.name, subjectKey(r.subject)), fixes: r.fixes,
    })),
  };
}
