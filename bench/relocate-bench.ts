// Benchmark (not a test), issue #3: corecheck's CO-RE engine against libbpf 1.5's, relocating the
// same libbpf-tools objects against the same kernels, a batch of objects × kernels in one process
// each, measured in the same run.
//   libbpf side:    .cache/bin/relo-core --bench (libbpf's own bpf_core_calc_relo_insn and
//                   bpf_core_patch_insn over its candidate search, no print callback), each target
//                   parsed once with btf__parse and shared by all objects — libbpf at its fastest;
//                   also with --reparse, the target parsed per object as bpf_object__load does with
//                   btf_custom_path.
//   corecheck side: dist/bench/relocate-one.js (kernels parsed once, no log or candidate trace).
// Targets: wall time ≤ 1.0 × libbpf's; memory (growth of peak RSS over the tool's idle process,
// /usr/bin/time -v) ≤ 2 × libbpf's. Kernels are the corpus and the host, as raw BTF files.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS_KERNELS, REPO, corpusArchives, extractCorpusBtf } from '../test/helpers/inputs.js';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const reloCore = join(REPO, '.cache/bin/relo-core');
const objectsDir = join(REPO, '.cache/objects/libbpf-tools');
const relocateOne = join(here, 'relocate-one.js');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Run {
  ms: number;
  summary: string;
}

/** Wall time of a whole process, and its one summary line (pairs, failures, relocations). */
function timed(cmd: string, args: string[]): Run {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const summary = /targets .*/.exec(r.stdout)?.[0];
  if (!summary) throw new Error(`${cmd}: no summary line in ${JSON.stringify(r.stdout)}`);
  return { ms, summary };
}

/** Peak RSS in KiB, from GNU time's "Maximum resident set size". */
function peakRssKiB(cmd: string, args: string[]): number {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`/usr/bin/time ${cmd} failed: ${r.stderr}`);
  return Number(m[1]);
}

function prepare(dir: string): { kernels: string[]; objects: string[]; tiny: { btf: string; object: string } } {
  if (!existsSync(reloCore)) execFileSync(join(REPO, 'tools/goldens/build-relo-core.sh'), { stdio: 'inherit' });
  if (!existsSync(objectsDir)) execFileSync('python3', [join(REPO, 'tools/goldens/extract-libbpf-tools.py')], { stdio: 'inherit' });
  const objects = readdirSync(objectsDir).filter((f) => f.endsWith('.bpf.o')).sort().map((f) => join(objectsDir, f));
  const kernels = corpusArchives().map((rel) => extractCorpusBtf(rel, dir));
  copyFileSync('/sys/kernel/btf/vmlinux', join(dir, 'host.btf'));
  kernels.push(join(dir, 'host.btf'));
  // What each tool costs doing almost nothing: the example object against its own 1 KB .BTF.
  const object = join(REPO, 'examples/openat2/openat2.bpf.o');
  return { kernels, objects, tiny: { btf: object, object } };
}

function scenario(label: string, kernels: string[], objects: string[], tiny: { btf: string; object: string }, withReparse: boolean): void {
  const kArgs = kernels.flatMap((k) => ['--btf', k]);
  const lib = Array.from({ length: RUNS }, () => timed(reloCore, ['--bench', ...kArgs, ...objects]));
  const cc = Array.from({ length: RUNS }, () => timed(process.execPath, [relocateOne, ...kArgs, ...objects]));
  // Same work on both sides: the same pairs, failures and number of relocations applied.
  if (lib[0].summary !== cc[0].summary) throw new Error(`${label}: libbpf did "${lib[0].summary}", corecheck "${cc[0].summary}"`);
  const libMs = median(lib.map((r) => r.ms));
  const ccMs = median(cc.map((r) => r.ms));
  const libPeak = median(Array.from({ length: RUNS }, () => peakRssKiB(reloCore, ['--bench', ...kArgs, ...objects])));
  const ccPeak = median(Array.from({ length: RUNS }, () => peakRssKiB(process.execPath, [relocateOne, ...kArgs, ...objects])));
  const libIdle = peakRssKiB(reloCore, ['--bench', '--btf', tiny.btf, tiny.object]);
  const nodeIdle = peakRssKiB(process.execPath, ['-e', '']);
  const libGrowth = (libPeak - libIdle) / 1024;
  const ccGrowth = (ccPeak - nodeIdle) / 1024;
  console.log(`${label}: ${lib[0].summary}`);
  console.log(`  libbpf 1.5, each target parsed once    ${libMs.toFixed(0).padStart(6)} ms   peak RSS growth ${libGrowth.toFixed(1)} MB`);
  if (withReparse) {
    const re = timed(reloCore, ['--bench', '--reparse', ...kArgs, ...objects]);
    console.log(`  libbpf 1.5, target parsed per object   ${re.ms.toFixed(0).padStart(6)} ms   (as bpf_object__load with btf_custom_path; one run)`);
  }
  console.log(`  corecheck                              ${ccMs.toFixed(0).padStart(6)} ms   peak RSS growth ${ccGrowth.toFixed(1)} MB`);
  console.log(`  ratio time ${(ccMs / libMs).toFixed(2)} (target ≤ 1.00)   memory ${(ccGrowth / libGrowth).toFixed(2)} (target ≤ 2.00)`);
}

const dir = mkdtempSync(join(tmpdir(), 'corecheck-relocate-bench-'));
try {
  const { kernels, objects, tiny } = prepare(dir);
  const centos = kernels.find((k) => k.endsWith('4.18.0-147.5.1.el8_1.aarch64.btf'))!;
  console.log(`${objects.length} libbpf-tools objects, ${kernels.length} kernels (${CORPUS_KERNELS} and the host), ${RUNS} runs each, medians`);
  scenario(`batch: every object × every kernel`, kernels, objects, tiny, true);
  scenario(`centos/8/aarch64/4.18.0-147.5.1.el8_1 only (561,977 types, not deduplicated)`, [centos], objects, tiny, false);
  scenario(`host only`, [kernels[kernels.length - 1]], objects, tiny, false);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
