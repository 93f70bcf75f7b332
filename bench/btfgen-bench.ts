// Benchmark (not a test): `corecheck btfgen` over the whole corpus next to `bpftool gen
// min_core_btf` (bpftool 7.1) on the same inputs, measured in the same run:
//   bpftool     one `bpftool gen min_core_btf <kernel.btf> <out> <objects>` per corpus kernel, one
//               after another (BTFHub's way), each kernel's raw BTF extracted beforehand (untimed),
//               with the objects corecheck took for that kernel
//   corecheck   one `corecheck btfgen <52 objects> --fleet fleet/builtin.fleet --out <dir>` for the
//               same kernels, with `--arch all` (every object on every kernel) and with its default
//               (each object on the kernels of its architecture), cold (an empty kernel cache: the
//               store is decoded) and warm; BENCH_RUNS (3) rounds, each timing bpftool's loop right
//               after corecheck's runs, ratios taken within a round; medians. It also checks every
//               (object, kernel) pair: its report says whether each unresolved relocation breaks
//               the load, which bpftool does not.
//   corecheck on bpftool's files   the same, with `--kernel <tree>` in place of the store: the raw
//               BTF files bpftool reads, in a BTFHub tree (`<distro>/<release>/<arch>/<kernel>.btf`),
//               so both tools start from the same bytes; cold (no index cached yet) and warm.
// Targets (issue 11, "on the same inputs"): summed size of the minimized BTFs ≤ 1.0 × bpftool's and
// wall time ≤ 0.5 × bpftool's, for corecheck on the raw BTF files bpftool reads, cold and warm. The
// store runs are printed beside them with their ratios: the same kernels from an input bpftool
// cannot read, whose cold run first rebuilds all 185 MB of BTF from 12 MB.
//
//   npm run build --silent && node dist/bench/btfgen-bench.js
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { builtinFleetSources } from '../src/kernels/builtin-fleet.js';
import { median, objectsByKernel, timed } from './measure.js';
import { REPO, corpusArchiveOf, extractCorpusBtf } from '../test/helpers/inputs.js';

const CLI = join(REPO, 'dist/cli/main.js');
const STORE = join(REPO, 'fleet/builtin.fleet');
const TOOLS = join(REPO, '.cache/objects/libbpf-tools');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/** Sum of the sizes of the files below `dir` whose name ends with `suffix`. */
function bytesBelow(dir: string, suffix: string): number {
  let sum = 0;
  for (const e of readdirSync(dir, { recursive: true, encoding: 'utf8' })) if (e.endsWith(suffix)) sum += statSync(join(dir, e)).size;
  return sum;
}

const s = (x: number): string => `${x.toFixed(2)} s`;

