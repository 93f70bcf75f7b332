// INSN_UNSUPPORTED on real objects (test/fixtures/insn, built by its build.sh with clang-19 at
// -mcpu=v2/v3/v4) against corpus kernels. The expected outcomes come from the release each
// feature arrived in upstream and from what each kernel's BTF shows of its generation (the
// evidence in verifier-model.ts, checked by hand with `bpftool btf dump file <f> format c`), not
// from corecheck's own output:
//   el8 4.18.0-147   helpers up to BPF_FUNC_rc_pointer_rel (upstream 5.0): no JMP32 (5.1), no
//                    1M-instruction programs (5.2), no tail calls beside bpf-to-bpf calls (5.10)
//   BC-Linux 4.19    helpers up to 5.5's, but no bpf_reg_state.precise: no loops (5.3)
//   Debian 5.10      no atomic fetch (5.12)
//   Debian 6.1       atomic fetch, but no cpu v4 (6.6), no may_goto (6.9)
//   Debian 6.12      cpu v4, may_goto (bpf_verifier_state.may_goto_depth)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { checkObject, type ObjectVerdict } from '../src/analysis/check.js';
import { Btf } from '../src/btf/btf.js';
import { BpfObject } from '../src/object/object.js';
import { REPO, extractCorpusBtf, readBytes } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const dir = scratchDir('isa');
const EL8 = 'centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64';
const BCLINUX = 'bclinux/21.10U3/x86_64/4.19.90-2107.6.0.0248.35.oe1.bclinux.x86_64';
const D510 = 'debian/11/x86_64/5.10.0-32-amd64';
const D61 = 'debian/12/x86_64/6.1.0-57-amd64';
const D612 = 'debian/12/x86_64/6.12.117+deb12-amd64';

const kernels = new Map<string, Btf>();
const kernel = (label: string): Btf => {
  let b = kernels.get(label);
  if (!b) kernels.set(label, (b = Btf.parse(readBytes(extractCorpusBtf(`${label}.btf.tar.xz`, dir)))));
  return b;
};
const fixture = (name: string): BpfObject => new BpfObject(readBytes(join(REPO, 'test/fixtures/insn', name)));

/** The INSN_UNSUPPORTED features of one program, and its verdict. */
function insn(v: ObjectVerdict, prog: string): { features: string[]; verdict: string; messages: string[] } {
  const p = v.programs.find((x) => x.name === prog);
  assert.ok(p, prog);
  const rs = p.reasons.filter((r) => r.class === 'INSN_UNSUPPORTED');
  // every reason names the verifier generation it assumed
  for (const r of rs) assert.match(r.verifier ?? '', /verifier \(from BTF\)/);
  return { features: rs.map((r) => (r.subject.kind === 'insn' ? r.subject.feature : '?')), verdict: p.verdict, messages: rs.map((r) => r.message) };
}

/** object, program, kernel, the features refused there (empty: none; the program loads as far as the instruction set goes). */
const CASES: readonly [string, string, string, string[]][] = [
  // JMP32 (5.1)
  ['isa.v3.o', 'jmp32', EL8, ['jmp32']],
  ['isa.v2.o', 'jmp32', EL8, []],
  ['isa.v3.o', 'jmp32', D510, []],
  // atomic fetch (5.12)
  ['isa.v3.o', 'atomic_fetch', D510, ['atomic-fetch']],
  ['isa.v3.o', 'atomic_add', D510, []],
  ['isa.v2.o', 'atomic_add', EL8, []],
  ['isa.v3.o', 'atomic_fetch', D61, []],
  // cpu v4 (6.6)
  ['isa.v4.o', 'cpuv4', D61, ['cpu-v4']],
  ['isa.v3.o', 'cpuv4', D61, []],
  ['isa.v4.o', 'cpuv4', D612, []],
  // loops (5.3)
  ['isa.v2.o', 'loop', BCLINUX, ['loops']],
  ['isa.v2.o', 'jmp32', BCLINUX, []],
  ['isa.v2.o', 'loop', D510, []],
  // program size (5.2)
  ['big.o', 'big', EL8, ['program-size']],
  ['big.o', 'small', EL8, []],
  ['big.o', 'big', D510, []],
  // may_goto (6.9)
  ['isa.v3.o', 'may_goto_loop', D61, ['may-goto']],
  ['isa.v3.o', 'may_goto_loop', D612, []],
  // tail calls beside bpf-to-bpf calls (5.10)
  ['isa.v2.o', 'tail_with_call', EL8, ['tail-calls-with-calls']],
  ['isa.v2.o', 'tail_alone', EL8, []],
  ['isa.v2.o', 'tail_with_call', D510, []],
];

test('INSN_UNSUPPORTED per kernel generation on -mcpu=v2/v3/v4 fixtures', () => {
  const verdicts = new Map<string, ObjectVerdict>();
  for (const [obj, prog, label, want] of CASES) {
    const key = `${obj} ${label}`;
    let v = verdicts.get(key);
    if (!v) verdicts.set(key, (v = checkObject(fixture(obj), { vmlinux: kernel(label) })));
    const got = insn(v, prog);
    assert.deepEqual(got.features, want, `${obj} ${prog} on ${label}: ${got.messages.join('; ')}`);
    if (want.length > 0) {
      assert.equal(got.verdict, 'fails');
      // the reason names the first release that accepts it and the generation it assumed
      assert.match(got.messages[0], /first accepted by Linux \d+\.\d+; this kernel's verifier \(.*verifier/);
    }
  }
});
