import { parseTar } from 'nanotar';
import { fail } from '../common/errors.js';
import { decompressStream } from './decompress.js';

/**
 * A BTFHub archive (`<kernel>.btf.tar.xz`): an xz-compressed tar holding one `<kernel>.btf` member.
 * Returns the member's bytes and name. No file system access.
 */
export async function readBtfHubArchive(bytes: Uint8Array): Promise<{ member: string; bytes: Uint8Array }> {
  let tar = await decompressStream('xz', bytes, 0);
  // nanotar reads `data.buffer` whole, so hand it an array that owns its buffer.
  if (tar.byteOffset !== 0 || tar.byteLength !== tar.buffer.byteLength) tar = tar.slice();
  if (tar.length < 512) fail('TRUNCATED', 'tar archive', 0, `the decompressed archive is ${tar.length} bytes, shorter than one tar header`);
  let entries;
  try {
    entries = parseTar(tar);
  } catch (e) {
    return fail('MALFORMED', 'tar archive', 0, `cannot read the tar inside the xz stream: ${(e as Error).message}`);
  }
  const files = entries.filter((e) => e.type === 'file' && e.data);
  const btf = files.find((e) => e.name.endsWith('.btf')) ?? (files.length === 1 ? files[0] : undefined);
  if (!btf || !btf.data) fail('NOT_FOUND', 'tar archive member', 0, `no .btf member among ${files.length} file(s): ${files.map((f) => f.name).join(', ') || '(none)'}`);
  const declared = btf.size ?? btf.data.length;
  if (btf.data.length < declared) fail('TRUNCATED', `tar member ${btf.name}`, 0, `member declares ${declared} bytes, archive holds ${btf.data.length}`);
  return { member: btf.name, bytes: btf.data };
}
