import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { CorecheckError } from '../common/errors.js';

/**
 * Writes a whole file or nothing: the text goes to a temporary file beside it, renamed over the
 * target once complete, so an interrupted or failed run never leaves a partial report for CI to read.
 */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new CorecheckError('NOT_FOUND', 'output file', -1, `cannot write it: ${(e as Error).message.replace(/^[A-Z]+: /, '')}`, path);
  }
}
