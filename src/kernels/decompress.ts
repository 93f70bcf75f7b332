import lzma from 'lzma-native';
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
 * (kernel images carry trailers after their payload). With `tolerant`, a stream whose end is damaged
 * still yields what decoded before the damage: kernel build scripts append size words that cut the
 * xz index, and the callers check the result (ELF, BTF) anyway. Failures become a CorecheckError at
 * `fileOffset`.
 */
export async function decompressStream(kind: Compression, bytes: Uint8Array, fileOffset: number, tolerant = false): Promise<Uint8Array> {
  try {
    switch (kind) {
      case 'gzip':
        return gunzipSync(bytes);
      case 'xz':
        return await xzDecompress(bytes, tolerant);
      case 'zstd':
        return zstdDecompress(bytes);
      case 'lz4-legacy':
        return lz4LegacyDecompress(bytes);
    }
  } catch (e) {
    if (e instanceof CorecheckError) throw e;
    const err = e as { desc?: string; message?: string };
    return fail('MALFORMED', `${kind} stream`, fileOffset, `cannot decompress: ${err.desc ?? err.message ?? String(e)}`);
  }
}

/**
 * xz through liblzma (lzma-native): kernel payloads use the x86/ARM BCJ filters, which the pure
 * JavaScript and Rust xz decoders on npm do not implement.
 */
function xzDecompress(bytes: Uint8Array, tolerant: boolean): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const decoder = lzma.createStream('autoDecoder', {});
    const chunks: Uint8Array[] = [];
    let total = 0;
    const done = (): void => {
      const out = new Uint8Array(total);
      let o = 0;
      for (const c of chunks) {
        out.set(c, o);
        o += c.length;
      }
      resolve(out);
    };
    decoder.on('data', (c: Uint8Array) => {
      chunks.push(c);
      total += c.length;
    });
    decoder.on('error', (e: unknown) => (tolerant && total > 0 ? done() : reject(e)));
    decoder.on('end', done);
    decoder.end(bytes);
  });
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
