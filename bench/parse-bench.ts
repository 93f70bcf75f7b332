// Benchmark (not a test): parse + index of kernel BTF by corecheck, next to
// `bpftool btf dump file F format raw > /dev/null` on the same files, measured in the same run.
// Targets (issue #2): parse+index ≤ 0.5 × bpftool's time; peak memory ≤ 3 × the BTF file size,
// where memory is the growth of peak RSS over an idle `node` (both from /usr/bin/time -v).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const parseOne = join(here, 'parse-one.js');
const corpus = resolve(here, '../../../shared/corpus/kernels');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function wallMs(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
  return performance.now() - t0;
}

/** Peak RSS in KiB of a command, from GNU time's "Maximum resident set size". */
function peakRssKiB(cmd: string, args: string[]): number {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`no RSS from /usr/bin/time for ${cmd}`);
  return Number(m[1]);
}

function bench(label: string, file: string): void {
  const size = statSync(file).size;
  const bpftool = median(Array.from({ length: RUNS }, () => wallMs('sh', ['-c', `bpftool btf dump file '${file}' format raw > /dev/null`])));
  const inProcess: number[] = [];
  const wholeProcess: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const out = execFileSync(process.execPath, [parseOne, file], { encoding: 'utf8' });
    wholeProcess.push(performance.now() - t0);
    inProcess.push(Number(out.split(' ')[0]));
  }
  const idle = median(Array.from({ length: 3 }, () => peakRssKiB(process.execPath, ['-e', ''])));
  const peak = median(Array.from({ length: 3 }, () => peakRssKiB(process.execPath, [parseOne, file])));
  // What running corecheck costs whatever the input: the same script on a 1 KB BTF.
  const fixed = median(Array.from({ length: 3 }, () => peakRssKiB(process.execPath, [parseOne, tinyBtf])));
  const growth = (peak - idle) * 1024;
  const net = (peak - fixed) * 1024;
  const p = median(inProcess);
  console.log(`${label}: ${(size / 1e6).toFixed(1)} MB BTF`);
  console.log(`  bpftool dump raw (whole process)      ${bpftool.toFixed(1)} ms`);
  console.log(`  corecheck parse+index (in process)    ${p.toFixed(1)} ms   ratio ${(p / bpftool).toFixed(2)} (target ≤ 0.50)`);
  console.log(`  corecheck whole process (node start)  ${median(wholeProcess).toFixed(1)} ms   ratio ${(median(wholeProcess) / bpftool).toFixed(2)}`);
  console.log(`  peak RSS growth over idle node        ${(growth / 1e6).toFixed(1)} MB   ratio to file size ${(growth / size).toFixed(2)} (target ≤ 3.00)`);
  console.log(`    of which loading corecheck at all   ${((fixed - idle) * 1024 / 1e6).toFixed(1)} MB   (same run on a 1 KB BTF); the rest ${(net / 1e6).toFixed(1)} MB = ${(net / size).toFixed(2)} × file size`);
}

const dir = mkdtempSync(join(tmpdir(), 'corecheck-bench-'));
const tinyBtf = join(dir, 'tiny.btf');
// A valid 1 KB BTF: the .BTF section of the example object, via objcopy.
execFileSync('objcopy', ['-I', 'elf64-little', '-O', 'binary', '--only-section=.BTF', resolve(here, '../../examples/openat2/openat2.bpf.o'), tinyBtf]);
execFileSync('tar', ['-xJf', join(corpus, 'centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64.btf.tar.xz'), '-C', dir]);
// Reading sysfs costs any reader ~4 MB of extra RSS (measured: readFileSync of the sysfs file vs a
// regular-file copy of it), so memory is measured on a copy; times are the same either way.
copyFileSync('/sys/kernel/btf/vmlinux', join(dir, 'host-vmlinux.btf'));
bench('host /sys/kernel/btf/vmlinux (copied to a regular file)', join(dir, 'host-vmlinux.btf'));
bench('centos/8/aarch64/4.18.0-147.5.1.el8_1 (largest corpus kernel, not deduplicated)', join(dir, '4.18.0-147.5.1.el8_1.aarch64.btf'));
