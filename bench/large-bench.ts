// Benchmark (not a test): corecheck's `check` and `inspect` against libbpf 1.5's open + CO-RE, on
// large real objects — the kernel selftests' profiler1/2/3, pyperf600 and strobemeta
// (.cache/objects/selftests-large, built by tools/goldens/build-selftests.sh) — and every
// libbpf-tools object (the 52 binaries of Debian's libbpf-tools, extracted by
// tools/goldens/extract-libbpf-tools.py), each against ONE kernel, measured in the same run.
//   libbpf side:    .cache/bin/open-core (bench/open-core.c): bpf_object__open_file with
//                   btf_custom_path, then libbpf's own bpf_object__relocate_core, which parses
//                   the target BTF as a load does; nothing is loaded into the kernel.
//   corecheck side: dist/bench/large-one.js: check = read the object, BpfObject, checkObject
//                   against a kernel Btf parsed beforehand for each run (kernel loading is not
//                   measured, as in a fleet; Btf.parse is shown on its own); inspect = read,
//                   openBpfObjects, inspectObject.
// Both sides run as one process each over every object, and time each object --runs times
// inside that process (medians): one process per measurement would time Node's start-up
// (~40 ms) and module loading, not the work. large-one makes one untimed pass over every object
// first, so V8 has compiled and optimized the code (steady state; a cold one-object run is slower).
// Times are CPU times of each process (libbpf: CLOCK_PROCESS_CPUTIME_ID; Node: process.cpuUsage,
// which counts V8's GC and compiler threads too): on a shared machine under load, wall time
// measures the neighbours as much as the work. Wall-time totals are printed too.
// Targets: check ≤ 1.0 × libbpf's open + CO-RE, inspect ≤ 0.5 ×, per object and in total.
//   BENCH_RUNS (default 5), BENCH_KERNEL (raw BTF; default: the corpus's debian/12/x86_64
//   6.1.0-57-amd64, extracted to a temporary directory).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO, extractCorpusBtf } from '../test/helpers/inputs.js';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const openCore = join(REPO, '.cache/bin/open-core');
const largeDir = join(REPO, '.cache/objects/selftests-large');
const toolsDir = join(REPO, '.cache/objects/libbpf-tools');
const DEFAULT_KERNEL = 'debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz';

/** One line per object, `<path> key value key value ...`. */
function parseLines(out: string): Map<string, Map<string, string>> {
  const rows = new Map<string, Map<string, string>>();
  for (const line of out.split('\n')) {
    if (!line || line.startsWith('==')) continue;
    const [path, ...kv] = line.split(' ');
    const m = new Map<string, string>();
    for (let i = 0; i + 1 < kv.length; i += 2) m.set(kv[i], kv[i + 1]);
    rows.set(path, m);
  }
  return rows;
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

const dir = mkdtempSync(join(tmpdir(), 'corecheck-large-bench-'));
try {
  execFileSync(join(REPO, 'bench/build-open-core.sh'), { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(toolsDir)) execFileSync('python3', [join(REPO, 'tools/goldens/extract-libbpf-tools.py')], { stdio: 'inherit' });
  if (!existsSync(largeDir)) throw new Error(`${largeDir} missing: run tools/goldens/build-selftests.sh`);
  const kernel = process.env.BENCH_KERNEL ?? extractCorpusBtf(DEFAULT_KERNEL, dir);
  const list = (d: string): string[] => readdirSync(d).filter((f) => f.endsWith('.bpf.o')).sort().map((f) => join(d, f));
  const objects = [...list(largeDir), ...list(toolsDir)];
  const lib = parseLines(run(openCore, ['--btf', kernel, '--runs', String(RUNS), ...objects]));
  const cc = parseLines(run(process.execPath, [join(here, 'large-one.js'), '--btf', kernel, '--runs', String(RUNS), ...objects]));

  console.log(`${objects.length} objects against ${process.env.BENCH_KERNEL ?? DEFAULT_KERNEL}, medians of ${RUNS} runs, CPU ms (wall ms in the totals)`);
  console.log('object            relos   libbpf  (parse)    check  ratio  inspect  ratio');
  const total = { lib: 0, check: 0, inspect: 0, libWall: 0, checkWall: 0, inspectWall: 0 };
  let [okCheck, okInspect] = [0, 0];
  for (const o of objects) {
    const l = lib.get(o)!;
    const c = cc.get(o)!;
    const libMs = Number(l.get('cpu_ms'));
    const checkMs = Number(c.get('check_cpu_ms'));
    const inspectMs = Number(c.get('inspect_cpu_ms'));
    total.lib += libMs;
    total.check += checkMs;
    total.inspect += inspectMs;
    total.libWall += Number(l.get('median_ms'));
    total.checkWall += Number(c.get('check_ms'));
    total.inspectWall += Number(c.get('inspect_ms'));
    if (checkMs <= libMs) okCheck++;
    if (inspectMs <= 0.5 * libMs) okInspect++;
    // libbpf counts the records of autoload programs it applied; inspect lists every record
    const relos = l.get('relocations') === c.get('relocations') ? l.get('relocations')! : `${l.get('relocations')}/${c.get('relocations')}`;
    console.log(`${basename(o, '.bpf.o').padEnd(16)} ${relos.padStart(6)} ${libMs.toFixed(2).padStart(8)} ${Number(l.get('parse_cpu_ms')).toFixed(1).padStart(8)}`
      + ` ${checkMs.toFixed(2).padStart(8)} ${(checkMs / libMs).toFixed(2).padStart(6)} ${inspectMs.toFixed(2).padStart(8)} ${(inspectMs / libMs).toFixed(2).padStart(6)}`);
  }
  const line = (label: string, lib: number, check: number, inspect: number): void => console.log(`${label.padEnd(16)} ${''.padStart(6)} ${lib.toFixed(1).padStart(8)} ${''.padStart(8)}`
    + ` ${check.toFixed(1).padStart(8)} ${(check / lib).toFixed(2).padStart(6)} ${inspect.toFixed(1).padStart(8)} ${(inspect / lib).toFixed(2).padStart(6)}`);
  line('total (CPU)', total.lib, total.check, total.inspect);
  line('total (wall)', total.libWall, total.checkWall, total.inspectWall);
  console.log(`check ≤ 1.0 × libbpf on ${okCheck} of ${objects.length} objects; inspect ≤ 0.5 × on ${okInspect} of ${objects.length}`);
  const parseMs = Number([...cc.values()][0].get('parse_cpu_ms'));
  console.log(`libbpf's time includes its parse of the target BTF (column "parse"); corecheck's kernel Btf.parse is not in "check" (${parseMs.toFixed(1)} ms CPU)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
