// The root-cause report as a person and a CI job read it: one screen per object on the largest real
// objects (the 52 objects embedded in Debian's libbpf-tools and the kernel selftests' profiler1/2/3,
// pyperf600 and strobemeta from linux-source-6.12) against every corpus kernel and this machine's;
// guarded CO-RE misses as info; the object's architecture; the CI gate's exit statuses and its
// --require grammar; colour only where asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../src/report/model.js';
import { parseRequire } from '../src/report/gate.js';
import { SCREEN_LINES, SCREEN_WIDTH } from '../src/report/text.js';
import { CORPUS_KERNELS, HOST_BTF, cachePath, corpusManifest } from './helpers/inputs.js';
import { CLI, EXAMPLE, runCli as cli } from './helpers/cli.js';
import { scratchDir } from './helpers/scratch.js';

const EL8 = join(CORPUS_KERNELS, 'centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64.btf.tar.xz');
const DEB11 = join(CORPUS_KERNELS, 'debian/11/x86_64/5.10.0-32-amd64.btf.tar.xz');
const dir = scratchDir('report');

/** The distinct binaries of Debian's libbpf-tools (9 of its 61 names are symlinks to others). */
function libbpfTools(): string[] {
  const list = spawnSync('dpkg', ['-L', 'libbpf-tools'], { encoding: 'utf8' }).stdout.split('\n').filter((p) => p.startsWith('/usr/sbin/'));
  return list.filter((p) => !lstatSync(p).isSymbolicLink()).sort();
}

const LARGE = ['profiler1', 'profiler2', 'profiler3', 'pyperf600', 'strobemeta'].map((n) => cachePath(`objects/selftests-large/${n}.bpf.o`));
const fleet = ['--kernel', CORPUS_KERNELS, '--kernel', HOST_BTF];

/** The text of each object: from its headline to the line before the next headline or the gate's line. */
function sections(text: string, names: readonly string[]): Map<string, string[]> {
  const lines = text.split('\n');
  const starts = lines.map((l, i) => [l, i] as const).filter(([l]) => names.some((n) => l.startsWith(`${n} — `)));
  const out = new Map<string, string[]>();
  starts.forEach(([l, i], k) => {
    const end = k + 1 < starts.length ? starts[k + 1][1] : lines.findIndex((x) => /^gate (passed|failed)/.test(x));
    out.set(names.find((n) => l.startsWith(`${n} — `))!, lines.slice(i, end));
  });
  return out;
}

