import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { BlockCodec } from '../fleet/encode.js';

/**
 * The fleet store's block codec (format.ts): Brotli (RFC 7932), with Node's native coder. Fixed
 * parameters make the same blocks give the same bytes on every run: the given quality (the
 * highest by default), the largest standard window (16 MiB, within reach of a group's sibling
 * kernels), generic mode.
 */
export function compressBlock(unpacked: Uint8Array, quality: number = constants.BROTLI_MAX_QUALITY): Uint8Array {
  const packed = brotliCompressSync(unpacked, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_GENERIC,
      [constants.BROTLI_PARAM_QUALITY]: quality,
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

/** Both, for `encodeFleet`: the built-in store (tools/build-fleet.mjs), packed as small as Brotli can. */
export const BROTLI_BLOCKS: BlockCodec = { compress: (unpacked) => compressBlock(unpacked), decompress: decompressBlock };

/**
 * Quality 9 for a user's fleet (`corecheck fleet add` and `remove` pack again every block whose
 * kernels change, and import runs pack them all): on a block of the four Debian 11 kernels (6.4 MB
 * unpacked) it takes 1.1 s where quality 11 takes 11.5 s, for 13% more bytes (1.34 MB against
 * 1.18 MB). The reader does not care which.
 */
export const USER_FLEET_BLOCKS: BlockCodec = { compress: (unpacked) => compressBlock(unpacked, 9), decompress: decompressBlock };
