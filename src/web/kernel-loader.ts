import { Btf } from '../btf/btf.js';
import { CorecheckError } from '../common/errors.js';
import { kernelFromBytes } from '../kernels/kernel-bytes.js';
import { fetchStore, type FetchedStore } from './store-fetch.js';
import type { KernelEntry } from './protocol.js';
import { getUserKernel } from './user-kernels.js';

/**
 * A worker's kernels: the built-in fleet store (one of the page's assets: its index fetched on
 * first use, each block fetched and decoded when a kernel of it is asked for) and the user's kernels from
 * IndexedDB. The last kernel loaded is kept: the BTF browser and the relocation view ask for the
 * same one again and again.
 */
export const STORE_ASSET = 'builtin.fleet';

let store: Promise<FetchedStore> | undefined;
let last: { label: string; btf: Promise<Btf> } | undefined;

export function builtinStore(): Promise<FetchedStore> {
  store ??= fetchStore(new URL(STORE_ASSET, self.location.href), STORE_ASSET);
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
    const { store: s, ensureBlock } = await builtinStore();
    const label = k.ref.label;
    const block = s.kernels.find((x) => x.label === label)?.block;
    if (block !== undefined) await ensureBlock(block);
    const raw = CorecheckError.inFile(STORE_ASSET, 0, () => s.load(label));
    return CorecheckError.inFile(`${STORE_ASSET}#${label}`, 0, () => Btf.parse(raw));
  }
  const stored = await getUserKernel(k.ref.key);
  if (!stored) throw new CorecheckError('NOT_FOUND', 'added kernel', -1, 'no longer in this browser\'s storage (add it again)', k.label);
  return (await kernelFromBytes(stored.name, stored.bytes)).load();
}
