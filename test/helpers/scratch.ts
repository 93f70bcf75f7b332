// A test file's scratch directory, removed when its process exits: a full run
// creates dozens of them, some hundreds of MB, and leftovers fill the disk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the system temp dir, named `corecheck-<purpose>-…`, deleted at process exit. */
export function scratchDir(purpose: string): string {
  const dir = mkdtempSync(join(tmpdir(), `corecheck-${purpose}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
