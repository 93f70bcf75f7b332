import { inflateSync } from 'fflate';
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
  try {
    return inflateSync(b.subarray(p));
  } catch (e) {
    return fail('MALFORMED', 'gzip stream', fileOffset, `cannot decompress: ${(e as Error).message}`);
  }
}
