import { xz } from '@napi-rs/lzma';
import { gunzipSync } from 'fflate';
import { decompress as zstdDecompress } from 'fzstd';
import lz4 from 'lz4js';
import { CorecheckError, fail } from '../common/errors.js';

/** Compressions found in kernel images (Debian: xz, lz4 legacy, zstd; other distros: gzip). */
export type Compression = 'gzip' | 'xz' | 'zstd' | 'lz4-legacy';

const MAGICS: readonly [Compression, readonly number[]][] = [
  ['gzip', [0x1f, 0x8b, 0x08]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['lz4-legacy', [0x02, 0x21, 0x4c, 0x18]],
];

/** The compression whose magic starts at `at`, if any. */
export function compressionAt(bytes: Uint8Array, at: number): Compression | undefined {
  for (const [kind, magic] of MAGICS) {
    if (at + magic.length <= bytes.length && magic.every((b, i) => bytes[at + i] === b)) return kind;
  }
  return undefined;
}

/** Every offset where a compression magic starts, in file order. */
export function findCompressedStreams(bytes: Uint8Array): { at: number; kind: Compression }[] {
  const out: { at: number; kind: Compression }[] = [];
  for (const [kind, magic] of MAGICS) {
    let at = bytes.indexOf(magic[0]);
    while (at >= 0) {
      if (magic.every((b, i) => bytes[at + i] === b)) out.push({ at, kind });
      at = bytes.indexOf(magic[0], at + 1);
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/**
 * Decompresses one stream. Data after the end of the stream is ignored where the format allows it
 * (kernel images carry trailers after their payload). Failures become a CorecheckError at `fileOffset`.
 */
export function decompressStream(kind: Compression, bytes: Uint8Array, fileOffset: number): Uint8Array {
  try {
    switch (kind) {
      case 'gzip':
        return gunzipSync(bytes);
      case 'xz': {
        const out = xz.decompressSync(bytes);
        return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
      }
      case 'zstd':
        return zstdDecompress(bytes);
      case 'lz4-legacy':
        return lz4LegacyDecompress(bytes);
    }
  } catch (e) {
    if (e instanceof CorecheckError) throw e;
    const why = (e as Error)?.message ?? String(e);
    return fail('MALFORMED', `${kind} stream`, fileOffset, `cannot decompress: ${why}`);
  }
}

const LZ4_LEGACY_MAGIC = 0x184c2102;
const LZ4_LEGACY_BLOCK = 8 << 20;

/**
 * The lz4 "legacy" frame the kernel's `lz4 -l` build produces: the magic, then blocks of
 * `u32 compressed size` + data, each expanding to at most 8 MiB; a size that is the magic again
 * (concatenated frames) or past the end stops it.
 */
function lz4LegacyDecompress(src: Uint8Array): Uint8Array {
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const chunks: Uint8Array[] = [];
  let total = 0;
  let p = 4;
  while (p + 4 <= src.length) {
    const size = dv.getUint32(p, true);
    if (size === LZ4_LEGACY_MAGIC) {
      p += 4;
      continue;
    }
    if (size === 0 || p + 4 + size > src.length) break;
    const out = new Uint8Array(LZ4_LEGACY_BLOCK);
    const n = lz4.decompressBlock(src, out, p + 4, size, 0);
    if (n < 0 || n > LZ4_LEGACY_BLOCK) throw new Error(`bad lz4 block at ${p}`);
    chunks.push(out.subarray(0, n));
    total += n;
    p += 4 + size;
    if (n < LZ4_LEGACY_BLOCK) break; // only the last block is short
  }
  if (total === 0) throw new Error('no lz4 blocks');
  const all = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.length;
  }
  return all;
}
