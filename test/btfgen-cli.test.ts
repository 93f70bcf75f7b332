// `corecheck btfgen`: per kernel, the minimized BTF (byte for byte what `bpftool gen min_core_btf`
// writes for the objects meant for that kernel), in BTFHub's layout, with the check's report of what
// could not be resolved; --compress, --strict, JSON and its schema, the gate, and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CORPUS_KERNELS, REPO, corpusArchiveOf, extractCorpusBtf } from './helpers/inputs.js';
import { assertOneLineError, runCli } from './helpers/cli.js';
import { fetchedDebs } from './helpers/kernel-images.js';
import { errorsOf, reportValidator, sarifValidator } from './helpers/validators.js';
import type { Report } from '../src/report/model.js';
import { writeFilesAtomic } from '../src/cli/output.js';
import type { CorecheckError } from '../src/common/errors.js';
import { scratchDir } from './helpers/scratch.js';

const TOOLS = join(REPO, '.cache/objects/libbpf-tools');
// bindsnoop fails on 6.12 (struct inet_sock.freebind is gone: a reached poisoned relocation) and is
// built for x86_64; opensnoop fails on centos 8 (no bpf_probe_read_user_str); biolatency has guarded misses.
const OBJECTS = ['bindsnoop', 'opensnoop', 'biolatency'].map((n) => join(TOOLS, `${n}.bpf.o`));
const DEB11 = 'debian/11/x86_64/5.10.0-32-amd64';
const DEB12 = 'debian/12/x86_64/6.12.117+deb12-amd64';
const CENTOS = 'centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64';
const KERNELS = [DEB11, DEB12, CENTOS];
const KERNEL_ARGS = KERNELS.flatMap((k) => ['--kernel', join(CORPUS_KERNELS, corpusArchiveOf(k))]);
/** The two that load on debian 11 (biolatency does not: it reads a tracepoint argument 5.10 lacks). */
const LOAD_ON_DEB11 = OBJECTS.slice(0, 2);

const tmp = scratchDir('btfgen');
let n = 0;
const freshDir = (): string => join(tmp, `out${++n}`);

/** Every file below a directory, relative to it, sorted. */
function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** The JSON run every test below reads (one fleet run, shared). */
const out = freshDir();
const json = runCli(['btfgen', ...OBJECTS, ...KERNEL_ARGS, '--out', out, '--json', '-j', '2']);
const report = JSON.parse(json.stdout) as Report;

test('btfgen writes one raw BTF per kernel in BTFHub layout and gates like check', () => {
  assert.equal(json.status, 1, json.stderr);
  assert.deepEqual(filesBelow(out), KERNELS.map((k) => `${k}.btf`).sort());
  const b = report.btfgen!;
  assert.deepEqual(b.kernels.map((k) => [k.kernel, k.status, k.file]), KERNELS.map((k) => [k, 'written', `${k}.btf`]));
  for (const k of b.kernels) {
    assert.equal(k.bytes, statSync(join(out, k.file!)).size);
    assert.ok(k.types! > 0);
  }
});

test('each file is byte for byte bpftool gen min_core_btf of the objects meant for that kernel', { skip: spawnSync('bpftool', ['version']).status !== 0 && 'no bpftool' }, () => {
  const work = mkdtempSync(join(tmp, 'bpftool-'));
  for (const k of KERNELS) {
    const full = extractCorpusBtf(corpusArchiveOf(k), work);
    const objects = report.objects.filter((o) => o.kernels.includes(k)).map((o) => o.name);
    assert.ok(objects.length > 0, k);
    const expected = join(work, 'min.btf');
    execFileSync('bpftool', ['gen', 'min_core_btf', full, expected, ...objects], { stdio: 'pipe' });
    assert.ok(readFileSync(join(out, `${k}.btf`)).equals(readFileSync(expected)), `${k}: differs from bpftool's (objects ${objects.join(' ')})`);
  }
  // bindsnoop is built for x86_64: the arm64 kernel's BTF is minimized for the other two only
  assert.ok(!report.objects.find((o) => o.name.endsWith('bindsnoop.bpf.o'))!.kernels.includes(CENTOS));
});

