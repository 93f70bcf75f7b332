import { archMismatchReason, explainedByArch } from '../analysis/arch-mismatch.js';
import { subjectKey, type Reason } from '../analysis/reason.js';
import type { Successor } from '../analysis/successor.js';
import type { ObjectArch } from '../analysis/arch.js';
import type { ObjectVerdict } from '../analysis/check.js';
import type { KernelOutcome } from '../analysis/fleet-kernel.js';
import { CorecheckError } from '../common/errors.js';
import { buildReport, type CauseOf, type ObjectRun } from './build.js';
import { evaluateGate, type FailOn } from './gate.js';
import { SCHEMA_VERSION, type KernelMeta, type Report } from './model.js';

/**
 * What checking objects against a fleet yields before it becomes a report: per object its
 * verdicts on each kernel, and per kernel the successors of what it lacks. Plain data, so a slice
 * of a fleet checked elsewhere (`--shard i/n`) travels as JSON and slices merge into the run an
 * unsharded check would have made.
 */
export interface FleetRun {
  /** Every kernel of the fleet, checked or not, in fleet order: slices merge back into this order. */
  readonly fleet: readonly string[];
  /** The kernels checked (those some object was for), in fleet order. */
  readonly kernels: readonly KernelMeta[];
  readonly objects: readonly ObjectRun[];
  /** Per kernel label, per subject key, the likely successor of what that kernel lacks. */
  readonly hints: Readonly<Record<string, Readonly<Record<string, Successor>>>>;
}

/**
 * The run the kernels' outcomes make: `fleet` is every kernel's label, `checked` those of this
 * run (a shard's, or all) in fleet order; a kernel is listed when some object was checked on it
 * or it has no BTF. Objects are in the order the outcomes' verdicts are.
 */
export function runOfOutcomes(
  fleet: readonly string[], checked: readonly string[], objects: readonly { readonly name: string; readonly arch: ObjectArch }[],
  outcomes: ReadonlyMap<string, KernelOutcome>,
): FleetRun {
  const kernels: KernelMeta[] = [];
  const results: { kernel: string; verdict: ObjectVerdict }[][] = objects.map(() => []);
  const leftOut: string[][] = objects.map(() => []);
  const hints: Record<string, Record<string, Successor>> = {};
  for (const label of checked) {
    const outcome = outcomes.get(label);
    const someChecked = outcome?.verdicts.some((v) => v !== null) ?? false;
    if (outcome && (someChecked || !outcome.meta.btf)) {
      kernels.push(outcome.meta);
      hints[label] = { ...outcome.hints };
    }
    objects.forEach((_, i) => {
      const v = outcome?.verdicts[i];
      if (v) results[i].push({ kernel: label, verdict: v });
      else leftOut[i].push(label);
    });
  }
  return {
    fleet,
    kernels,
    objects: objects.map((o, i) => ({
      name: o.name,
      arch: { builtFor: o.arch.arch, evidence: o.arch.evidence.map((e) => e.why), leftOut: leftOut[i] },
      results: results[i],
    })),
    hints,
  };
}

/** A slice of a fleet run, as `check --shard i/n` writes it. */
export interface PartialRun extends FleetRun {
  readonly kind: 'corecheck-partial-run';
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly shard: { readonly index: number; readonly count: number };
}

/** Shard `index` of `count` (1-based): every count-th kernel of the fleet, so slices are alike in size and mix. */
export const inShard = (kernelIndex: number, shard: { index: number; count: number }): boolean => kernelIndex % shard.count === shard.index - 1;

/**
 * The report of a run. A reason the object's architecture explains on a kernel of another one
 * (its `pt_regs` fields, its syscall wrappers) becomes the one cause "built for X".
 */
export function reportOfRun(run: FleetRun, version: string, failOn: FailOn, require: readonly string[]): Report {
  const kernelArch = new Map(run.kernels.map((k) => [k.label, k.arch]));
  const causeOf: CauseOf = (reason: Reason, kernel: string, i: number) => {
    const builtFor = run.objects[i].arch.builtFor;
    const karch = kernelArch.get(kernel) ?? null;
    if (builtFor !== null && karch !== null && builtFor !== karch && explainedByArch(reason)) {
      const mismatch = archMismatchReason(reason, builtFor, karch);
      return { key: subjectKey(mismatch.subject), reason: mismatch };
    }
    return { key: subjectKey(reason.subject), reason };
  };
  const gate = evaluateGate(failOn, require, run.kernels,
    run.objects.flatMap((o) => o.results.map((x) => ({ object: o.name, kernel: x.kernel, verdict: x.verdict.verdict }))));
  const hints = new Map(Object.entries(run.hints).map(([k, h]) => [k, new Map(Object.entries(h))]));
  return buildReport(version, run.kernels, run.objects, hints, causeOf, gate);
}

/**
 * Merges the slices of one sharded run into the run an unsharded check makes: same fleet, same
 * objects, every shard exactly once. `names` label errors (the files the slices came from).
 */
export function mergeRuns(parts: readonly PartialRun[], names: readonly string[]): FleetRun {
  const bad = (i: number, why: string): CorecheckError => new CorecheckError('MALFORMED', 'partial run', -1, why, names[i]);
  if (parts.length === 0) throw new CorecheckError('USAGE', 'merge', -1, 'no partial runs given');
  const first = parts[0];
  const seen = new Set<number>();
  parts.forEach((p, i) => {
    if (p.kind !== 'corecheck-partial-run' || p.schemaVersion !== SCHEMA_VERSION) throw bad(i, `not a corecheck partial run of schema version ${SCHEMA_VERSION} (write one with check --shard i/n)`);
    if (p.shard.count !== first.shard.count) throw bad(i, `shard ${p.shard.index}/${p.shard.count} is from a run split ${p.shard.count} ways, not ${first.shard.count}`);
    if (seen.has(p.shard.index)) throw bad(i, `shard ${p.shard.index}/${p.shard.count} is given twice`);
    seen.add(p.shard.index);
    if (p.fleet.join('\n') !== first.fleet.join('\n')) throw bad(i, `its fleet differs from ${names[0]}'s`);
    if (p.objects.map((o) => o.name).join('\n') !== first.objects.map((o) => o.name).join('\n')) throw bad(i, `its objects differ from ${names[0]}'s`);
  });
  const missing = Array.from({ length: first.shard.count }, (_, k) => k + 1).filter((k) => !seen.has(k));
  if (missing.length > 0) throw new CorecheckError('USAGE', 'merge', -1, `shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${first.shard.count}`).join(', ')} missing`);

  const order = new Map(first.fleet.map((label, k) => [label, k]));
  const byFleet = <T>(items: T[], label: (t: T) => string): T[] => items.sort((a, b) => order.get(label(a))! - order.get(label(b))!);
  return {
    fleet: first.fleet,
    kernels: byFleet(parts.flatMap((p) => p.kernels), (k) => k.label),
    objects: first.objects.map((o, i) => ({
      name: o.name,
      arch: { ...o.arch, leftOut: byFleet(parts.flatMap((p) => p.objects[i].arch.leftOut), (l) => l) },
      results: byFleet(parts.flatMap((p) => p.objects[i].results), (r) => r.kernel),
    })),
    hints: Object.assign({}, ...parts.map((p) => p.hints)),
  };
}