test('one screen: every libbpf-tools object and the selftests\' large programs, against the corpus and this machine, in ≤ 60 lines naming every failing program; --verbose lists every reason', async (t) => {
  const tools = libbpfTools();
  assert.equal(tools.length, 52, 'Debian libbpf-tools 0.26: 52 distinct binaries');
  const missing = LARGE.filter((p) => !existsSync(p));
  if (missing.length > 0) t.diagnostic(`not built (tools/goldens/build-selftests.sh --objects-only): ${missing.join(', ')}`);
  assert.equal(missing.length, 0, 'the selftests\' large programs are built by .ci/run');
  const files = [...tools, ...LARGE];

  const json = cli(['check', ...files, ...fleet, '--format', 'json']);
  assert.ok(json.status === 0 || json.status === 1, json.stderr);
  const report = JSON.parse(json.stdout) as Report;
  const text = cli(['check', ...files, ...fleet]);
  assert.equal(text.status, json.status, 'the same gate whatever the format');
  assert.equal(text.stderr, '', 'no progress bar or colour off a TTY');

  const names = report.objects.map((o) => o.name);
  const byObject = sections(text.stdout, names);
  assert.equal(byObject.size, report.objects.length, 'every object has its section');
  let failing = 0;
  for (const o of report.objects) {
    const lines = byObject.get(o.name)!;
    // What one object alone prints: its section (with its blank line) and the gate's line.
    assert.ok(lines.length + 1 <= SCREEN_LINES, `${o.name}: ${lines.length + 1} lines`);
    const matrix = lines.slice(lines.findIndex((l) => l.startsWith('  program ')), lines.findIndex((l) => l.includes('✓ loads  ✗ fails')) + 1);
    for (const l of matrix) assert.ok([...l].length <= SCREEN_WIDTH, `${o.name}: the matrix fits ${SCREEN_WIDTH} columns: ${l}`);
    const failed = new Set(o.details.flatMap((d) => d.programs.filter((p) => p.verdict === 'fails').map((p) => p.name)));
    failing += failed.size;
    const shown = lines.join('\n');
    for (const p of failed) assert.match(shown, new RegExp(`(^|[ ,])${p}(,|\\s|$)`, 'm'), `${o.name}: failing program ${p} is named`);
    // Guarded misses are info: the programs load, and the screen shows only their count per group.
    for (const d of o.details) {
      for (const p of d.programs) {
        if (p.reasons.length > 0 && p.reasons.every((r) => r.verdict === 'info')) assert.equal(p.verdict, 'loads', `${o.name} ${p.name} on ${d.kernel}`);
      }
    }
    const guarded = o.groups.filter((g) => g.guarded.sites > 0).map((g) => g.id);
    if (guarded.length > 0) assert.match(shown, /guarded CO-RE miss/, `${o.name}: the guarded count line`);
  }
  assert.ok(failing > 0, 'some programs fail somewhere (the 4.18/4.19 kernels, renamed fields)');

  const verbose = cli(['check', ...files, ...fleet, '--verbose']);
  for (const o of report.objects) {
    for (const d of o.details) for (const p of d.programs) for (const r of p.reasons) {
      assert.ok(verbose.stdout.includes(r.message), `${o.name} ${p.name} on ${d.kernel}: ${r.message}`);
    }
  }
  // The selftests' objects carry line info without source text: such a site prints its place alone.
  for (const out of [text.stdout, verbose.stdout]) assert.doesNotMatch(out, /[ \t]+$/m, 'no line ends in blanks');
  // Everything verbose lists for the large programs appears per kernel group: the info reasons too.
  const profiler1 = report.objects.find((o) => o.name.endsWith('profiler1.bpf.o'))!;
  assert.ok(profiler1.causes.some((c) => c.verdict === 'info'), 'profiler1 guards CO-RE accesses (bpf_core_field_exists)');
});

