import { writeSync } from 'node:fs';
export { readFileBytes as readInput } from '../kernels/files.js';

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