test('the written tree is a kernel source: each raw BTF is known by its place, as its archive is', () => {
  // btfgen's output read back (to check against the minimized BTFs): the same kernels,
  // with distro, release, architecture and version taken from the BTFHub path of each raw file
  const back = runCli(['check', OBJECTS[1], '--kernel', out, '--arch', 'all', '--json']);
  assert.ok(back.status === 0 || back.status === 1, back.stderr);
  const kernels = (JSON.parse(back.stdout) as Report).kernels;
  assert.deepEqual(kernels.map((k) => k.label), [...KERNELS].sort());
  assert.deepEqual(kernels.map((k) => [k.distro, k.release, k.arch, k.version]), report.kernels.map((k) => [k.distro, k.release, k.arch, k.version]).sort((a, b) => (a.join('/') < b.join('/') ? -1 : 1)));
});

test('checked against the minimized BTFs, the Debian kernels get their full BTFs\' CO-RE and verifier verdicts (the verifier by release)', () => {
  // A minimized BTF holds no verifier structures: each kernel's release stands in for them. It
  // holds no helper enum and no attach targets either, so what needs the kernel's own BTF is not
  // judged (CentOS 8's missing helper, biolatency's tp_btf prototypes on 5.10): not compared.
  const back = runCli(['check', ...OBJECTS, '--kernel', out, '--json']);
  assert.ok(back.status === 0 || back.status === 1, back.stderr);
  const judged = new Set(['CORE_RELOCATION', 'INSN_UNSUPPORTED', 'VERIFIER_RULE']);
  const verdicts = (r: Report, kernel: string): string[] => r.objects.flatMap((o) => o.details.filter((d) => d.kernel === kernel)
    .flatMap((d) => d.programs.map((p) => `${o.name} ${p.name} ${[...new Set(p.reasons.filter((x) => judged.has(x.class)).map((x) => `${x.class}:${x.verdict}`))].sort().join()}`)));
  for (const k of [DEB11, DEB12]) {
    const full = verdicts(report, k);
    assert.ok(full.some((v) => v.includes('CORE_RELOCATION:fails')) === (k === DEB12), k);
    assert.deepEqual(verdicts(JSON.parse(back.stdout) as Report, k), full, k);
  }
  // and the report says what was left out: per kernel in JSON, once in text
  const backReport = JSON.parse(back.stdout) as Report;
  const valid = reportValidator();
  assert.ok(valid(backReport), errorsOf(valid));
  assert.deepEqual(backReport.kernels.map((k) => k.minimized), KERNELS.map(() => true));
  assert.ok(report.kernels.every((k) => k.minimized === undefined), 'the full BTFs are no stand-ins');
  const text = runCli(['check', ...OBJECTS, '--kernel', out]).stdout;
  assert.match(text.replace(/\s+/g, ' '), /minimized BTF on all 3 kernels: CO-RE is judged, .* attach targets, kfuncs and __ksym variables are not/);
});

test('profiler1 (JMP32, 5,070-instruction programs) against minimized Debian BTFs: judged by each kernel\'s release, not by the weakest verifier', () => {
  const profiler = join(REPO, '.cache/objects/selftests-large/profiler1.bpf.o');
  const min = freshDir();
  const debian = [DEB11, DEB12].flatMap((k) => ['--kernel', join(CORPUS_KERNELS, corpusArchiveOf(k))]);
  const gen = runCli(['btfgen', profiler, ...debian, '--out', min, '--json']);
  assert.ok(gen.status === 0 || gen.status === 1, gen.stderr);
  const back = runCli(['check', profiler, '--kernel', min, '--json']);
  assert.ok(back.status === 0 || back.status === 1, back.stderr);
  const reasons = (r: Report): string[] => r.objects.flatMap((o) => o.details.flatMap((d) => d.programs.map((p) =>
    `${d.kernel} ${p.name} ${[...new Set(p.reasons.filter((x) => x.verdict === 'fails').map((x) => x.class))].sort().join()}`))).sort();
  const full = reasons(JSON.parse(gen.stdout) as Report);
  assert.deepEqual([...new Set(full.map((line) => line.split(' ')[0]))], [DEB11, DEB12]);
  assert.deepEqual(reasons(JSON.parse(back.stdout) as Report), full);
});

