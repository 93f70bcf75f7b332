// Benchmark (not a test): a whole fleet run, the CLI as a user runs it — every libbpf-tools object
// (the 52 distinct binaries' objects, .cache/objects/libbpf-tools) against the built-in fleet
// (`--fleet fleet/builtin.fleet`: the store alone, not the running kernel) — next to the reference
// tools, measured in the same run:
//   xz          `xz -dc` of each of the fleet's 35 corpus archives, one after another; "per core"
//               divides the sum by the cores corecheck's workers use (os.availableParallelism()).
//   cold        the CLI with an empty kernel cache ($XDG_CACHE_HOME in a fresh directory): it
//               decodes the store and fills the cache; median of BENCH_COLD_RUNS (3), each with
//               its own fresh cache.                          Target: ≤ 1.5 × xz per core.
//   warm        the same command again, the cache filled; median of BENCH_WARM_RUNS (5).
//   warm -j1    the same with every kernel checked in the main thread (no workers): what one thread
//               does, next to what the machine's cores add to it (the default, one thread per core).
//   libbpf      libbpf 1.5's open + CO-RE (.cache/bin/open-core, bench/open-core.c) over the same
//               (object, kernel) pairs as corecheck checked (read from the cold run's JSON): one
//               process per kernel over all its objects, each kernel's BTF extracted beforehand
//               (untimed). Target: warm ≥ 10 × faster than this loop.
//   memory      peak RSS (/usr/bin/time) of the cold and warm runs, less that of an idle `node -e 0`
//               (how ../shared/reference/facts.md defines memory targets). Target: ≤ 2 GiB.
// Wall times, since the point of workers is to use every core. Run on an otherwise idle machine.
//
//   npm run build --silent && node dist/bench/fleet-bench.js
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinFleetSources } from '../src/kernels/builtin-fleet.js';
import { median, objectsByKernel, timed } from './measure.js';
import { CORPUS_KERNELS, REPO, corpusArchiveOf, extractCorpusBtf } from '../test/helpers/inputs.js';

const CLI = join(REPO, 'dist/cli/main.js');
const STORE = join(REPO, 'fleet/builtin.fleet');
const OPEN_CORE = join(REPO, '.cache/bin/open-core');
const TOOLS = join(REPO, '.cache/objects/libbpf-tools');

const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 3);
const WARM_RUNS = Number(process.env.BENCH_WARM_RUNS ?? 5);

const work = mkdtempSync(join(tmpdir(), 'corecheck-fleet-bench-'));
try {
  execFileSync(join(REPO, 'bench/build-open-core.sh'), { stdio: ['ignore', 'ignore', 'inherit'] });
  const objects = readdirSync(TOOLS).filter((f) => f.endsWith('.bpf.o')).sort().map((f) => join(TOOLS, f));
  const cores = availableParallelism();

  // The fleet's archives, decoded by xz alone.
  const labels = (await builtinFleetSources(STORE)).map((k) => k.label);
  let xzSeconds = 0;
  for (const label of labels) xzSeconds += timed('xz', ['-dc', join(CORPUS_KERNELS, corpusArchiveOf(label))]).seconds;
  const xzPerCore = xzSeconds / cores;

  const idle = timed(process.execPath, ['-e', '0']);
  const cache = join(work, 'xdg');
  const env = { ...process.env, XDG_CACHE_HOME: cache };
  const report = join(work, 'report.json');
  const check = ['check', ...objects, '--fleet', STORE, '--json', '-o', report];
  // Medians: on a shared machine one run measures its neighbours as much as the work.
  const coldRuns = Array.from({ length: COLD_RUNS }, (_, i) =>
    timed(process.execPath, [CLI, ...check], { env: { ...env, XDG_CACHE_HOME: `${cache}-${i}` }, ok: [0, 1] }));
  const warmRuns = Array.from({ length: WARM_RUNS }, () => timed(process.execPath, [CLI, ...check], { env: { ...env, XDG_CACHE_HOME: `${cache}-0` }, ok: [0, 1] }));
  const oneThreadRuns = Array.from({ length: WARM_RUNS }, () => timed(process.execPath, [CLI, ...check, '--jobs', '1'], { env: { ...env, XDG_CACHE_HOME: `${cache}-0` }, ok: [0, 1] }));
  const [cold, warm, oneThread] = [median(coldRuns), median(warmRuns), median(oneThreadRuns)];
  const peakKb = Math.max(...[...coldRuns, ...warmRuns, ...oneThreadRuns].map((r) => r.peakKb));

  // The same (object, kernel) pairs through libbpf: one open-core process per kernel.
  const checked = objectsByKernel(report);
  let libbpfSeconds = 0;
  let pairs = 0;
  for (const [label, objs] of checked) {
    const btf = extractCorpusBtf(corpusArchiveOf(label), work);
    libbpfSeconds += timed(OPEN_CORE, ['--btf', btf, '--runs', '1', ...objs]).seconds;
    rmSync(btf);
    pairs += objs.length;
  }

  const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;
  const s = (x: number): string => `${x.toFixed(2)} s`;
  console.log(`${objects.length} libbpf-tools objects × the built-in fleet (${labels.length} kernels): ${pairs} (object, kernel) pairs; ${cores} cores`);
  console.log(`xz -dc of the ${labels.length} archives   ${s(xzSeconds)}  (${s(xzPerCore)} per core)`);
  console.log(`cold run (empty cache), median    ${s(cold.seconds)}  of ${coldRuns.map((r) => r.seconds.toFixed(2)).join(', ')}`);
  console.log(`warm run (cache filled), median   ${s(warm.seconds)}  of ${warmRuns.map((r) => r.seconds.toFixed(2)).join(', ')}`);
  console.log(`warm run, --jobs 1, median        ${s(oneThread.seconds)}  of ${oneThreadRuns.map((r) => r.seconds.toFixed(2)).join(', ')}`);
  console.log(`libbpf open + CO-RE, same pairs   ${s(libbpfSeconds)}`);
  console.log(`cold / xz per core                ${(cold.seconds / xzPerCore).toFixed(2)}   target ≤ 1.5`);
  console.log(`libbpf loop / warm                ${(libbpfSeconds / warm.seconds).toFixed(1)}   target ≥ 10`);
  console.log(`libbpf loop / warm, --jobs 1      ${(libbpfSeconds / oneThread.seconds).toFixed(1)}`);
  console.log(`peak RSS growth (of every run)    ${mb(peakKb - idle.peakKb)}   target ≤ 2048 MiB`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
