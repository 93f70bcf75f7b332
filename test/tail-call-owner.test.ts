// TAIL_CALL_INCOMPATIBLE (issue 10, item 4): prog-array ownership between the programs of one
// object, which the kernel checks after verification (kernel/bpf/core.c, bpf_check_tail_call).
//
// Ground truth:
// - test/goldens/live/<release>/tail_call_owner.tsv: libbpf 1.5 loading the fixture
//   test/fixtures/src/tail_call_owner.bpf.c on the live Debian 5.10.0-32, 6.1.0-57 and
//   6.12.117+deb12 kernels under QEMU (tools/goldens/regen-live.sh), whose BTF is byte-identical to
//   the corpus rows checked here. The `(object)` row is one bpf_object__load of every autoload
//   program; the program rows come from loading the object again with each failing program turned
//   off, so a program refused for its owner shows `fails-other -22` there too.
// - the owner's members in each corpus kernel's BTF, as bpftool prints them
//   (`bpftool btf dump file <btf> format c`: struct bpf_map_owner, bpf_array_aux, bpf_array).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkObject, type ObjectVerdict } from '../src/analysis/check.js';
import { ownerRules } from '../src/analysis/tail-call-owner.js';
import { BpfObject } from '../src/object/object.js';
import type { Report } from '../src/report/model.js';
import { CORPUS_KERNELS, REPO, cachePath, corpusBtfLoader, readBytes } from './helpers/inputs.js';
import { liveKernels } from './helpers/live.js';
import { runCli } from './helpers/cli.js';
import { errorsOf, reportValidator } from './helpers/validators.js';

const LIVE = join(REPO, 'test/goldens/live');
const FIXTURE = cachePath('objects/fixtures/tail_call_owner.bpfel.o');
const KERNELS = liveKernels();
const kernelBtf = corpusBtfLoader();
const fixture = (): BpfObject => new BpfObject(readBytes(FIXTURE));
const failing = (v: ObjectVerdict): string[] => v.programs.filter((p) => p.verdict === 'fails').map((p) => p.name);

test('what each corpus kernel compares with the owner, from its BTF', () => {
  const cases: [string, string, string, boolean][] = [
    // 4.18 and 4.19: bpf_array.owner_prog_type/owner_jited; Kylin's 4.19.90-52: bpf_array_aux.type/jited
    ['centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64', 'prog-array', 'type,jited', false],
    ['kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64', 'prog-array', 'type,jited', false],
    // 5.10: the anonymous `owner` of bpf_array_aux (lock, type, jited)
    ['debian/11/x86_64/5.10.0-32-amd64', 'prog-array', 'type,jited', false],
    // Debian's 6.1 and 6.12: the backported struct bpf_map_owner; 6.12 also reads tracepoint templates
    ['debian/12/x86_64/6.1.0-57-amd64', 'map', 'type,jited,xdp_has_frags,attach_func_proto,expected_attach_type', false],
    ['debian/12/x86_64/6.12.117+deb12-amd64', 'map', 'type,jited,xdp_has_frags,attach_func_proto,expected_attach_type', true],
    ['debian/sid/x86_64/7.2.13+deb14-amd64', 'map', 'type,jited,xdp_has_frags,attach_func_proto,expected_attach_type,sleepable', true],
  ];
  for (const [label, where, compares, templates] of cases) {
    const r = ownerRules(kernelBtf(`${label}.btf.tar.xz`));
    assert.deepEqual([r.where, [...r.compares].join(','), r.templateProtos], [where, compares, templates], label);
  }
});

test('the fixture on the live kernels\' corpus rows: which program meets an owner it does not match', () => {
  const obj = fixture();
  const expected: Record<string, string[]> = {
    // type and JIT only: every pair shares one program type
    '5.10.0-32-amd64': [],
    // attach_func_proto: the btf_trace_ typedefs' prototypes (sys_enter and sys_exit share one); expected attach type
    '6.1.0-57-amd64': ['on_exec', 'on_egress'],
    // the tracepoint templates' prototypes: sys_enter and sys_exit differ
    '6.12.117+deb12-amd64': ['on_exec', 'on_sys_exit', 'on_egress'],
  };
  for (const k of KERNELS) {
    const v = checkObject(obj, { vmlinux: kernelBtf(k.archive) });
    assert.deepEqual(failing(v), expected[k.release], k.release);
    assert.equal(v.verdict, expected[k.release].length > 0 ? 'fails' : 'loads', k.release);
    // the tracepoint whose autoload is off would meet kp_sleep's KPROBE: judged as loaded alone, it loads
    assert.equal(v.programs.find((p) => p.name === 'tp_sleep')?.verdict, 'loads');
    for (const p of v.programs) assert.ok(p.reasons.every((r) => r.class === 'TAIL_CALL_INCOMPATIBLE'), `${k.release} ${p.name}`);
  }
  const v = checkObject(obj, { vmlinux: kernelBtf(KERNELS[2].archive) });
  const [exec] = v.programs.find((p) => p.name === 'on_exec')!.reasons;
  assert.deepEqual(exec.subject, { kind: 'tail-call-owner', map: 'jmp_sched', owner: 'on_fork', field: 'attach_func_proto' });
  assert.match(exec.message, /^jmp_sched \(BPF_MAP_TYPE_PROG_ARRAY\) is owned by on_fork \('tp_btf\/sched_process_fork'\), loaded first; on_exec's attach function prototype differs \(__bpf_trace_sched_process_exec; the owner's: __bpf_trace_sched_process_fork\): the kernel refuses the load with EINVAL/);
  const [egress] = v.programs.find((p) => p.name === 'on_egress')!.reasons;
  assert.deepEqual(egress.subject, { kind: 'tail-call-owner', map: 'jmp_cg', owner: 'on_ingress', field: 'expected_attach_type' });
  assert.match(egress.message, /BPF_CGROUP_INET_EGRESS; the owner's: BPF_CGROUP_INET_INGRESS/);
  assert.ok(egress.fixes.length >= 2);
});

