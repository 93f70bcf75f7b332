import { fail } from '../common/errors.js';
import { bcjX86Decode } from './bcj-x86.js';
import { crc32 } from '../common/crc32.js';
import { crc64le } from './crc64.js';
import { sha256 } from '../common/sha256.js';
import { MAX_OUTPUT } from './limits.js';
import { Lzma2Error, decodeLzma2 } from './lzma2.js';

/**
 * xz (the .xz container, xz-file-format 1.2): BTFHub archives and most Debian x86 kernel payloads.
 *
 * The container is read here: the index gives the uncompressed size, so the output is allocated
 * once at its final size and the LZMA2 decoder (lzma2.ts) writes into it directly: a 27 MB BTF
 * costs 27 MB. The end of the stream is found from its footer, so data after it (kernel images
 * append a size word) is ignored. Blocks use LZMA2, optionally after the x86 BCJ filter (x86 kernel
 * payloads); a stream with any other filter (BCJ for other architectures, delta) is handed to
 * liblzma through lzma-native, loaded only then. (@napi-rs/lzma 1.4.5 cannot: "Unknown filter id 4".)
 */

const HEADER_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const HEADER_SIZE = 12;
const FOOTER_SIZE = 12;
const FILTER_LZMA2 = 0x21;
const FILTER_X86 = 0x04;
/** Bytes of the check field by check type (0 none, 1 CRC32, 4 CRC64, 10 SHA-256; the rest reserved). */
const CHECK_SIZES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];

/** True when a valid xz stream header (magic, flags, CRC32 of the flags) starts at `at`. */
export function isXzHeader(b: Uint8Array, at: number): boolean {
  if (at + HEADER_SIZE > b.length) return false;
  for (let i = 0; i < HEADER_MAGIC.length; i++) if (b[at + i] !== HEADER_MAGIC[i]) return false;
  return b[at + 6] === 0 && (b[at + 7] & 0xf0) === 0 && crc32(b, at + 6, at + 8) === u32le(b, at + 8);
}

interface IndexRecord {
  readonly unpadded: number;
  readonly uncompressed: number;
}

export interface XzExtent {
  /** Bytes from the stream header to the end of the stream footer. */
  readonly length: number;
  /** Offset of the index in the stream. */
  readonly indexAt: number;
  readonly records: readonly IndexRecord[];
  /** Sum of the uncompressed sizes in the index. */
  readonly uncompressedSize: number;
}

/**
 * Finds where the xz stream starting at `b[0]` ends: the first stream footer after the header
 * whose CRC32 and flags check out and whose backward size points at an index whose CRC32 checks
 * out. Returns undefined when there is none (a truncated or damaged stream).
 */
export function xzExtent(b: Uint8Array): XzExtent | undefined {
  if (!isXzHeader(b, 0)) return undefined;
  for (let y = b.indexOf(0x59, HEADER_SIZE); y >= 0; y = b.indexOf(0x59, y + 1)) {
    if (b[y + 1] !== 0x5a) continue; // footer magic "YZ"
    const footer = y + 2 - FOOTER_SIZE;
    if (footer < HEADER_SIZE || b[footer + 8] !== b[6] || b[footer + 9] !== b[7]) continue;
    if (crc32(b, footer + 4, footer + 10) !== u32le(b, footer)) continue;
    const indexAt = footer - (u32le(b, footer + 4) + 1) * 4;
    if (indexAt < HEADER_SIZE || b[indexAt] !== 0) continue;
    if (crc32(b, indexAt, footer - 4) !== u32le(b, footer - 4)) continue;
    const records = readIndex(b, indexAt + 1, footer - 4);
    if (!records) continue;
    const uncompressedSize = records.reduce((sum, r) => sum + r.uncompressed, 0);
    if (!Number.isSafeInteger(uncompressedSize)) continue;
    return { length: footer + FOOTER_SIZE, indexAt, records, uncompressedSize };
  }
  return undefined;
}

function readIndex(b: Uint8Array, p: number, end: number): IndexRecord[] | undefined {
  const r = new VarintReader(b, p, end);
  const count = r.next();
  if (count === undefined || count > end - p) return undefined;
  const records: IndexRecord[] = [];
  for (let i = 0; i < count; i++) {
    const unpadded = r.next();
    const uncompressed = r.next();
    if (unpadded === undefined || uncompressed === undefined) return undefined;
    records.push({ unpadded, uncompressed });
  }
  return records;
}

/** xz's multibyte integers: 7 bits a byte, least significant first, at most 9 bytes. */
class VarintReader {
  constructor(private readonly b: Uint8Array, public p: number, private readonly end: number) {}
  next(): number | undefined {
    let v = 0;
    for (let i = 0, scale = 1; i < 9 && this.p < this.end; i++, scale *= 128) {
      const byte = this.b[this.p++];
      v += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return Number.isSafeInteger(v) ? v : undefined;
    }
    return undefined;
  }
}

/**
 * Decodes the xz stream at the start of `b`; data after its footer is ignored. `fileOffset` is
 * where `b` starts in the file: errors carry file offsets.
 */
