import { relocateObject } from '../../core/relocate.js';
import { loadKernelBtf, moduleNameFromPath } from '../../kernels/index.js';
import { openBpfObjects } from '../../object/open.js';
import { coreLogLines, relocationJson, renderRelocation } from '../../report/relocate-text.js';
import { readInput, writeOut } from '../io.js';

export interface RelocateCliOptions {
  readonly kernel: string;
  readonly base?: string;
  /** Module BTF sources, split on the kernel's BTF, in search order. */
  readonly module?: readonly string[];
  readonly log?: boolean;
  readonly json?: boolean;
  readonly all?: boolean;
}

/** `corecheck relocate <object> --kernel <source>`: every CO-RE relocation resolved as libbpf does. */
export async function runRelocate(file: string, opts: RelocateCliOptions): Promise<void> {
  const objects = openBpfObjects(await readInput(file), file);
  const { btf, source } = await loadKernelBtf(opts.kernel, { base: opts.base });
  const modules = [];
  for (const path of opts.module ?? []) {
    modules.push({ name: moduleNameFromPath(path), btf: (await loadKernelBtf(path, { base: btf })).btf });
  }
  const target = { vmlinux: btf, modules };
  const results = objects.map((o) => ({ object: o.name, result: relocateObject(o.object, target, { autoloadAll: opts.all }) }));
  if (opts.json) {
    writeOut(JSON.stringify({ kernel: source.label, objects: results.map((r) => ({ name: r.object, ...relocationJson(r.result) })) }, null, 2) + '\n');
  } else if (opts.log) {
    writeOut(results.flatMap((r) => coreLogLines(r.result)).map((l) => l + '\n').join(''));
  } else {
    writeOut(results.map((r) => renderRelocation(r.object, source.label, r.result)).join('\n'));
  }
}
