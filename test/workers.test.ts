// All cores: kernels are loaded and checked in worker threads (--jobs; by default one per core when
// the run is big enough to pay for them), with the same report as checking them one by one in the
// main thread, and the same one-line errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { constants, getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { basename, join, resolve } from 'node:path';
import { CORPUS_KERNELS, extractCorpusBtf } from './helpers/inputs.js';
import { Btf } from '../src/btf/btf.js';
import { encodeKernelIndex } from '../src/btf/kernel-index.js';
import { EXAMPLE, runCli as cli } from './helpers/cli.js';
import { loadBatches } from '../src/cli/commands/check.js';
import { KernelClaims } from '../src/cli/fleet/claims.js';
import { threadsWorthStarting } from '../src/cli/fleet/threads.js';
import { KernelCache } from '../src/kernels/cache.js';
import { builtinFleetPath, openKernelSources, type KernelSource } from '../src/kernels/index.js';
import { builtinFleetSources } from '../src/kernels/builtin-fleet.js';
import { scratchDir } from './helpers/scratch.js';

const dir = scratchDir('workers');

test('worker threads give the report checking in one thread gives (libbpf-tools objects and the example, every corpus kernel)', () => {
  const inputs = ['/usr/sbin/biolatency', '/usr/sbin/klockstat', '/usr/sbin/slabratetop', EXAMPLE, '--kernel', CORPUS_KERNELS, '--format', 'json', '--arch', 'all'];
  const one = cli(['check', ...inputs, '--jobs', '1']);
  const three = cli(['check', ...inputs, '--jobs', '3']);
  assert.equal(three.status, one.status);
  assert.equal(three.stderr, '');
  assert.equal(three.stdout, one.stdout);
  assert.ok(JSON.parse(one.stdout).kernels.length === 35);
});

test('the built-in store in workers: the kernels of a block are claimed together, and the report is the one-thread report', () => {
  const inputs = ['/usr/sbin/biolatency', EXAMPLE, '--fleet', builtinFleetPath(), '--format', 'json', '--arch', 'all', '--no-cache'];
  const one = cli(['check', ...inputs, '--jobs', '1']);
  const two = cli(['check', ...inputs, '--jobs', '2']);
  assert.equal(two.stderr, '');
  assert.equal(two.stdout, one.stdout);
  assert.equal(JSON.parse(two.stdout).kernels.length, 35);
});

test('loadBatches: sources that load together form one task, largest first, each in fleet order', () => {
  const source = (label: string, loadsWith?: string): KernelSource => ({ label, path: label, format: 'fleet-store', info: {}, loadsWith, load: () => Promise.reject(new Error('not loaded')) });
  const batches = loadBatches([source('a', 's#0'), source('b'), source('c', 's#1'), source('d', 's#1'), source('e', 's#0'), source('f', 's#1')]);
  assert.deepEqual(batches, [[2, 3, 5], [0, 4], [1]]);
});

test('loadBatches: with BTF sizes known, the heaviest batch first and the heaviest kernel first in it', () => {
  const MB = 1 << 20;
  const source = (label: string, loadsWith: string, btfBytes: number): KernelSource => ({ label, path: label, format: 'fleet-store', info: {}, loadsWith, btfBytes, load: () => Promise.reject(new Error('not loaded')) });
  // the built-in store's 4.x block: three small kernels and CentOS 8's 27 MB arm64 BTF, against a block of five 5 MB kernels
  const batches = loadBatches([
    source('kylin', 's#0', 2 * MB), source('bclinux', 's#0', 4 * MB), source('centos', 's#0', 27 * MB),
    ...[5, 6, 7, 8, 9].map((i) => source(`debian${i}`, 's#1', 5 * MB)),
  ]);
  assert.deepEqual(batches, [[2, 1, 0], [3, 4, 5, 6, 7]]);
});

