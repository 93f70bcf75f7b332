// Benchmark (not a test): `corecheck btfgen` over the whole corpus next to `bpftool gen
// min_core_btf` (bpftool 7.1) on the same inputs, measured in the same run:
//   bpftool     one `bpftool gen min_core_btf <kernel.btf> <out> <52 objects>` per corpus kernel,
//               one after another (BTFHub's way), each kernel's raw BTF extracted beforehand (untimed)
//   corecheck   one `corecheck btfgen <52 objects> --fleet fleet/builtin.fleet --out <dir>` for the
//               same kernels, cold (an empty kernel cache: the store is decoded) and warm; medians
//               of BENCH_RUNS (3) each. It also checks every (object, kernel) pair: its report says
//               whether each unresolved relocation breaks the load, which bpftool does not.
// Targets: summed size of the minimized BTFs ≤ 1.0 × bpftool's; wall time ≤ 0.5 × bpftool's.
//
//   npm run build --silent && node dist/bench/btfgen-bench.js
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinFleetSources } from '../src/kernels/builtin-fleet.js';
import { timed } from './measure.js';
import { REPO, corpusArchiveOf, extractCorpusBtf } from '../test/helpers/inputs.js';

const CLI = join(REPO, 'dist/src/cli/main.js');
const STORE = join(REPO, 'fleet/builtin.fleet');
const TOOLS = join(REPO, '.cache/objects/libbpf-tools');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** Sum of the sizes of the files below `dir` whose name ends with `suffix`. */
function bytesBelow(dir: string, suffix: string): number {
  let sum = 0;
  for (const e of readdirSync(dir, { recursive: true, encoding: 'utf8' })) if (e.endsWith(suffix)) sum += statSync(join(dir, e)).size;
  return sum;
}

const work = mkdtempSync(join(tmpdir(), 'corecheck-btfgen-bench-'));
try {
  const objects = readdirSync(TOOLS).filter((f) => f.endsWith('.bpf.o')).sort().map((f) => join(TOOLS, f));
  const labels = (await builtinFleetSources(STORE)).map((k) => k.label);

  // bpftool, per kernel, on extracted BTF
  let bpftoolSeconds = 0;
  let bpftoolBytes = 0;
  for (const label of labels) {
    const full = extractCorpusBtf(corpusArchiveOf(label), work);
    const out = join(work, 'bpftool.btf');
    bpftoolSeconds += timed('bpftool', ['gen', 'min_core_btf', full, out, ...objects]).seconds;
    bpftoolBytes += statSync(out).size;
    rmSync(full);
  }

  const run = (name: string, cache: string): { seconds: number; bytes: number } => {
    const out = join(work, name);
    const t = timed(process.execPath, [CLI, 'btfgen', ...objects, '--fleet', STORE, '--arch', 'all', '--out', out, '--json', '-o', join(work, `${name}.json`)],
      { env: { ...process.env, XDG_CACHE_HOME: join(work, cache) }, ok: [0, 1] });
    return { seconds: t.seconds, bytes: bytesBelow(out, '.btf') };
  };
  // bpftool takes every object for every kernel; the objects are x86_64's, so corecheck is told
  // `--arch all`. Medians of RUNS: on a shared machine one run measures its neighbours too.
  const median = <T extends { seconds: number }>(runs: T[]): T => [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)];
  const cold = median(Array.from({ length: RUNS }, (_, i) => run(`cold-${i}`, `xdg-${i}`)));
  const warm = median(Array.from({ length: RUNS }, (_, i) => run(`warm-${i}`, 'xdg-0')));

  const s = (x: number): string => `${x.toFixed(2)} s`;
  console.log(`${objects.length} libbpf-tools objects × ${labels.length} corpus kernels`);
  console.log(`bpftool gen min_core_btf        ${s(bpftoolSeconds)}  ${bpftoolBytes} bytes`);
  console.log(`corecheck btfgen, cold cache    ${s(cold.seconds)}  ${cold.bytes} bytes`);
  console.log(`corecheck btfgen, warm cache    ${s(warm.seconds)}  ${warm.bytes} bytes`);
  console.log(`size / bpftool's                ${(cold.bytes / bpftoolBytes).toFixed(3)}   target ≤ 1.0`);
  console.log(`time / bpftool's (cold)         ${(cold.seconds / bpftoolSeconds).toFixed(2)}   target ≤ 0.5`);
  console.log(`time / bpftool's (warm)         ${(warm.seconds / bpftoolSeconds).toFixed(2)}   target ≤ 0.5`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
