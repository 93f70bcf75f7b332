import { checkObject, checkWithoutBtf, type ObjectVerdict } from '../../analysis/check.js';
import type { Btf } from '../../btf/btf.js';
import { CorecheckError } from '../../common/errors.js';
import { loadKernelBtf, moduleNameFromPath, openKernelSources, type KernelSource } from '../../kernels/index.js';
import { openBpfObjects, type LocatedObject } from '../../object/open.js';
import { buildCheckReport, type CheckedKernel } from '../../report/check.js';
import { renderCheck } from '../../report/check-text.js';
import { readInput, writeOut } from '../io.js';

export interface CheckCliOptions {
  /** Kernel sources: files or BTFHub trees; none means the running kernel. */
  readonly kernel: readonly string[];
  /** Module BTFs of the (single) kernel, in search order. */
  readonly module: readonly string[];
  readonly json?: boolean;
}

export const RUNNING_KERNEL = '/sys/kernel/btf/vmlinux';

/**
 * `corecheck check <object-or-binary>... --kernel <source>...`: the load verdict of every program
 * of every object on every kernel. Kernels are loaded one at a time and dropped after use, so a
 * fleet costs the memory of its largest kernel.
 */
export async function runCheck(files: readonly string[], opts: CheckCliOptions): Promise<void> {
  const objects: LocatedObject[] = [];
  for (const f of files) objects.push(...openBpfObjects(await readInput(f), f));
  const sources: KernelSource[] = [];
  for (const k of opts.kernel.length > 0 ? opts.kernel : [RUNNING_KERNEL]) sources.push(...(await openKernelSources(k)));
  if (opts.module.length > 0 && sources.length !== 1) {
    throw new CorecheckError('USAGE', 'option --module', -1, `modules belong to one kernel, but ${sources.length} kernels are given`, opts.module[0]);
  }
  const kernels: CheckedKernel[] = [];
  const results: ObjectVerdict[][] = objects.map(() => []);
  for (const source of sources) {
    let verdicts: ObjectVerdict[];
    try {
      const { btf } = await source.load();
      const modules: { name: string; btf: Btf }[] = [];
      for (const m of opts.module) modules.push({ name: moduleNameFromPath(m), btf: (await loadKernelBtf(m, { base: btf })).btf });
      verdicts = objects.map((o) => checkObject(o.object, { vmlinux: btf, modules }));
      kernels.push({ label: source.label, btf: true });
    } catch (e) {
      if (!(e instanceof CorecheckError) || e.code !== 'NO_BTF') throw e;
      verdicts = objects.map((o) => checkWithoutBtf(o.object, e.detail));
      kernels.push({ label: source.label, btf: false });
    }
    verdicts.forEach((v, i) => results[i].push(v));
  }
  const report = buildCheckReport(kernels, objects.map((o) => o.name), results);
  writeOut(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderCheck(report));
}