test('kernel claims: each kernel goes to exactly one thread; whole batches first, then the end of the busiest batch', () => {
  const batches = [[0, 1, 2, 3, 4], [5, 6], [7]];
  const memory = KernelClaims.memory(8);
  const [a, b] = [new KernelClaims(batches, memory).take(), new KernelClaims(batches, memory).take()];
  const taken: string[] = [];
  const step = (name: string, it: Generator<number>): boolean => {
    const r = it.next();
    if (!r.done) taken.push(`${name}${r.value}`);
    return !r.done;
  };
  step('a', a); // a claims batch 0
  step('b', b); // b claims batch 1
  step('b', b);
  step('b', b); // b claims batch 2
  step('b', b); // no batch left: b takes from the end of batch 0, which still has 4 unclaimed
  step('a', a);
  while (step('a', a) || step('b', b));
  assert.deepEqual(taken.slice(0, 6), ['a0', 'b5', 'b6', 'b7', 'b4', 'a1']);
  assert.deepEqual(taken.map((t) => Number(t.slice(1))).sort(), [0, 1, 2, 3, 4, 5, 6, 7], 'every kernel once');

  // A batch's last unclaimed kernel is left to its owner; abandon() ends every thread's claims.
  const alone = KernelClaims.memory(3);
  const owner = new KernelClaims([[0, 1], [2]], alone).take();
  const helper = new KernelClaims([[0, 1], [2]], alone).take();
  assert.equal(owner.next().value, 0);
  assert.equal(helper.next().value, 2);
  assert.ok(helper.next().done, 'one kernel left in the batch: not worth a second decode of its block');
  const third = new KernelClaims([[0, 1], [2]], KernelClaims.memory(3));
  third.abandon();
  assert.ok(third.take().next().done);
});

test('a worker lowers its own priority, not the main thread\'s (Linux: per-thread nice)', { skip: !existsSync('/proc/thread-self') && 'no /proc/thread-self' }, async () => {
  const tidOf = (link: string): number => Number(link.split('/').pop());
  const module = new URL('../src/cli/fleet/thread-priority.js', import.meta.url).href;
  const worker = new Worker(`import(${JSON.stringify(module)}).then((m) => { m.lowerThreadPriority(); require('node:worker_threads').parentPort.postMessage(require('node:fs').readlinkSync('/proc/thread-self')); });`, { eval: true });
  const link = await new Promise<string>((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
  try {
    assert.equal(getPriority(tidOf(link)), constants.priority.PRIORITY_LOW, 'the worker thread runs at the lowest priority');
    assert.equal(getPriority(tidOf(readlinkSync('/proc/thread-self'))), getPriority(), 'the main thread keeps the process\'s priority');
  } finally {
    await worker.terminate();
  }
});

test('an error in a worker is the same one line, exit 2, as in the main thread', () => {
  // A BTFHub tree with one truncated archive among good ones.
  const tree = join(dir, 'tree/debian/12/x86_64');
  mkdirSync(tree, { recursive: true });
  for (const k of ['6.1.0-57-amd64', '6.1.0-47-amd64']) copyFileSync(join(CORPUS_KERNELS, `debian/12/x86_64/${k}.btf.tar.xz`), join(tree, `${k}.btf.tar.xz`));
  writeFileSync(join(tree, '6.1.0-99-amd64.btf.tar.xz'), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00]));
  const inThread = cli(['check', EXAMPLE, '--kernel', join(dir, 'tree'), '--jobs', '1']);
  const inWorkers = cli(['check', EXAMPLE, '--kernel', join(dir, 'tree'), '--jobs', '2']);
  assert.equal(inThread.status, 2);
  assert.equal(inWorkers.status, 2);
  assert.match(inWorkers.stderr, /^corecheck: .*6\.1\.0-99-amd64\.btf\.tar\.xz: .*\n$/);
  assert.equal(inWorkers.stderr, inThread.stderr);
  assert.equal(inWorkers.stdout, '');
  for (const bad of ['0', 'x', '1.5']) assert.equal(cli(['check', EXAMPLE, '--jobs', bad]).status, 2, bad);
});