export async function decompressXz(b: Uint8Array, fileOffset: number): Promise<Uint8Array> {
  if (!isXzHeader(b, 0)) fail('BAD_MAGIC', 'xz stream header', fileOffset, 'not an xz stream (bad magic, flags or header CRC32)');
  const extent = xzExtent(b);
  if (!extent) {
    fail('TRUNCATED', 'xz stream', fileOffset, `cannot decompress: no valid index and footer in the ${b.length} bytes from the stream header (the stream is cut short or damaged)`);
  }
  if (extent.uncompressedSize > MAX_OUTPUT) {
    fail('UNSUPPORTED', 'xz stream index', fileOffset + extent.indexAt, `declares ${extent.uncompressedSize} uncompressed bytes, more than the ${MAX_OUTPUT} corecheck reads`);
  }
  const out = new Uint8Array(extent.uncompressedSize);
  let p = HEADER_SIZE;
  let o = 0;
  for (const [i, rec] of extent.records.entries()) {
    const block = readBlockHeader(b, p, fileOffset, i);
    if (!lzma2Only(block)) return liblzmaDecode(b.subarray(0, extent.length), extent.uncompressedSize, fileOffset);
    p = decodeBlock(b, p, block, rec, i, out, o, extent.indexAt, fileOffset);
    o += rec.uncompressed;
  }
  if (p !== extent.indexAt) fail('MALFORMED', 'xz index', fileOffset + extent.indexAt, `blocks end at ${p}, the index starts at ${extent.indexAt}`);
  return out;
}

/**
 * The xz stream at the start of `b`, decoded one block at a time: each block is yielded as its own
 * buffer and may be dropped before the next is decoded. A package's payload (a 400 MB data.tar in
 * 24 MiB blocks, as dpkg-deb's multithreaded xz writes it) then costs one block, not the whole tar,
 * and a reader that found what it wants stops decoding. A stream of one block (single-threaded xz)
 * is still decoded whole: the LZMA2 decoder uses its output as the dictionary.
 */
export async function* decompressXzBlocks(b: Uint8Array, fileOffset: number): AsyncGenerator<Uint8Array> {
  if (!isXzHeader(b, 0)) fail('BAD_MAGIC', 'xz stream header', fileOffset, 'not an xz stream (bad magic, flags or header CRC32)');
  const extent = xzExtent(b);
  if (!extent) {
    fail('TRUNCATED', 'xz stream', fileOffset, `cannot decompress: no valid index and footer in the ${b.length} bytes from the stream header (the stream is cut short or damaged)`);
  }
  const largest = extent.records.reduce((m, r) => Math.max(m, r.uncompressed), 0);
  if (largest > MAX_OUTPUT) {
    fail('UNSUPPORTED', 'xz stream index', fileOffset + extent.indexAt, `declares a block of ${largest} uncompressed bytes, more than the ${MAX_OUTPUT} corecheck reads`);
  }
  let p = HEADER_SIZE;
  for (const [i, rec] of extent.records.entries()) {
    const block = readBlockHeader(b, p, fileOffset, i);
    if (!lzma2Only(block)) {
      if (extent.uncompressedSize > MAX_OUTPUT) fail('UNSUPPORTED', 'xz stream index', fileOffset + extent.indexAt, `declares ${extent.uncompressedSize} uncompressed bytes, more than the ${MAX_OUTPUT} corecheck reads`);
      yield await liblzmaDecode(b.subarray(0, extent.length), extent.uncompressedSize, fileOffset);
      return;
    }
    const out = new Uint8Array(rec.uncompressed);
    p = decodeBlock(b, p, block, rec, i, out, 0, extent.indexAt, fileOffset);
    yield out;
  }
  if (p !== extent.indexAt) fail('MALFORMED', 'xz index', fileOffset + extent.indexAt, `blocks end at ${p}, the index starts at ${extent.indexAt}`);
}

function lzma2Only(block: BlockHeader): boolean {
  return block.filters.every((f) => f === FILTER_LZMA2 || f === FILTER_X86);
}

/**
 * Decodes block `i` (header at `p`, already read as `block`; blocks end at the index) into `out[o..o + rec.uncompressed)`,
 * undoes its BCJ filter and verifies its check. Returns where the next block header starts.
 */
