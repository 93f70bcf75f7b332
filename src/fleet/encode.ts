import { crc32 } from '../common/crc32.js';
import { btfSections, joinBtf, splitBtf, type BtfColumns } from './btf-columns.js';
import { FLEET_HEADER_SIZE, FLEET_MAGIC, MODE_COLUMNS, MODE_RAW, type FleetKernelInfo } from './format.js';
import { openFleetStore, type BlockDecoder } from './open-store.js';
import { StringPoolBuilder, poolStarts, writeStrings } from './string-pool.js';
import { VarintWriter } from './varint.js';

/**
 * Builds a fleet store (format.ts). Pure: the block compressor is passed in (the CLI and the build
 * script use Node's Brotli, `kernels/block-codec.ts`), so this module type-checks with the core. Kernels keep the order given and
 * groups are numbered in order of first use, so the same input gives the same bytes. Within a
 * group, a kernel loads faster the earlier it comes (format.ts): the caller picks the order.
 */
export interface FleetInput {
  readonly info: Omit<FleetKernelInfo, 'btfBytes' | 'block'>;
  readonly btf: Uint8Array;
  /** Kernels with the same group key share one block and one string pool. */
  readonly group: string;
}

/** The store's block codec (Brotli): compresses an unpacked block, and decodes it to check the store. */
export interface BlockCodec {
  compress(unpacked: Uint8Array): Uint8Array;
  readonly decompress: BlockDecoder;
}

export interface FleetBuildStats {
  readonly groups: readonly { key: string; kernels: number; unpacked: number; packed: number }[];
  readonly rawKernels: readonly string[];
}

/** `packing` is told each group's key before its block is compressed (most of the time a build takes). */
export function encodeFleet(kernels: readonly FleetInput[], codec: BlockCodec, packing: (group: string) => void = () => undefined): { store: Uint8Array; stats: FleetBuildStats } {
  const keys = [...new Set(kernels.map((k) => k.group))];
  const index = new VarintWriter();
  const blocks: Uint8Array[] = [];
  const kernelIndex = new VarintWriter();
  const stats: FleetBuildStats = { groups: [], rawKernels: [] };
  let packedOffset = 0;
  index.u32(keys.length);
  for (const [gi, key] of keys.entries()) {
    const members = kernels.filter((k) => k.group === key);
    const pool = new StringPoolBuilder();
    const poolEnds: number[] = [];
    const ids: Uint8Array[] = [];
    const columns = members.map((k, i) => {
      const s = btfSections(k.btf);
      if (!s) {
        poolEnds.push(pool.length);
        return undefined;
      }
      const strings = pool.add(k.btf.subarray(s.hdrLen + s.typeLen));
      poolEnds.push(pool.length);
      ids[i] = strings.ids;
      return roundTrips(k.btf, splitBtf(k.btf, strings.idAt), pool.bytes(), strings.ids);
    });
    // Unpacked block: kernel by kernel, each kernel's new pool strings and then its columns, so a
    // load decodes the block only up to its kernel.
    const poolBytes = pool.bytes();
    const block = new VarintWriter();
    const parts: [number, number][][] = members.map(() => []);
    const add = (i: number, b: Uint8Array): void => {
      parts[i].push([block.length, b.length]);
      block.bytes(b);
    };
    members.forEach((k, i) => {
      add(i, poolBytes.subarray(i === 0 ? 0 : poolEnds[i - 1], poolEnds[i]));
      const c = columns[i];
      if (!c) return add(i, k.btf);
      for (const b of [c.header, c.info, c.names, c.refs, c.newRefs, c.namedRefs, c.vals, ids[i]]) add(i, b);
    });
    const unpacked = block.finish();
    packing(key);
    const packed = codec.compress(unpacked);
    blocks.push(packed);
    index.u32(packedOffset);
    index.u32(packed.length);
    index.u32(unpacked.length);
    packedOffset += packed.length;
    (stats.groups as { key: string; kernels: number; unpacked: number; packed: number }[]).push({ key, kernels: members.length, unpacked: unpacked.length, packed: packed.length });
    members.forEach((k, i) => {
      for (const s of [k.info.label, k.info.distro, k.info.release, k.info.arch, k.info.kernel]) text(kernelIndex, s);
      kernelIndex.u32(gi);
      kernelIndex.u32(k.btf.length);
      kernelIndex.u32(crc32(k.btf));
      kernelIndex.u32(columns[i] ? MODE_COLUMNS : MODE_RAW);
      if (!columns[i]) (stats.rawKernels as string[]).push(k.info.label);
      for (const [off, len] of parts[i]) { kernelIndex.u32(off); kernelIndex.u32(len); }
    });
  }
  index.u32(kernels.length);
  index.bytes(kernelIndex.finish());
  const indexBytes = index.finish();
  const total = FLEET_HEADER_SIZE + indexBytes.length + packedOffset;
  const store = new Uint8Array(total);
  for (let i = 0; i < FLEET_MAGIC.length; i++) store[i] = FLEET_MAGIC.charCodeAt(i);
  const dv = new DataView(store.buffer);
  dv.setUint32(8, indexBytes.length, true);
  dv.setUint32(12, crc32(indexBytes), true);
  store.set(indexBytes, FLEET_HEADER_SIZE);
  let at = FLEET_HEADER_SIZE + indexBytes.length;
  for (const b of blocks) { store.set(b, at); at += b.length; }
  verify(store, kernels, codec.decompress);
  return { store, stats };
}

/** The kernel's columns if they rebuild it exactly, else undefined (the kernel is stored raw). */
function roundTrips(btf: Uint8Array, c: BtfColumns | undefined, pool: Uint8Array, ids: Uint8Array): BtfColumns | undefined {
  if (!c) return undefined;
  const starts = poolStarts(pool);
  const back = joinBtf(c, btf.length, 'round-trip check', (out, from) => writeStrings(pool, starts, ids, out, from, 'round-trip check'));
  return equal(back, btf) ? c : undefined;
}

/** Every kernel, read back through the decoder, must be its input byte for byte. */
function verify(store: Uint8Array, kernels: readonly FleetInput[], decompress: BlockDecoder): void {
  const opened = openFleetStore(store, decompress);
  for (const k of kernels) {
    if (!equal(opened.load(k.info.label), k.btf)) throw new Error(`fleet store: ${k.info.label} does not read back byte-identical`);
  }
}

function text(w: VarintWriter, s: string): void {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  w.u32(b.length);
  w.bytes(b);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
