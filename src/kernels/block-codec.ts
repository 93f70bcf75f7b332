import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { BlockCodec } from '../fleet/encode.js';

/**
 * The fleet store's block codec (format.ts): Brotli (RFC 7932), with Node's native coder. Fixed
 * parameters make the same blocks give the same bytes on every run: the highest quality, the
 * largest standard window (16 MiB, within reach of a group's sibling kernels), generic mode.
 */
export function compressBlock(unpacked: Uint8Array): Uint8Array {
  const packed = brotliCompressSync(unpacked, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_GENERIC,
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
      [constants.BROTLI_PARAM_SIZE_HINT]: unpacked.length,
    },
  });
  return new Uint8Array(packed.buffer, packed.byteOffset, packed.length);
}

/** A block's bytes, never more than the `unpackedLength` the store's index gives. */
export function decompressBlock(packed: Uint8Array, unpackedLength: number): Uint8Array {
  // One output chunk the size of the block (one byte more, so a block that fills it exactly ends
  // the loop): the default 16 KiB chunks are joined by a copy of the whole block at the end.
  const out = brotliDecompressSync(packed, { maxOutputLength: Math.max(1, unpackedLength), chunkSize: Math.max(64, unpackedLength + 1) });
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Both, for `encodeFleet`. */
export const BROTLI_BLOCKS: BlockCodec = { compress: compressBlock, decompress: decompressBlock };
