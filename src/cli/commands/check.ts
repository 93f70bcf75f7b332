import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { workerScript } from '../fleet/worker-url.js';
import { inferObjectArch } from '../../analysis/arch.js';
import { ObjectContext } from '../../analysis/object-context.js';
import type { CheckOptions } from '../../analysis/check.js';
import { hasSettable, settingProblem } from '../../analysis/known-values.js';
import { CorecheckError } from '../../common/errors.js';
import type { KernelCache } from '../../kernels/cache.js';
import { builtinFleetSources, openKernelSources, type KernelSource } from '../../kernels/index.js';
import { fleetSources, userFleetPath } from '../../kernels/user-fleet.js';
import { normalizeArch } from '../../kernels/kernel-info.js';
import { openBpfObjects, type LocatedObject } from '../../object/open.js';
import { inShard, mergeRuns, reportOfRun, runOfOutcomes, type FleetRun, type PartialRun } from '../../report/fleet-run.js';
import { objectTargets, objectsForTargets } from '../../analysis/fleet-kernel.js';
import { renderReport, type ReportFormat } from '../../report/formats.js';
import type { FailOn, KernelPredicate } from '../../report/gate.js';
import { CORECHECK_VERSION, SCHEMA_VERSION, type Report } from '../../report/model.js';
import { readInput, writeOut } from '../io.js';
import { writeFileAtomic } from '../output.js';
import { startProgress } from '../progress.js';
import { useColor } from '../terminal.js';
import { checkOneKernel, kernelMeta, type KernelOutcome } from '../fleet/kernel-task.js';
import type { KernelTask, TaskError, TaskOutcomes, WorkerStart } from '../fleet/worker.js';
import { KernelClaims, checkClaimed } from '../fleet/claims.js';
import { threadsWorthStarting, type RunSize } from '../fleet/threads.js';

/** How a report is rendered and gated (`check` and `merge`). */
export interface ReportCliOptions {
  readonly format: ReportFormat;
  readonly output?: string;
  readonly verbose: boolean;
  readonly failOn: FailOn;
  readonly require: readonly string[];
  readonly sourceRoot: string;
}

/** Which kernels a fleet run checks and how (`check` and `btfgen`). */
export interface FleetCliOptions {
  /** Kernel sources: files or BTFHub trees (none, and no fleet: the running kernel and the built-in and user fleets). */
  readonly kernel: readonly string[];
  /** Fleet stores (`fleet add --fleet`). */
  readonly fleet: readonly string[];
  /** `auto`: each object against the kernels of the architecture it was built for; `all`; or one architecture. */
  readonly arch: string;
  /** Which kernels of the fleet to check at all (`--distro`, `--release`). */
  readonly select: KernelPredicate;
  /** Threads, this one included (1: check in this thread); undefined: as many as the run's size pays for (`threadsWorthStarting`). */
  readonly jobs: number | undefined;
  /** Where kernel BTF found in archives, images and packages is kept by content hash; null: nowhere. */
  readonly cache: KernelCache | null;
  /** `--set NAME=VALUE`, as given: `.rodata` variables and __kconfig CONFIG_* values. */
  readonly set: readonly string[];
}

export interface CheckCliOptions extends ReportCliOptions, FleetCliOptions {
  /** Module BTFs of the (single) kernel, in search order. */
  readonly module: readonly string[];
  /** Check only this slice of the fleet and write it as a partial run (`merge` combines them). */
  readonly shard?: { readonly index: number; readonly count: number };
}

/** What a fleet run does beyond checking: `btfgen` minimizes each kernel's BTF; `vet` sees the kernels before any is loaded. */
export interface FleetRunExtras {
  readonly btfgen?: boolean;
  readonly vet?: (kernels: readonly KernelSource[]) => void;
}

/** A fleet run, and what each kernel checked gave (by label). */
export interface CheckedFleet {
  readonly run: FleetRun;
  readonly outcomes: ReadonlyMap<string, KernelOutcome>;
}

/** What `--set` gives, split as `CheckOptions` takes it. */
export type Settings = Required<Pick<CheckOptions, 'rodata' | 'kconfig'>>;

