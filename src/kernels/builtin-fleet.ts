import { Btf } from '../btf/btf.js';
import { CorecheckError } from '../common/errors.js';
import { openFleetStore } from '../fleet/open-store.js';
import { decompressBlock } from './block-codec.js';
import { nativeCrc32 } from './native-crc32.js';
import { readFileBytes } from './files.js';
import { kernelBuffers, lentKernel } from './kernel-buffers.js';
import { packageFile } from './package-files.js';
import type { KernelSource } from './sources.js';

/**
 * corecheck's built-in default fleet: the corpus kernels, stored in `fleet/builtin.fleet` in the
 * package (built by tools/build-fleet.mjs; format in src/fleet/format.ts), so a fresh clone or a
 * global install checks against a fleet without any download.
 */

/** The store shipped in the package: `fleet/builtin.fleet`. */
export function builtinFleetPath(): string {
  return packageFile('fleet/builtin.fleet');
}

/**
 * One source per kernel in the store at `path` (default: the built-in one), in the store's order
 * (by label within each group). Listing reads the file and checks the index only; each `load()`
 * decodes that kernel's block (the store keeps the last block, so a group's kernels loaded in a
 * row decode it once).
 */
export async function builtinFleetSources(path = builtinFleetPath()): Promise<KernelSource[]> {
  return storeSources(path);
}

/** A store's sources by path, opened once per thread: the store keeps its last decoded block for the next kernel. */
const opened = new Map<string, Promise<KernelSource[]>>();

/**
 * The one kernel a store path names (`<store>#<label>`, what a fleet-store source's `path` is), or
 * undefined when `path` is not of that form: how a worker thread finds the kernel it is handed.
 */
export async function fleetStoreSource(path: string): Promise<KernelSource | undefined> {
  const hash = path.lastIndexOf('#');
  if (hash < 0 || !path.slice(0, hash).endsWith(FLEET_SUFFIX)) return undefined;
  const store = path.slice(0, hash);
  const label = path.slice(hash + 1);
  if (!opened.has(store)) opened.set(store, storeSources(store));
  const source = (await opened.get(store)!).find((s) => s.label === label);
  if (!source) throw new CorecheckError('NOT_FOUND', 'fleet store index', -1, `no kernel ${label} in it`, store);
  return source;
}

const FLEET_SUFFIX = '.fleet';

async function storeSources(path: string): Promise<KernelSource[]> {
  const bytes = await readFileBytes(path);
  const store = CorecheckError.inFile(path, 0, () => openFleetStore(bytes, decompressBlock, nativeCrc32));
  return store.kernels.map((k) => ({
    label: k.label,
    path: `${path}#${k.label}`,
    format: 'fleet-store' as const,
    info: { distro: k.distro, release: k.release, arch: k.arch, kernel: k.kernel },
    loadsWith: `${path}#block${k.block}`,
    btfBytes: k.btfBytes,
    load: async () => {
      const raw = CorecheckError.inFile(path, 0, () => store.load(k.label, (length) => kernelBuffers.take(length)));
      try {
        return lentKernel(raw, CorecheckError.inFile(`${path}#${k.label}`, 0, () => Btf.parse(raw)), `fleet store ${k.label}`);
      } catch (e) {
        kernelBuffers.give(raw);
        throw e;
      }
    },
  }));
}
