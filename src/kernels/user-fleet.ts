import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CorecheckError } from '../common/errors.js';
import { encodeFleet, type FleetInput } from '../fleet/index.js';
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
 * an added one replaces a kept one of the same label. Blocks are packed at the user-fleet quality
 * (`USER_FLEET_BLOCKS`).
 */
export async function writeFleet(
  path: string, kept: readonly KernelSource[], added: readonly KernelSource[], progress?: FleetWriteProgress,
): Promise<{ kernels: number; bytes: number }> {
  const byLabel = new Map<string, KernelSource>();
  for (const s of [...kept, ...added]) byLabel.set(labelOf(s), s);
  const inputs: FleetInput[] = [];
  for (const [label, s] of byLabel) {
    progress?.loading(label, byLabel.size);
    const { btf } = await s.load();
    const info = { label, distro: s.info.distro ?? '', release: s.info.release ?? '', arch: s.info.arch ?? '', kernel: s.info.kernel ?? label };
    inputs.push({ info, btf: btf.bytes, group: groupKey(s.info) });
  }
  inputs.sort((a, b) => compare(a.group, b.group) || compare(a.info.label, b.info.label));
  const groups = new Set(inputs.map((k) => k.group)).size;
  const { store } = encodeFleet(inputs, USER_FLEET_BLOCKS, (group) => progress?.packing(group, groups));
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, store);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new CorecheckError('NOT_FOUND', 'fleet store', -1, `cannot write it: ${(e as Error).message.replace(/^[A-Z]+: /, '')}`, path);
  }
  return { kernels: inputs.length, bytes: store.length };
}

const labelOf = (s: KernelSource): string => btfHubLabel(s.info) ?? s.label;
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
