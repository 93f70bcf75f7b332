import { CorecheckError, fail } from '../common/errors.js';
import { crc32, crc32Of, type Checksum } from '../common/crc32.js';
import { MAX_OUTPUT } from '../kernels/limits.js';
import { joinBtf } from './btf-columns.js';
import { FLEET_HEADER_SIZE, FLEET_MAGIC, MODE_COLUMNS, MODE_RAW, PART_COUNT, type FleetGroupEntry, type FleetKernelEntry, type FleetKernelInfo } from './format.js';
import { extendPoolStarts, writeStrings } from './string-pool.js';
import { VarintReader } from './varint.js';

/**
 * Reads a fleet store (format.ts): pure, no I/O, so the web app runs it on a fetched file, with the
 * block decoder it is given. Opening reads and checks only the index; `load` decodes the block
 * holding the asked kernel and rebuilds its BTF from columns. Both are synchronous. The last block
 * is kept, so loading a group's kernels one after another decodes it once; call `release()` to
 * drop it.
 */
export interface FleetStore {
  readonly kernels: readonly FleetKernelInfo[];
  /**
   * The kernel's raw BTF, byte-identical to the BTF the store was built from, in the bytes `alloc`
   * gives (new ones by default; a reader loading kernel after kernel may lend its own).
   */
  load(label: string, alloc?: (length: number) => Uint8Array): Uint8Array;
  release(): void;
  /**
   * Where a block lies in the store's bytes, [start, end): a reader that fetches the store in
   * parts (the web app, by HTTP range requests) needs only the header, the index and the blocks
   * of the kernels it loads.
   */
  blockRange(block: number): readonly [number, number];
}

const STRUCT = 'fleet store';

/**
 * Decodes one block (a Brotli stream) to at most `unpackedLength` bytes; throws on a corrupt one.
 * The CLI passes Node's native decoder (`kernels/block-codec.ts`).
 */
export type BlockDecoder = (packed: Uint8Array, unpackedLength: number) => Uint8Array;


/** A group's decoded block, and the pool of the kernels read from it so far. */
interface OpenBlock {
  readonly group: number;
  readonly out: Uint8Array;
  /** Kernels of the group (in index order) whose pool strings `pool` holds. */
  poolKernels: number;
  pool: Uint8Array;
  starts: Int32Array;
}

/** A group's block as a store holds it (still packed), with its kernels' index entries in block order. */
export interface PackedBlock {
  readonly packed: Uint8Array;
  readonly unpackedLength: number;
  readonly kernels: readonly FleetKernelEntry[];
}

/**
 * Every block of a store, packed as it is, with its kernels: what `fleet add` and `remove` copy
 * into the new store for the groups they leave as they were. The header and index are checked as
 * `openFleetStore` checks them; the blocks are not decoded.
 */
export function readPackedBlocks(bytes: Uint8Array): PackedBlock[] {
  const { indexEnd, groups, kernels } = readStoreIndex(bytes);
  return groups.map((g, gi) => ({
    packed: bytes.subarray(indexEnd + g.packedOffset, indexEnd + g.packedOffset + g.packedLength),
    unpackedLength: g.unpackedLength,
    kernels: kernels.filter((k) => k.group === gi),
  }));
}

