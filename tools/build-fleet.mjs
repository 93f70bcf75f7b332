#!/usr/bin/env node
// Regenerates fleet/builtin.fleet, corecheck's built-in default fleet, from the BTFHub-layout
// corpus (CORECHECK_CORPUS, default ../shared/corpus beside the clone): every <distro>/<release>/<arch>/<kernel>.btf.tar.xz
// below kernels/. Run after `npm run build` (it uses the compiled codec in dist/):
//
//   node tools/build-fleet.mjs [output]        # default output: fleet/builtin.fleet
//
// FLEET_GROUP_BY=family|kernel (default series; src/kernels/builtin-fleet-groups.ts) builds the
// other groupings, to measure them.
//
// The BTF comes from each archive through corecheck's own archive reader; the tests compare it
// with `tar -xJf`. Blocks are compressed with Node's Brotli at fixed parameters
// (src/kernels/block-codec.ts), so the same corpus gives the same bytes on every run. The encoder reads every kernel back
// before returning and fails if one is not byte-identical.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { encodeFleet } = await import(join(root, 'dist/src/fleet/index.js'));
const { readBtfHubArchive } = await import(join(root, 'dist/src/kernels/archive.js'));
const { findBtfHubArchives } = await import(join(root, 'dist/src/kernels/files.js'));
const { btfHubLabel, infoFromBtfHubPath } = await import(join(root, 'dist/src/kernels/kernel-info.js'));
const { groupKey } = await import(join(root, 'dist/src/kernels/builtin-fleet-groups.js'));
const { BROTLI_BLOCKS } = await import(join(root, 'dist/src/kernels/block-codec.js'));

const corpus = resolve(process.env.CORECHECK_CORPUS ?? join(root, '../shared/corpus'));
const out = resolve(process.argv[2] ?? join(root, 'fleet/builtin.fleet'));
const archives = await findBtfHubArchives(join(corpus, 'kernels'));
if (archives.length === 0) throw new Error(`no .btf.tar.xz archives below ${join(corpus, 'kernels')}`);

const kernels = [];
for (const path of archives) {
  const info = infoFromBtfHubPath(resolve(path));
  const label = btfHubLabel(info);
  if (!label) throw new Error(`${path}: not in the BTFHub layout <distro>/<release>/<arch>/<kernel>.btf.tar.xz`);
  const { bytes } = await readBtfHubArchive(new Uint8Array(readFileSync(path)), info.kernel);
  kernels.push({ info: { label, distro: info.distro, release: info.release, arch: info.arch, kernel: info.kernel }, btf: bytes.slice(), group: groupKey(info, process.env.FLEET_GROUP_BY ?? 'series') });
}
// Group by group key, then smallest BTF first (then by label): the order fixes the bytes (format 2
// decoded a block only up to the kernel asked for, so the smallest came first; format 3 decodes
// whole blocks, and the order is kept). FLEET_ORDER=label orders by label only, to measure.
const bySize = (process.env.FLEET_ORDER ?? 'size') === 'size';
kernels.sort((a, b) => cmp(a.group, b.group) || (bySize ? a.btf.length - b.btf.length : 0) || cmp(a.info.label, b.info.label));

const { store, stats } = encodeFleet(kernels, BROTLI_BLOCKS);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, store);
for (const g of stats.groups) console.log(`${g.key.padEnd(28)} ${String(g.kernels).padStart(2)} kernels  unpacked ${mb(g.unpacked)}  packed ${mb(g.packed)}`);
if (stats.rawKernels.length) console.log(`stored raw (columns did not fit): ${stats.rawKernels.join(', ')}`);
console.log(`${relative(process.cwd(), out)}: ${kernels.length} kernels, ${store.length} bytes (${mb(store.length)})`);

function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
function mb(n) { return `${(n / 1e6).toFixed(2)} MB`; }
