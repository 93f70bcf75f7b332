// Fleets of corecheck's own: the built-in fleet is the default, with nothing outside the package;
// a user's fleet is imported with `fleet add`, listed, checked with --fleet, and trimmed with `fleet remove`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../src/report/model.js';
import { EXAMPLE, runCli as cli } from './helpers/cli.js';
import { CORPUS_KERNELS, HOST_BTF, REPO, corpusArchiveOf, extractCorpusBtf, readBytes } from './helpers/inputs.js';
import { openFleetStore, readPackedBlocks } from '../src/fleet/index.js';
import { decompressBlock } from '../src/kernels/block-codec.js';
import { scratchDir } from './helpers/scratch.js';

const dir = scratchDir('fleet');
const DEB = join(REPO, '.cache/debs/linux-image-6.1.0-57-amd64-unsigned_6.1.192-3_amd64.deb');

test('no --kernel: the running kernel and the built-in fleet (from the package alone), each object against its architecture', () => {
  const builtin = cli(['fleet', 'list', '--builtin']);
  assert.equal(builtin.status, 0, builtin.stderr);
  assert.match(builtin.stdout, /^35 kernels in the built-in fleet\n/);
  assert.doesNotMatch(builtin.stdout, /[ \t]+$/m, 'no line ends in blanks');
  const labels = builtin.stdout.split('\n').slice(2).filter((l) => l !== '').map((l) => l.split(/\s+/)[0]);
  assert.equal(labels.length, 35);
  const r = cli(['check', EXAMPLE, '--format', 'json'], { XDG_CACHE_HOME: join(dir, 'empty-cache') });
  assert.equal(r.status, 1, 'the seed case fails on the 4.18/4.19 kernels of the fleet');
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.kernels.map((k) => k.label), [...(existsSync(HOST_BTF) ? [HOST_BTF] : []), ...labels]);
  const el8 = report.objects[0].details.find((d) => d.kernel === 'centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64');
  assert.equal(el8?.verdict, 'fails');
});

test('fleet add / list / remove, and check --fleet: a user store of a kernel package and a BTFHub archive', (t) => {
  if (!existsSync(DEB)) return t.skip(`${DEB} is missing (tools/fetch-kernel-images.sh fetches it)`);
  const store = join(dir, 'mine.fleet');
  const archive = join(CORPUS_KERNELS, 'debian/11/x86_64/5.10.0-32-amd64.btf.tar.xz');
  assert.match(cli(['fleet', 'list', '--fleet', store]).stdout, /^0 kernels in /);
  const add = cli(['fleet', 'add', DEB, archive, '--fleet', store]);
  assert.equal(add.status, 0, add.stderr);
  assert.match(add.stdout, /mine\.fleet: 2 kernels \(2 added\)/);
  const list = cli(['fleet', 'list', '--fleet', store]).stdout;
  assert.match(list, /^2 kernels in .*\nlabel +distro +release +arch +version/);
  assert.match(list, /debian\/12\/x86_64\/6\.1\.0-57-amd64 +debian +12 +x86_64 +6\.1\.0-57-amd64/);
  assert.match(list, /debian\/11\/x86_64\/5\.10\.0-32-amd64/);
  // The store holds the kernels' BTF as it was: the same verdicts as the sources themselves.
  const viaStore = JSON.parse(cli(['check', '/usr/sbin/biolatency', '--fleet', store, '--format', 'json']).stdout) as Report;
  const direct = JSON.parse(cli(['check', '/usr/sbin/biolatency', '--kernel', archive, '--kernel', DEB, '--format', 'json']).stdout) as Report;
  assert.deepEqual(viaStore.objects[0].details.map((d) => d.programs), direct.objects[0].details.map((d) => d.programs));
  assert.equal(cli(['fleet', 'remove', 'debian/11/*', '--fleet', store]).status, 0);
  assert.match(cli(['fleet', 'list', '--fleet', store]).stdout, /^1 kernel in /);
  const bad = cli(['fleet', 'remove', 'nope/*', '--fleet', store]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^corecheck: .*mine\.fleet: fleet store: no kernel labelled nope\/\* in it\n$/);
  const missing = cli(['check', EXAMPLE, '--fleet', join(dir, 'none.fleet')]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /none\.fleet: fleet store: no such file/);
});

