import Table from 'cli-table3';
import { CorecheckError } from '../../common/errors.js';
import { builtinFleetSources, openKernelSources, type KernelSource } from '../../kernels/index.js';
import { fleetSources, userFleetPath, writeFleet, type FleetWriteProgress } from '../../kernels/user-fleet.js';
import { startProgress, type Progress } from '../progress.js';
import { plainColumns, tableText } from '../../report/table-style.js';
import { writeOut } from '../io.js';
import { kernelMeta } from '../../analysis/fleet-kernel.js';
import { normalizeArch } from '../../common/arch-names.js';
import { plural } from '../../report/phrases.js';
import type { KernelPredicate } from '../../report/gate.js';

/**
 * `corecheck fleet list [--fleet F] [--builtin] [--arch A] [--distro D]... [--release R]`: the
 * kernels of a fleet, one per line; with filters, those `check` would take with the same ones.
 */
export async function runFleetList(opts: { fleet?: string; builtin?: boolean; arch?: string; select: KernelPredicate }): Promise<void> {
  const path = opts.fleet ?? userFleetPath();
  const all = opts.builtin ? await builtinFleetSources() : await fleetSources(path);
  const arch = opts.arch === undefined ? undefined : normalizeArch(opts.arch);
  const sources = all.filter((s) => (arch === undefined || s.info.arch === arch) && opts.select(kernelMeta(s, true)));
  const table = new Table({
    head: ['label', 'distro', 'release', 'arch', 'version'],
    ...plainColumns('  '),
  });
  for (const s of sources) table.push([s.label, s.info.distro ?? '', s.info.release ?? '', s.info.arch ?? '', s.info.kernel ?? '']);
  const where = opts.builtin ? 'the built-in fleet' : path;
  const count = sources.length === all.length ? plural(all.length, 'kernel') : `${sources.length} of ${plural(all.length, 'kernel')}`;
  writeOut(`${count} in ${where}\n${sources.length > 0 ? `${tableText(table)}\n` : ''}`);
}

/** `corecheck fleet add <source>... [--fleet F]`: imports kernels (any kernel source, BTFHub trees, packages) into a fleet store. */
export async function runFleetAdd(inputs: readonly string[], opts: { fleet?: string }): Promise<void> {
  const path = opts.fleet ?? userFleetPath();
  const added: KernelSource[] = [];
  for (const i of inputs) added.push(...(await openKernelSources(i)));
  const { kernels, bytes } = await withProgress(async (progress) => writeFleet(path, await fleetSources(path), added, progress));
  writeOut(`${path}: ${plural(kernels, 'kernel')} (${added.length} added), ${(bytes / 1e6).toFixed(2)} MB\n`);
}

/** `corecheck fleet remove <label>... [--fleet F]`: drops kernels by label (`*` globs). */
export async function runFleetRemove(labels: readonly string[], opts: { fleet?: string }): Promise<void> {
  const path = opts.fleet ?? userFleetPath();
  const sources = await fleetSources(path);
  const globs = labels.map((l) => new RegExp(`^${l.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
  const gone = sources.filter((s) => globs.some((g) => g.test(s.label)));
  const unmatched = labels.filter((l, i) => !sources.some((s) => globs[i].test(s.label)));
  if (unmatched.length > 0) throw new CorecheckError('NOT_FOUND', 'fleet store', -1, `no kernel labelled ${unmatched.join(', ')} in it`, path);
  const { kernels, bytes } = await withProgress((progress) => writeFleet(path, sources.filter((s) => !gone.includes(s)), [], progress));
  writeOut(`${path}: ${plural(kernels, 'kernel')} (${gone.length} removed), ${(bytes / 1e6).toFixed(2)} MB\n`);
}

/**
 * Runs a store write with a progress bar on a TTY (stderr, runs over a second): one for the
 * kernels as they are read, then one for the blocks as they are packed.
 */
async function withProgress<T>(write: (progress: FleetWriteProgress) => Promise<T>): Promise<T> {
  let phase: { unit: string; bar: Progress } | undefined;
  const step = (unit: string, label: string, of: number): void => {
    if (phase?.unit !== unit) {
      phase?.bar.stop();
      phase = { unit, bar: startProgress(of, unit) };
    }
    phase.bar.tick(label);
  };
  try {
    return await write({ loading: (label, of) => step('kernels read', label, of), packing: (group, of) => step('blocks packed', group, of) });
  } finally {
    phase?.bar.stop();
  }
}