test('the report names every unresolved relocation with the check\'s verdict, and the failures', () => {
  const valid = reportValidator();
  assert.ok(valid(report), errorsOf(valid));
  const byKernel = new Map(report.btfgen!.kernels.map((k) => [k.kernel, k]));
  const deb12 = byKernel.get(DEB12)!;
  const freebind = deb12.unresolved.filter((u) => u.object.endsWith('bindsnoop.bpf.o') && u.spec?.includes('struct inet_sock.freebind'));
  assert.ok(freebind.every((u) => u.outcome === 'poisoned'));
  // the read the verifier reaches breaks both programs (the bitfield's other relocations follow it on the same path)
  assert.ok(freebind.some((u) => u.verdict === 'fails' && u.programs.join() === 'ipv4_bind_exit,ipv6_bind_exit'));
  assert.equal(deb12.breaking, deb12.unresolved.filter((u) => u.verdict === 'fails').length);
  assert.ok(deb12.failingObjects.some((o) => o.endsWith('bindsnoop.bpf.o')));
  // the verdicts are the check's: the same failing pairs as the gate
  for (const k of report.btfgen!.kernels) {
    assert.deepEqual(k.failingObjects, report.gate.failing.filter((f) => f.kernel === k.kernel && f.verdict === 'fails').map((f) => f.object));
  }
  // biolatency's misses are guarded (dead code): reported, not breaking
  const guarded = byKernel.get(DEB11)!.unresolved.filter((u) => u.object.endsWith('biolatency.bpf.o'));
  assert.ok(guarded.length > 0 && guarded.every((u) => u.verdict === 'info'));
  assert.ok(byKernel.get(CENTOS)!.failingObjects.some((o) => o.endsWith('opensnoop.bpf.o')));
});

test('text: a per-kernel table, the breaking relocations, then check\'s root-cause report', () => {
  const r = runCli(['btfgen', ...OBJECTS, ...KERNEL_ARGS, '--out', freshDir(), '-j', '1']);
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0], /3 of 3 kernels written/);
  assert.match(lines[1], /kernel\s+file\s+size\s+types\s+unresolved\s+break load/);
  for (const k of KERNELS) assert.ok(lines.some((l) => l.includes(`${k}.btf`)), k);
  assert.match(r.stdout, /unresolved relocations that break the load[^\n]*\n.*bindsnoop\.bpf\.o .*struct inet_sock\.freebind.* fails on 1 kernel/);
  assert.match(r.stdout, /Root causes/);
  assert.match(r.stdout, /gate failed/);
  assert.doesNotMatch(r.stdout, /[ \t]+$/m, 'no line ends in blanks (the table pads its last column)');
});

test('--compress writes BTFHub archives holding the raw BTF', () => {
  const dir = freshDir();
  const r = runCli(['btfgen', ...OBJECTS, ...KERNEL_ARGS, '--out', dir, '--compress', '--json', '-j', '2']);
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(filesBelow(dir), KERNELS.map((k) => `${k}.btf.tar.xz`).sort());
  for (const k of KERNELS) {
    const archive = join(dir, `${k}.btf.tar.xz`);
    const member = k.split('/').pop()!;
    assert.equal(execFileSync('sh', ['-c', 'xz -dc "$1" | tar -t', 'sh', archive], { encoding: 'utf8' }), `${member}.btf\n`);
    const raw = execFileSync('sh', ['-c', 'xz -dc "$1" | tar -xO', 'sh', archive]);
    assert.ok(raw.equals(readFileSync(join(out, `${k}.btf`))), k);
  }
  const b = (JSON.parse(r.stdout) as Report).btfgen!;
  assert.equal(b.compressed, true);
  assert.deepEqual(b.kernels.map((k) => k.bytes), KERNELS.map((k) => statSync(join(dir, `${k}.btf.tar.xz`)).size));
});

// A kernel package as the kernel: Debian's 6.1.0-57-amd64 linux-image .deb (fetched by
// tools/fetch-kernel-images.sh), whose BTF is the corpus kernel's; bpftool's minimized BTF of that
// kernel for the 52 libbpf-tools objects is committed (tools/goldens/regen-btfgen.sh).
const deb = fetchedDebs().find((d) => d.what === 'bzimage-xz');
test('a Debian linux-image .deb as the kernel: its label from the package, bpftool\'s bytes', { skip: !deb?.corpus && 'no 6.1 linux-image .deb in .cache/debs: run tools/fetch-kernel-images.sh (needs apt and the network)' }, () => {
  const objects = readdirSync(TOOLS).filter((f) => f.endsWith('.bpf.o')).map((f) => join(TOOLS, f));
  const dir = freshDir();
  const r = runCli(['btfgen', ...objects, '--kernel', deb!.deb, '--out', dir, '--json']);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const label = `debian/12/x86_64/${deb!.release}`;
  assert.deepEqual(filesBelow(dir), [`${label}.btf`]);
  const golden = join(REPO, 'test/goldens/btfgen/libbpf-tools', deb!.corpus!.replace(/\.tar\.xz$/, ''));
  assert.ok(readFileSync(join(dir, `${label}.btf`)).equals(readFileSync(golden)), `bpftool's bytes (${golden})`);
});

