import { readFile } from 'node:fs/promises';
import { writeSync } from 'node:fs';
import { CorecheckError } from '../common/errors.js';

/** Reads a whole input file; a missing or unreadable path becomes a one-line CorecheckError. */
export async function readInput(path: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file or directory'
      : err.code === 'EISDIR' ? 'is a directory, expected a file'
        : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new CorecheckError('NOT_FOUND', 'file', -1, why, path);
  }
}

/**
 * Writes to stdout synchronously, as Latin-1 so BTF names round-trip byte for byte. A closed pipe
 * (`corecheck btf dump … | head`) ends the process quietly instead of throwing EPIPE.
 */
export function writeOut(chunk: string, encoding: 'latin1' | 'utf8' = 'utf8'): void {
  const buf = Buffer.from(chunk, encoding);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off, buf.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE') process.exit(0);
      throw e;
    }
  }
}