/** The header and index of a store, checked: every block it names lies within the store. */
function readStoreIndex(bytes: Uint8Array): { indexEnd: number; groups: FleetGroupEntry[]; kernels: FleetKernelEntry[] } {
  if (bytes.length < FLEET_HEADER_SIZE) fail('TRUNCATED', `${STRUCT} header`, 0, `${bytes.length} bytes, need ${FLEET_HEADER_SIZE}`);
  for (let i = 0; i < FLEET_MAGIC.length; i++) {
    if (bytes[i] !== FLEET_MAGIC.charCodeAt(i)) fail('BAD_MAGIC', `${STRUCT} header`, 0, `not a corecheck fleet store (expected "${FLEET_MAGIC}")`);
  }
  const indexLen = u32le(bytes, 8);
  const indexEnd = FLEET_HEADER_SIZE + indexLen;
  if (indexEnd > bytes.length) fail('TRUNCATED', `${STRUCT} index`, FLEET_HEADER_SIZE, `index of ${indexLen} bytes runs past the end of the ${bytes.length}-byte store`);
  if (crc32(bytes, FLEET_HEADER_SIZE, indexEnd) !== u32le(bytes, 12)) fail('MALFORMED', `${STRUCT} index`, FLEET_HEADER_SIZE, 'CRC-32 mismatch: the index is corrupt');
  const { groups, kernels } = readIndex(new VarintReader(bytes, FLEET_HEADER_SIZE, indexEnd, `${STRUCT} index`));
  for (const [i, g] of groups.entries()) {
    if (g.packedOffset + g.packedLength > bytes.length - indexEnd) fail('TRUNCATED', `${STRUCT} block ${i}`, indexEnd + g.packedOffset, `${g.packedLength} bytes run past the end of the ${bytes.length}-byte store`);
  }
  return { indexEnd, groups, kernels };
}

export function openFleetStore(bytes: Uint8Array, decodeBlock: BlockDecoder, checksum: Checksum = crc32Of): FleetStore {
  const { indexEnd, groups, kernels } = readStoreIndex(bytes);
  const byLabel = new Map(kernels.map((k) => [k.label, k]));
  const members = groups.map((_g, gi) => kernels.filter((k) => k.group === gi));
  let cached: OpenBlock | undefined;

  /** The kernel's group block, decoded, with the pool up to the kernel's own strings. */
  const open = (k: FleetKernelEntry): OpenBlock => {
    const gi = k.group;
    const g = groups[gi];
    const mine = members[gi].indexOf(k);
    const poolParts = members[gi].slice(0, mine + 1).map((m) => m.parts[0]);
    let b = cached?.group === gi ? cached : undefined;
    cached = undefined;
    if (!b) {
      const at = indexEnd + g.packedOffset;
      let out: Uint8Array;
      try {
        out = decodeBlock(bytes.subarray(at, at + g.packedLength), g.unpackedLength);
      } catch (e) {
        throw new CorecheckError('MALFORMED', `${STRUCT} block ${gi} (Brotli)`, at, `does not decode: ${(e as Error).message.split('\n')[0]}`);
      }
      if (out.length !== g.unpackedLength) fail('TRUNCATED', `${STRUCT} block ${gi}`, at, `decodes to ${out.length} bytes, the index says ${g.unpackedLength}`);
      b = { group: gi, out, poolKernels: 0, pool: new Uint8Array(0), starts: new Int32Array(1) };
    }
    if (b.poolKernels < poolParts.length) {
      // the pool so far, then the new kernels' strings; only those are scanned for their starts
      const added = poolParts.slice(b.poolKernels);
      const pool = new Uint8Array(b.pool.length + added.reduce((n, [, len]) => n + len, 0));
      pool.set(b.pool);
      let to = b.pool.length;
      for (const [off, len] of added) { pool.set(b.out.subarray(off, off + len), to); to += len; }
      b.starts = extendPoolStarts(b.starts, pool, b.pool.length);
      b.pool = pool;
      b.poolKernels = poolParts.length;
    }
    cached = b;
    return b;
  };

  return {
    kernels: kernels.map(({ label, distro, release, arch, kernel, btfBytes, group }) => ({ label, distro, release, arch, kernel, btfBytes, block: group })),
    load(label: string, alloc: (length: number) => Uint8Array = (length) => new Uint8Array(length)): Uint8Array {
      const k = byLabel.get(label);
      if (!k) fail('NOT_FOUND', `${STRUCT} kernel`, -1, `no kernel labelled ${label} in the store`);
      const { out: b, pool, starts } = open(k);
      const part = (i: number): Uint8Array => b.subarray(k.parts[i][0], k.parts[i][0] + k.parts[i][1]);
      const what = `${STRUCT} kernel ${label}`;
      return atBlock(k.group, indexEnd + groups[k.group].packedOffset, () => {
        let btf: Uint8Array;
        if (k.mode === MODE_RAW) {
          const stored = part(1);
          if (stored.length !== k.btfBytes) fail('MALFORMED', what, -1, `holds ${stored.length} bytes, the index says ${k.btfBytes}`);
          btf = alloc(stored.length);
          btf.set(stored);
        } else {
          const views = { header: part(1), info: part(2), names: part(3), refs: part(4), newRefs: part(5), namedRefs: part(6), vals: part(7) };
          btf = joinBtf(views, k.btfBytes, what, (out, from) => writeStrings(pool, starts, part(8), out, from, what), alloc);
        }
        if (checksum(btf) !== k.crc) fail('MALFORMED', what, -1, 'CRC-32 of the rebuilt BTF does not match the index: the store is corrupt');
        return btf;
      });
    },
    release(): void {
      cached = undefined;
    },
    blockRange(block: number): readonly [number, number] {
      const g = groups[block];
      if (!g) fail('NOT_FOUND', `${STRUCT} block`, -1, `no block ${block} of ${groups.length}`);
      return [indexEnd + g.packedOffset, indexEnd + g.packedOffset + g.packedLength];
    },
  };
}

