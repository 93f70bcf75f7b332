import { fail } from '../common/errors.js';
import { latin1 } from '../common/bytes.js';

/**
 * The `ar` archive a Debian package is (deb(5)): the magic `!<arch>\n`, then members, each a
 * 60-byte text header (name, mtime, uid, gid, mode, decimal size, "`\n") and its data padded to an
 * even offset. Debian packages use plain short names (`data.tar.xz`, GNU style may end it with `/`).
 * No file system access.
 */
export const AR_MAGIC = '!<arch>\n';
const HEADER = 60;

export interface ArMember {
  readonly name: string;
  readonly headerOffset: number;
  readonly dataOffset: number;
  readonly size: number;
}

export function isArArchive(head: Uint8Array): boolean {
  return head.length >= 8 && latin1(head, 0, 8) === AR_MAGIC;
}

/**
 * The members whose headers lie in `b`, the first bytes of a file of `fileSize` bytes (the whole
 * file when listing a package's members before loading it, or just its head). A member whose data
 * runs past the end of the file is a truncated package.
 */
export function arMembers(b: Uint8Array, fileSize: number): ArMember[] {
  if (!isArArchive(b)) fail('BAD_MAGIC', 'ar archive', 0, `not an ar archive (a Debian package starts with "!<arch>\\n")`);
  const members: ArMember[] = [];
  let at = AR_MAGIC.length;
  while (at < fileSize) {
    if (at + HEADER > b.length) {
      if (at + HEADER > fileSize) fail('TRUNCATED', `ar member header ${members.length}`, at, `needs ${HEADER} bytes, only ${fileSize - at} left`);
      break; // beyond the bytes we were given
    }
    if (b[at + 58] !== 0x60 || b[at + 59] !== 0x0a) fail('MALFORMED', `ar member header ${members.length}`, at, 'header does not end with "`\\n"');
    const name = latin1(b, at, at + 16).trimEnd().replace(/(.)\/$/, '$1');
    const sizeText = latin1(b, at + 48, at + 58).trim();
    if (!/^\d+$/.test(sizeText)) fail('MALFORMED', `ar member ${name || members.length}`, at + 48, `size field "${sizeText}" is not a decimal number`);
    const size = Number(sizeText);
    const dataOffset = at + HEADER;
    if (dataOffset + size > fileSize) {
      fail('TRUNCATED', `ar member ${name}`, at, `declares ${size} bytes of data, but the file ends ${fileSize - dataOffset} bytes after its header`);
    }
    members.push({ name, headerOffset: at, dataOffset, size });
    at = dataOffset + size + (size & 1);
  }
  return members;
}