test('--strict writes nothing for a kernel where an object fails, and says so', () => {
  const dir = freshDir();
  const r = runCli(['btfgen', ...LOAD_ON_DEB11, ...KERNEL_ARGS, '--out', dir, '--strict', '--json', '-j', '2']);
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(filesBelow(dir), [`${DEB11}.btf`]);
  const b = (JSON.parse(r.stdout) as Report).btfgen!;
  assert.equal(b.strict, true);
  assert.deepEqual(b.kernels.map((k) => [k.kernel, k.status, k.bytes === null]), [[DEB11, 'written', false], [DEB12, 'withheld', true], [CENTOS, 'withheld', true]]);
  const text = runCli(['btfgen', ...LOAD_ON_DEB11, ...KERNEL_ARGS, '--out', freshDir(), '--strict', '-j', '2']);
  assert.match(text.stdout, /1 of 3 kernels written/);
  assert.match(text.stdout, new RegExp(`${DEB12.replace(/[+.]/g, '\\$&')}\\s+withheld: \\S*bindsnoop\\.bpf\\.o fails`));
});

test('the gate: --require and --fail-on as check has them; SARIF is check\'s', () => {
  const passing = runCli(['btfgen', ...LOAD_ON_DEB11, ...KERNEL_ARGS, '--out', freshDir(), '--require', 'distro=debian/11', '-j', '2']);
  assert.equal(passing.status, 0, passing.stdout);
  assert.match(passing.stdout, /gate passed/);
  const sarif = runCli(['btfgen', ...OBJECTS, ...KERNEL_ARGS, '--out', freshDir(), '--format', 'sarif', '-j', '2']);
  assert.equal(sarif.status, 1);
  const valid = sarifValidator();
  assert.ok(valid(JSON.parse(sarif.stdout)), errorsOf(valid));
});

test('bad input: one line, exit 2, no output directory', () => {
  const dir = freshDir();
  const notElf = join(tmp, 'not-an-object.o');
  writeFileSync(notElf, 'hello, not ELF');
  const bad = runCli(['btfgen', notElf, ...KERNEL_ARGS, '--out', dir]);
  assertOneLineError(bad, notElf, /./);
  assert.equal(existsSync(dir), false);

  const missingKernel = join(tmp, 'no-such-kernel.btf');
  assertOneLineError(runCli(['btfgen', OBJECTS[1], '--kernel', missingKernel, '--out', dir]), missingKernel, /./);
  assert.equal(existsSync(dir), false);

  // an output directory below a regular file can never be made
  const under = join(notElf, 'out');
  const unwritable = runCli(['btfgen', OBJECTS[1], ...KERNEL_ARGS, '--out', under]);
  assertOneLineError(unwritable, under, /output directory: cannot write it/);

  const noOut = runCli(['btfgen', OBJECTS[1], ...KERNEL_ARGS]);
  assert.equal(noOut.status, 2);
  assert.equal(noOut.stdout, '');
  assert.match(noOut.stderr, /required option '--out <dir>'/);
  assert.doesNotMatch(noOut.stderr, /\n\s+at /);

  const junit = runCli(['btfgen', OBJECTS[1], ...KERNEL_ARGS, '--out', dir, '--format', 'junit']);
  assert.equal(junit.status, 2);
  assert.match(junit.stderr, /argument 'junit' is invalid\. Allowed choices are text, json, sarif\./);

  const wrongFlag = runCli(['btfgen', OBJECTS[1], ...KERNEL_ARGS, '--out', dir, '--shard', '1/2']);
  assert.equal(wrongFlag.status, 2);
  assert.match(wrongFlag.stderr, /unknown option '--shard'/);
  assert.equal(existsSync(dir), false);
});

test('writeFilesAtomic: all files or none, and no directory it made is left behind', () => {
  const dir = freshDir();
  const blocker = join(tmp, 'a-file');
  writeFileSync(blocker, '');
  assert.throws(() => writeFilesAtomic([
    { path: join(dir, 'x/y/one.btf'), data: new Uint8Array([1]) },
    { path: join(blocker, 'two.btf'), data: new Uint8Array([2]) },
  ]), (e: CorecheckError) => /two\.btf: output file: cannot write it/.test(e.format()));
  assert.equal(existsSync(dir), false);
  writeFilesAtomic([{ path: join(dir, 'x/y/one.btf'), data: new Uint8Array([1]) }, { path: join(dir, 'two.btf'), data: 'two' }]);
  assert.deepEqual(filesBelow(dir), ['two.btf', 'x/y/one.btf']);
});