function decodeBlock(b: Uint8Array, p: number, block: BlockHeader, rec: IndexRecord, i: number, out: Uint8Array, o: number, indexAt: number, fileOffset: number): number {
  const checkType = b[7] & 0x0f;
  const checkSize = CHECK_SIZES[checkType];
  const dataEnd = p + rec.unpadded - checkSize;
  if (dataEnd < block.dataAt || dataEnd > indexAt) fail('MALFORMED', `xz block ${i}`, fileOffset + p, `index size ${rec.unpadded} does not fit the block`);
  let r;
  try {
    r = decodeLzma2(b, block.dataAt, dataEnd, out, o, o + rec.uncompressed);
  } catch (e) {
    if (e instanceof Lzma2Error) fail('MALFORMED', `xz block ${i}`, fileOffset + e.at, `cannot decompress: ${e.message}`);
    throw e;
  }
  if (r.inPos !== dataEnd || r.outPos !== o + rec.uncompressed) {
    fail('MALFORMED', `xz block ${i}`, fileOffset + r.inPos, `LZMA2 data ends after ${r.inPos - block.dataAt} bytes / ${r.outPos - o} decoded bytes; the index says ${dataEnd - block.dataAt} / ${rec.uncompressed}`);
  }
  const blockOut = out.subarray(o, o + rec.uncompressed);
  if (block.filters.includes(FILTER_X86)) bcjX86Decode(blockOut, block.x86Start);
  const checkAt = (dataEnd + 3) & ~3;
  verifyCheck(checkType, blockOut, b, checkAt, fileOffset, i);
  return checkAt + checkSize;
}

interface BlockHeader {
  readonly dataAt: number;
  /** Filter ids in the order of the header (the encoder's order; LZMA2 last). */
  readonly filters: number[];
  readonly x86Start: number;
}

function readBlockHeader(b: Uint8Array, p: number, fileOffset: number, i: number): BlockHeader {
  const where = `xz block header ${i}`;
  const size = (b[p] + 1) * 4;
  if (b[p] === 0 || p + size > b.length) fail('MALFORMED', where, fileOffset + p, 'missing or runs past the end of the stream');
  if (crc32(b, p, p + size - 4) !== u32le(b, p + size - 4)) fail('MALFORMED', where, fileOffset + p, 'header CRC32 mismatch');
  const flags = b[p + 1];
  if (flags & 0x3c) fail('UNSUPPORTED', where, fileOffset + p + 1, `reserved flags 0x${flags.toString(16)}`);
  const r = new VarintReader(b, p + 2, p + size - 4);
  if (flags & 0x40) r.next(); // compressed size: the index has it too
  if (flags & 0x80) r.next(); // uncompressed size: likewise
  const filters: number[] = [];
  let x86Start = 0;
  for (let f = 0; f <= (flags & 3); f++) {
    const id = r.next();
    const propsSize = r.next();
    if (id === undefined || propsSize === undefined || r.p + propsSize > p + size - 4) fail('MALFORMED', where, fileOffset + p, 'bad filter flags');
    if (id === FILTER_X86 && propsSize === 4) x86Start = u32le(b, r.p);
    r.p += propsSize;
    filters.push(id);
  }
  if (filters[filters.length - 1] !== FILTER_LZMA2) fail('UNSUPPORTED', where, fileOffset + p, `last filter is 0x${filters[filters.length - 1].toString(16)}, not LZMA2`);
  return { dataAt: p + size, filters, x86Start };
}

function verifyCheck(type: number, data: Uint8Array, b: Uint8Array, at: number, fileOffset: number, i: number): void {
  if (type === 1) {
    if (crc32(data) !== u32le(b, at)) fail('MALFORMED', `xz block ${i} check`, fileOffset + at, 'CRC32 of the decoded data does not match');
  } else if (type === 4) {
    const want = crc64le(data);
    for (let k = 0; k < 8; k++) if (want[k] !== b[at + k]) fail('MALFORMED', `xz block ${i} check`, fileOffset + at, 'CRC64 of the decoded data does not match');
  } else if (type === 10) {
    // rpm's xz payloads use SHA-256 (its xzdio asks liblzma for LZMA_CHECK_SHA256).
    const want = sha256(data);
    for (let k = 0; k < 32; k++) if (want[k] !== b[at + k]) fail('MALFORMED', `xz block ${i} check`, fileOffset + at, 'SHA-256 of the decoded data does not match');
  }
  // Reserved check types are not verified: the block's sizes were.
}

/** liblzma, for filters the JS decoder lacks. Loaded on first use (a native addon, ~8 MB of RSS). */
async function liblzmaDecode(input: Uint8Array, size: number, fileOffset: number): Promise<Uint8Array> {
  const { default: lzma } = await import('lzma-native');
  return new Promise((resolve, reject) => {
    const decoder = lzma.createStream('autoDecoder', {});
    const out = new Uint8Array(size);
    let n = 0;
    let failed = false;
    const stop = (detail: string): void => {
      if (failed) return;
      failed = true;
      decoder.destroy();
      try {
        fail('MALFORMED', 'xz stream', fileOffset, detail);
      } catch (e) {
        reject(e);
      }
    };
    decoder.on('data', (chunk) => {
      if (failed) return;
      if (n + chunk.length > size) return stop(`decodes to more than the ${size} bytes its index declares`);
      out.set(chunk, n);
      n += chunk.length;
    });
    decoder.on('error', (err) => stop(`cannot decompress: ${err.desc ?? err.message ?? String(err)}`));
    decoder.on('end', () => (n === size ? resolve(out) : stop(`decoded ${n} bytes, the index declares ${size}`)));
    decoder.end(input);
  });
}

function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
