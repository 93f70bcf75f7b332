// `corecheck check`: load verdicts against the live verifier's (tools/goldens/regen-verdicts.sh:
// libbpf 1.5 loading each program on this machine with btf_custom_path set to each kernel), and
// feature checks against facts bpftool reads from each corpus kernel's BTF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkObject, type ObjectVerdict, type ProgramVerdict } from '../src/analysis/check.js';
import { HOST_VERIFIER } from '../src/analysis/verifier-model.js';
import { Btf } from '../src/btf/btf.js';
import { ElfFile } from '../src/elf/elf.js';
import { BpfObject } from '../src/object/object.js';
import { openBpfObjects } from '../src/object/open.js';
import type { Report } from '../src/report/model.js';
import { BtfBuilder } from './helpers/btf-builder.js';
import { CORPUS_KERNELS, REPO, cachePath, corpusArchives, extractCorpusBtf, readBytes } from './helpers/inputs.js';
import { EXAMPLE, runCli as cli } from './helpers/cli.js';
import { scratchDir } from './helpers/scratch.js';

const GOLDENS = join(REPO, 'test/goldens/verdicts');
const EL8 = 'centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64';
const dir = scratchDir('check');

const kernels = new Map<string, Btf>();
/** A corpus kernel by its path label (`<distro>/<release>/<arch>/<kernel>`), or `host`. */
function kernel(label: string): Btf {
  let btf = kernels.get(label);
  if (!btf) {
    btf = Btf.parse(label === 'host' ? readBytes('/sys/kernel/btf/vmlinux') : readBytes(extractCorpusBtf(`${label}.btf.tar.xz`, dir)));
    kernels.set(label, btf);
  }
  return btf;
}
const objectAt = (path: string): BpfObject => new BpfObject(readBytes(path));
const program = (v: ObjectVerdict, name: string): ProgramVerdict => {
  const p = v.programs.find((x) => x.name === name);
  assert.ok(p, `program ${name}`);
  return p;
};

test('seed case: openat2_e fails on CentOS 8 el8_1 with libbpf\'s line and its source line, loads on 5.10+; the guarded variant loads', () => {
  const labels = [EL8, 'debian/11/x86_64/5.10.0-32-amd64', 'debian/12/x86_64/6.1.0-57-amd64', 'debian/13/x86_64/6.12.107+deb13-amd64'];
  const r = cli(['check', EXAMPLE, '--json', '--arch', 'all', ...labels.flatMap((l) => ['--kernel', join(CORPUS_KERNELS, `${l}.btf.tar.xz`)])]);
  assert.equal(r.status, 1, 'the gate fails: the object fails on el8_1');
  const report = JSON.parse(r.stdout) as Report;
  const [obj] = report.objects;
  const el8Label = labels[0].replace('/aarch64/', '/arm64/');
  assert.deepEqual(obj.kernels, labels.map((l) => l.replace('/aarch64/', '/arm64/')));
  assert.deepEqual(report.kernels[0], { label: el8Label, distro: 'centos', release: '8', arch: 'arm64', version: '4.18.0-147.5.1.el8_1.aarch64', btf: true });
  // The message libbpf printed when the live verifier rejected openat2_e against el8_1's BTF.
  const golden = readFileSync(join(GOLDENS, 'openat2.tsv'), 'utf8').split('\n').map((l) => l.split('\t'))
    .find((c) => c[0] === EL8 && c[1] === 'openat2_e')!;
  assert.equal(golden[2], 'fails-core');

  const el8 = obj.details.find((d) => d.kernel === el8Label)!;
  assert.equal(el8.verdict, 'fails', 'the object fails: one failing program fails bpf_object__load');
  const e = el8.programs.find((p) => p.name === 'openat2_e')!;
  assert.equal(e.verdict, 'fails');
  const core = e.reasons.find((x) => x.class === 'CORE_RELOCATION')!;
  assert.equal(core.message, golden[3]);
  assert.equal(core.cause, 'core:struct open_how', 'the root cause is the missing struct, not the field');
  // The source line is line_info's: the C file itself has that text on that line.
  const source = readFileSync(join(REPO, 'examples/openat2/openat2.bpf.c'), 'utf8').split('\n');
  assert.ok(core.source);
  assert.equal(source[core.source.line - 1], core.source.text);
  assert.match(core.source.text, /ev\.flags = how\.flags;/);

  const cause = obj.causes.find((c) => c.key === 'core:struct open_how')!;
  assert.equal(cause, obj.causes[0], 'the cause with the most failing pairs comes first');
  assert.equal(cause.verdict, 'fails');
  assert.equal(cause.message, golden[3]);
  assert.deepEqual(cause.programs, ['openat2_e']);
  assert.deepEqual(cause.guardedPrograms, ['openat2_guarded']);
  assert.deepEqual(cause.kernels, [el8Label]);
  assert.deepEqual(cause.presentOn, obj.kernels.slice(1));
  assert.equal(cause.failingPairs, 1);
  assert.deepEqual(cause.sites.map((x) => x.text), [core.source.text], 'the guarded site is not where it breaks');
  assert.deepEqual(cause.change?.between, { change: 'added', before: '4.18.0-147.5.1.el8_1.aarch64', after: '5.10.0-32-amd64' });
  assert.ok(cause.fixes.some((f) => f.includes('bpf_core_type_exists(struct open_how)')));
  assert.ok(cause.fixes.some((f) => /local copy without preserve_access_index/.test(f)));
  assert.ok(cause.fixes.some((f) => /autoload off/.test(f)));

  for (const k of obj.details.slice(1)) {
    assert.equal(k.verdict, 'loads', k.kernel);
    for (const p of k.programs) assert.equal(p.verdict, 'loads', `${p.name} on ${k.kernel}`);
  }
  const guarded = el8.programs.find((p) => p.name === 'openat2_guarded')!;
  assert.equal(guarded.verdict, 'loads', 'the poisoned access is dead code: CO-RE working as designed');
  assert.deepEqual(guarded.reasons.map((x) => [x.class, x.verdict]), [['CORE_RELOCATION', 'info']]);
  assert.deepEqual(obj.groups.map((g) => [g.verdict, g.kernels.length, g.guarded]), [['fails', 1, { sites: 1, programs: 1 }], ['loads', 3, { sites: 0, programs: 0 }]]);

  const text = cli(['check', EXAMPLE, '--arch', 'all', '--kernel', join(CORPUS_KERNELS, `${EL8}.btf.tar.xz`)]);
  assert.equal(text.status, 1);
  assert.ok(text.stdout.includes(golden[3]), 'the terminal view prints libbpf\'s line');
  assert.match(text.stdout, /FAILS on A \(1 kernel\)/);
  assert.match(text.stdout, /at \.\/openat2\.bpf\.c:\d+:\d+ +ev\.flags = how\.flags;/);
});

