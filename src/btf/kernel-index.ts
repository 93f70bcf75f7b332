import { Btf, type BtfIndex } from './btf.js';
import { HOST_LITTLE_ENDIAN, concatBytes } from '../common/bytes.js';
import { fail } from '../common/errors.js';
import type { NameIndexParts } from './name-index.js';
import { crc32Of, type Checksum } from '../common/crc32.js';

/**
 * A kernel BTF's parse index as bytes, for a cache of kernels by content hash: what parsing a
 * kernel computes from its bytes alone (each type's record offset, the index of types by essential
 * name, the index of functions and variables by name), so that a warm run parses a kernel without
 * scanning, validating or indexing its ~100k types again.
 *
 * Layout (header fields little-endian u32; arrays in the byte order of the host that wrote them,
 * which the header records):
 *
 *     0  magic "CCKI"            16  own type count n        32  offsets            u32[n]
 *     4  version                 20  type-name slots t           type slotKey, slotLen, slotHead  i32[t] x3, prev i32[n]
 *     8  BTF byte length         24  data-name slots d           data slotKey, slotHead  i32[d] x2, prev i32[n]
 *    12  CRC-32 of the BTF       28  CRC-32 of bytes 32..
 *
 * An index is taken only for the BTF it was made from (same length and CRC-32 of every byte) and
 * only when its own CRC holds; then the offsets are checked against the records and the name
 * indexes' ranges against the table sizes, so a corrupt or foreign index is a CorecheckError, never
 * a crash or a wrong answer. A reader of indexes it wrote itself (corecheck's kernel cache) may
 * skip that second part (`checkStructure` false): its CRCs already say the bytes are the ones
 * written, and the structure checks cost a linear pass over each array at every load.
 */

const MAGIC = 0x494b4343; // "CCKI"
/** Bump when the layout or anything an index holds changes. */
export const KERNEL_INDEX_VERSION = 2;
const HEADER = 32;
/** Version word as written: the host's byte order in the top bit, so another host's index is refused. */
const versionWord = (): number => (KERNEL_INDEX_VERSION | (HOST_LITTLE_ENDIAN ? 0 : 0x80000000)) >>> 0;

/**
 * The index of a parsed base BTF (a vmlinux), as bytes for `parseWithKernelIndex`. `checksum` is
 * CRC-32 (the CLI passes Node's native one: both CRCs cover megabytes); the parse must use a CRC-32 too.
 */
export function encodeKernelIndex(btf: Btf, checksum: Checksum = crc32Of): Uint8Array {
  return concatBytes(kernelIndexParts(btf, checksum));
}

/**
 * The same index as `encodeKernelIndex`, as the pieces that follow one another in it: its header,
 * then views of the parsed BTF's own index arrays (not copies). A cache writes them with one
 * gathered write, so the ~2.5 MB index of each kernel is never copied into a fresh buffer.
 */
export function kernelIndexParts(btf: Btf, checksum: Checksum = crc32Of): Uint8Array[] {
  if (btf.base) fail('UNSUPPORTED', 'kernel index', -1, 'split BTF (a module) has no kernel index; index its vmlinux');
  const { offsets, typeNames, dataNames } = btf.index();
  if (!typeNames.slotLen) fail('MALFORMED', 'kernel index', -1, 'the type-name index is not keyed by essential name');
  const arrays = [offsets, typeNames.slotKey, typeNames.slotLen, typeNames.slotHead, typeNames.prev, dataNames.slotKey, dataNames.slotHead, dataNames.prev];
  // host-order words, as `parseWithKernelIndex` reads them back
  const body = arrays.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const header = new Uint8Array(HEADER);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, versionWord(), true);
  dv.setUint32(8, btf.bytes.length, true);
  dv.setUint32(12, checksum(btf.bytes), true);
  dv.setUint32(16, offsets.length, true);
  dv.setUint32(20, typeNames.slotKey.length, true);
  dv.setUint32(24, dataNames.slotKey.length, true);
  dv.setUint32(28, body.reduce((crc, part) => checksum(part, crc), 0), true);
  return [header, ...body];
}

/**
 * Parses a kernel's BTF with the index `encodeKernelIndex` made of the same bytes: the same `Btf`
 * as `Btf.parse(btfBytes)` gives, without its scans. Fails with a one-line CorecheckError (code
 * MALFORMED or UNSUPPORTED, structure `kernel index`) when the index is corrupt, of another
 * version or host byte order, or made for other bytes; the caller then parses without it.
 */
export function parseWithKernelIndex(btfBytes: Uint8Array, index: Uint8Array, checksum: Checksum = crc32Of, opts: { checkStructure?: boolean } = {}): Btf {
  const bad = (detail: string): never => fail('MALFORMED', 'kernel index', -1, detail);
  if (index.length < HEADER || index.length % 4 !== 0) bad(`${index.length} bytes is no kernel index`);
  const dv = new DataView(index.buffer, index.byteOffset, index.length);
  if (dv.getUint32(0, true) !== MAGIC) bad('bad magic (not a kernel index)');
  const version = dv.getUint32(4, true);
  if (version !== versionWord()) {
    fail('UNSUPPORTED', 'kernel index', -1, (version & 0x7fffffff) === KERNEL_INDEX_VERSION
      ? 'made on a host of the other byte order'
      : `version ${version & 0x7fffffff}, this corecheck reads version ${KERNEL_INDEX_VERSION}`);
  }
  const n = dv.getUint32(16, true);
  const t = dv.getUint32(20, true);
  const d = dv.getUint32(24, true);
  const expected = HEADER + 4 * (n * 3 + t * 3 + d * 2);
  if (expected !== index.length) bad(`${index.length} bytes, but its header says ${expected}`);
  // one aligned copy when the bytes are not 4-aligned, so the arrays below are views
  const words = wordsOf(index);
  const body = words.subarray(HEADER / 4);
  if (checksum(index.subarray(HEADER)) !== dv.getUint32(28, true)) bad('checksum mismatch (the index is corrupt)');
  if (dv.getUint32(8, true) !== btfBytes.length || dv.getUint32(12, true) !== checksum(btfBytes)) {
    bad('made for other BTF bytes (length or CRC-32 differs)');
  }
  let at = 0;
  const take = (len: number): Int32Array => {
    const a = new Int32Array(body.buffer, body.byteOffset + at * 4, len);
    at += len;
    return a;
  };
  const offsets = new Uint32Array(body.buffer, body.byteOffset, n);
  at = n;
  const typeNames: NameIndexParts = { slotKey: take(t), slotLen: take(t), slotHead: take(t), prev: take(n) };
  const dataNames: NameIndexParts = { slotKey: take(d), slotHead: take(d), prev: take(n) };
  const btfIndex: BtfIndex = { offsets, typeNames, dataNames };
  return Btf.parseIndexed(btfBytes, btfIndex, opts.checkStructure ?? true);
}

/** `bytes` (a whole number of words) as host-order u32 words: a view when 4-aligned, else of a copy. */
function wordsOf(bytes: Uint8Array): Uint32Array {
  if (bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  return new Uint32Array(bytes.slice().buffer, 0, bytes.length >>> 2);
}
