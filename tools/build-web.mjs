#!/usr/bin/env node
// Builds the web app (src/web/) into dist/web/: a static site of plain files (index.html, style.css,
// main.js, worker.js and the built-in fleet store), served by `corecheck serve` or by any static
// host (GitHub Pages). esbuild bundles; `tsc -p tsconfig.web.json` type-checks (npm run build runs both).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/web');
const web = join(root, 'src/web');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { main: join(web, 'main.ts'), worker: join(web, 'worker.ts') },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16.4'],
  minify: true,
  sourcemap: true,
  // xz filters the JS decoder lacks fall back to liblzma, a native addon: not in a browser
  external: ['lzma-native'],
  logLevel: 'warning',
});

// The report (report/html.ts) runs in an iframe that inherits this page's policy: its one inline
// script is allowed by hash, like the HTML report's own policy does.
const client = await build({ entryPoints: [join(root, 'src/report/html-client.ts')], bundle: true, write: false, format: 'esm' });
const { CLIENT_SCRIPT } = await import(`data:text/javascript;base64,${Buffer.from(client.outputFiles[0].text).toString('base64')}`);
const reportScript = createHash('sha256').update(CLIENT_SCRIPT, 'utf8').digest('base64');

/** Only the page's own files: no request can carry a user's data anywhere else. */
const csp = [
  "default-src 'none'",
  `script-src 'self' 'sha256-${reportScript}'`,
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
writeFileSync(join(out, 'index.html'), readFileSync(join(web, 'index.html'), 'utf8').replace('%CSP%', csp));
copyFileSync(join(web, 'style.css'), join(out, 'style.css'));
copyFileSync(join(root, 'fleet/builtin.fleet'), join(out, 'builtin.fleet'));
