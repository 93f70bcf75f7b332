import { resolve } from 'node:path';
import { inferObjectArch, kernelArchFromBtf } from '../../analysis/arch.js';
import { checkWithoutBtf, type ObjectVerdict } from '../../analysis/check.js';
import { checkKernel } from '../../analysis/kernel-check.js';
import type { Successor } from '../../analysis/successor.js';
import type { Btf } from '../../btf/btf.js';
import { CorecheckError } from '../../common/errors.js';
import { loadKernelBtf, moduleNameFromPath, openKernelSources, type KernelSource } from '../../kernels/index.js';
import { normalizeArch } from '../../kernels/kernel-info.js';
import { openBpfObjects, type LocatedObject } from '../../object/open.js';
import { inShard, mergeRuns, reportOfRun, type FleetRun, type PartialRun } from '../../report/fleet-run.js';
import { renderReport, type ReportFormat } from '../../report/formats.js';
import type { FailOn } from '../../report/gate.js';
import { SCHEMA_VERSION, type KernelMeta } from '../../report/model.js';
import { readInput, writeOut } from '../io.js';
import { writeFileAtomic } from '../output.js';
import { startProgress } from '../progress.js';
import { useColor } from '../terminal.js';

/** How a report is rendered and gated (`check` and `merge`). */
export interface ReportCliOptions {
  readonly format: ReportFormat;
  readonly output?: string;
  readonly verbose: boolean;
  readonly failOn: FailOn;
  readonly require: readonly string[];
  readonly sourceRoot: string;
}

export interface CheckCliOptions extends ReportCliOptions {
  /** Kernel sources: files or BTFHub trees; none means the running kernel. */
  readonly kernel: readonly string[];
  /** Module BTFs of the (single) kernel, in search order. */
  readonly module: readonly string[];
  /** `auto`: each object against the kernels of the architecture it was built for; `all`; or one architecture. */
  readonly arch: string;
  /** Check only this slice of the fleet and write it as a partial run (`merge` combines them). */
  readonly shard?: { readonly index: number; readonly count: number };
}

export const RUNNING_KERNEL = '/sys/kernel/btf/vmlinux';
const VERSION = '0.1.0';

/** Exit statuses: the gate passed, the gate failed (2 is bad input or usage, raised as errors). */
export const EXIT_PASSED = 0;
export const EXIT_GATE_FAILED = 1;

/**
 * `corecheck check <object-or-binary>... --kernel <source>...`: the load verdict of every program
 * of every object on every kernel, as a root-cause report in one of several formats, and an exit
 * status that gates CI. Kernels are loaded one at a time and dropped after use, so a fleet costs
 * the memory of its largest kernel.
 */
export async function runCheck(files: readonly string[], opts: CheckCliOptions): Promise<number> {
  const objects: LocatedObject[] = [];
  for (const f of files) objects.push(...openBpfObjects(await readInput(f), f));
  const sources: KernelSource[] = [];
  for (const k of opts.kernel.length > 0 ? opts.kernel : [RUNNING_KERNEL]) sources.push(...(await openKernelSources(k)));
  if (opts.module.length > 0 && sources.length !== 1) {
    throw new CorecheckError('USAGE', 'option --module', -1, `modules belong to one kernel, but ${sources.length} kernels are given`, opts.module[0]);
  }
  const run = await checkFleet(objects, sources, opts);
  if (opts.shard) {
    const partial: PartialRun = { kind: 'corecheck-partial-run', schemaVersion: SCHEMA_VERSION, shard: opts.shard, ...run };
    const text = JSON.stringify(partial) + '\n';
    if (opts.output !== undefined) writeFileAtomic(opts.output, text);
    else writeOut(text);
    return EXIT_PASSED;
  }
  return emitReport(run, opts);
}

/** `corecheck merge <partial>...`: the slices of a sharded check, as one report and one gate. */
export async function runMerge(files: readonly string[], opts: ReportCliOptions): Promise<number> {
  const parts: PartialRun[] = [];
  for (const f of files) {
    const text = new TextDecoder().decode(await readInput(f));
    try {
      parts.push(JSON.parse(text) as PartialRun);
    } catch (e) {
      throw new CorecheckError('MALFORMED', 'JSON', -1, `not JSON: ${(e as Error).message}`, f);
    }
  }
  return emitReport(mergeRuns(parts, files), opts);
}

