import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A file the package ships (the built-in fleet store, the web app), by its path from the package
 * root. The root is found upwards from this module: the compiled tree (`dist/src/kernels/`) and the
 * bundled CLI (`dist/cli/`) sit at different depths below it.
 */
export function packageFile(relative: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    // not inside a package: only a copied module could be; the path then names where the file would be
    if (up === dir) return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', relative);
    dir = up;
  }
  return join(dir, relative);
}