test('the owner is the first autoload program in libbpf\'s order that uses the map; the one refused owns nothing', () => {
  const v = checkObject(fixture(), { vmlinux: kernelBtf(KERNELS[2].archive) });
  const owners = v.programs.flatMap((p) => p.reasons.map((r) => (r.subject.kind === 'tail-call-owner' ? `${p.name}<-${r.subject.owner}` : '')));
  assert.deepEqual(owners, ['on_exec<-on_fork', 'on_sys_exit<-on_sys_enter', 'on_egress<-on_ingress']);
});

test('the live kernels agree: the object row and every program row of tail_call_owner (clang and gcc builds)', (t) => {
  for (const [name, file] of [['tail_call_owner', FIXTURE], ['tail_call_owner.gcc', cachePath('objects/fixtures/tail_call_owner.gcc.o')]]) {
    if (existsSync(file)) liveAgrees(t, name, new BpfObject(readBytes(file)));
    else t.diagnostic(`${file} missing (gcc-bpf could not build it): not compared`);
  }
});

function liveAgrees(t: { diagnostic: (m: string) => void }, name: string, obj: BpfObject): void {
  for (const k of KERNELS) {
    const path = join(LIVE, k.release, `${name}.tsv`);
    if (!existsSync(path)) {
      t.diagnostic(`${path} missing: run tools/goldens/regen-live.sh`);
      assert.fail(`${path} missing`);
    }
    const rows = readFileSync(path, 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split('\t'));
    const v = checkObject(obj, { vmlinux: kernelBtf(k.archive) });
    const objectRow = rows.find((r) => r[0] === '(object)')!;
    // a whole-object failure names the first program libbpf could not load
    const first = v.programs.find((p) => p.autoload && p.verdict === 'fails');
    assert.equal(objectRow[1] === 'loads' ? 'loads' : 'fails', v.verdict, `${name} on ${k.release} (object): ${objectRow.join(' ')}`);
    if (first) assert.match(objectRow[2], new RegExp(`^-22 ${first.name}: `), `${k.release} (object)`);
    for (const [program, verdict] of rows.filter((r) => r[0] !== '(object)')) {
      const p = v.programs.find((x) => x.name === program)!;
      const want = verdict === 'not-loaded' ? 'not-loaded' : verdict === 'loads' ? 'loads' : 'fails';
      const got = !p.autoload ? 'not-loaded' : p.verdict === 'fails' ? 'fails' : 'loads';
      assert.equal(got, want, `${name} on ${k.release} ${program}: live ${verdict}`);
    }
  }
}

test('no false TAIL_CALL_INCOMPATIBLE on the libbpf-tools objects (6.12, the strictest live kernel)', () => {
  const tools = cachePath('objects/libbpf-tools');
  const vmlinux = kernelBtf(KERNELS[2].archive);
  const files = readdirSync(tools).filter((f) => f.endsWith('.bpf.o')).sort();
  assert.ok(files.length >= 52, `${files.length}`);
  const found: string[] = [];
  for (const f of files) {
    const v = checkObject(new BpfObject(readBytes(join(tools, f))), { vmlinux });
    for (const p of v.programs) for (const r of p.reasons) if (r.class === 'TAIL_CALL_INCOMPATIBLE') found.push(`${f} ${p.name}: ${r.message}`);
  }
  assert.deepEqual(found, []);
});

test('the class flows through the report: JSON (schema-valid), text and SARIF', () => {
  const kernels = KERNELS.flatMap((k) => ['--kernel', join(CORPUS_KERNELS, k.archive)]);
  const report = JSON.parse(runCli(['check', FIXTURE, '--json', ...kernels]).stdout) as Report;
  const validate = reportValidator();
  assert.ok(validate(report), errorsOf(validate));
  const cause = report.objects[0].causes.find((c) => c.class === 'TAIL_CALL_INCOMPATIBLE' && c.programs.includes('on_sys_exit'))!;
  assert.ok(cause, 'a root cause of the class');
  assert.equal(cause.key, 'tail-call-owner:jmp_sys:on_sys_enter:attach_func_proto');
  assert.deepEqual(cause.kernels, ['debian/12/x86_64/6.12.117+deb12-amd64']);

  const text = runCli(['check', FIXTURE, ...kernels]).stdout;
  assert.match(text, /TAIL_CALL_INCOMPATIBLE: jmp_cg \(BPF_MAP_TYPE_PROG_ARRAY\) is owned by on_ingress/);
  const sarif = JSON.parse(runCli(['check', FIXTURE, '--format', 'sarif', ...kernels]).stdout) as { runs: { tool: { driver: { rules: { id: string; name: string }[] } } }[] };
  assert.equal(sarif.runs[0].tool.driver.rules.find((r) => r.id === 'TAIL_CALL_INCOMPATIBLE')?.name, 'TailCallIncompatible');
});