test('kernel cache: BTF found in archives and its parse index are kept by content hash under $XDG_CACHE_HOME/corecheck, reused, repaired when damaged; --no-cache keeps nothing', () => {
  const cacheHome = join(dir, 'cache');
  const kernels = join(CORPUS_KERNELS, 'debian/12/x86_64');
  const run = (extra: string[] = []): ReturnType<typeof cli> =>
    cli(['check', EXAMPLE, '--kernel', kernels, '--format', 'json', ...extra], { XDG_CACHE_HOME: cacheHome });
  const archives = readdirSync(kernels).filter((f) => f.endsWith('.btf.tar.xz'));
  const cold = run(['--no-cache']);
  assert.equal(cold.status, 0, cold.stderr);
  assert.ok(!existsSync(cacheHome), '--no-cache writes nothing');
  assert.equal(run().stdout, cold.stdout);
  const store = join(cacheHome, 'corecheck/btf/v1');
  const entries = readdirSync(store).sort();
  const expected = archives.flatMap((a) => ['btf', 'idx'].map((ext) => `${createHash('sha256').update(readFileSync(join(kernels, a))).digest('hex')}.${ext}`)).sort();
  assert.deepEqual(entries, expected, 'the BTF and its index per archive, named by its sha256');
  // The cached BTF is the archive's own, byte for byte (system tar is the reference).
  const a = archives[0];
  execFileSync('tar', ['-xJf', join(kernels, a), '-C', dir]);
  const entry = join(store, `${createHash('sha256').update(readFileSync(join(kernels, a))).digest('hex')}.btf`);
  assert.deepEqual(readFileSync(entry), readFileSync(join(dir, a.replace(/\.tar\.xz$/, ''))));
  assert.equal(run().stdout, cold.stdout, 'warm: the same report');
  writeFileSync(entry, 'damaged');
  assert.equal(run().stdout, cold.stdout, 'a damaged entry is found again');
  assert.deepEqual(readFileSync(entry), readFileSync(join(dir, a.replace(/\.tar\.xz$/, ''))), 'and repaired');
  // The index is the one encodeKernelIndex makes of that BTF; a damaged one is refused, rebuilt, and changes nothing.
  const index = entry.replace(/\.btf$/, '.idx');
  const good = readFileSync(index);
  assert.deepEqual(new Uint8Array(good), encodeKernelIndex(Btf.parse(new Uint8Array(readFileSync(entry)))));
  const flipped = Buffer.from(good);
  flipped[flipped.length - 1] ^= 1;
  writeFileSync(index, flipped);
  assert.equal(run().stdout, cold.stdout, 'a damaged index is not used');
  assert.deepEqual(readFileSync(index), good, 'and is rebuilt');
});

test('kernel cache: a raw BTF file is read as it is, its parse index kept by path and checked against the bytes', () => {
  const cacheHome = join(dir, 'cache-raw');
  const raw = extractCorpusBtf('debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz', dir);
  const run = (): ReturnType<typeof cli> => cli(['check', EXAMPLE, '--kernel', raw, '--format', 'json'], { XDG_CACHE_HOME: cacheHome });
  const cold = run();
  assert.equal(cold.status, 0, cold.stderr);
  const store = join(cacheHome, 'corecheck/btf/v1');
  const index = join(store, `${createHash('sha256').update(`raw BTF file\0${resolve(raw)}`).digest('hex')}.idx`);
  assert.deepEqual(readdirSync(store), [basename(index)], 'an index, no copy of the BTF');
  assert.deepEqual(new Uint8Array(readFileSync(index)), encodeKernelIndex(Btf.parse(new Uint8Array(readFileSync(raw)))));
  assert.equal(run().stdout, cold.stdout, 'warm: the same report');
  // another kernel's BTF at the same path: the kept index was made for other bytes, so it is made again
  mkdirSync(join(dir, 'other'), { recursive: true });
  const other = extractCorpusBtf('bclinux/21.10U3/x86_64/4.19.90-2107.6.0.0248.35.oe1.bclinux.x86_64.btf.tar.xz', join(dir, 'other'));
  copyFileSync(other, raw);
  const fresh = cli(['check', EXAMPLE, '--kernel', raw, '--format', 'json', '--no-cache']);
  const replaced = run();
  assert.equal(replaced.stdout, fresh.stdout, 'the report of the file as it is now');
  assert.notEqual(replaced.stdout, cold.stdout);
  assert.deepEqual(new Uint8Array(readFileSync(index)), encodeKernelIndex(Btf.parse(new Uint8Array(readFileSync(raw)))), 'and its index replaced');
});

