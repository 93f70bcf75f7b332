import { kernelArchFromBtf } from '../../analysis/arch.js';
import { checkWithoutBtf, type CheckOptions, type ObjectVerdict } from '../../analysis/check.js';
import { btfgenOfKernel, type KernelBtfgen } from '../../analysis/btfgen-kernel.js';
import { checkKernel } from '../../analysis/kernel-check.js';
import type { Successor } from '../../analysis/successor.js';
import type { Btf } from '../../btf/btf.js';
import { CorecheckError } from '../../common/errors.js';
import { loadKernelBtf, moduleNameFromPath, type KernelSource } from '../../kernels/index.js';
import type { ObjectContext } from '../../analysis/object-context.js';
import type { KernelMeta } from '../../report/model.js';

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

/** What the fleet knows of a kernel: its source's info, whether it has BTF, and its architecture (from its BTF when the path did not say). */
export function kernelMeta(source: KernelSource, btf: boolean, arch: string | null = source.info.arch ?? null): KernelMeta {
  return { label: source.label, distro: source.info.distro ?? null, release: source.info.release ?? null, arch, version: source.info.kernel ?? null, btf };
}

/**
 * Loads one kernel and checks the objects meant for its architecture, in whatever thread runs it.
 * A kernel without BTF still gets verdicts (libbpf fails what needs BTF). `modules` are split BTFs
 * on this kernel. `objects` are kept across the kernels a thread checks (see ObjectContext).
 * `settings` are the run's `--set` values. `btfgen` also minimizes the kernel's BTF to what the
 * objects' CO-RE relocations use (`corecheck btfgen`), while the BTF is at hand.
 */
export async function checkOneKernel(
  source: KernelSource, objects: readonly ObjectContext[], objectsFor: ObjectsFor, modules: readonly string[],
  settings: Pick<CheckOptions, 'rodata' | 'kconfig'> = {}, btfgen = false,
): Promise<KernelOutcome> {
  const known = source.info.arch ?? null;
  const meta = (btf: boolean, arch: string | null): KernelMeta => kernelMeta(source, btf, arch);
  let btf: Btf;
  try {
    btf = (await source.load()).btf;
  } catch (e) {
    if (!(e instanceof CorecheckError) || e.code !== 'NO_BTF') throw e;
    const forIt = new Set(objectsFor(known));
    return { meta: meta(false, known), verdicts: objects.map((o, i) => (forIt.has(i) ? checkWithoutBtf(o.obj, e.detail) : null)), hints: {} };
  }
  const arch = known ?? kernelArchFromBtf(btf);
  const forIt = objectsFor(arch);
  const verdicts: (ObjectVerdict | null)[] = objects.map(() => null);
  if (forIt.length === 0) return { meta: meta(true, arch), verdicts, hints: {} };
  const moduleBtfs: { name: string; btf: Btf }[] = [];
  for (const m of modules) moduleBtfs.push({ name: moduleNameFromPath(m), btf: (await loadKernelBtf(m, { base: btf })).btf });
  // the release gives LINUX_KERNEL_VERSION, which the verifier folds (known-values.ts)
  const opts: CheckOptions = { kernelRelease: source.info.kernel, ...settings };
  const check = checkKernel(forIt.map((i) => objects[i].obj), { vmlinux: btf, modules: moduleBtfs }, opts, forIt.map((i) => objects[i]));
  forIt.forEach((i, n) => { verdicts[i] = check.verdicts[n]; });
  const outcome: KernelOutcome = { meta: meta(true, arch), verdicts, hints: Object.fromEntries(check.successors) };
  return btfgen ? { ...outcome, btfgen: btfgenOfKernel(btf, objects.map((o, i) => (verdicts[i] ? o : null)), verdicts) } : outcome;
}
