import { CorecheckError, fail } from '../common/errors.js';
import { ChunkReader, decompressChunks } from './chunk-reader.js';
import { compressionAt, type Compression } from './decompress.js';

/**
 * What packages (.deb, .rpm) share: a compressed archive payload (data.tar, the cpio) that is
 * decompressed piece by piece and walked until the kernel image, with every error re-labelled to
 * say which payload and what its offsets mean. No file system access.
 */

/** The reader of a payload compressed as `declared` (from a member name or an RPM tag), checked against its magic. */
export function payloadReader(declared: Compression | 'none', bytes: Uint8Array, fileOffset: number, what: string): ChunkReader {
  if (declared === 'none') return new ChunkReader((async function* () { yield bytes; })());
  const found = compressionAt(bytes, 0);
  if (found !== declared) {
    const head = Array.from(bytes.subarray(0, 6), (x) => x.toString(16).padStart(2, '0')).join(' ');
    fail('BAD_MAGIC', what, fileOffset, `declared ${declared}-compressed, but starts ${head || '(no data)'}${found ? ` (${found})` : ''}`);
  }
  return new ChunkReader(decompressChunks(declared, bytes, fileOffset)[Symbol.asyncIterator]());
}

/**
 * Runs a walk over a decompressed payload. Decompression errors already carry file offsets and get
 * `what` in front of their structure; archive errors carry offsets in the decompressed data and
 * say so.
 */
export async function inPayload<T>(what: string, kind: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof CorecheckError) || e.file !== undefined) throw e;
    const isArchive = /^(tar|cpio)\b/.test(e.structure);
    const data = kind === 'none' ? 'uncompressed payload' : `${kind}-decompressed payload`;
    const structure = isArchive ? `${what} > ${e.structure} (offset in the ${data})` : `${what} > ${e.structure}`;
    throw new CorecheckError(e.code, structure, e.offset, e.detail);
  }
}
