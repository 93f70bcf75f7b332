import { workerData, type MessagePort } from 'node:worker_threads';
import { CorecheckError } from '../../common/errors.js';
import { KernelCache } from '../../kernels/cache.js';
import { openKernelSources } from '../../kernels/index.js';
import { openBpfObjects } from '../../object/open.js';
import { ObjectContext } from '../../analysis/object-context.js';
import { readInput } from '../io.js';
import { checkOneKernel, type KernelOutcome } from './kernel-task.js';
import { objectsForTargets } from '../../analysis/fleet-kernel.js';
import type { Settings } from '../commands/check.js';
import { KernelClaims, checkClaimed } from './claims.js';
import { lowerThreadPriority } from './thread-priority.js';

/**
 * A worker's share of a fleet run, as the main thread describes it: everything by path, so it
 * clones cheaply. The worker claims kernels (claims.ts) until none is left, as the other threads do.
 */
export interface KernelTask {
  /** Every kernel of the run, by a source that names exactly one kernel (a file, or `<store>#<label>`). */
  readonly kernels: readonly string[];
  /** The kernels' indexes, in batches that load cheapest together (a fleet-store block), largest first. */
  readonly batches: readonly (readonly number[])[];
  /** The claims every thread of the run shares (KernelClaims.memory). */
  readonly claims: SharedArrayBuffer;
  readonly modules: readonly string[];
  /** The run's input files, in order; their objects are opened once per worker. */
  readonly files: readonly string[];
  /** Per object of the run, the architecture a kernel must have for it (null: any); `all` ignores them. */
  readonly objectArches: readonly (string | null)[];
  /** The kernel cache's directory, or null without one (`--no-cache`). */
  readonly cacheDir: string | null;
  /** `--set` values (maps of bigints clone as they are). */
  readonly settings: Settings;
  /** Minimize each kernel's BTF too (`corecheck btfgen`). */
  readonly btfgen: boolean;
  /** Where each kernel's label is posted as it is done, for the progress bar. */
  readonly progress?: MessagePort;
}

/** What a worker checked: each kernel it claimed (its index in the task's `kernels`) with its outcome. */
export type TaskOutcomes = readonly { readonly kernel: number; readonly outcome: KernelOutcome }[];

/** An error as it crosses back to the main thread: CorecheckError's fields, so it can be raised again there. */
export type TaskError = { readonly error: { code: CorecheckError['code']; structure: string; offset: number; detail: string; file?: string } | { message: string } };

// A worker checks many kernels against the same objects: they are read and parsed once, here.
let opened: { files: string; objects: ObjectContext[] } | undefined;

async function objectsOf(files: readonly string[]): Promise<ObjectContext[]> {
  const key = files.join('\0');
  if (opened?.files !== key) {
    const objects: ObjectContext[] = [];
    for (const f of files) objects.push(...openBpfObjects(await readInput(f), f).map((o) => new ObjectContext(o.object)));
    opened = { files: key, objects };
  }
  return opened.objects;
}

/** What a pool passes its workers when it starts them: the run's input files, read before the first task arrives. */
export interface WorkerStart {
  readonly files: readonly string[];
  /** Content hashes the main thread's kernel cache computed, by path (`KernelCache.contentHashes`). */
  readonly fileHashes?: Readonly<Record<string, string>>;
}

// Where cores are short, the main thread (which checks kernels too) goes first.
lowerThreadPriority();

// A failure here is not lost: the first task opens the files again and reports it.
if ((workerData as WorkerStart | undefined)?.files) await objectsOf((workerData as WorkerStart).files).catch(() => undefined);

// One cache per worker, so a file's content hash (a fleet store's, shared by its kernels) is computed once.
let cache: KernelCache | undefined;
const cacheFor = (dir: string): KernelCache => (cache?.dir === dir ? cache : (cache = new KernelCache(dir, (workerData as WorkerStart | undefined)?.fileHashes)));

/** The worker's task (piscina calls the default export): the kernels it claimed, with their outcomes. */
export default async function checkKernelTask(task: KernelTask): Promise<TaskOutcomes | TaskError> {
  const claims = new KernelClaims(task.batches, task.claims);
  try {
    const objects = await objectsOf(task.files);
    const objectsFor = objectsForTargets(task.objectArches);
    const outcomes: { kernel: number; outcome: KernelOutcome }[] = [];
    await checkClaimed(claims, async (k) => {
      const opened = (await openKernelSources(task.kernels[k]))[0];
      const source = task.cacheDir === null ? opened : await cacheFor(task.cacheDir).wrap(opened);
      outcomes.push({ kernel: k, outcome: await checkOneKernel(source, objects, objectsFor, task.modules, task.settings, task.btfgen) });
      task.progress?.postMessage(source.label);
    });
    await cache?.flush();
    return outcomes;
  } catch (e) {
    // The run fails with this error (every claim is abandoned): the other threads need not check what is left.
    claims.abandon();
    await cache?.flush();
    if (e instanceof CorecheckError) return { error: { code: e.code, structure: e.structure, offset: e.offset, detail: e.detail, file: e.file } };
    return { error: { message: (e as Error)?.message ?? String(e) } };
  }
}
