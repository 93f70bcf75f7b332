import { kernelArchFromBtf } from './arch.js';
import { checkWithoutBtf, type CheckOptions, type ObjectVerdict } from './check.js';
import { btfgenOfKernel, type KernelBtfgen } from './btfgen-kernel.js';
import { checkKernel } from './kernel-check.js';
import type { ObjectContext } from './object-context.js';
import type { Successor } from './successor.js';
import type { Btf } from '../btf/btf.js';
import { CorecheckError } from '../common/errors.js';
import type { KernelMeta } from '../report/model.js';

/**
 * One kernel of a fleet run checked against the run's objects: the part of the CLI's per-kernel
 * task (cli/fleet/kernel-task.ts) that needs no file system, so the web app's workers run the
 * same code on kernels they hold as bytes.
 */

/** Which of the objects a kernel of this architecture is for (null: not known, so all of them). */
export type ObjectsFor = (kernelArch: string | null) => readonly number[];

/** What one kernel says about the objects meant for it. Plain data: it crosses worker threads. */
export interface KernelOutcome {
  readonly meta: KernelMeta;
  /** Per object (in the run's order): its verdict here, or null when the object is not for this kernel. */
  readonly verdicts: readonly (ObjectVerdict | null)[];
  readonly hints: Readonly<Record<string, Successor>>;
  /** With `btfgen`, on a kernel with BTF that some object is for: its minimized BTF and unresolved relocations. */
  readonly btfgen?: KernelBtfgen;
}

/** What is known of a kernel before it is loaded (a KernelSource's label and info). */
export interface FleetKernel {
  readonly label: string;
  readonly info: { readonly distro?: string; readonly release?: string; readonly arch?: string; readonly kernel?: string };
}

/** What the fleet knows of a kernel: its label and info, whether it has BTF, and its architecture (from its BTF when the path did not say). */
export function kernelMeta(kernel: FleetKernel, btf: boolean, arch: string | null = kernel.info.arch ?? null): KernelMeta {
  return { label: kernel.label, distro: kernel.info.distro ?? null, release: kernel.info.release ?? null, arch, version: kernel.info.kernel ?? null, btf };
}

/** A run's objects: kept across the kernels a thread checks (see ObjectContext), and which kernels each is for. */
export interface RunObjects {
  readonly contexts: readonly ObjectContext[];
  readonly objectsFor: ObjectsFor;
}

/** The run's `--set` values and whether it also minimizes BTF (`corecheck btfgen`). */
export interface KernelCheckSettings {
  readonly settings?: Pick<CheckOptions, 'rodata' | 'kconfig'>;
  readonly btfgen?: boolean;
}

/**
 * Loads one kernel with `loadBtf` and checks the objects meant for its architecture. A kernel
 * without BTF (`loadBtf` throws NO_BTF) still gets verdicts: libbpf fails what needs BTF.
 * `loadModules` gives the split BTFs on this kernel, once its BTF is known to be needed.
 */
export async function checkFleetKernel(
  kernel: FleetKernel, loadBtf: () => Promise<Btf>, run: RunObjects, extra: KernelCheckSettings = {},
  loadModules: (vmlinux: Btf) => Promise<readonly { name: string; btf: Btf }[]> = async () => [],
): Promise<KernelOutcome> {
  const { contexts: objects, objectsFor } = run;
  const known = kernel.info.arch ?? null;
  let btf: Btf;
  try {
    btf = await loadBtf();
  } catch (e) {
    if (!(e instanceof CorecheckError) || e.code !== 'NO_BTF') throw e;
    const forIt = new Set(objectsFor(known));
    return { meta: kernelMeta(kernel, false, known), verdicts: objects.map((o, i) => (forIt.has(i) ? checkWithoutBtf(o.obj, e.detail) : null)), hints: {} };
  }
  const arch = known ?? kernelArchFromBtf(btf);
  const forIt = objectsFor(arch);
  const verdicts: (ObjectVerdict | null)[] = objects.map(() => null);
  if (forIt.length === 0) return { meta: kernelMeta(kernel, true, arch), verdicts, hints: {} };
  const modules = await loadModules(btf);
  // the release gives LINUX_KERNEL_VERSION, which the verifier folds (known-values.ts)
  const opts: CheckOptions = { kernelRelease: kernel.info.kernel, ...extra.settings };
  const check = checkKernel(forIt.map((i) => objects[i].obj), { vmlinux: btf, modules: [...modules] }, opts, forIt.map((i) => objects[i]));
  forIt.forEach((i, n) => { verdicts[i] = check.verdicts[n]; });
  const meta = kernelMeta(kernel, true, arch);
  const outcome: KernelOutcome = { meta: check.standIn ? { ...meta, minimized: true } : meta, verdicts, hints: Object.fromEntries(check.successors) };
  return extra.btfgen ? { ...outcome, btfgen: btfgenOfKernel(btf, objects.map((o, i) => (verdicts[i] ? o : null)), verdicts) } : outcome;
}

/**
 * The architecture each object needs a kernel to have (null: any): with `arch` `all`, none; `auto`,
 * the one it was built for (`builtFor`, null when unknown); else the one architecture named
 * (already normalized).
 */
export function objectTargets(arch: string, builtFor: readonly (string | null)[]): (string | null)[] {
  return builtFor.map((a) => (arch === 'all' ? null : arch === 'auto' ? a : arch));
}

/** Which objects a kernel is for, given each object's target architecture (null: any). */
export function objectsForTargets(targets: readonly (string | null)[]): ObjectsFor {
  return (kernelArch) => targets.map((t, i) => (t === null || kernelArch === null || t === kernelArch ? i : -1)).filter((i) => i >= 0);
}
