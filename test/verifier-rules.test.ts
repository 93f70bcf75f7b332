// The rules every kernel applies, before or while verifying, that no single CO-RE relocation
// shows: OBJECT_REFUSED (libbpf refuses the object whole) and the VERIFIER_RULE rules of
// context-rules.ts, data-refs.ts and jump-sequence.ts. Each rule has a program the live kernels
// refuse for it and one they load beside it; the live verdicts are read from the goldens
// (test/goldens/live, libbpf 1.5 on Debian 5.10.0-32, 6.1.0-57 and 6.12.117 under QEMU), never
// written here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkObject, type ProgramVerdict } from '../src/analysis/check.js';
import { KernelContext } from '../src/analysis/kernel-facts.js';
import type { Reason } from '../src/analysis/reason.js';
import { Btf } from '../src/btf/btf.js';
import { BpfObject } from '../src/object/object.js';
import { corpusBtfLoader, readBytes } from './helpers/inputs.js';
import { liveKernels, liveObjectPath, liveRows } from './helpers/live.js';

const kernelBtf = corpusBtfLoader();
const kernels = liveKernels().map((k) => ({ ...k, btf: kernelBtf(k.archive) }));

/** Golden object, the program libbpf names (`(object)` for the object's own failure), the class and subject `rule`/`what` it fails with; then its neighbour that loads. */
const CASES: readonly { rule: string; fails: [string, string]; loads: [string, string]; live: RegExp }[] = [
  { rule: 'legacy-maps', fails: ['legacy_maps', '(object)'], loads: ['sections', 'xdp_prog'], live: /^Operation not supported$/ },
  { rule: 'extern-without-btf', fails: ['externs.gcc', '(object)'], loads: ['gcc_subset.gcc', 'unlink_entry'], live: /^Invalid argument$/ },
  { rule: 'btf-rejected', fails: ['struct_ops.gcc', 'fixture_ssthresh'], loads: ['struct_ops', 'fixture_ssthresh'], live: /BTF loading error: -524/ },
  { rule: 'tracepoint-common-fields', fails: ['gcc_subset', 'exit_openat'], loads: ['gcc_subset', 'enter_openat'], live: /invalid bpf_context access off=4 size=4/ },
  { rule: 'tracing-return-zero', fails: ['sections', 'fent'], loads: ['tcpconnlat', 'fentry_tcp_v4_connect'], live: /At program exit the register R0 has/ },
  { rule: 'data-offset', fails: ['gcc_subset.gcc', 'enter_openat'], loads: ['gcc_subset.gcc', 'unlink_entry'], live: /invalid access to map value pointer, value_size=8 off=8/ },
  { rule: 'jump-sequence', fails: ['pyperf600', 'on_event'], loads: ['strobemeta', 'on_event'], live: /The sequence of 8193 jumps is too complex/ },
];

const ruleOf = (r: Reason): string | undefined => (r.subject.kind === 'verifier-rule' ? r.subject.rule : r.subject.kind === 'object-refused' ? r.subject.what : undefined);

function judged(object: string, program: string, btf: Btf, release: string): { verdict: string; reasons: readonly Reason[] } {
  const path = liveObjectPath(object);
  assert.ok(path, `${object} is built here`);
  const v = checkObject(new BpfObject(readBytes(path)), { vmlinux: btf }, { kernelRelease: release }, new KernelContext({ vmlinux: btf }));
  if (program === '(object)') return { verdict: v.verdict, reasons: v.programs.flatMap((p: ProgramVerdict) => p.reasons) };
  const p = v.programs.find((x) => x.name === program);
  assert.ok(p, `${object} has ${program}`);
  return p;
}

for (const c of CASES) {
  test(`${c.rule}: ${c.fails.join(' ')} fails on every live kernel, with the kernel's or libbpf's line; ${c.loads.join(' ')} loads`, () => {
    for (const k of kernels) {
      const live = (object: string, program: string) => liveRows(k.release, object).find((r) => r.program === program)!;
      const bad = live(...c.fails);
      assert.notEqual(bad.verdict, 'loads', `${k.release} ${c.fails.join(' ')}: live ${bad.verdict}`);
      assert.match(bad.detail, c.live, `${k.release}: the live line`);
      const got = judged(...c.fails, k.btf, k.release);
      assert.equal(got.verdict, 'fails');
      const own = got.reasons.filter((r) => ruleOf(r) === c.rule);
      assert.ok(own.length > 0 && own.every((r) => r.verdict === 'fails' && r.fixes.length > 0), `${k.release} ${c.fails.join(' ')}: ${got.reasons.map((r) => r.message).join('; ')}`);
      assert.equal(live(...c.loads).verdict, 'loads', `${k.release} ${c.loads.join(' ')}: live`);
      const ok = judged(...c.loads, k.btf, k.release);
      assert.equal(ok.verdict, 'loads', `${k.release} ${c.loads.join(' ')}: ${ok.reasons.map((r) => r.message).join('; ')}`);
    }
  });
}
