import { CorecheckError, fail } from '../common/errors.js';
import { tarFiles } from './tar.js';
import { decompressXz } from './xz.js';

/**
 * A BTFHub archive (`<kernel>.btf.tar.xz`): an xz-compressed tar holding one `<kernel>.btf`
 * member, the kernel's raw BTF. No file system access. Errors at the xz level carry file offsets;
 * tar-level errors carry offsets in the decompressed tar and say so.
 */
export interface ArchiveMember {
  readonly member: string;
  /** The member's data: a view into the decompressed tar (no copy). */
  readonly bytes: Uint8Array;
}

export async function readBtfHubArchive(bytes: Uint8Array, kernel?: string): Promise<ArchiveMember> {
  const tar = await decompressXz(bytes, 0);
  let files;
  try {
    files = tarFiles(tar);
  } catch (e) {
    if (e instanceof CorecheckError) {
      throw new CorecheckError(e.code, `${e.structure} (offset in the xz-decompressed tar)`, e.offset, e.detail);
    }
    throw e;
  }
  const btfs = files.filter((f) => f.name.endsWith('.btf'));
  const pick = btfs.find((f) => kernel !== undefined && f.name.replace(/^.*\//, '') === `${kernel}.btf`)
    ?? (btfs.length === 1 ? btfs[0] : undefined)
    ?? (btfs.length === 0 && files.length === 1 ? files[0] : undefined);
  if (!pick) {
    const names = files.map((f) => f.name).join(', ') || 'none';
    fail('NOT_FOUND', 'tar member', -1, `expected one <kernel>.btf member (BTFHub layout), found: ${names}`);
  }
  return { member: pick.name, bytes: pick.data };
}
