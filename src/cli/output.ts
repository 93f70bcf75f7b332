import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CorecheckError } from '../common/errors.js';

const cannotWrite = (path: string, e: unknown, what = 'output file'): CorecheckError =>
  new CorecheckError('NOT_FOUND', what, -1, `cannot write it: ${(e as Error).message.replace(/^[A-Z]+: /, '')}`, path);

/**
 * Writes a whole file or nothing: the text goes to a temporary file beside it, renamed over the
 * target once complete, so an interrupted or failed run never leaves a partial report for CI to read.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeFilesAtomic([{ path, data }], { makeDirs: false });
}

/**
 * Writes every file whole, or none of them: all are written to temporary files first (with
 * `makeDirs`, creating the directories they need), then renamed into place; on a failure the
 * temporary files and the directories made for them are removed, so a failed run leaves no partial
 * output. `what` names the files in the error.
 */
export function writeFilesAtomic(
  files: readonly { readonly path: string; readonly data: string | Uint8Array }[], { makeDirs = true, what = 'output file' } = {},
): void {
  const made: string[] = [];
  const temps: string[] = [];
  let current = '';
  try {
    for (const f of files) {
      current = f.path;
      const missing = makeDirs ? missingDirs(dirname(f.path)) : [];
      if (missing.length > 0) mkdirSync(dirname(f.path), { recursive: true });
      made.push(...missing);
      const tmp = `${f.path}.${process.pid}.tmp`;
      temps.push(tmp);
      writeFileSync(tmp, f.data);
    }
    files.forEach((f, i) => {
      current = f.path;
      renameSync(temps[i], f.path);
    });
  } catch (e) {
    // what cannot be removed (never made, or a directory something else wrote into meanwhile) stays
    const quietly = (remove: () => void): void => {
      try {
        remove();
      } catch {
        // nothing to undo
      }
    };
    for (const t of temps) quietly(() => rmSync(t, { force: true }));
    for (const d of made.reverse()) quietly(() => rmdirSync(d)); // deepest first
    throw cannotWrite(current, e, what);
  }
}

/** The directories of `dir`'s path that do not exist yet, outermost first. */
function missingDirs(dir: string): string[] {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d);
  return missing;
}

/**
 * Fails early when `dir` cannot become a writable directory: it is something else, or its nearest
 * existing ancestor is not a directory one may write in. A long run then does not end in an error.
 */
export function vetOutputDir(dir: string): void {
  let d = resolve(dir);
  while (!existsSync(d)) d = dirname(d);
  try {
    if (!statSync(d).isDirectory()) throw new Error(`${d} is not a directory`);
    accessSync(d, constants.W_OK);
  } catch (e) {
    throw cannotWrite(dir, e, 'output directory');
  }
}
