import { crc32 } from '../common/crc32.js';
import { btfSections, joinBtf, splitBtf, type BtfColumns } from './btf-columns.js';
import { FLEET_HEADER_SIZE, FLEET_MAGIC, MODE_COLUMNS, MODE_RAW, type FleetKernelEntry, type FleetKernelInfo } from './format.js';
import { openFleetStore, type BlockDecoder, type PackedBlock } from './open-store.js';
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

/**
 * A group's block taken from an existing store as it is (`readPackedBlocks`), under the group key
 * it is stored by: a user's store changed by `fleet add` or `remove` packs again only the groups
 * whose kernels changed. Its kernels keep their index entries (the parts lie where they were).
 */
export interface PackedGroup extends PackedBlock {
  readonly key: string;
}

/** One group of the store being built: its packed block and its kernels' index entries. */
interface GroupOut {
  readonly key: string;
  readonly packed: Uint8Array;
  readonly unpackedLength: number;
  readonly kernels: readonly Omit<FleetKernelEntry, 'group'>[];
}

/**
 * `packing` is told each group's key before its block is compressed (most of the time a build
 * takes). Groups come in order of first use among `kernels`; with `packedGroups`, all of them in
 * order of their keys.
 */
export function encodeFleet(
  kernels: readonly FleetInput[], codec: BlockCodec, packing: (group: string) => void = () => undefined, packedGroups: readonly PackedGroup[] = [],
): { store: Uint8Array; stats: FleetBuildStats } {
  const rawKernels: string[] = [];
  const fresh = [...new Set(kernels.map((k) => k.group))].map((key): GroupOut => {
    packing(key);
    return packGroup(key, kernels.filter((k) => k.group === key), codec, rawKernels);
  });
  const groups = packedGroups.length === 0 ? fresh : [...fresh, ...packedGroups].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const index = new VarintWriter();
  const kernelIndex = new VarintWriter();
  let packedOffset = 0;
  index.u32(groups.length);
  groups.forEach((g, gi) => {
    index.u32(packedOffset);
    index.u32(g.packed.length);
    index.u32(g.unpackedLength);
    packedOffset += g.packed.length;
    for (const k of g.kernels) {
      for (const s of [k.label, k.distro, k.release, k.arch, k.kernel]) text(kernelIndex, s);
      kernelIndex.u32(gi);
      kernelIndex.u32(k.btfBytes);
      kernelIndex.u32(k.crc);
      kernelIndex.u32(k.mode);
      for (const [off, len] of k.parts) { kernelIndex.u32(off); kernelIndex.u32(len); }
    }
  });
  index.u32(groups.reduce((n, g) => n + g.kernels.length, 0));
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
  for (const g of groups) { store.set(g.packed, at); at += g.packed.length; }
  verify(store, kernels, codec.decompress);
  const stats: FleetBuildStats = {
    groups: groups.map((g) => ({ key: g.key, kernels: g.kernels.length, unpacked: g.unpackedLength, packed: g.packed.length })),
    rawKernels,
  };
  return { store, stats };
}

/** The block of one group's kernels, packed, and their index entries; kernels stored raw are added to `rawKernels`. */
function packGroup(key: string, members: readonly FleetInput[], codec: BlockCodec, rawKernels: string[]): GroupOut {
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
  const kernels = members.map((k, i) => {
    if (!columns[i]) rawKernels.push(k.info.label);
    return { ...k.info, btfBytes: k.btf.length, crc: crc32(k.btf), mode: columns[i] ? MODE_COLUMNS : MODE_RAW, parts: parts[i] };
  });
  return { key, packed: codec.compress(unpacked), unpackedLength: unpacked.length, kernels };
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
