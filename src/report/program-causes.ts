import { verdictRank, type ReasonVerdict } from '../analysis/reason.js';
import type { ObjectReport, ReasonOnKernel, RootCause, SourceSite } from './model.js';

/** What one root cause does to one program on some kernels, gathered from the per-kernel details. */
export interface ProgramCause {
  readonly cause: RootCause;
  /** The worst it does to this program there; `info` (guarded, the program loads) is never one. */
  readonly verdict: Exclude<ReasonVerdict, 'info'>;
  /** The kernels, of those asked about, where the program has it. */
  readonly kernels: readonly string[];
  /**
   * The line libbpf prints for this program, from a reason of the worst verdict. `RootCause.message`
   * is the first occurrence in any program, which may be another program's guarded (info) site.
   */
  readonly message: string;
  /** This program's distinct source lines for it (guarded ones left out), in first-seen order. */
  readonly sites: readonly SourceSite[];
  /** This program's fixes: they name the program (`turn autoload off for 'openat2_e'`). */
  readonly fixes: readonly string[];
}

/**
 * The root causes that keep `program` from loading cleanly on `kernels` (every kernel of the object
 * when omitted), in the object's cause order (most failing pairs first). Guarded sites (info) are
 * left out: there the program loads as designed.
 */
export function programCauses(obj: ObjectReport, program: string, kernels?: readonly string[]): ProgramCause[] {
  const asked = kernels ? new Set(kernels) : null;
  const found = new Map<string, { worst: ReasonOnKernel; kernels: string[]; sites: Map<string, SourceSite> }>();
  for (const d of obj.details) {
    if (asked && !asked.has(d.kernel)) continue;
    const p = d.programs.find((x) => x.name === program);
    for (const r of p?.reasons ?? []) {
      if (r.verdict === 'info') continue;
      let f = found.get(r.cause);
      if (!f) {
        f = { worst: r, kernels: [], sites: new Map() };
        found.set(r.cause, f);
      }
      if (verdictRank(r.verdict) < verdictRank(f.worst.verdict)) f.worst = r;
      if (f.kernels[f.kernels.length - 1] !== d.kernel) f.kernels.push(d.kernel);
      if (r.source) f.sites.set(`${r.source.file}:${r.source.line}:${r.source.column}`, r.source);
    }
  }
  return obj.causes.flatMap((cause): ProgramCause[] => {
    const f = found.get(cause.key);
    if (!f) return [];
    return [{
      cause, verdict: f.worst.verdict as ProgramCause['verdict'], kernels: f.kernels, message: f.worst.message,
      sites: [...f.sites.values()], fixes: f.worst.fixes.length > 0 ? f.worst.fixes : cause.fixes,
    }];
  });
}
