import { Inflate, inflateSync } from 'fflate';
import { fail } from '../common/errors.js';

/**
 * gzip (RFC 1952): arm64 `Image.gz` and gzip bzImage payloads of other distros (no Debian kernel
 * uses it). The header is read here and only the deflate data goes to fflate: fflate's gunzip takes
 * the output size from the input's last four bytes, which are not the gzip trailer when data
 * follows the stream (as in kernel images). Inflate stops at the final block, so trailing data is
 * ignored.
 */

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;

export function isGzipHeader(b: Uint8Array, at: number): boolean {
  return at + 10 <= b.length && b[at] === 0x1f && b[at + 1] === 0x8b && b[at + 2] === 8 && (b[at + 3] & 0xe0) === 0;
}

export function decompressGzip(b: Uint8Array, fileOffset: number): Uint8Array {
  const p = deflateStart(b, fileOffset);
  try {
    return inflateSync(b.subarray(p));
  } catch (e) {
    return fail('MALFORMED', 'gzip stream', fileOffset, `cannot decompress: ${(e as Error).message}`);
  }
}

/** Compressed bytes handed to the inflater at a time by `decompressGzipChunks`. */
const INPUT_STEP = 1 << 20;

/**
 * The gzip stream at the start of `b`, decoded as it is read: yields the inflated data in pieces,
 * keeping only fflate's 32 KiB window, so a package payload costs what its reader keeps and a reader
 * that found what it wants stops decoding. Errors name the input step that failed.
 */
export function* decompressGzipChunks(b: Uint8Array, fileOffset: number): Generator<Uint8Array> {
  const start = deflateStart(b, fileOffset);
  const ready: Uint8Array[] = [];
  let ended = false;
  const inflater = new Inflate((chunk, final) => {
    ready.push(chunk);
    if (final) ended = true;
  });
  for (let at = start; at < b.length && !ended; at += INPUT_STEP) {
    const end = Math.min(at + INPUT_STEP, b.length);
    try {
      inflater.push(b.subarray(at, end), end === b.length);
    } catch (e) {
      fail(end === b.length ? 'TRUNCATED' : 'MALFORMED', 'gzip stream', fileOffset + at, `cannot decompress the data from here: ${(e as Error).message}`);
    }
    yield* ready.splice(0);
  }
}

/** Reads the gzip header (RFC 1952 2.3) and returns where the deflate data starts. */
function deflateStart(b: Uint8Array, fileOffset: number): number {
  if (!isGzipHeader(b, 0)) fail('BAD_MAGIC', 'gzip header', fileOffset, 'not a gzip stream (bad magic, method or flags)');
  const flags = b[3];
  let p = 10;
  const skipString = (what: string): void => {
    const end = b.indexOf(0, p);
    if (end < 0) fail('TRUNCATED', 'gzip header', fileOffset + p, `${what} has no terminating NUL`);
    p = end + 1;
  };
  if (flags & FEXTRA) {
    if (p + 2 > b.length) fail('TRUNCATED', 'gzip header', fileOffset + p, 'extra field length runs past the end');
    p += 2 + (b[p] | (b[p + 1] << 8));
  }
  if (flags & FNAME) skipString('file name');
  if (flags & FCOMMENT) skipString('comment');
  if (flags & FHCRC) p += 2;
  if (p >= b.length) fail('TRUNCATED', 'gzip header', fileOffset + Math.min(p, b.length), 'no deflate data after the header');
  return p;
}
