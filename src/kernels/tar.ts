import { CorecheckError, fail } from '../common/errors.js';
import { latin1 } from '../common/bytes.js';
import type { ChunkReader } from './chunk-reader.js';

/**
 * A minimal tar reader (POSIX ustar, GNU and pax long names) for BTFHub archives. Written here
 * rather than using nanotar because nanotar reads `data.buffer` from byte 0 whatever the view's
 * offset (forcing a copy of a 27 MB archive), checks no header checksum, and throws RangeError on
 * truncated data. Members are views into the tar, never copies.
 */

export interface TarMember {
  readonly name: string;
  /** Offset of the member's header in the tar. */
  readonly headerOffset: number;
  /** The member's data (a view into the tar). */
  readonly data: Uint8Array;
}

const BLOCK = 512;

/** The regular files of a tar, in order. Errors carry offsets in `tar`. */
export function tarFiles(tar: Uint8Array): TarMember[] {
  const files: TarMember[] = [];
  let longName: string | undefined;
  let at = 0;
  while (at + BLOCK <= tar.length) {
    if (isZeroBlock(tar, at)) break; // end-of-archive marker
    checkHeader(tar, at);
    const type = tar[at + 156];
    const size = readSize(tar, at);
    let name = longName ?? headerName(tar, at);
    longName = undefined;
    const dataAt = at + BLOCK;
    if (dataAt + size > tar.length) {
      fail('TRUNCATED', `tar member ${name}`, at, `declares ${size} bytes of data, but the archive ends ${tar.length - dataAt} bytes after its header`);
    }
    const data = tar.subarray(dataAt, dataAt + size);
    if (type === 0x4c /* 'L': GNU long name of the next member */) longName = cString(data);
    else if (type === 0x78 /* 'x': pax header of the next member */) longName = paxPath(data) ?? undefined;
    else if (type === 0x30 /* '0' */ || type === 0 /* pre-POSIX regular file */ || type === 0x37 /* contiguous */) {
      name = name.replace(/^\.\//, '');
      files.push({ name, headerOffset: at, data });
    }
    at = dataAt + Math.ceil(size / BLOCK) * BLOCK;
  }
  // A partial block that is not zero padding is a header cut short.
  if (at + BLOCK > tar.length && tar.subarray(at).some((x) => x !== 0)) {
    fail('TRUNCATED', 'tar header', at, `needs ${BLOCK} bytes, only ${tar.length - at} left`);
  }
  return files;
}

/**
 * Walks a tar as it is decompressed (a package's data.tar: hundreds of MB of modules) and returns
 * the first regular file whose name `wanted` accepts, its data in a buffer of its own; the members
 * before it are skipped, not kept. Undefined when the archive ends without one. Errors carry offsets
 * in the decompressed tar.
 */
export async function findTarMember(tar: ChunkReader, wanted: (name: string) => boolean): Promise<TarMember | undefined> {
  let longName: string | undefined;
  for (;;) {
    const at = tar.position;
    const header = (await tar.read(BLOCK)).slice();
    if (header.length === 0) return undefined; // no end-of-archive marker: tolerated, as GNU tar does
    if (header.length < BLOCK) fail('TRUNCATED', 'tar header', at, `needs ${BLOCK} bytes, only ${header.length} left`);
    if (isZeroBlock(header, 0)) return undefined;
    atOffset(at, () => checkHeader(header, 0));
    const type = header[156];
    const size = atOffset(at, () => readSize(header, 0));
    const name = (longName ?? headerName(header, 0)).replace(/^\.\//, '');
    longName = undefined;
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    const regular = type === 0x30 || type === 0 || type === 0x37;
    if (type === 0x4c || type === 0x78 || (regular && wanted(name))) {
      const data = await tar.readOwned(size);
      if (data.length < size) fail('TRUNCATED', `tar member ${name}`, at, `declares ${size} bytes of data, but the archive ends ${data.length} bytes after its header`);
      await tar.skip(padded - size);
      if (type === 0x4c) longName = cString(data);
      else if (type === 0x78) longName = paxPath(data) ?? undefined;
      else return { name, headerOffset: at, data };
    } else if ((await tar.skip(padded)) < size) {
      fail('TRUNCATED', `tar member ${name}`, at, `declares ${size} bytes of data, but the archive ends first`);
    }
  }
}

/** Runs a check on a header copied out of the stream, with its errors moved to the header's offset `at`. */
function atOffset<T>(at: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CorecheckError && e.offset >= 0) throw new CorecheckError(e.code, e.structure, e.offset + at, e.detail);
    throw e;
  }
}

function isZeroBlock(b: Uint8Array, at: number): boolean {
  for (let i = at; i < at + BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/** The checksum is the sum of the header's bytes with the checksum field read as spaces. */
function checkHeader(b: Uint8Array, at: number): void {
  const stored = parseOctal(b, at + 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : b[at + i];
  if (stored !== sum) {
    fail('MALFORMED', 'tar header', at, stored === undefined ? 'not a tar header (no octal checksum)' : `header checksum ${stored} does not match its bytes (${sum})`);
  }
}

function readSize(b: Uint8Array, at: number): number {
  // GNU base-256 for sizes that do not fit 11 octal digits.
  if (b[at + 124] & 0x80) {
    let v = b[at + 124] & 0x7f;
    for (let i = 1; i < 12; i++) v = v * 256 + b[at + 124 + i];
    if (!Number.isSafeInteger(v)) fail('MALFORMED', 'tar header size', at + 124, 'size out of range');
    return v;
  }
  const v = parseOctal(b, at + 124, 12);
  if (v === undefined) fail('MALFORMED', 'tar header size', at + 124, 'size is not an octal number');
  return v;
}

function parseOctal(b: Uint8Array, at: number, len: number): number | undefined {
  let i = at;
  const end = at + len;
  while (i < end && b[i] === 0x20) i++;
  let v = 0;
  let digits = 0;
  for (; i < end && b[i] >= 0x30 && b[i] <= 0x37; i++, digits++) v = v * 8 + (b[i] - 0x30);
  if (digits === 0) return undefined;
  for (; i < end; i++) if (b[i] !== 0 && b[i] !== 0x20) return undefined;
  return v;
}

function headerName(b: Uint8Array, at: number): string {
  const name = cString(b.subarray(at, at + 100));
  const isUstar = b[at + 257] === 0x75 && b[at + 258] === 0x73 && b[at + 259] === 0x74 && b[at + 260] === 0x61 && b[at + 261] === 0x72 && b[at + 262] === 0;
  const prefix = isUstar ? cString(b.subarray(at + 345, at + 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function cString(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return latin1(b, 0, nul < 0 ? b.length : nul);
}

/** `path=` from pax records (`<len> <key>=<value>\n`). */
function paxPath(data: Uint8Array): string | undefined {
  const text = latin1(data, 0, data.length);
  const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text);
  return m?.[1];
}
