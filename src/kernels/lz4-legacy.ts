import lz4 from 'lz4js';
import { fail } from '../common/errors.js';
import { MAX_OUTPUT } from './limits.js';

/**
 * The lz4 "legacy" format the kernel's `lz4 -l` build step writes (Debian's 5.10 and 6.1 cloud
 * kernels): the magic 0x184C2102, then blocks of `u32 compressed size` + one raw LZ4 block that
 * expands to at most 8 MiB. The format has no end marker; like the kernel's own unlz4, decoding stops
 * at the end of the data, at a size that does not fit (the size word kernel images append), or
 * after a short block (only the last block is short). A repeated magic (concatenated frames) is
 * skipped.
 */

export const LZ4_LEGACY_MAGIC = 0x184c2102;
const BLOCK = 8 << 20;

export function isLz4LegacyHeader(b: Uint8Array, at: number): boolean {
  if (at + 8 > b.length || u32le(b, at) !== LZ4_LEGACY_MAGIC) return false;
  const first = u32le(b, at + 4);
  return first > 0 && first <= BLOCK + (BLOCK >>> 8) + 16; // LZ4_compressBound(8 MiB)
}

/** Decodes the legacy frame at `b[0]`. `sizeHint` (the decoded size, if known) sizes the output once. */
export function decompressLz4Legacy(b: Uint8Array, fileOffset: number, sizeHint?: number): Uint8Array {
  if (!isLz4LegacyHeader(b, 0)) fail('BAD_MAGIC', 'lz4 legacy frame', fileOffset, 'not an lz4 legacy frame (bad magic or first block size)');
  // Blocks decode into one scratch block, then into the output, so a right hint means one
  // allocation of exactly the decoded size.
  const scratch = new Uint8Array(BLOCK);
  // A hint outside what lz4 can plausibly do with kernels (1x..32x) is ignored, not allocated.
  const plausible = sizeHint !== undefined && sizeHint >= b.length && sizeHint <= b.length * 32;
  let out = new Uint8Array(Math.min(MAX_OUTPUT, plausible ? sizeHint : b.length * 3));
  let n = 0;
  let p = 4;
  while (p + 4 <= b.length) {
    const size = u32le(b, p);
    if (size === LZ4_LEGACY_MAGIC) {
      p += 4;
      continue;
    }
    if (size === 0 || p + 4 + size > b.length) break;
    let got: number;
    try {
      got = lz4.decompressBlock(b, scratch, p + 4, size, 0);
    } catch (e) {
      return fail('MALFORMED', 'lz4 block', fileOffset + p, `cannot decompress: ${(e as Error).message}`);
    }
    if (!(got >= 0 && got <= BLOCK)) fail('MALFORMED', 'lz4 block', fileOffset + p, `block expands past the ${BLOCK}-byte maximum`);
    if (n + got > out.length) {
      if (n + got > MAX_OUTPUT) fail('UNSUPPORTED', 'lz4 legacy frame', fileOffset, `decodes to more than the ${MAX_OUTPUT} bytes corecheck reads`);
      const grown = new Uint8Array(Math.min(MAX_OUTPUT, Math.max(out.length * 2, n + got)));
      grown.set(out.subarray(0, n));
      out = grown;
    }
    out.set(scratch.subarray(0, got), n);
    n += got;
    p += 4 + size;
    if (got < BLOCK) break;
  }
  if (n === 0) fail('TRUNCATED', 'lz4 legacy frame', fileOffset + 4, 'no complete block');
  return out.subarray(0, n);
}

function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