test('inspect prints no line ending in blanks: its tables pad their last column, a site without source text has none', () => {
  for (const file of [cachePath('objects/libbpf-tools/execsnoop.bpf.o'), LARGE[0]]) {
    const r = cli(['inspect', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /CO-RE RELOCATIONS/);
    assert.doesNotMatch(r.stdout, /[ \t]+$/m, file);
  }
});

test('architecture: an x86_64 object is checked on x86_64 kernels by default and says how many were left out; --arch all makes the mismatch one cause', () => {
  const profiler1 = LARGE[0];
  const auto = JSON.parse(cli(['check', profiler1, '--kernel', CORPUS_KERNELS, '--format', 'json']).stdout) as Report;
  const [o] = auto.objects;
  assert.equal(o.arch.builtFor, 'x86_64');
  assert.ok(o.arch.evidence.some((e) => /pt_regs/.test(e)), o.arch.evidence.join('; '));
  const arches = new Map(auto.kernels.map((k) => [k.label, k.arch]));
  assert.ok(o.kernels.every((k) => arches.get(k) === 'x86_64'));
  const other = [...corpusManifest().keys()].filter((p) => !p.includes('/x86_64/')).length;
  assert.equal(o.arch.leftOut.length, other, 'every arm64, ppc64le and s390x corpus kernel is left out');
  assert.match(cli(['check', profiler1, '--kernel', CORPUS_KERNELS]).stdout, new RegExp(`${other} kernels of other architectures left out \\(--arch all checks them\\)`));

  const all = JSON.parse(cli(['check', profiler1, '--kernel', CORPUS_KERNELS, '--format', 'json', '--arch', 'all']).stdout) as Report;
  const [a] = all.objects;
  assert.equal(a.arch.leftOut.length, 0);
  const mismatch = a.causes.filter((c) => c.class === 'ARCH_MISMATCH');
  assert.equal(mismatch.length, 1, 'one cause: built for x86_64');
  assert.equal(mismatch[0].key, 'arch:x86_64');
  assert.ok(mismatch[0].kernels.every((k) => arches.get(k) !== 'x86_64'), 'only on kernels of other architectures');
  assert.ok(!a.causes.some((c) => c.subject.kind === 'core' && c.subject.core.essential === 'pt_regs'), 'no pt_regs failures listed one by one');
});

test('CI gate: exit 0 when every required pair meets the bar, 1 when one does not, 2 on usage and input errors', () => {
  // openat2_e fails on el8_1 (4.18) and loads on 5.10.
  assert.equal(cli(['check', EXAMPLE, '--kernel', DEB11]).status, 0);
  assert.equal(cli(['check', EXAMPLE, '--kernel', EL8, '--kernel', DEB11]).status, 1);
  assert.equal(cli(['check', EXAMPLE, '--kernel', EL8, '--kernel', DEB11, '--require', 'release>=5.8']).status, 0, 'el8_1 is not required');
  assert.equal(cli(['check', EXAMPLE, '--kernel', EL8, '--kernel', DEB11, '--require', 'distro=debian', '--require', 'arch=arm64']).status, 1, 'or: arm64 names el8_1');
  const deb11arm = join(CORPUS_KERNELS, 'debian/11/arm64/5.10.0-32-arm64.btf.tar.xz');
  assert.equal(cli(['check', EXAMPLE, '--kernel', EL8, '--kernel', deb11arm, '--require', 'arch=arm64,release>=5']).status, 0, 'and: the arm64 kernels from 5 on');
  assert.equal(cli(['check', EXAMPLE, '--kernel', EL8, '--kernel', deb11arm, '--require', 'arch=arm64,release<5']).status, 1, 'and: the arm64 kernels before 5');
  // slabratetop's kprobe on kmem_cache_alloc warns where 6.10 renamed it (kmem_cache_alloc_noprof).
  const warnKernels = join(CORPUS_KERNELS, 'debian/13/x86_64/6.12.107+deb13-amd64.btf.tar.xz');
  assert.equal(cli(['check', '/usr/sbin/slabratetop', '--kernel', warnKernels]).status, 0, 'a warning loads');
  const strict = cli(['check', '/usr/sbin/slabratetop', '--kernel', warnKernels, '--fail-on', 'warn']);
  assert.equal(strict.status, 1);
  assert.match(strict.stdout, /gate failed: 1 of 1 required \(object, kernel\) pair .* are at warn or worse \(--fail-on warn\)/);
  assert.equal(cli(['check', '/usr/sbin/slabratetop', '--kernel', warnKernels, '--fail-on', 'unknown']).status, 0, 'warn is better than unknown');

  for (const [args, message] of [
    [['--require', 'kernel=5.10'], /^corecheck: option --require: 'kernel=5\.10': 'kernel=5\.10' is not KEY OP VALUE/],
    [['--require', 'arch>=x86_64'], /compares releases only/],
    [['--require', 'distro=rhel'], /'distro=rhel': matches none of the 1 checked kernels/],
    [['--fail-on', 'sometimes'], /error: option '--fail-on <verdict>' argument 'sometimes' is invalid/],
    [['--format', 'pdf'], /argument 'pdf' is invalid/],
    [['--output', join(dir, 'no/such/dir/report.json')], /report\.json: output file: cannot write it: .*no such file or directory/],
  ] as const) {
    const r = cli(['check', EXAMPLE, '--kernel', DEB11, ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with --help')).length, 1, 'one line');
    assert.equal(r.stdout, '');
  }
  assert.deepEqual(readdirSync(dir), [], 'no partial report left behind');
});

test('--require grammar on the corpus kernels\' metadata', () => {
  const meta = (path: string): Parameters<ReturnType<typeof parseRequire>>[0] => {
    const [distro, release, arch, file] = path.split('/');
    return { label: path, distro, release, arch: arch === 'aarch64' ? 'arm64' : arch, version: file.replace(/\.btf\.tar\.xz$/, ''), btf: true };
  };
  const kernels = [...corpusManifest().keys()].map(meta);
  const pick = (expr: string): string[] => kernels.filter(parseRequire(expr)).map((k) => k.version!);
  assert.deepEqual(pick('distro=centos'), ['4.18.0-147.5.1.el8_1.aarch64']);
  assert.ok(pick('release>=5.8').every((v) => !/^4\./.test(v) && !/^5\.[0-7]\./.test(v)));
  assert.equal(pick('release>=5.8').length + pick('release<5.8').length, kernels.length);
  assert.ok(pick('release=5.10').length > 0 && pick('release=5.10').every((v) => v.startsWith('5.10.')));
  assert.deepEqual(pick('arch=aarch64'), pick('arch=arm64'), 'aarch64 and arm64 are one architecture');
  assert.ok(pick('distro=debian/12,arch=x86_64').every((v) => /^6\.(1|12)\./.test(v)));
  assert.deepEqual(pick('label=kylin/*'), pick('distro=kylin'));
  assert.deepEqual(pick('distro!=debian').sort(), kernels.filter((k) => k.distro !== 'debian').map((k) => k.version!).sort());
});

test('fleet filters: --distro and --release pick the kernels to check before any is read', () => {
  const checked = (args: string[]): string[] =>
    (JSON.parse(cli(['check', EXAMPLE, '--kernel', CORPUS_KERNELS, '--format', 'json', ...args]).stdout) as Report).kernels.map((k) => k.label);
  const versionOf = (label: string): string => label.split('/')[3];
  const range = checked(['--release', '>=5.4 <6.2']);
  assert.ok(range.length > 0);
  assert.ok(range.every((l) => /^(5\.\d+|6\.[01])\./.test(versionOf(l))), range.join(' '));
  assert.deepEqual(checked(['--distro', 'kylin', '--distro', 'centos']), [...corpusManifest().keys()].filter((p) => /^(kylin|centos)\//.test(p)).map((p) => p.replace('/aarch64/', '/arm64/').replace(/\.btf\.tar\.xz$/, '')).sort());
  assert.deepEqual(checked(['--distro', 'debian/12', '--release', '6.12']).map(versionOf), checked(['--distro', 'debian/12']).map(versionOf).filter((v) => v.startsWith('6.12.')));
  for (const [args, message] of [
    [['--release', 'new'], /^corecheck: option --release: 'new': 'new' is not a release comparison like >=5\.4 or <6\.0\n$/],
    [['--distro', 'rhel'], /^corecheck: options --distro, --release: no kernel of the fleet matches them\n$/],
  ] as const) {
    const r = cli(['check', EXAMPLE, '--kernel', CORPUS_KERNELS, ...args]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, message);
  }
});

test('colour only on a TTY or when forced: NO_COLOR and FORCE_COLOR are honoured', () => {
  const args = ['check', EXAMPLE, '--kernel', EL8, '--arch', 'all'];
  const ansi = /\x1b\[[0-9;]*m/;
  assert.doesNotMatch(cli(args).stdout, ansi, 'a pipe gets no colour');
  assert.match(cli(args, { FORCE_COLOR: '1' }).stdout, ansi);
  assert.doesNotMatch(cli(args, { FORCE_COLOR: '0' }).stdout, ansi);
  assert.doesNotMatch(cli(args, { NO_COLOR: '1' }).stdout, ansi);
  const out = join(dir, 'colour');
  mkdirSync(out);
  assert.equal(cli([...args, '--output', join(out, 'x.txt')], { FORCE_COLOR: '1' }).stdout, '');
  assert.doesNotMatch(readFileSync(join(out, 'x.txt'), 'utf8'), ansi, 'a file gets no colour');
});

test('what changed, end to end on real renames: the successor in the kernels that lack it, and between which releases of the fleet', () => {
  const k = (p: string): string[] => ['--kernel', join(CORPUS_KERNELS, `${p}.btf.tar.xz`)];
  const causeOf = (args: string[], key: string): Report['objects'][number]['causes'][number] => {
    const r = cli(['check', ...args, '--format', 'json']);
    const report = JSON.parse(r.stdout) as Report;
    const c = report.objects[0].causes.find((x) => x.key === key);
    assert.ok(c, `${key} in ${report.objects[0].causes.map((x) => x.key).join(', ')}`);
    return c;
  };
  // The guards fixture reads task_struct.__state unguarded in one program: 5.10 has `state` (5.14 renamed it).
  const state = causeOf([cachePath('objects/fixtures/guards.bpfel.o'), ...k('debian/11/x86_64/5.10.0-32-amd64'), ...k('debian/12/x86_64/6.1.0-57-amd64')], 'core:struct task_struct.__state');
  assert.equal(state.change?.successor?.name, 'task_struct.state');
  assert.equal(state.change?.successor?.how, 'field-renamed');
  assert.deepEqual(state.change?.between, { change: 'added', before: '5.10.0-32-amd64', after: '6.1.0-57-amd64' });
  // profiler1 (kernel selftests) reads kernfs_node.parent, which 7.2 calls __parent.
  const parent = causeOf([LARGE[0], ...k('debian/13/x86_64/6.12.107+deb13-amd64'), ...k('debian/sid/x86_64/7.2.13+deb14-amd64')], 'core:struct kernfs_node.parent');
  assert.equal(parent.verdict, 'fails');
  assert.equal(parent.change?.successor?.name, 'kernfs_node.__parent');
  assert.deepEqual(parent.change?.between, { change: 'removed', before: '6.12.107+deb13-amd64', after: '7.2.13+deb14-amd64' });
  // slabratetop's kprobe on kmem_cache_alloc: 6.10's allocation profiling made it kmem_cache_alloc_noprof.
  const alloc = causeOf(['/usr/sbin/slabratetop', ...k('debian/12/x86_64/6.1.0-57-amd64'), ...k('debian/13/x86_64/6.12.107+deb13-amd64')], 'attach:function kmem_cache_alloc');
  assert.equal(alloc.verdict, 'warn');
  assert.equal(alloc.change?.successor?.name, 'kmem_cache_alloc_noprof');
  const text = cli(['check', '/usr/sbin/slabratetop', ...k('debian/12/x86_64/6.1.0-57-amd64'), ...k('debian/13/x86_64/6.12.107+deb13-amd64')]).stdout;
  assert.match(text, /what changed: now kmem_cache_alloc_noprof: .*; changed between 6\.1\.0-57-amd64 and 6\.12\.107\+deb13-amd64/);
});

test('progress: a bar on stderr when it is a terminal and the run takes over a second; none when piped', (t) => {
  if (!existsSync('/usr/bin/script')) return t.skip('util-linux script (a pseudo-terminal) is not installed');
  // script(1) runs the command on a pseudo-terminal; the report goes to a file, so what the
  // terminal shows is stderr alone.
  const out = join(dir, 'progress');
  mkdirSync(out);
  // --no-cache --jobs 1: decompressing 31 archives one by one takes seconds, whatever a warm cache or cores would do.
  const cmd = `${process.execPath} ${CLI} check ${EXAMPLE} --kernel ${join(CORPUS_KERNELS, 'debian')} --no-cache --jobs 1 --output ${join(out, 'r.txt')}`;
  const r = spawnSync('script', ['-q', '-e', '-c', cmd, '/dev/null'], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /█+░*.* \d+\/\d+ kernels/, 'the bar, with the count of kernels');
  assert.match(readFileSync(join(out, 'r.txt'), 'utf8'), /^gate passed: 31 required/m, 'the report went to the file');
  const piped = cli(['check', EXAMPLE, '--kernel', join(CORPUS_KERNELS, 'debian')]);
  assert.equal(piped.stderr, '');
});
