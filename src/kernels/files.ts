import { readFile } from 'node:fs/promises';
import { CorecheckError } from '../common/errors.js';

/** Reads a whole input file; a missing or unreadable path becomes a one-line CorecheckError. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
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