export const RUNNING_KERNEL = '/sys/kernel/btf/vmlinux';
const VERSION = CORECHECK_VERSION;

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
  const { run } = await checkRun(files, opts);
  if (opts.shard) {
    const partial: PartialRun = { kind: 'corecheck-partial-run', schemaVersion: SCHEMA_VERSION, shard: opts.shard, ...run };
    const text = JSON.stringify(partial) + '\n';
    if (opts.output !== undefined) writeFileAtomic(opts.output, text);
    else writeOut(text);
    return EXIT_PASSED;
  }
  return emitReport(reportOf(run, opts), opts);
}

/**
 * The fleet run `check` and `btfgen` share: the objects of `files` against the kernels the options
 * select (a shard of them with `--shard`), in worker threads or here.
 */
export async function checkRun(
  files: readonly string[], opts: FleetCliOptions & Partial<Pick<CheckCliOptions, 'module' | 'shard'>>, extras: FleetRunExtras = {},
): Promise<CheckedFleet> {
  const sources = (await fleetOf(opts.kernel, opts.fleet)).filter((s) => opts.select(kernelMeta(s, true)));
  if (sources.length === 0) throw new CorecheckError('USAGE', 'options --distro, --release', -1, 'no kernel of the fleet matches them');
  const modules = opts.module ?? [];
  if (modules.length > 0 && sources.length !== 1) {
    throw new CorecheckError('USAGE', 'option --module', -1, `modules belong to one kernel, but ${sources.length} kernels are given`, modules[0]);
  }
  const mine = opts.shard ? sources.filter((_, k) => inShard(k, opts.shard!)) : sources;
  extras.vet?.(mine);
  // Workers start as soon as their number is known (by default once the kernel cache has said which
  // kernels it holds), so their start-up (loading corecheck's modules, opening the objects) overlaps
  // this thread's own opening of the objects.
  const threads = Math.min(opts.jobs ?? threadsWorthStarting(await runSize(files, mine, opts.cache), availableParallelism()), mine.length);
  const pool = threads > 1 ? startPool(threads - 1, { files, fileHashes: await opts.cache?.contentHashes() }) : undefined;
  try {
    const objects: LocatedObject[] = [];
    for (const f of files) objects.push(...openBpfObjects(await readInput(f), f));
    const settings = parseSettings(opts.set, objects);
    return await checkFleet(files, objects, sources, mine, { ...opts, modules, btfgen: extras.btfgen === true }, settings, pool);
  } finally {
    await pool?.destroy();
  }
}

/** What a run holds before its kernels are loaded: which are in the kernel cache already. */
async function runSize(files: readonly string[], kernels: readonly KernelSource[], cache: KernelCache | null): Promise<RunSize> {
  const cached = cache ? (await Promise.all(kernels.map((k) => cache.has(k)))).filter(Boolean).length : 0;
  return { cached, uncached: kernels.length - cached, objectFiles: files.length };
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
  return emitReport(reportOf(mergeRuns(parts, files), opts), opts);
}

/**
 * The kernels to check: those given (`--kernel`, `--fleet`), or by default the running kernel (when
 * it has BTF), the built-in fleet that ships in the package, and the user's fleet (`fleet add`).
 */
async function fleetOf(kernels: readonly string[], fleets: readonly string[]): Promise<KernelSource[]> {
  const sources: KernelSource[] = [];
  if (kernels.length === 0 && fleets.length === 0) {
    if (existsSync(RUNNING_KERNEL)) sources.push(...(await openKernelSources(RUNNING_KERNEL)));
    sources.push(...(await builtinFleetSources()), ...(await fleetSources(userFleetPath())));
  }
  for (const k of kernels) sources.push(...(await openKernelSources(k)));
  for (const f of fleets) {
    if (!existsSync(f)) throw new CorecheckError('NOT_FOUND', 'fleet store', -1, 'no such file (corecheck fleet add --fleet <file> makes one)', f);
    sources.push(...(await builtinFleetSources(f)));
  }
  // a kernel given twice (a tree and a file in it, two fleets that both hold it) is checked once, as first given
  const seen = new Set<string>();
  return sources.filter((s) => !seen.has(s.label) && seen.add(s.label));
}

/** y, n and m as libbpf stores a tristate CONFIG_ value. */
const TRISTATE: Readonly<Record<string, bigint>> = { y: 1n, n: 0n, m: 2n };

/**
 * `--set NAME=VALUE`s checked against the objects: every name must be a `.rodata` variable (or a
 * CONFIG_ extern) of some object, and the value an integer that fits it in each object that has it.
 */
