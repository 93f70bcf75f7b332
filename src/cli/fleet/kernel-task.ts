import type { CheckOptions } from '../../analysis/check.js';
import { checkFleetKernel, type KernelOutcome, type ObjectsFor } from '../../analysis/fleet-kernel.js';
import type { Btf } from '../../btf/btf.js';
import { loadKernelBtf, moduleNameFromPath, type KernelSource, type LoadedKernel } from '../../kernels/index.js';
import type { ObjectContext } from '../../analysis/object-context.js';

export { kernelMeta, type KernelOutcome, type ObjectsFor } from '../../analysis/fleet-kernel.js';

/**
 * Loads one kernel and checks the objects meant for its architecture, in whatever thread runs it
 * (the check itself is analysis/fleet-kernel.ts, shared with the web app). `modules` are split
 * BTFs on this kernel, read from files. `objects` are kept across the kernels a thread checks
 * (see ObjectContext). `settings` are the run's `--set` values. `btfgen` also minimizes the
 * kernel's BTF to what the objects' CO-RE relocations use (`corecheck btfgen`), while the BTF is at hand.
 */
export async function checkOneKernel(
  source: KernelSource, objects: readonly ObjectContext[], objectsFor: ObjectsFor, modules: readonly string[],
  settings: Pick<CheckOptions, 'rodata' | 'kconfig'> = {}, btfgen = false,
): Promise<KernelOutcome> {
  const loadModules = async (btf: Btf): Promise<{ name: string; btf: Btf }[]> => {
    const out: { name: string; btf: Btf }[] = [];
    for (const m of modules) out.push({ name: moduleNameFromPath(m), btf: (await loadKernelBtf(m, { base: btf })).btf });
    return out;
  };
  let loaded: LoadedKernel | undefined;
  const load = async (): Promise<Btf> => (loaded = await source.load()).btf;
  try {
    return await checkFleetKernel(source, load, { contexts: objects, objectsFor }, { settings, btfgen }, loadModules);
  } finally {
    // the outcome is plain data, and the objects' contexts keep this kernel's BTF only to compare
    // the next kernel's with it (by identity): its buffers can take the next kernel's bytes
    loaded?.release?.();
  }
}
