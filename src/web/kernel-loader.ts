import { Btf } from '../btf/btf.js';
import { CorecheckError } from '../common/errors.js';
import { openFleetStore, type FleetStore } from '../fleet/open-store.js';
import { kernelFromBytes } from '../kernels/kernel-bytes.js';
import { decodeBrotliBlock } from './brotli.js';
import type { KernelEntry } from './protocol.js';
import { getUserKernel } from './user-kernels.js';

/**
 * A worker's kernels: the built-in fleet store (one of the page's assets, fetched on first use
 * and decoded a block at a time, as each kernel is asked for) and the user's kernels from
 * IndexedDB. The last kernel loaded is kept: the BTF browser and the relocation view ask for the
 * same one again and again.
 */
export const STORE_ASSET = 'builtin.fleet';

let store: Promise<FleetStore> | undefined;
let last: { label: string; btf: Promise<Btf> } | undefined;

export function builtinStore(): Promise<FleetStore> {
  store ??= (async () => {
    const res = await fetch(new URL(STORE_ASSET, self.location.href));
    if (!res.ok) throw new CorecheckError('NOT_FOUND', 'built-in fleet', -1, `${STORE_ASSET}: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    return CorecheckError.inFile(STORE_ASSET, 0, () => openFleetStore(bytes, decodeBrotliBlock));
  })();
  return store;
}

export function loadKernel(k: KernelEntry): Promise<Btf> {
  if (last?.label !== k.label) last = { label: k.label, btf: read(k) };
  const mine = last;
  // a failed load is not kept
  mine.btf.catch(() => { if (last === mine) last = undefined; });
  return mine.btf;
}

async function read(k: KernelEntry): Promise<Btf> {
  if (k.ref.kind === 'builtin') {
    const s = await builtinStore();
    const label = k.ref.label;
    const raw = CorecheckError.inFile(STORE_ASSET, 0, () => s.load(label));
    return CorecheckError.inFile(`${STORE_ASSET}#${label}`, 0, () => Btf.parse(raw));
  }
  const stored = await getUserKernel(k.ref.key);
  if (!stored) throw new CorecheckError('NOT_FOUND', 'added kernel', -1, 'no longer in this browser\'s storage (add it again)', k.label);
  return (await kernelFromBytes(stored.name, stored.bytes)).load();
}