export function parseSettings(sets: readonly string[], objects: readonly LocatedObject[]): Settings {
  const rodata = new Map<string, bigint>();
  const kconfig = new Map<string, bigint>();
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new CorecheckError('USAGE', 'option --set', -1, `expected NAME=VALUE, got '${s}'`);
    const name = s.slice(0, eq);
    const text = s.slice(eq + 1);
    const isConfig = name.startsWith('CONFIG_');
    const value = isConfig && text in TRISTATE ? TRISTATE[text] : /^[-+]?(0x[0-9a-f]+|0b[01]+|0o[0-7]+|\d+)$/i.test(text) ? signedBigInt(text) : undefined;
    if (value === undefined) {
      throw new CorecheckError('USAGE', `option --set ${name}`, -1, `'${text}' is not an integer${isConfig ? ' (nor y, n or m)' : ''}`);
    }
    const having = objects.filter((o) => hasSettable(o.object, name));
    if (having.length === 0) {
      throw new CorecheckError('USAGE', `option --set ${name}`, -1, `no object has a .rodata variable${isConfig ? ' or __kconfig extern' : ''} named ${name}`);
    }
    for (const o of having) {
      const problem = settingProblem(o.object, name, value);
      if (problem) throw new CorecheckError('USAGE', `option --set ${name}`, -1, problem, o.name);
    }
    (isConfig ? kconfig : rodata).set(name, value);
  }
  return { rodata, kconfig };
}

/** BigInt of a decimal, 0x, 0b or 0o literal with an optional sign (BigInt itself takes no sign before a prefix). */
function signedBigInt(text: string): bigint {
  const neg = text.startsWith('-');
  const v = BigInt(text.replace(/^[-+]/, ''));
  return neg ? -v : v;
}

/** The report of a run, gated as the options ask. */
export const reportOf = (run: FleetRun, opts: ReportCliOptions): Report => reportOfRun(run, VERSION, opts.failOn, opts.require);

/**
 * Renders a report in the asked format to the asked place; the gate gives the exit status.
 * `textBefore` goes before the text format's report (what a command adds to check's view).
 */
export function emitReport(report: Report, opts: ReportCliOptions, textBefore = ''): number {
  const text = (opts.format === 'text' ? textBefore : '') + renderReport(report, opts.format, {
    // absolute, so that absolute source paths under it become relative SARIF URIs
    verbose: opts.verbose, sourceRoot: resolve(opts.sourceRoot), workingDirectory: process.cwd(), color: opts.output === undefined && useColor(process.stdout),
  });
  if (opts.output !== undefined) writeFileAtomic(opts.output, text);
  else writeOut(text);
  return report.gate.passed ? EXIT_PASSED : EXIT_GATE_FAILED;
}

/**
 * Every object against every kernel of the fleet it is for (its architecture's, by default). With
 * a shard, only that slice of the fleet is read. Kernels are checked in worker threads, one kernel
 * per worker at a time (memory stays that of a few kernels), or here for small runs.
 */
async function checkFleet(
  files: readonly string[], objects: readonly LocatedObject[], sources: readonly KernelSource[], mine: readonly KernelSource[],
  opts: Pick<FleetCliOptions, 'arch' | 'cache'> & { readonly modules: readonly string[]; readonly btfgen: boolean }, settings: Settings, pool: Piscina | undefined,
): Promise<CheckedFleet> {
  const arches = objects.map((o) => inferObjectArch(o.object, o.hostMachine, o.hostLittleEndian));
  const targets = objectTargets(opts.arch === 'all' || opts.arch === 'auto' ? opts.arch : normalizeArch(opts.arch), arches.map((a) => a.arch));
  const objectsFor = objectsForTargets(targets);
  // Kernels whose architecture the path tells are left out before they are read.
  const wanted = mine.filter((s) => s.info.arch === undefined || objectsFor(s.info.arch).length > 0);
  const toCheck = opts.cache ? await Promise.all(wanted.map((s) => opts.cache!.wrap(s))) : wanted;

  const progress = startProgress(toCheck.length, 'kernels');
  const outcomes = new Map<string, KernelOutcome>();
  const batches = loadBatches(toCheck);
  const memory = KernelClaims.memory(toCheck.length);
  try {
    const here = async (): Promise<void> => {
      const contexts = objects.map((o) => new ObjectContext(o.object));
      await checkClaimed(new KernelClaims(batches, memory), async (k) => {
        progress.tick(toCheck[k].label);
        outcomes.set(toCheck[k].label, await checkOneKernel(toCheck[k], contexts, objectsFor, opts.modules, settings, opts.btfgen));
        // Lets the workers' progress messages through while this thread checks.
        await new Promise(setImmediate);
      });
    };
    const task = { files, modules: opts.modules, objectArches: targets, cacheDir: opts.cache?.dir ?? null, settings, btfgen: opts.btfgen };
    const done = (label: string, outcome: KernelOutcome): void => void outcomes.set(label, outcome);
    // the workers' tasks first: this thread's first kernel may load without yielding (a store block
    // decodes synchronously), and a worker's task is only posted when this thread yields
    await Promise.all([pool && inWorkers(pool, toCheck, batches, memory, task, done, (label) => progress.tick(label)), here()]);
  } finally {
    // the kernel cache's writes from this thread; each worker waits for its own
    await opts.cache?.flush();
    progress.stop();
  }

  const run = runOfOutcomes(sources.map((s) => s.label), mine.map((s) => s.label), objects.map((o, i) => ({ name: o.name, arch: arches[i] })), outcomes);
  return { run, outcomes };
}

