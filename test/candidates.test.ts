// Candidate search rules from libbpf 1.5's bpf_core_find_cands (core-spec §4.2), on hand-made BTF:
// libbpf cannot produce a golden for module candidates on this machine (the host kernel exposes no
// module BTF and btf_custom_path never consults modules), so the rule is asserted directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Btf } from '../src/btf/btf.js';
import { findCandidates } from '../src/core/candidates.js';
import { CoreLog } from '../src/core/log.js';
import { BtfBuilder } from './helpers/btf-builder.js';

function btfWith(structs: string[]): Btf {
  const b = new BtfBuilder();
  const int = b.int('int', 4, true);
  for (const s of structs) b.struct(s, 4, [['a', int, 0]]);
  return Btf.parse(b.build());
}

const local = btfWith(['foo___local']); // [2] struct foo___local

test('vmlinux candidates by essential name, in id order, flavors on both sides', () => {
  const vmlinux = btfWith(['foo', 'bar', 'foo___v2', 'foo__not_a_flavor']);
  const log = new CoreLog();
  const cands = findCandidates(local, 2, { vmlinux }, log);
  assert.ok(Array.isArray(cands));
  assert.deepEqual(cands.map((c) => [c.id, c.btfName]), [[2, 'vmlinux'], [4, 'vmlinux']]);
  assert.deepEqual(log.lines.map((l) => l.text), [
    'CO-RE relocating [2] struct foo___local: found target candidate [2] struct foo in [vmlinux]',
    'CO-RE relocating [2] struct foo___local: found target candidate [4] struct foo___v2 in [vmlinux]',
  ]);
});

test('modules are searched only when vmlinux has no candidate, in module order', () => {
  const withFoo = btfWith(['foo']);
  const without = btfWith(['bar']);
  const modules = [{ name: 'mod_a', btf: btfWith(['baz']) }, { name: 'mod_b', btf: btfWith(['foo']) }];
  const hit = findCandidates(local, 2, { vmlinux: withFoo, modules }, new CoreLog());
  assert.ok(Array.isArray(hit));
  assert.deepEqual(hit.map((c) => c.btfName), ['vmlinux']);
  const fromModule = findCandidates(local, 2, { vmlinux: without, modules }, new CoreLog());
  assert.ok(Array.isArray(fromModule));
  assert.deepEqual(fromModule.map((c) => [c.btfName, c.id]), [['mod_b', 2]]);
});

test('an anonymous local type has no candidates: -EINVAL', () => {
  const b = new BtfBuilder();
  const int = b.int('int', 4, true);
  b.struct('', 4, [['a', int, 0]]);
  assert.equal(findCandidates(Btf.parse(b.build()), 2, { vmlinux: btfWith(['foo']) }, new CoreLog()), 'EINVAL');
});

test('a FUNC local root (outside the name index) still finds FUNC candidates by essential name, in id order', () => {
  const mk = (names: string[]): Btf => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, true);
    const proto = b.funcProto(int, []);
    for (const n of names) {
      b.struct(n, 4, [['a', int, 0]]); // same-named structs must not be candidates of a FUNC
      b.func(n, proto);
    }
    return Btf.parse(b.build());
  };
  const localFn = mk(['do_thing___v1']); // [1] int, [2] proto, [3] struct, [4] func
  const vmlinux = mk(['do_thing', 'other', 'do_thing___v2']);
  const log = new CoreLog();
  const cands = findCandidates(localFn, 4, { vmlinux }, log);
  assert.ok(Array.isArray(cands));
  assert.deepEqual(cands.map((c) => c.id), [4, 8]);
  assert.deepEqual(log.lines.map((l) => l.text), [
    'CO-RE relocating [4] func do_thing___v1: found target candidate [4] func do_thing in [vmlinux]',
    'CO-RE relocating [4] func do_thing___v1: found target candidate [8] func do_thing___v2 in [vmlinux]',
  ]);
});
