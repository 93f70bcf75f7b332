// Benchmark (not a test): a whole fleet run, the CLI as a user runs it — every libbpf-tools object
// (the 52 distinct binaries' objects, .cache/objects/libbpf-tools) against the built-in fleet
// (`--fleet fleet/builtin.fleet`: the store alone, not the running kernel) — next to the reference
// tools, measured in the same run:
//   xz          `xz -dc` of each of the fleet's 35 corpus archives, one after another; "per core"
//               divides the sum by the cores corecheck's workers use (os.availableParallelism()).
//   cold        the CLI with an empty kernel cache ($XDG_CACHE_HOME in a fresh directory): it
//               decodes the store and fills the cache.        Target: ≤ 1.5 × xz per core.
//   warm        the same command again, the cache filled (default threads: cli/fleet/threads.ts
//               picks one thread for a run this small with every kernel cached).
//   warm -jN    the same with --jobs set to the machine's cores: what workers add to a warm run.
//   libbpf      libbpf 1.5's open + CO-RE (.cache/bin/open-core, bench/open-core.c) over the same
//               (object, kernel) pairs as corecheck checked (read from the cold run's JSON): one
//               process per kernel over all its objects, each kernel's BTF extracted beforehand
//               (untimed). Target: warm ≥ 10 × faster than this loop.
//   memory      peak RSS (/usr/bin/time) of the cold and warm runs, less that of an idle `node -e 0`
//               (how ../shared/reference/facts.md defines memory targets). Target: ≤ 2 GiB.
// BENCH_ROUNDS (3) rounds, each running all of the above in turn (a fresh cache per round); each
// ratio is taken within its round, and the medians over the rounds are printed.
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

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const work = mkdtempSync(join(tmpdir(), 'corecheck-fleet-bench-'));
try {
  execFileSync(join(REPO, 'bench/build-open-core.sh'), { stdio: ['ignore', 'ignore', 'inherit'] });
  const objects = readdirSync(TOOLS).filter((f) => f.endsWith('.bpf.o')).sort().map((f) => join(TOOLS, f));
  const cores = availableParallelism();

  const labels = (await builtinFleetSources(STORE)).map((k) => k.label);
  const idle = timed(process.execPath, ['-e', '0']);
  const cache = join(work, 'xdg');
  const report = join(work, 'report.json');
  const check = ['check', ...objects, '--fleet', STORE, '--json', '-o', report];
  const corecheck = (xdg: string, extra: string[] = []): ReturnType<typeof timed> =>
    timed(process.execPath, [CLI, ...check, ...extra], { env: { ...process.env, XDG_CACHE_HOME: xdg }, ok: [0, 1] });

  // Each round times the reference tools right beside corecheck's runs, and a ratio is taken
  // within its round: on a shared machine whose speed drifts, ratios of times from different
  // minutes mislead. Medians over the rounds.
  let pairs = 0;
  const rounds = Array.from({ length: ROUNDS }, (_, i) => {
    // the fleet's archives, decoded by xz alone
    let xz = 0;
    for (const label of labels) xz += timed('xz', ['-dc', join(CORPUS_KERNELS, corpusArchiveOf(label))]).seconds;
    const cold = corecheck(`${cache}-${i}`);
    const warm = corecheck(`${cache}-${i}`);
    const allCores = corecheck(`${cache}-${i}`, ['--jobs', String(cores)]);
    // the same (object, kernel) pairs through libbpf: one open-core process per kernel
    let libbpf = 0;
    pairs = 0;
    for (const [label, objs] of objectsByKernel(report)) {
      const btf = extractCorpusBtf(corpusArchiveOf(label), work);
      libbpf += timed(OPEN_CORE, ['--btf', btf, '--runs', '1', ...objs]).seconds;
      rmSync(btf);
      pairs += objs.length;
    }
    return { xzPerCore: xz / cores, cold, warm, allCores, libbpf };
  });
  type Round = (typeof rounds)[number];
  const mid = (f: (r: Round) => number): number => median(rounds.map((r) => ({ seconds: f(r) }))).seconds;
  const each = (f: (r: Round) => number, digits = 2): string => rounds.map((r) => f(r).toFixed(digits)).join(', ');
  const peakKb = Math.max(...rounds.flatMap((r) => [r.cold, r.warm, r.allCores]).map((r) => r.peakKb));

  const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;
  const s = (x: number): string => `${x.toFixed(2)} s`;
  console.log(`${objects.length} libbpf-tools objects × the built-in fleet (${labels.length} kernels): ${pairs} (object, kernel) pairs; ${cores} cores; ${ROUNDS} rounds, medians`);
  console.log(`xz -dc of the ${labels.length} archives, per core  ${s(mid((r) => r.xzPerCore))}  (rounds: ${each((r) => r.xzPerCore)})`);
  console.log(`cold run (empty cache)           ${s(mid((r) => r.cold.seconds))}  (rounds: ${each((r) => r.cold.seconds)})`);
  console.log(`warm run (cache filled)          ${s(mid((r) => r.warm.seconds))}  (rounds: ${each((r) => r.warm.seconds)})`);
  console.log(`warm run, --jobs ${cores}               ${s(mid((r) => r.allCores.seconds))}  (rounds: ${each((r) => r.allCores.seconds)})`);
  console.log(`libbpf open + CO-RE, same pairs  ${s(mid((r) => r.libbpf))}  (rounds: ${each((r) => r.libbpf)})`);
  console.log(`cold / xz per core               ${mid((r) => r.cold.seconds / r.xzPerCore).toFixed(2)}   target ≤ 1.5  (rounds: ${each((r) => r.cold.seconds / r.xzPerCore)})`);
  console.log(`libbpf loop / warm               ${mid((r) => r.libbpf / r.warm.seconds).toFixed(1)}   target ≥ 10  (rounds: ${each((r) => r.libbpf / r.warm.seconds, 1)})`);
  console.log(`libbpf loop / warm, --jobs ${cores}     ${mid((r) => r.libbpf / r.allCores.seconds).toFixed(1)}  (rounds: ${each((r) => r.libbpf / r.allCores.seconds, 1)})`);
  console.log(`peak RSS growth (of every run)   ${mb(peakKb - idle.peakKb)}   target ≤ 2048 MiB`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