/**
 * Errors in what a block decodes to, placed at the block in the store: its bytes are compressed
 * there, so the block's file offset is the place to look; where in the decoded part the reader
 * stopped goes in the message.
 */
function atBlock<T>(block: number, blockOffset: number, rebuild: () => T): T {
  try {
    return rebuild();
  } catch (e) {
    if (!(e instanceof CorecheckError) || e.file !== undefined) throw e;
    const inside = e.offset >= 0 ? ` (at byte ${e.offset} of that part of the decoded block)` : '';
    throw new CorecheckError(e.code, `${e.structure} (block ${block})`, blockOffset, e.detail + inside);
  }
}

function readIndex(r: VarintReader): { groups: FleetGroupEntry[]; kernels: FleetKernelEntry[] } {
  const groups: FleetGroupEntry[] = [];
  const groupCount = r.u32();
  for (let i = 0; i < groupCount; i++) {
    const g = { packedOffset: r.u32(), packedLength: r.u32(), unpackedLength: r.u32() };
    if (g.unpackedLength > MAX_OUTPUT) fail('MALFORMED', `${r.what} group ${i}`, r.pos, `block of ${g.unpackedLength} bytes is larger than corecheck accepts`);
    groups.push(g);
  }
  const kernels: FleetKernelEntry[] = [];
  const kernelCount = r.u32();
  for (let i = 0; i < kernelCount; i++) {
    const at = r.pos;
    const label = r.text();
    const distro = r.text();
    const release = r.text();
    const arch = r.text();
    const kernel = r.text();
    const group = r.u32();
    const btfBytes = r.u32();
    const crc = r.u32();
    const mode = r.u32();
    if (btfBytes > MAX_OUTPUT) fail('MALFORMED', `${r.what} kernel ${i}`, at, `BTF of ${btfBytes} bytes is larger than corecheck accepts`);
    if (group >= groups.length) fail('MALFORMED', `${r.what} kernel ${i}`, at, `group ${group} of ${groups.length}`);
    if (mode !== MODE_RAW && mode !== MODE_COLUMNS) fail('UNSUPPORTED', `${r.what} kernel ${i}`, at, `mode ${mode}`);
    const parts: [number, number][] = [];
    for (let p = 0; p < PART_COUNT[mode]; p++) {
      const off = r.u32();
      const len = r.u32();
      if (off + len > groups[group].unpackedLength) fail('MALFORMED', `${r.what} kernel ${i}`, at, `part ${p} lies outside block ${group}`);
      parts.push([off, len]);
    }
    kernels.push({ label, distro, release, arch, kernel, btfBytes, group, crc, mode, parts });
  }
  if (!r.done) fail('MALFORMED', r.what, r.pos, 'bytes left after the last kernel');
  return { groups, kernels };
}

function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
