import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests run from dist/test/...). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The shared corpus, beside the repository in the workplace. */
export const SHARED_CORPUS = resolve(REPO, '../shared/corpus');
/** Where a clone without it gets the built-in fleet's kernels in the corpus's layout (corpus-setup.ts). */
export const STORE_CORPUS = join(REPO, '.cache/corpus-from-store');
/**
 * Why corpus-against-store comparisons are skipped: with no shared corpus, the corpus is the store's
 * own kernels, and comparing the store with itself proves nothing. False where the corpus is present.
 */
export const CORPUS_IS_STORE: false | string = existsSync(SHARED_CORPUS) ? false
  : `no ${SHARED_CORPUS} (a user's clone): the corpus here is the built-in store's own kernels, so comparing the store with it proves nothing`;