test('fleet list with --arch, --distro and --release lists the corpus kernels those filters name, and the ones check then takes', () => {
  const labelsOf = (listing: string): string[] => listing.split('\n').slice(2).filter((l) => l !== '').map((l) => l.split(/\s+/)[0]).sort();
  // by the corpus's own paths: <distro>/<release>/<arch dir>/<kernel>.btf.tar.xz, arm64 as arm64 or aarch64
  const corpus = (distro: string, arches: readonly string[], kernel: RegExp): string[] => readdirSync(CORPUS_KERNELS, { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('.btf.tar.xz'))
    .map((p) => p.slice(0, -'.btf.tar.xz'.length).split('/'))
    .filter(([d, , a, k]) => d === distro && arches.includes(a) && kernel.test(k))
    .map(([d, r, , k]) => `${d}/${r}/arm64/${k}`)
    .sort();
  const filters = ['--arch', 'aarch64', '--distro', 'debian', '--release', '>=5.4 <6.2'];
  const listed = cli(['fleet', 'list', '--builtin', ...filters]);
  assert.equal(listed.status, 0, listed.stderr);
  const expected = corpus('debian', ['arm64', 'aarch64'], /^(5\.|6\.[01]\.)/);
  assert.ok(expected.length >= 3, 'the corpus has Debian arm64 5.10 and 6.1 kernels');
  assert.match(listed.stdout, new RegExp(`^${expected.length} of 35 kernels in the built-in fleet\n`));
  assert.deepEqual(labelsOf(listed.stdout), expected);
  const checked = JSON.parse(cli(['check', EXAMPLE, '--fleet', join(REPO, 'fleet/builtin.fleet'), ...filters, '--format', 'json']).stdout) as Report;
  assert.deepEqual(checked.kernels.map((k) => k.label).sort(), expected);
  const bad = cli(['fleet', 'list', '--builtin', '--release', 'soon']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^corecheck: option --release: 'soon': .*\n$/);
});

test('fleet add and remove pack again only the blocks whose kernels change; the others are copied, and every kernel reads back as its archive holds it', () => {
  // The built-in store's blocks are packed at a higher quality than fleet add packs: a block
  // packed again would differ, a copied one is the same bytes.
  const store = join(dir, 'incremental.fleet');
  copyFileSync(join(REPO, 'fleet/builtin.fleet'), store);
  const blocksBy = (bytes: Uint8Array): Map<string, Uint8Array> => new Map(readPackedBlocks(bytes).map((b) => [b.kernels.map((k) => k.label).join(' '), b.packed]));
  const builtin = blocksBy(readBytes(store));
  const removed = cli(['fleet', 'remove', 'debian/sid/*', '--fleet', store]);
  assert.equal(removed.status, 0, removed.stderr);
  assert.match(removed.stdout, /27 kernels \(8 removed\)/);
  const without = readBytes(store);
  assert.deepEqual(blocksBy(without), new Map([...builtin].filter(([kernels]) => !kernels.startsWith('debian/sid/'))), 'the other four blocks, copied');

  const sid = 'debian/sid/x86_64/7.2.13+deb14-amd64';
  const add = cli(['fleet', 'add', join(CORPUS_KERNELS, corpusArchiveOf(sid)), '--fleet', store]);
  assert.equal(add.status, 0, add.stderr);
  assert.match(add.stdout, /28 kernels \(1 added\)/);
  const withSid = readBytes(store);
  const now = blocksBy(withSid);
  for (const [kernels, packed] of blocksBy(without)) assert.deepEqual(now.get(kernels), packed, `block of ${kernels.split(' ')[0]}… copied`);
  assert.ok(now.has(sid), 'a block of its own for the added kernel');
  // every kernel of the new store is the BTF its corpus archive holds
  const opened = openFleetStore(withSid, decompressBlock);
  for (const k of opened.kernels) {
    const raw = extractCorpusBtf(corpusArchiveOf(k.label), dir);
    assert.deepEqual(opened.load(k.label), readBytes(raw), k.label);
    rmSync(raw);
  }
  // removing it again gives back the store as it was
  assert.equal(cli(['fleet', 'remove', sid, '--fleet', store]).status, 0);
  assert.deepEqual(readBytes(store), without);
});

test('fleet add shows a progress bar on a terminal (the kernels as they are read), and none when piped', (t) => {
  if (!existsSync('/usr/bin/script')) return t.skip('util-linux script (a pseudo-terminal) is not installed');
  const trees = [join(CORPUS_KERNELS, 'debian/11'), join(CORPUS_KERNELS, 'debian/12/x86_64')];
  // reading eleven archives takes seconds: the bar shows after one
  const cmd = `${process.execPath} ${join(REPO, 'dist/cli/main.js')} fleet add ${trees.join(' ')} --fleet ${join(dir, 'progress.fleet')}`;
  const tty = spawnSync('script', ['-q', '-e', '-c', cmd, '/dev/null'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(tty.status, 0, tty.stderr);
  assert.match(tty.stdout, /█+░*.* \d+\/11 kernels read/);
  assert.match(tty.stdout, /progress\.fleet: 11 kernels \(11 added\)/);
  const piped = cli(['fleet', 'add', ...trees, '--fleet', join(dir, 'piped.fleet')]);
  assert.equal(piped.status, 0, piped.stderr);
  assert.equal(piped.stderr, '');
});

test('a kernel given twice (a tree, a file in it, a fleet holding it) is checked once, where first given', () => {
  const tree = join(CORPUS_KERNELS, 'debian/12/x86_64');
  const once = cli(['check', EXAMPLE, '--kernel', tree, '--format', 'json']);
  // the fleet's debian 12 kernels of other architectures come after the tree's
  const twice = cli(['check', EXAMPLE, '--kernel', tree, '--kernel', join(tree, '6.1.0-57-amd64.btf.tar.xz'), '--kernel', tree,
    '--fleet', join(REPO, 'fleet/builtin.fleet'), '--distro', 'debian/12', '--format', 'json']);
  assert.equal(once.status, 0, once.stderr);
  assert.equal(twice.status, 0, twice.stderr);
  const labels = (JSON.parse(once.stdout) as Report).kernels.map((k) => k.label);
  assert.equal(new Set(labels).size, labels.length);
  const got = (JSON.parse(twice.stdout) as Report).kernels.map((k) => k.label);
  assert.deepEqual(got.slice(0, labels.length), labels);
  assert.ok(got.length > labels.length && got.slice(labels.length).every((l) => l.startsWith('debian/12/') && !l.includes('/x86_64/')), got.join(' '));
});