test('CO-RE verdicts agree with the live verifier on ≥ 99% of (program, kernel) pairs and never say loads where it rejected', async (t) => {
  const files = readdirSync(GOLDENS).filter((f) => f.endsWith('.tsv'));
  assert.ok(files.length >= 56, `${files.length} goldens`);
  const hostSha = readFileSync(join(GOLDENS, 'HOST'), 'utf8').trim();
  const hostOk = createHash('sha256').update(readBytes('/sys/kernel/btf/vmlinux')).digest('hex') === hostSha;
  if (!hostOk) t.diagnostic('host rows skipped: the verdicts were recorded on another host kernel');
  // libbpf-tools objects are read from the tools' binaries, where they are embedded (the goldens'
  // script ran on the same objects extracted by extract-libbpf-tools.py; objects.tsv pins them).
  // a golden named `<object>+<name>=<value>...` was recorded with those .rodata values set (load-verdicts --set)
  const objectPath = (name: string): string => ['guards', 'rodata'].includes(name) ? cachePath(`objects/fixtures/${name}.bpfel.o`)
    : name === 'openat2' ? EXAMPLE : `/usr/sbin/${name}`;
  let pairs = 0;
  let agree = 0;
  const unsafe: string[] = [];
  const differ: string[] = [];
  for (const f of files) {
    const [name, ...sets] = f.slice(0, -4).split('+');
    const rodata = new Map(sets.map((x) => [x.split('=')[0], BigInt(x.split('=')[1])] as const));
    assert.ok(existsSync(objectPath(name)), `${objectPath(name)} (build-fixtures.sh --objects-only; apt-get install libbpf-tools)`);
    const located = openBpfObjects(readBytes(objectPath(name)), objectPath(name));
    assert.equal(located.length, 1, `${name}: one embedded object`);
    const obj = located[0].object;
    const rows = readFileSync(join(GOLDENS, f), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
    const byKernel = new Map<string, string[][]>();
    for (const row of rows) byKernel.set(row[0], [...(byKernel.get(row[0]) ?? []), row]);
    for (const [label, kr] of byKernel) {
      if (label === 'host' && !hostOk) continue;
      // the host's verifier judged these (CO-RE against the row's BTF): its model, not the row's
      const v = checkObject(obj, { vmlinux: kernel(label) }, { verifier: HOST_VERIFIER, rodata });
      for (const [, prog, verifier] of kr) {
        // CO-RE verdicts only: programs the kernel here refuses whatever they are, or that fail for
        // another reason (the host's verifier, not the target's), say nothing about CO-RE.
        if (!['loads', 'fails-core', 'core-error'].includes(verifier)) continue;
        const core = program(v, prog).reasons.filter((x) => x.class.startsWith('CORE_'));
        const ours = core.some((x) => x.verdict === 'fails' && x.class !== 'CORE_RELOCATION') ? 'core-error'
          : core.some((x) => x.verdict === 'fails') ? 'fails-core' : core.some((x) => x.verdict === 'unknown') ? 'unknown' : 'loads';
        pairs++;
        if (ours === verifier) agree++;
        else {
          differ.push(`${f.slice(0, -4)} ${prog} on ${label}: verifier ${verifier}, corecheck ${ours}`);
          if (ours === 'loads') unsafe.push(differ[differ.length - 1]);
        }
      }
    }
  }
  t.diagnostic(`${agree}/${pairs} (program, kernel) pairs agree (${(100 * agree / pairs).toFixed(2)}%)`);
  assert.ok(pairs > 5000, `${pairs} pairs`);
  assert.deepEqual(unsafe, [], 'never loads where the verifier rejected for CO-RE');
  assert.ok(agree / pairs >= 0.99, differ.slice(0, 20).join('\n'));
});

test('kernel selftests core_reloc cases: load outcome as the live verifier recorded it (CASES.tsv)', () => {
  const sdir = cachePath('objects/selftests');
  assert.ok(existsSync(sdir), `${sdir} (tools/goldens/build-selftests.sh --objects-only)`);
  const rows = readFileSync(join(REPO, 'test/goldens/selftests/CASES.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  const differ: string[] = [];
  for (const [name, prog, targetFile, , , , , , , load] of rows) {
    const bytes = readBytes(join(sdir, targetFile));
    let target: Btf;
    if (targetFile.endsWith('.btf')) target = Btf.parse(bytes);
    else {
      const elf = new ElfFile(bytes);
      target = Btf.parse(elf.data(elf.section('.BTF')!));
    }
    const obj = objectAt(join(sdir, prog));
    // The selftests load every program of the object: every program counts.
    const v = checkObject(obj, { vmlinux: target });
    const core = v.programs.flatMap((p) => p.reasons).filter((x) => x.class.startsWith('CORE_') && x.verdict === 'fails');
    const ours = core.some((x) => x.class !== 'CORE_RELOCATION') ? 'not-loaded' : core.length > 0 ? 'rejected-poison' : 'ok';
    if (ours !== load) differ.push(`${name}: verifier ${load}, corecheck ${ours}`);
  }
  assert.equal(rows.length, 75);
  assert.deepEqual(differ, []);
});

/** What bpftool says a kernel's BTF has: `FUNC 'x'`, `TYPEDEF 'x'`, `VAR 'x'` and `BPF_*` enumerator names. */
function bpftoolFacts(label: string): Set<string> {
  const file = extractCorpusBtf(`${label}.btf.tar.xz`, dir);
  const raw = execFileSync('bpftool', ['btf', 'dump', 'file', file, 'format', 'raw'], { maxBuffer: 1 << 30, encoding: 'latin1' });
  const facts = new Set<string>();
  for (const m of raw.matchAll(/^\[\d+\] (FUNC|TYPEDEF|VAR) '([^']*)'/gm)) facts.add(`${m[1]} ${m[2]}`);
  for (const m of raw.matchAll(/^\t'(BPF_\w+)' val=/gm)) facts.add(m[1]); // map, helper, program and attach types
  return facts;
}

test('feature checks on every corpus kernel match what bpftool reads from its BTF', async (t) => {
  const fixtures = ['features', 'ringbuf', 'externs'].map((n) => cachePath('objects/fixtures', `${n}.bpfel.o`));
  for (const f of fixtures) assert.ok(existsSync(f), `${f} (tools/goldens/build-fixtures.sh --objects-only)`);
  const [features, ringbuf, externs] = fixtures.map(objectAt);
  const labels = corpusArchives().map((a) => a.replace(/\.btf\.tar\.xz$/, ''));
  assert.equal(labels.length, 35);
  for (const label of labels) {
    await t.test(label, () => {
      const has = bpftoolFacts(label);
      const classes = (v: ObjectVerdict, prog: string, verdict = 'fails'): string[] =>
        [...new Set(program(v, prog).reasons.filter((r) => r.verdict === verdict).map((r) => r.class))].sort();
      const expect = (cond: boolean, ...cls: string[]): string[] => (cond ? cls : []);

      const rb = checkObject(ringbuf, { vmlinux: kernel(label) });
      const noRingbufMap = !has.has('BPF_MAP_TYPE_RINGBUF');
      assert.deepEqual(classes(rb, 'emit'), [...expect(!has.has('BPF_FUNC_ringbuf_output'), 'HELPER_UNAVAILABLE'), ...expect(noRingbufMap, 'MAP_TYPE_UNSUPPORTED')].sort());
      assert.deepEqual(classes(rb, 'quiet'), expect(noRingbufMap, 'MAP_TYPE_UNSUPPORTED'), 'a map libbpf cannot create fails every program');

      const ft = checkObject(features, { vmlinux: kernel(label) });
      // program type and attach type (libbpf's section table), then the target
      const attach = (progType: string, attachType: string, missing: boolean): string[] => [
        ...expect(!has.has(`BPF_PROG_TYPE_${progType}`) || !has.has(attachType), 'PROG_TYPE_UNSUPPORTED'),
        ...expect(missing, 'ATTACH_TARGET_MISSING'),
      ].sort();
      assert.deepEqual(classes(ft, 'fentry_present'), attach('TRACING', 'BPF_TRACE_FENTRY', !has.has('FUNC do_exit')));
      assert.deepEqual(classes(ft, 'fentry_missing'), attach('TRACING', 'BPF_TRACE_FENTRY', true));
      assert.deepEqual(classes(ft, 'tp_btf_sched_switch'), attach('TRACING', 'BPF_TRACE_RAW_TP', !has.has('TYPEDEF btf_trace_sched_switch')));
      assert.deepEqual(classes(ft, 'iter_task'), attach('TRACING', 'BPF_TRACE_ITER', !has.has('FUNC bpf_iter_task')));
      assert.deepEqual(classes(ft, 'lsm_file_open'), attach('LSM', 'BPF_LSM_MAC', !has.has('FUNC bpf_lsm_file_open')));
      assert.deepEqual(classes(ft, 'kprobe_missing'), []);
      // attaching fails, loading does not; a BTF with no FUNC at all (Kylin's 4.19.90-52) says nothing of functions
      const describesFunctions = [...has].some((f) => f.startsWith('FUNC '));
      assert.deepEqual(classes(ft, 'kprobe_missing', 'warn'), expect(describesFunctions, 'ATTACH_TARGET_MISSING'));
      // A missing __weak kfunc's address is 0: under `if (bpf_task_acquire)` the call is dead.
      assert.ok(!classes(ft, 'weak_kfunc_guarded').includes('KFUNC_MISSING'));
      assert.equal(classes(ft, 'weak_kfunc_unguarded').includes('KFUNC_MISSING'), !has.has('FUNC bpf_task_acquire'));
      assert.deepEqual(classes(ft, 'helper_guarded'), [], 'a guarded helper call is dead where the helper is missing');

      const ex = checkObject(externs, { vmlinux: kernel(label) });
      const objectWide = [...expect(!has.has('FUNC bpf_rcu_read_lock'), 'KFUNC_MISSING'), ...expect(!has.has('VAR runqueues'), 'KSYM_MISSING')];
      for (const p of ['uses_kfunc', 'uses_ksym', 'plain']) {
        const got = classes(ex, p).filter((c) => c === 'KFUNC_MISSING' || c === 'KSYM_MISSING');
        assert.deepEqual(got, objectWide.sort(), `${p}: libbpf resolves every extern before loading any program`);
      }
    });
  }
});

test('kprobe and syscall tracepoint targets are judged only where the BTF describes functions (Kylin\'s 4.19.90-52 has no FUNC)', () => {
  const opensnoop = objectAt(join(REPO, '.cache/objects/libbpf-tools/opensnoop.bpf.o'));
  const warned = (label: string): string[] => [...new Set(checkObject(opensnoop, { vmlinux: kernel(label) }).programs
    .flatMap((p) => p.reasons.filter((r) => r.class === 'ATTACH_TARGET_MISSING').map((r) => (r.subject.kind === 'attach-target' ? r.subject.needs : '?'))))];
  // Both kernels have both syscalls (4.19.90-24's BTF has their arm64 entry points); 4.19.90-52's
  // BTF has no FUNC at all, which says nothing of them: no warning either
  assert.deepEqual(warned('kylin/V10/aarch64/4.19.90-24.4.v2101.ky10.aarch64'), []);
  assert.deepEqual(warned('kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64'), []);
});

test('features are read from the kernel\'s own BTF: a "4.18" kernel with a backported ring buffer passes', () => {
  const ringbuf = objectAt(cachePath('objects/fixtures/ringbuf.bpfel.o'));
  const kernelWith = (funcs: [string, number][], maps: [string, number][], progs: [string, number][]): Btf => {
    const b = new BtfBuilder();
    b.int('int', 4, true);
    b.enumType('bpf_func_id', funcs);
    b.enumType('bpf_map_type', maps);
    b.enumType('bpf_prog_type', progs);
    return Btf.parse(b.build());
  };
  const base: [string, number][] = [['BPF_FUNC_unspec', 0], ['BPF_FUNC_get_current_pid_tgid', 14]];
  const tracepoint: [string, number][] = [['BPF_PROG_TYPE_TRACEPOINT', 5]];
  const without = checkObject(ringbuf, { vmlinux: kernelWith(base, [['BPF_MAP_TYPE_HASH', 1]], tracepoint) });
  assert.equal(without.verdict, 'fails');
  assert.deepEqual(program(without, 'emit').reasons.map((r) => r.class).sort(), ['HELPER_UNAVAILABLE', 'MAP_TYPE_UNSUPPORTED']);
  assert.match(program(without, 'emit').reasons.find((r) => r.class === 'HELPER_UNAVAILABLE')!.message, /bpf_ringbuf_output \(BPF_FUNC_ringbuf_output, #130\)/);
  const backported = checkObject(ringbuf, { vmlinux: kernelWith([...base, ['BPF_FUNC_ringbuf_output', 130]], [['BPF_MAP_TYPE_RINGBUF', 27]], tracepoint) });
  assert.equal(backported.verdict, 'loads');
  const noTracepoints = checkObject(ringbuf, { vmlinux: kernelWith([...base, ['BPF_FUNC_ringbuf_output', 130]], [['BPF_MAP_TYPE_RINGBUF', 27]], [['BPF_PROG_TYPE_KPROBE', 2]]) });
  assert.deepEqual(program(noTracepoints, 'quiet').reasons.map((r) => r.class), ['PROG_TYPE_UNSUPPORTED']);
});

test('undecided is said, never guessed: with the path walk cut short, poisoned programs are unknown, not loads', () => {
  const guards = objectAt(cachePath('objects/fixtures/guards.bpfel.o'));
  const v = checkObject(guards, { vmlinux: kernel(EL8) }, { maxSteps: 3 });
  const full = checkObject(guards, { vmlinux: kernel(EL8) });
  for (const p of v.programs) {
    const poisoned = program(full, p.name).reasons.some((r) => r.class === 'CORE_RELOCATION');
    if (poisoned) assert.notEqual(p.verdict, 'loads', p.name);
    assert.ok(p.verdict === 'unknown' || p.verdict === 'fails', `${p.name}: ${p.verdict}`);
  }
});

test('a kernel without BTF: objects that need it fail with NO_BTF, others load', () => {
  // /bin/true is an ELF without .BTF: what a vmlinux built without CONFIG_DEBUG_INFO_BTF looks like.
  const r = cli(['check', EXAMPLE, cachePath('objects/fixtures/ringbuf.bpfel.o'), '--kernel', '/bin/true', '--json']);
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.kernels.map((k) => [k.label, k.btf]), [['/bin/true', false]]);
  const [example, ringbuf] = report.objects;
  assert.equal(example.details[0].verdict, 'fails');
  assert.deepEqual(example.details[0].programs.map((p) => p.reasons.map((x) => x.class)), [['NO_BTF'], ['NO_BTF']]);
  assert.match(example.details[0].programs[0].reasons[0].message, /no BTF .*CO-RE relocations/);
  assert.equal(ringbuf.details[0].verdict, 'loads');
  assert.deepEqual(report.gate.failing.map((f) => f.object), [EXAMPLE]);
});

test('check: bad input is one line and exit 2', () => {
  const missing = join(dir, 'nope.btf');
  const a = cli(['check', EXAMPLE, '--kernel', missing]);
  assert.equal(a.status, 2);
  assert.equal(a.stdout, '');
  assert.match(a.stderr, new RegExp(`^corecheck: ${missing}: .*no such file or directory\\n$`));
  const b = cli(['check', EXAMPLE, '--kernel', join(CORPUS_KERNELS, 'centos'), '--kernel', join(CORPUS_KERNELS, 'kylin'), '--module', '/x.ko']);
  assert.equal(b.status, 2);
  assert.match(b.stderr, /^corecheck: \/x\.ko: option --module: modules belong to one kernel, but 3 kernels are given\n$/);
});