/** Renders a run's report in the asked format to the asked place; the gate gives the exit status. */
function emitReport(run: FleetRun, opts: ReportCliOptions): number {
  const report = reportOfRun(run, VERSION, opts.failOn, opts.require);
  const text = renderReport(report, opts.format, {
    // absolute, so that absolute source paths under it become relative SARIF URIs
    verbose: opts.verbose, sourceRoot: resolve(opts.sourceRoot), workingDirectory: process.cwd(), color: opts.output === undefined && useColor(process.stdout),
  });
  if (opts.output !== undefined) writeFileAtomic(opts.output, text);
  else writeOut(text);
  return report.gate.passed ? EXIT_PASSED : EXIT_GATE_FAILED;
}

/**
 * Every object against every kernel of the fleet it is for (its architecture's, by default), one
 * kernel at a time. With a shard, only that slice of the fleet is read.
 */
async function checkFleet(objects: readonly LocatedObject[], sources: readonly KernelSource[], opts: CheckCliOptions): Promise<FleetRun> {
  const arches = objects.map((o) => inferObjectArch(o.object, o.hostMachine, o.hostLittleEndian));
  // Which objects a kernel of this architecture is for (an unknown architecture takes them all).
  const wanted = (kernelArch: string | null): number[] => objects.map((_, i) => i).filter((i) => {
    if (opts.arch === 'all' || kernelArch === null) return true;
    const target = opts.arch === 'auto' ? arches[i].arch : normalizeArch(opts.arch);
    return target === null || target === kernelArch;
  });
  const mine = opts.shard ? sources.filter((_, k) => inShard(k, opts.shard!)) : sources;

  const kernels: KernelMeta[] = [];
  const results: { kernel: string; verdict: ObjectVerdict }[][] = objects.map(() => []);
  const leftOut: string[][] = objects.map(() => []);
  const hints: Record<string, Record<string, Successor>> = {};
  const progress = startProgress(mine.length, 'kernels');
  try {
    for (const source of mine) {
      progress.tick(source.label);
      const meta = (btf: boolean, arch: string | null): KernelMeta => ({
        label: source.label, distro: source.info.distro ?? null, release: source.info.release ?? null, arch, version: source.info.kernel ?? null, btf,
      });
      // Kernels whose architecture the path tells are left out before they are read.
      const known = source.info.arch ?? null;
      if (known !== null && wanted(known).length === 0) {
        objects.forEach((_, i) => leftOut[i].push(source.label));
        continue;
      }
      let btf: Btf;
      try {
        btf = (await source.load()).btf;
      } catch (e) {
        if (!(e instanceof CorecheckError) || e.code !== 'NO_BTF') throw e;
        kernels.push(meta(false, known));
        for (const i of wanted(known)) results[i].push({ kernel: source.label, verdict: checkWithoutBtf(objects[i].object, e.detail) });
        continue;
      }
      const arch = known ?? kernelArchFromBtf(btf);
      const forIt = wanted(arch);
      objects.forEach((_, i) => { if (!forIt.includes(i)) leftOut[i].push(source.label); });
      if (forIt.length === 0) continue;
      const modules: { name: string; btf: Btf }[] = [];
      for (const m of opts.module) modules.push({ name: moduleNameFromPath(m), btf: (await loadKernelBtf(m, { base: btf })).btf });
      const check = checkKernel(forIt.map((i) => objects[i].object), { vmlinux: btf, modules });
      forIt.forEach((i, n) => results[i].push({ kernel: source.label, verdict: check.verdicts[n] }));
      hints[source.label] = Object.fromEntries(check.successors);
      kernels.push(meta(true, arch));
    }
  } finally {
    progress.stop();
  }
  return {
    fleet: sources.map((s) => s.label),
    kernels,
    objects: objects.map((o, i) => ({
      name: o.name,
      arch: { builtFor: arches[i].arch, evidence: arches[i].evidence.map((e) => e.why), leftOut: leftOut[i] },
      results: results[i],
    })),
    hints,
  };
}