const work = mkdtempSync(join(tmpdir(), 'corecheck-btfgen-bench-'));
try {
  const objects = readdirSync(TOOLS).filter((f) => f.endsWith('.bpf.o')).sort().map((f) => join(TOOLS, f));
  const labels = (await builtinFleetSources(STORE)).map((k) => k.label);
  // each kernel's raw BTF at its BTFHub place, for bpftool (one file) and for corecheck (the tree)
  const tree = join(work, 'kernels');
  const fullBtf = new Map(labels.map((l) => {
    const dir = join(tree, dirname(l));
    mkdirSync(dir, { recursive: true });
    return [l, extractCorpusBtf(corpusArchiveOf(l), dir)];
  }));

  const run = (arch: string, name: string, cache: string, kernels = ['--fleet', STORE]): { seconds: number; bytes: number; report: string } => {
    const out = join(work, name);
    const report = join(work, `${name}.json`);
    const t = timed(process.execPath, [CLI, 'btfgen', ...objects, ...kernels, '--arch', arch, '--out', out, '--json', '-o', report],
      { env: { ...process.env, XDG_CACHE_HOME: join(work, cache) }, ok: [0, 1] });
    return { seconds: t.seconds, bytes: bytesBelow(out, '.btf'), report };
  };
  /** bpftool's loop over the kernels, each given the objects `sets` names for it: its time and summed size. */
  const bpftoolLoop = (sets: Map<string, string[]>): { seconds: number; bytes: number } => {
    let seconds = 0;
    let bytes = 0;
    for (const label of labels) {
      const names = sets.get(label) ?? [];
      if (names.length === 0) continue;
      const out = join(work, 'bpftool.btf');
      seconds += timed('bpftool', ['gen', 'min_core_btf', fullBtf.get(label)!, out, ...names]).seconds;
      bytes += statSync(out).size;
    }
    return { seconds, bytes };
  };
  console.log(`${objects.length} libbpf-tools objects × ${labels.length} corpus kernels; ${RUNS} rounds, each timing bpftool's loop beside corecheck's runs; medians`);
  // Two object sets per kernel: every object (bpftool has no notion of architecture; corecheck is
  // told `--arch all`), and the objects meant for the kernel's architecture (corecheck's default;
  // bpftool is given the same set per kernel, as read from corecheck's report).
  // Each round times both tools within seconds of each other, and a ratio is taken within its
  // round: on a shared machine whose speed drifts, ratios of times from different minutes mislead.
  for (const arch of ['all', 'auto']) {
    const rounds = Array.from({ length: RUNS }, (_, i) => {
      const cold = run(arch, `${arch}-cold-${i}`, `${arch}-xdg-${i}`);
      const warm = run(arch, `${arch}-warm-${i}`, `${arch}-xdg-${i}`);
      const rawCold = run(arch, `${arch}-raw-cold-${i}`, `${arch}-raw-xdg-${i}`, ['--kernel', tree]);
      const rawWarm = run(arch, `${arch}-raw-warm-${i}`, `${arch}-raw-xdg-${i}`, ['--kernel', tree]);
      const sets = objectsByKernel(warm.report);
      return { cold, warm, rawCold, rawWarm, sets, bpftool: bpftoolLoop(sets) };
    });
    const mid = (f: (r: (typeof rounds)[number]) => number): number => median(rounds.map((r) => ({ seconds: f(r) }))).seconds;
    const ratio = (f: (r: (typeof rounds)[number]) => number): string => mid((r) => f(r) / r.bpftool.seconds).toFixed(2);
    const { sets, bpftool, warm, rawWarm } = rounds[0];
    const inRounds = (f: (r: (typeof rounds)[number]) => number): string => `(rounds: ${rounds.map((r) => (f(r) / r.bpftool.seconds).toFixed(2)).join(', ')})`;
    console.log(`--arch ${arch}: ${[...sets.values()].reduce((n, x) => n + x.length, 0)} (object, kernel) pairs`);
    console.log(`  bpftool gen min_core_btf, one per kernel   ${s(mid((r) => r.bpftool.seconds))}  ${bpftool.bytes} bytes  (rounds: ${rounds.map((r) => r.bpftool.seconds.toFixed(2)).join(', ')})`);
    console.log('  the same inputs: corecheck on the raw BTF files bpftool reads (the issue\'s comparison)');
    console.log(`    cold (no index cached)                   ${s(mid((r) => r.rawCold.seconds))}  ${rounds[0].rawCold.bytes} bytes`);
    console.log(`    warm                                     ${s(mid((r) => r.rawWarm.seconds))}  ${rawWarm.bytes} bytes`);
    console.log(`    size / bpftool's                         ${(rawWarm.bytes / bpftool.bytes).toFixed(3)}   target ≤ 1.0`);
    console.log(`    time / bpftool's, cold                   ${ratio((r) => r.rawCold.seconds)}   target ≤ 0.5  ${inRounds((r) => r.rawCold.seconds)}`);
    console.log(`    time / bpftool's, warm                   ${ratio((r) => r.rawWarm.seconds)}   target ≤ 0.5  ${inRounds((r) => r.rawWarm.seconds)}`);
    console.log('  the built-in fleet store (corecheck\'s own input, 12 MB for 185 MB of BTF; bpftool cannot read it)');
    console.log(`    cold (the store decoded)                 ${s(mid((r) => r.cold.seconds))}  ${rounds[0].cold.bytes} bytes`);
    console.log(`    warm                                     ${s(mid((r) => r.warm.seconds))}  ${warm.bytes} bytes`);
    console.log(`    size / bpftool's                         ${(warm.bytes / bpftool.bytes).toFixed(3)}`);
    console.log(`    time / bpftool's, cold                   ${ratio((r) => r.cold.seconds)}  ${inRounds((r) => r.cold.seconds)}`);
    console.log(`    time / bpftool's, warm                   ${ratio((r) => r.warm.seconds)}  ${inRounds((r) => r.warm.seconds)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
