import { CorecheckError, fail } from '../common/errors.js';
import { decompressGzip, isGzipHeader } from './gzip.js';
import { decompressLz4Legacy, isLz4LegacyHeader } from './lz4-legacy.js';
import { decompressXz, isXzHeader } from './xz.js';
import { decompressZstd, isZstdHeader } from './zstd.js';

/**
 * The compressions kernel images use, behind one call. Debian: xz, lz4 legacy, zstd; other
 * distributions also gzip (arm64 `Image.gz`). bzip2, lzma and lzo payloads exist in the kernel's
 * build options but in no distribution kernel corecheck targets. No file system access here.
 */
export type Compression = 'gzip' | 'xz' | 'zstd' | 'lz4-legacy';

const HEADER_CHECKS: readonly [Compression, number, (b: Uint8Array, at: number) => boolean][] = [
  // [kind, first magic byte, full header check]
  ['xz', 0xfd, isXzHeader],
  ['zstd', 0x28, isZstdHeader],
  ['lz4-legacy', 0x02, isLz4LegacyHeader],
  ['gzip', 0x1f, isGzipHeader],
];

/** The compression whose header starts at `at`, if any (magic plus the header's own checks). */
export function compressionAt(bytes: Uint8Array, at: number): Compression | undefined {
  for (const [kind, , check] of HEADER_CHECKS) if (check(bytes, at)) return kind;
  return undefined;
}

/** Every offset where a plausible compressed stream starts, in file order. */
export function findCompressedStreams(bytes: Uint8Array): { at: number; kind: Compression }[] {
  const out: { at: number; kind: Compression }[] = [];
  for (const [kind, first, check] of HEADER_CHECKS) {
    for (let at = bytes.indexOf(first); at >= 0; at = bytes.indexOf(first, at + 1)) {
      if (check(bytes, at)) out.push({ at, kind });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/**
 * Decodes the stream at the start of `bytes`; data after the end of the stream is ignored (kernel
 * images put size words and other data after their payload). `fileOffset` is where `bytes` starts
 * in the file: every failure is a CorecheckError at that offset or inside the stream.
 * `sizeHint` is the decoded size when the caller knows it (it lets zstd and lz4 allocate once).
 */
export async function decompressStream(kind: Compression, bytes: Uint8Array, fileOffset: number, sizeHint?: number): Promise<Uint8Array> {
  try {
    switch (kind) {
      case 'xz':
        return await decompressXz(bytes, fileOffset);
      case 'zstd':
        return decompressZstd(bytes, fileOffset, sizeHint);
      case 'lz4-legacy':
        return decompressLz4Legacy(bytes, fileOffset, sizeHint);
      case 'gzip':
        return decompressGzip(bytes, fileOffset);
    }
  } catch (e) {
    // The decoders raise CorecheckErrors; anything else (an allocation failure, a library's own
    // exception) is still bad input to the user, at this stream.
    if (e instanceof CorecheckError) throw e;
    return fail('MALFORMED', `${kind} stream`, fileOffset, `cannot decompress: ${e instanceof Error ? e.message : String(e)}`);
  }
}
