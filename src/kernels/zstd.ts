import { decompress as fzstdDecompress } from 'fzstd';
import { fail } from '../common/errors.js';
import { MAX_OUTPUT } from './limits.js';

/**
 * zstd (RFC 8878) frames: Debian's x86 6.12+ and s390x kernel payloads. Decoded by fzstd, which
 * needs help in two places, so the frame is walked here first (block headers only, no decoding):
 * - data after the frame (the size word kernel images append) makes fzstd fail: it gets the frame alone;
 * - without an output buffer fzstd shifts its whole window (128 MiB for kernel payloads) once per
 *   128 KiB block: 9 s for a 57 MB vmlinux instead of 1.3 s with a buffer. Kernel frames carry no
 *   content size, so the buffer is sized from the caller's hint (the size word) when it is
 *   consistent with the block headers, else from the block headers' upper bound.
 */

const MAGIC = 0xfd2fb528;
const MAX_BLOCK = 128 * 1024;

export interface ZstdFrame {
  /** Bytes from the magic to the end of the frame (checksum included). */
  readonly length: number;
  /** Frame_Content_Size when the header has it. */
  readonly contentSize?: number;
  /** Bounds on the decoded size from the block headers: raw/RLE blocks exactly, compressed blocks at most a full block. */
  readonly minSize: number;
  readonly maxSize: number;
}

/** True when a zstd frame header (magic, reserved bit clear) starts at `at`. */
export function isZstdHeader(b: Uint8Array, at: number): boolean {
  return at + 5 <= b.length && u32le(b, at) === MAGIC && (b[at + 4] & 0x08) === 0;
}

/** Walks the frame at `b[0]`; failures are CorecheckErrors at `fileOffset` + the offending byte. */
export function zstdFrame(b: Uint8Array, fileOffset: number): ZstdFrame {
  const truncated = (at: number, what: string): never => fail('TRUNCATED', 'zstd frame', fileOffset + at, `${what} runs past the end of the data`);
  if (!isZstdHeader(b, 0)) fail('BAD_MAGIC', 'zstd frame header', fileOffset, 'not a zstd frame (bad magic or reserved bit set)');
  const fhd = b[4];
  const singleSegment = (fhd & 0x20) !== 0;
  const checksum = (fhd & 0x04) !== 0;
  const didSize = [0, 1, 2, 4][fhd & 3];
  const fcsSize = [singleSegment ? 1 : 0, 2, 4, 8][fhd >>> 6];
  let p = 5;
  let windowSize = 0;
  if (!singleSegment) {
    if (p >= b.length) truncated(p, 'window descriptor');
    const wd = b[p++];
    const windowBase = 2 ** (10 + (wd >>> 3));
    windowSize = windowBase + (windowBase / 8) * (wd & 7);
  }
  p += didSize;
  if (p + fcsSize > b.length) truncated(p, 'frame header');
  let contentSize: number | undefined;
  if (fcsSize > 0) {
    let v = 0;
    for (let i = fcsSize - 1; i >= 0; i--) v = v * 256 + b[p + i];
    contentSize = fcsSize === 2 ? v + 256 : v;
    p += fcsSize;
  }
  if (singleSegment) windowSize = contentSize ?? 0;
  const blockMax = Math.min(MAX_BLOCK, windowSize || MAX_BLOCK);
  let minSize = 0;
  let maxSize = 0;
  for (;;) {
    if (p + 3 > b.length) truncated(p, 'block header');
    const h = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
    const last = h & 1;
    const type = (h >>> 1) & 3;
    const size = h >>> 3;
    if (type === 3) fail('MALFORMED', 'zstd block header', fileOffset + p, 'reserved block type');
    const stored = type === 1 ? 1 : size;
    if (size > blockMax && type !== 1) fail('MALFORMED', 'zstd block header', fileOffset + p, `block of ${size} bytes exceeds the ${blockMax}-byte maximum`);
    p += 3;
    if (p + stored > b.length) truncated(p, `block of ${stored} bytes`);
    p += stored;
    if (type === 2) maxSize += blockMax;
    else {
      minSize += size;
      maxSize += size;
    }
    if (last) break;
  }
  if (checksum) {
    if (p + 4 > b.length) truncated(p, 'content checksum');
    p += 4;
  }
  if (contentSize !== undefined && (contentSize < minSize || contentSize > maxSize)) {
    fail('MALFORMED', 'zstd frame header', fileOffset + 5, `content size ${contentSize} disagrees with the blocks (${minSize}..${maxSize} bytes)`);
  }
  return { length: p, contentSize, minSize, maxSize };
}

/**
 * Decodes the first zstd frame of `b`; data after it is ignored. `sizeHint` is the decoded size if
 * the caller knows it (a kernel image's size word); it is used only when it fits the block headers.
 */
export function decompressZstd(b: Uint8Array, fileOffset: number, sizeHint?: number): Uint8Array {
  const frame = zstdFrame(b, fileOffset);
  const data = b.subarray(0, frame.length);
  if (frame.contentSize !== undefined) return decodeInto(data, frame.contentSize, fileOffset);
  if (sizeHint !== undefined && sizeHint >= frame.minSize && sizeHint <= frame.maxSize) {
    // A hint that is too small makes fzstd fail ("invalid zstd data"): then decode without it.
    try {
      return decodeInto(data, sizeHint, fileOffset);
    } catch {
      /* fall through */
    }
  }
  const out = decodeInto(data, frame.maxSize, fileOffset);
  // fzstd does not report how much it wrote into a caller's buffer; the rest of it is still zero,
  // and zero bytes at the end of a payload hold no BTF. Keep what the blocks prove was written.
  let end = out.length;
  while (end > frame.minSize && out[end - 1] === 0) end--;
  return out.subarray(0, end);
}

function decodeInto(frame: Uint8Array, size: number, fileOffset: number): Uint8Array {
  if (size > MAX_OUTPUT) fail('UNSUPPORTED', 'zstd frame', fileOffset, `would decode to up to ${size} bytes, more than the ${MAX_OUTPUT} corecheck reads`);
  const out = new Uint8Array(size);
  try {
    fzstdDecompress(frame, out);
  } catch (e) {
    fail('MALFORMED', 'zstd frame', fileOffset, `cannot decompress: ${(e as Error).message}`);
  }
  return out;
}

function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
