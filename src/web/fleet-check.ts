import { objectTargets, objectsForTargets, type KernelOutcome } from '../analysis/fleet-kernel.js';
import { runOfOutcomes } from '../report/fleet-run.js';
import type { KernelEntry, OpenedObject, WorkerAnswers } from './protocol.js';
import type { WorkerPool } from './worker-pool.js';

/** What the page shows of a check under way: kernels done of all, and the last one done. */
export type Progress = (done: number, total: number, label: string) => void;

/**
 * `corecheck check` in the page: the opened objects against the kernels, split over the workers
 * (a fleet-store block's kernels stay together, so each block is decoded once), then the same
 * run → report steps as the CLI, with the CLI's defaults (each object against the kernels of the
 * architecture it was built for). A worker builds and renders the report too: for a large object
 * that is a few hundred milliseconds the page's thread does not spend.
 */
export async function checkFleet(pool: WorkerPool, objects: readonly OpenedObject[], fleet: readonly KernelEntry[], progress: Progress): Promise<WorkerAnswers['report']> {
  const targets = objectTargets('auto', objects.map((o) => o.arch.arch));
  const objectsFor = objectsForTargets(targets);
  // kernels whose architecture is known before loading are left out when no object is for them
  const wanted = fleet.filter((k) => k.info.arch === undefined || objectsFor(k.info.arch).length > 0);
  const outcomes = new Map<string, KernelOutcome>();
  await Promise.all(shares(wanted, pool.size).map((kernels, w) =>
    kernels.length === 0 ? Promise.resolve() : pool.ask({ type: 'check', kernels, targets }, w, (label, outcome) => {
      outcomes.set(label, outcome);
      progress(outcomes.size, wanted.length, label);
    })));
  const labels = fleet.map((k) => k.label);
  return pool.ask({ type: 'report', run: runOfOutcomes(labels, labels, objects, outcomes) });
}

/** Kernels split into one list per worker: whole `loadsWith` groups, largest first, each to the least loaded worker. */
export function shares(kernels: readonly KernelEntry[], workers: number): KernelEntry[][] {
  const groups = new Map<string, KernelEntry[]>();
  for (const k of kernels) {
    const g = groups.get(k.loadsWith);
    if (g) g.push(k);
    else groups.set(k.loadsWith, [k]);
  }
  const out: KernelEntry[][] = Array.from({ length: workers }, () => []);
  for (const g of [...groups.values()].sort((a, b) => b.length - a.length)) {
    out.reduce((least, s) => (s.length < least.length ? s : least)).push(...g);
  }
  return out;
}
