import { concatBytes } from '../common/bytes.js';

/**
 * xz compression through liblzma (lzma-native, loaded on first use), with the CRC64 check and by
 * default the default preset, as BTFHub's archives are made (`xz` with no options); a lower preset
 * (0-9) trades size for time.
 */
export async function xzEncode(data: Uint8Array, preset = 6): Promise<Uint8Array> {
  const { default: lzma } = await import('lzma-native');
  return new Promise((resolve, reject) => {
    const encoder = lzma.createStream('easyEncoder', { preset, check: lzma.CHECK_CRC64 });
    const chunks: Uint8Array[] = [];
    encoder.on('data', (chunk) => chunks.push(chunk));
    encoder.on('error', (err) => reject(new Error(`xz compression failed: ${err.desc ?? err.message ?? String(err)}`)));
    encoder.on('end', () => resolve(concatBytes(chunks)));
    encoder.end(data);
  });
}
