import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CorecheckError } from '../common/errors.js';
import { encodeFleet, readPackedBlocks, type FleetInput, type PackedGroup } from '../fleet/index.js';
import { readFileBytes } from './files.js';
import { builtinFleetSources } from './builtin-fleet.js';
import { groupKey } from './builtin-fleet-groups.js';
import { USER_FLEET_BLOCKS } from './block-codec.js';
import { btfHubLabel } from './kernel-info.js';
import type { KernelSource } from './sources.js';

/**
 * A user's own fleet: kernels imported with `corecheck fleet add`, kept in one fleet store (the
 * built-in fleet's format: kernels of a release series share a block, types and strings stored
 * once) at `$XDG_CACHE_HOME/corecheck/fleet/user.fleet`, or wherever `--fleet` says.
 */
export function userFleetPath(): string {
  const root = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(root, 'corecheck', 'fleet', 'user.fleet');
}

/** The kernels of the store at `path`; none when there is no store yet. */
export async function fleetSources(path: string): Promise<KernelSource[]> {
  return existsSync(path) ? builtinFleetSources(path) : [];
}

/** What `writeFleet` is doing, for a progress display: loading a kernel, then packing a block (a group of kernels). */
export interface FleetWriteProgress {
  loading(label: string, of: number): void;
  packing(group: string, of: number): void;
}

/**
 * Writes the store at `path` with `kept` (sources already in it, or any others) and `added`, each
 * kernel's BTF read once. A kernel is named by its label (`distro/release/arch/version` when known);
 * an added one replaces a kept one of the same label. The blocks of the store already at `path`
 * whose kernels all stay, and that no other kernel joins, are copied as they are; the others are
 * packed at the user-fleet quality (`USER_FLEET_BLOCKS`).
 */
export async function writeFleet(
  path: string, kept: readonly KernelSource[], added: readonly KernelSource[], progress?: FleetWriteProgress,
): Promise<{ kernels: number; bytes: number }> {
  const byLabel = new Map<string, KernelSource>();
  for (const s of [...kept, ...added]) byLabel.set(labelOf(s), s);
  const unchanged = await unchangedGroups(path, [...byLabel.values()]);
  const copied = new Set(unchanged.flatMap((g) => g.kernels.map((k) => `${path}#${k.label}`)));
  const toPack = [...byLabel].filter(([, s]) => !copied.has(s.path));
  const inputs: FleetInput[] = [];
  for (const [label, s] of toPack) {
    progress?.loading(label, toPack.length);
    const { btf } = await s.load();
    const info = { label, distro: s.info.distro ?? '', release: s.info.release ?? '', arch: s.info.arch ?? '', kernel: s.info.kernel ?? label };
    inputs.push({ info, btf: btf.bytes, group: groupKey(s.info) });
  }
  inputs.sort((a, b) => compare(a.group, b.group) || compare(a.info.label, b.info.label));
  const groups = new Set(inputs.map((k) => k.group)).size;
  const { store } = encodeFleet(inputs, USER_FLEET_BLOCKS, (group) => progress?.packing(group, groups), unchanged);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, store);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new CorecheckError('NOT_FOUND', 'fleet store', -1, `cannot write it: ${(e as Error).message.replace(/^[A-Z]+: /, '')}`, path);
  }
  return { kernels: inputs.length + copied.size, bytes: store.length };
}

/**
 * The blocks of the store at `path` that a rewrite can copy packed: each of its kernels is among
 * `sources` as read from that store (not replaced by an added kernel of its label), and no other
 * source has its group key. Packing is most of a rewrite's time (`fleet add` of one kernel would
 * otherwise pack every block again).
 */
async function unchangedGroups(path: string, sources: readonly KernelSource[]): Promise<PackedGroup[]> {
  if (!existsSync(path)) return [];
  const bytes = await readFileBytes(path);
  const blocks = CorecheckError.inFile(path, 0, () => readPackedBlocks(bytes));
  const fromStore = new Set(sources.map((s) => s.path));
  const perKey = new Map<string, number>();
  for (const s of sources) {
    const key = groupKey(s.info);
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
  }
  return blocks.flatMap((b) => {
    const keys = new Set(b.kernels.map((k) => groupKey(k)));
    const [key] = keys;
    const stays = b.kernels.length > 0 && keys.size === 1 && b.kernels.every((k) => fromStore.has(`${path}#${k.label}`));
    return stays && perKey.get(key) === b.kernels.length ? [{ ...b, key }] : [];
  });
}

const labelOf = (s: KernelSource): string => btfHubLabel(s.info) ?? s.label;
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
