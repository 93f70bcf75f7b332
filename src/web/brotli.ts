import { decompress } from 'brotli/decompress.js';
import type { BlockDecoder } from '../fleet/open-store.js';

/**
 * The fleet store's blocks are Brotli streams; browsers' DecompressionStream has no Brotli
 * (Chromium 156 refuses 'brotli' and 'br'), so a pure JS decoder (the `brotli` package's, a port
 * of Google's C decoder) decodes them: no WebAssembly, so the page's CSP needs no wasm-eval.
 */
export const decodeBrotliBlock: BlockDecoder = (packed, unpackedLength) => decompress(packed, unpackedLength);
