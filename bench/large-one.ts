// The corecheck side of large-bench: per object, the wall time of `check` against one kernel and
// of `inspect`, each a median of --runs runs in this one process, and one line per object.
//   node large-one.js --btf <raw-btf> [--runs N] <object.o>...
//
// Each check run: read the object file, BpfObject, checkObject against a kernel Btf parsed for
// this run. Kernel loading (here Btf.parse of the raw BTF, read from disk once) is not in the
// check time, as for a fleet, where each kernel is loaded once for all objects; it is timed on
// its own (parse_ms). But the Btf is fresh for every run, so whatever check builds per kernel
// (name indexes, candidate lists, kernel facts) is built in each timed run, never reused from
// the previous one; the same goes for per-object work. Each inspect run: read the object,
// openBpfObjects, inspectObject.
// Untimed passes over every object come first (BENCH_WARMUP, default 2): V8 compiles and
// optimizes the code over many calls, on background threads whose CPU time process.cpuUsage
// counts, and without them the first objects of the list would pay for all the others. The times
// are steady-state ones, as for the objects of a fleet run after the first few; a one-shot CLI
// run on a single object is slower by that warm-up.
import { readFileSync } from 'node:fs';
import { checkObject } from '../src/analysis/check.js';
import { Btf } from '../src/btf/btf.js';
import { BpfObject } from '../src/object/object.js';
import { openBpfObjects } from '../src/object/open.js';
import { inspectObject } from '../src/report/inspect.js';

const args = process.argv.slice(2);
let kernelFile = '';
let runs = 5;
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--btf') kernelFile = args[++i];
  else if (args[i] === '--runs') runs = Number(args[++i]);
  else files.push(args[i]);
}
if (!kernelFile || files.length === 0 || !(runs >= 1)) throw new Error('usage: large-one.js --btf <raw-btf> [--runs N] <object.o>...');

const readBytes = (f: string): Uint8Array => {
  const b = readFileSync(f);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};
const kernelBytes = readBytes(kernelFile);
const WARMUP_PASSES = Number(process.env.BENCH_WARMUP ?? 2);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall and CPU time (this process's, all threads: V8's GC and compiler threads count) of `fn`, in ms. */
function time(fn: () => unknown): { wall: number; cpu: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

for (let pass = 0; pass < WARMUP_PASSES; pass++) {
  for (const file of files) {
    checkObject(new BpfObject(readBytes(file)), { vmlinux: Btf.parse(kernelBytes) });
    openBpfObjects(readBytes(file), file).map(inspectObject);
  }
}

for (const file of files) {
  let verdict = '';
  const parse: { wall: number; cpu: number }[] = [];
  const check = Array.from({ length: runs }, () => {
    let vmlinux: Btf | undefined;
    parse.push(time(() => (vmlinux = Btf.parse(kernelBytes))));
    return time(() => {
      const obj = new BpfObject(readBytes(file));
      verdict = checkObject(obj, { vmlinux: vmlinux! }).verdict;
    });
  });
  let relocations = 0;
  const inspect = Array.from({ length: runs }, () => time(() => {
    relocations = openBpfObjects(readBytes(file), file).reduce((n, o) => n + inspectObject(o).relocations.length, 0);
  }));
  const wall = (xs: { wall: number }[]): string => median(xs.map((x) => x.wall)).toFixed(3);
  const cpu = (xs: { cpu: number }[]): string => median(xs.map((x) => x.cpu)).toFixed(3);
  process.stdout.write(`${file} relocations ${relocations} verdict ${verdict} check_ms ${wall(check)} check_cpu_ms ${cpu(check)}`
    + ` inspect_ms ${wall(inspect)} inspect_cpu_ms ${cpu(inspect)} parse_cpu_ms ${cpu(parse)}\n`);
}
