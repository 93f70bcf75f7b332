import { CorecheckError } from '../common/errors.js';
import { FLEET_HEADER_SIZE } from '../fleet/format.js';
import { openFleetStore, type FleetStore } from '../fleet/open-store.js';
import { decodeBrotliBlock } from './brotli.js';

/**
 * The built-in fleet store, fetched in parts: its header and index when the page lists the fleet,
 * then each block (a group of similar kernels, 1–4 MB) when a kernel of it is first loaded, by HTTP
 * range requests for the page's own asset. The parts go into a buffer the store's size, so the
 * store reader (fleet/open-store.ts) reads it as the whole file. A server that ignores ranges
 * sends the whole store at once, which works as well.
 */
export interface FetchedStore {
  readonly store: FleetStore;
  /** Fetches a block's bytes unless they are here already. */
  ensureBlock(block: number): Promise<void>;
}

export async function fetchStore(url: URL, name: string): Promise<FetchedStore> {
  const first = await fetchPart(url, 0, FLEET_HEADER_SIZE, name);
  if (first.whole) return { store: open(first.bytes, name), ensureBlock: async () => undefined };
  const indexEnd = FLEET_HEADER_SIZE + u32le(first.bytes, 8);
  const bytes = new Uint8Array(first.total);
  const index = indexEnd <= FLEET_HEADER_SIZE ? first : await fetchPart(url, 0, Math.min(indexEnd, first.total), name);
  bytes.set(index.bytes.subarray(0, Math.min(indexEnd, first.total)));
  const store = open(bytes, name);
  const fetched = new Map<number, Promise<void>>();
  return {
    store,
    ensureBlock(block: number): Promise<void> {
      let p = fetched.get(block);
      if (!p) {
        const [start, end] = store.blockRange(block);
        p = fetchPart(url, start, end, name).then((part) => { bytes.set(part.whole ? part.bytes.subarray(start, end) : part.bytes, start); });
        p.catch(() => fetched.delete(block));
        fetched.set(block, p);
      }
      return p;
    },
  };
}

function open(bytes: Uint8Array, name: string): FleetStore {
  return CorecheckError.inFile(name, 0, () => openFleetStore(bytes, decodeBrotliBlock));
}

/** Bytes [start, end) of the asset, or the whole asset (`whole`) from a server that does not do ranges. */
async function fetchPart(url: URL, start: number, end: number, name: string): Promise<{ bytes: Uint8Array; total: number; whole: boolean }> {
  const res = await fetch(url, { headers: { Range: `bytes=${start}-${end - 1}` } });
  if (!res.ok) throw new CorecheckError('NOT_FOUND', 'built-in fleet', -1, `HTTP ${res.status}`, name);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 206) return { bytes, total: bytes.length, whole: true };
  const total = Number(/\/(\d+)$/.exec(res.headers.get('Content-Range') ?? '')?.[1]);
  if (!Number.isInteger(total) || bytes.length !== end - start) {
    throw new CorecheckError('MALFORMED', 'built-in fleet', start, `asked for bytes ${start}–${end}, got ${bytes.length} of ${res.headers.get('Content-Range')}`, name);
  }
  return { bytes, total, whole: false };
}

function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
