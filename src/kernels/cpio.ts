import { fail } from '../common/errors.js';
import { latin1 } from '../common/bytes.js';
import type { ChunkReader } from './chunk-reader.js';

/**
 * A reader for the "new ASCII" cpio format (`070701`, and `070702` which adds a checksum field
 * but has the same layout), the payload of RPM v4 packages: a 110-byte header of hex fields, the
 * name (NUL-terminated) padded so the data starts 4-aligned, the data padded likewise, and a
 * `TRAILER!!!` entry at the end. Walked as it is decompressed; offsets are in the decompressed cpio.
 */
const HEADER = 110;
const TRAILER = 'TRAILER!!!';

export interface CpioMember {
  readonly name: string;
  /** Index of the entry in the archive (0-based), for error messages. */
  readonly index: number;
  readonly headerOffset: number;
  readonly data: Uint8Array;
}

/**
 * The first regular file whose name (without a leading `./`) `wanted` accepts, its data in a
 * buffer of its own; the entries before it are skipped, not kept. Undefined at the trailer.
 */
export async function findCpioMember(cpio: ChunkReader, wanted: (name: string) => boolean): Promise<CpioMember | undefined> {
  for (let index = 0; ; index++) {
    const at = cpio.position;
    const where = `cpio entry ${index}`;
    const header = (await cpio.read(HEADER)).slice();
    if (header.length < HEADER) fail('TRUNCATED', where, at, header.length === 0 ? `the archive ends without its ${TRAILER} entry` : `header needs ${HEADER} bytes, only ${header.length} left`);
    const magic = latin1(header, 0, 6);
    if (magic !== '070701' && magic !== '070702') {
      fail(magic === '07070X' ? 'UNSUPPORTED' : 'BAD_MAGIC', where, at, magic === '07070X'
        ? "the stripped cpio of RPMs with files over 4 GiB, which corecheck does not read"
        : `not a newc cpio header (magic "${printable(magic)}", expected "070701")`);
    }
    const field = (i: number, what: string): number => {
      const text = latin1(header, 6 + i * 8, 14 + i * 8);
      if (!/^[0-9a-fA-F]{8}$/.test(text)) fail('MALFORMED', `${where} ${what}`, at + 6 + i * 8, `"${printable(text)}" is not 8 hex digits`);
      return parseInt(text, 16);
    };
    const mode = field(1, 'mode');
    const size = field(6, 'file size');
    const nameSize = field(11, 'name size');
    if (nameSize === 0 || nameSize > 4096) fail('MALFORMED', `${where} name size`, at + 94, `${nameSize} is not a path length`);
    const nameBytes = await cpio.read(nameSize);
    if (nameBytes.length < nameSize) fail('TRUNCATED', where, at, `name of ${nameSize} bytes runs past the end of the archive`);
    const name = latin1(nameBytes, 0, nameSize - 1).replace(/^\.\//, '');
    await cpio.skip(pad4(HEADER + nameSize));
    if (name === TRAILER) return undefined;
    const regular = (mode & 0o170000) === 0o100000;
    if (regular && size > 0 && wanted(name)) {
      const data = await cpio.readOwned(size);
      if (data.length < size) fail('TRUNCATED', `${where} ${name}`, at, `declares ${size} bytes of data, but the archive ends ${data.length} bytes into it`);
      return { name, index, headerOffset: at, data };
    }
    if ((await cpio.skip(size)) < size) fail('TRUNCATED', `${where} ${name}`, at, `declares ${size} bytes of data, but the archive ends first`);
    await cpio.skip(pad4(size));
  }
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}