test('default threads: this one alone for a small run whose kernels are all cached, one per core for a cold one', async () => {
  // what the cache holds decides: a kernel is cached once a run has loaded it
  const cache = new KernelCache(join(dir, 'default-threads-cache'));
  const [source] = await openKernelSources(join(CORPUS_KERNELS, 'kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64.btf.tar.xz'));
  assert.equal(await cache.has(source), false);
  await (await cache.wrap(source)).load();
  await cache.flush(); // the cache writes in the background
  assert.equal(await cache.has(source), true);
  // the runs of bench/fleet-bench.ts and bench/btfgen-bench.ts: 52 objects on the 35 built-in kernels
  assert.equal(threadsWorthStarting({ cached: 35, uncached: 0, objectFiles: 52 }, 4), 1, 'warm: a worker costs more than it gives');
  assert.equal(threadsWorthStarting({ cached: 0, uncached: 35, objectFiles: 52 }, 4), 4, 'cold: decoding the store is worth every core');
  assert.equal(threadsWorthStarting({ cached: 0, uncached: 35, objectFiles: 1 }, 4), 4);
  assert.equal(threadsWorthStarting({ cached: 1000, uncached: 0, objectFiles: 52 }, 4), 4, 'a big fleet, even warm');
  assert.equal(threadsWorthStarting({ cached: 0, uncached: 1000, objectFiles: 52 }, 1), 1, 'one core: one thread');
});

test('kernel cache: a released kernel\'s buffer is lent to the next kernel, but not before the cache has written its bytes', async () => {
  const cache = new KernelCache(join(dir, 'lent-buffers-cache'));
  const sources = await builtinFleetSources();
  const [first, second] = ['debian/12/x86_64/6.1.0-47-amd64', 'debian/12/x86_64/6.1.0-57-amd64'].map((label) => sources.find((s) => s.label === label)!);
  const wrapped = [await cache.wrap(first), await cache.wrap(second)];
  const a = await wrapped[0].load();
  const aBytes = a.btf.bytes.slice();
  const aBuffer = a.btf.bytes.buffer;
  assert.ok(a.release, 'a kernel rebuilt from the store lends its buffer');
  // released while its cache write may still run: the next kernel must not be rebuilt over it
  a.release();
  const b = await wrapped[1].load();
  await cache.flush();
  const files = readdirSync(join(dir, 'lent-buffers-cache')).filter((f) => f.endsWith('.btf'));
  const written = files.map((f) => new Uint8Array(readFileSync(join(dir, 'lent-buffers-cache', f))));
  assert.ok(written.some((w) => Buffer.compare(w, aBytes) === 0), 'the first kernel\'s cached BTF is its bytes as loaded');
  assert.ok(written.some((w) => Buffer.compare(w, b.btf.bytes) === 0), 'and the second\'s');
  // once the writes are over, the buffers go back: the next load of that size takes one of them
  const bBuffer = b.btf.bytes.buffer;
  assert.notEqual(bBuffer, aBuffer, 'not lent while the first kernel\'s write could still run');
  b.release!();
  await cache.flush();
  await new Promise((resolve) => setImmediate(resolve));
  const again = await wrapped[0].load(); // from the cache now: its BTF file read into a lent buffer
  assert.ok(again.btf.bytes.buffer === aBuffer || again.btf.bytes.buffer === bBuffer, 'a released buffer is reused');
  assert.deepEqual(again.btf.bytes, aBytes);
  again.release!();
});

test('kernel cache: temporary files of a killed run are removed by the next run that writes, those of a live process kept', async () => {
  const home = join(dir, 'sweep-cache');
  const cache = new KernelCache(home);
  mkdirSync(home, { recursive: true });
  const exited = spawnSync(process.execPath, ['-e', '0']).pid!;
  const dead = join(home, `${'a'.repeat(64)}.btf.${exited}.k2j4x.tmp`);
  const live = join(home, `${'b'.repeat(64)}.idx.${process.ppid}.q9z.tmp`);
  const other = join(home, 'notes.txt');
  for (const f of [dead, live, other]) writeFileSync(f, 'partial');
  const [source] = await openKernelSources(join(CORPUS_KERNELS, 'kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64.btf.tar.xz'));
  await (await cache.wrap(source)).load();
  await cache.flush();
  assert.equal(existsSync(dead), false, 'the killed run\'s file is gone');
  assert.equal(existsSync(live), true, 'a running process\'s file stays');
  assert.equal(existsSync(other), true, 'files the cache did not name are left alone');
  assert.equal(readdirSync(home).filter((f) => f.endsWith('.tmp')).length, 1, 'and this run left none');
});
