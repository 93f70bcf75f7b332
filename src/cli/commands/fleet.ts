import Table from 'cli-table3';
import { CorecheckError } from '../../common/errors.js';
import { builtinFleetSources, openKernelSources, type KernelSource } from '../../kernels/index.js';
import { fleetSources, userFleetPath, writeFleet } from '../../kernels/user-fleet.js';
import { plainColumns } from '../../report/table-style.js';
import { writeOut } from '../io.js';

/** `corecheck fleet list [--fleet F] [--builtin]`: the kernels of a fleet, one per line. */
export async function runFleetList(opts: { fleet?: string; builtin?: boolean }): Promise<void> {
  const path = opts.fleet ?? userFleetPath();
  const sources = opts.builtin ? await builtinFleetSources() : await fleetSources(path);
  const table = new Table({
    head: ['label', 'distro', 'release', 'arch', 'version'],
    ...plainColumns('  '),
  });
  for (const s of sources) table.push([s.label, s.info.distro ?? '', s.info.release ?? '', s.info.arch ?? '', s.info.kernel ?? '']);
  const where = opts.builtin ? 'the built-in fleet' : path;
  writeOut(`${sources.length} kernel${sources.length === 1 ? '' : 's'} in ${where}\n${sources.length > 0 ? `${table.toString()}\n` : ''}`);
}

/** `corecheck fleet add <source>... [--fleet F]`: imports kernels (any kernel source, BTFHub trees, packages) into a fleet store. */
export async function runFleetAdd(inputs: readonly string[], opts: { fleet?: string }): Promise<void> {
  const path = opts.fleet ?? userFleetPath();
  const added: KernelSource[] = [];
  for (const i of inputs) added.push(...(await openKernelSources(i)));
  const { kernels, bytes } = await writeFleet(path, await fleetSources(path), added);
  writeOut(`${path}: ${kernels} kernel${kernels === 1 ? '' : 's'} (${added.length} added), ${(bytes / 1e6).toFixed(2)} MB\n`);
}

/** `corecheck fleet remove <label>... [--fleet F]`: drops kernels by label (`*` globs). */
export async function runFleetRemove(labels: readonly string[], opts: { fleet?: string }): Promise<void> {
  const path = opts.fleet ?? userFleetPath();
  const sources = await fleetSources(path);
  const globs = labels.map((l) => new RegExp(`^${l.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
  const gone = sources.filter((s) => globs.some((g) => g.test(s.label)));
  const unmatched = labels.filter((l, i) => !sources.some((s) => globs[i].test(s.label)));
  if (unmatched.length > 0) throw new CorecheckError('NOT_FOUND', 'fleet store', -1, `no kernel labelled ${unmatched.join(', ')} in it`, path);
  const { kernels, bytes } = await writeFleet(path, sources.filter((s) => !gone.includes(s)), []);
  writeOut(`${path}: ${kernels} kernel${kernels === 1 ? '' : 's'} (${gone.length} removed), ${(bytes / 1e6).toFixed(2)} MB\n`);
}