/**
 * Worker threads that check kernels (`fleet/worker.ts`) beside this thread, started at once; the
 * caller destroys them. Each opens the run's objects as it starts, so its first kernel finds them parsed.
 */
function startPool(threads: number, workerData: WorkerStart): Piscina {
  return new Piscina({ filename: workerScript(), minThreads: threads, maxThreads: threads, workerData });
}

/**
 * Checks kernels in every worker of the pool, each claiming kernels from `memory` as this thread
 * does; `done` is called as each worker finishes, for each kernel it checked.
 */
async function inWorkers(
  pool: Piscina, sources: readonly KernelSource[], batches: readonly (readonly number[])[], memory: SharedArrayBuffer,
  task: Omit<KernelTask, 'kernels' | 'batches' | 'claims' | 'progress'>, done: (label: string, outcome: KernelOutcome) => void, progress: (label: string) => void,
): Promise<void> {
  const kernels = sources.map((s) => s.path);
  await Promise.all(Array.from({ length: pool.maxThreads }, async () => {
    const channel = new MessageChannel();
    channel.port1.on('message', (label: string) => progress(label));
    try {
      const r = (await pool.run({ ...task, kernels, batches, claims: memory, progress: channel.port2 } satisfies KernelTask, { transferList: [channel.port2] })
        .catch((e: unknown) => {
          // a worker that died (not a TaskError, which the worker abandons itself): the run fails, so no thread goes on
          new KernelClaims(batches, memory).abandon();
          throw e;
        })) as TaskOutcomes | TaskError;
      if ('error' in r) {
        const e = r.error;
        throw 'code' in e ? new CorecheckError(e.code, e.structure, e.offset, e.detail, e.file) : new Error(e.message);
      }
      for (const { kernel, outcome } of r) done(sources[kernel].label, outcome);
    } finally {
      channel.port1.close();
    }
  }));
}

/**
 * Kernel indexes of `sources` grouped by `loadsWith` (alone without one), the heaviest group first
 * and the heaviest kernel first within one, by `btfBytes` (else a typical kernel's size). Threads
 * claim groups in this order and help with a group from its end, so the longest loads start first
 * and the run ends on short ones: CentOS 8's 27 MB arm64 BTF, loaded last, kept one thread busy
 * half a second after the other had finished.
 */
export function loadBatches(sources: readonly KernelSource[]): number[][] {
  const weight = (i: number): number => sources[i].btfBytes ?? TYPICAL_BTF_BYTES;
  const batches = new Map<string, number[]>();
  sources.forEach((s, i) => {
    const key = s.loadsWith ?? `#${i}`;
    const batch = batches.get(key);
    if (batch) batch.push(i);
    else batches.set(key, [i]);
  });
  const total = (batch: readonly number[]): number => batch.reduce((n, i) => n + weight(i), 0);
  // sorts are stable: equal weights keep fleet order
  return [...batches.values()].map((b) => b.sort((x, y) => weight(y) - weight(x))).sort((a, b) => total(b) - total(a));
}

/** A kernel BTF's size where the source does not say (x86_64 6.1: 4.3 MB). */
const TYPICAL_BTF_BYTES = 4 << 20;
