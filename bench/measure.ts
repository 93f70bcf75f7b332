import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  readonly seconds: number;
  /** Peak resident set size of the process (its threads included). */
  readonly peakKb: number;
}

/**
 * Wall time (measured here, to the millisecond: GNU time's `%e` has 10 ms steps) and peak RSS
 * (GNU time's `%M`) of one command. Exit statuses in
 * `ok` count as success: a corecheck run whose gate fails (1) has still done all its work.
 */
export function timed(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; ok?: readonly number[] } = {}): Measured {
  const dir = mkdtempSync(join(tmpdir(), 'corecheck-time-'));
  try {
    const out = join(dir, 'time.txt');
    const start = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', out, cmd, ...args], { env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'inherit'] });
    const seconds = (performance.now() - start) / 1000;
    if (!(opts.ok ?? [0]).includes(r.status ?? -1)) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')}… exited with ${r.status}`);
    const peakKb = Number(readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ')[1]);
    return { seconds, peakKb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The run of median wall time: on a shared machine one run measures its neighbours as much as the work. */
export const median = <T extends { seconds: number }>(runs: readonly T[]): T => [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)];

/** Per kernel label, the objects (as named on the command line) a corecheck JSON report says were checked there. */
export function objectsByKernel(reportFile: string): Map<string, string[]> {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { objects: { name: string; kernels: string[] }[] };
  const out = new Map<string, string[]>();
  for (const o of report.objects) for (const k of o.kernels) out.set(k, [...(out.get(k) ?? []), o.name]);
  return out;
}
