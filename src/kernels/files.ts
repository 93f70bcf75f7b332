import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CorecheckError } from '../common/errors.js';
import { BTFHUB_SUFFIX, RAW_BTF_SUFFIX } from './kernel-info.js';
import { kernelBuffers } from './kernel-buffers.js';

/** File system access for kernel sources; everything else in kernels/ works on bytes. */

function notFound(path: string, e: unknown): CorecheckError {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === 'ENOENT' ? 'no such file or directory'
    : err.code === 'EISDIR' ? 'is a directory, expected a file'
      : err.code === 'EACCES' ? 'permission denied' : err.message;
  return new CorecheckError('NOT_FOUND', 'file', -1, why, path);
}

/**
 * Reads a whole input file; a missing or unreadable path becomes a one-line CorecheckError.
 * The read itself is synchronous: a thread of a fleet run reads a kernel only to parse it next, so
 * handing the copy to libuv's pool only made the thread wait for a pool thread to get a core (on
 * 2 cores, a cold `btfgen` over 35 raw kernel files spent about a tenth of its time so).
 */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    const buf = readFileSync(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    throw notFound(path, e);
  }
}

/**
 * `readFileBytes` into a buffer `kernelBuffers` lends: for a kernel's BTF or index, given back
 * (`kernelBuffers.give`) once nothing reads it. A file whose size `stat` does not tell (procfs
 * files say 0) is read as `readFileBytes` reads it, into a buffer of its own, which `give` ignores.
 */
export function readFileLent(path: string): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size === 0) {
      const buf = readFileSync(fd);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    const size = stat.size;
    const bytes = kernelBuffers.take(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, bytes, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    // a file that shrank while it was read: its bytes so far, still a view of the lent buffer
    return at === size ? bytes : bytes.subarray(0, at);
  } catch (e) {
    throw notFound(path, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The first `n` bytes of a file (fewer if it is shorter). */
export async function readHead(path: string, n: number): Promise<Uint8Array> {
  let fh;
  try {
    fh = await open(path, 'r');
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } catch (e) {
    throw notFound(path, e);
  } finally {
    await fh?.close();
  }
}

/** `length` bytes of a file from `offset` (fewer if it ends first). */
export async function readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
  let fh;
  try {
    fh = await open(path, 'r');
    const buf = new Uint8Array(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  } catch (e) {
    throw notFound(path, e);
  } finally {
    await fh?.close();
  }
}

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    throw notFound(path, e);
  }
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (e) {
    throw notFound(path, e);
  }
}

/** Every `*.btf.tar.xz` below `dir`, unsorted. Links to directories are not followed (no loops). */
export const findBtfHubArchives = (dir: string): Promise<string[]> => findFilesBelow(dir, [BTFHUB_SUFFIX]);

/**
 * Every BTFHub file below `dir`, unsorted: archives (`*.btf.tar.xz`) and raw BTF (`*.btf`, as
 * `corecheck btfgen` and BTFHub's own btfgen write them).
 */
export const findBtfHubFiles = (dir: string): Promise<string[]> => findFilesBelow(dir, [BTFHUB_SUFFIX, RAW_BTF_SUFFIX]);

/** Every file below `dir` whose name ends with one of `suffixes`. Links to directories are not followed (no loops). */
async function findFilesBelow(dir: string, suffixes: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (e) {
      throw notFound(d, e);
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (suffixes.some((x) => e.name.endsWith(x))) found.push(p);
    }
  };
  await walk(dir);
  return found;
}
