// VERIFIER_RULE, helper reads of spilled pointers (`HelperStackReads`): a BTF pointer spilled to
// the stack as a map key and read through after the lookup.
//
// Ground truth: the live goldens (test/goldens/live/<release>/spill_reread.tsv and biosnoop.tsv,
// libbpf 1.5 loading on live Debian 5.10.0-32, 6.1.0-57 and 6.12.117 under QEMU, whose BTF is
// the corpus rows' byte for byte) and the 6.18 verdict goldens (this host's verifier loads
// biosnoop on every corpus kernel's CO-RE). The expectations below restate those rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { checkObject } from '../src/analysis/check.js';
import { HOST_VERIFIER } from '../src/analysis/verifier-model.js';
import { Btf } from '../src/btf/btf.js';
import { BpfObject } from '../src/object/object.js';
import { cachePath, corpusBtfLoader, readBytes } from './helpers/inputs.js';

const KERNELS = {
  '5.10.0-32-amd64': 'debian/11/x86_64/5.10.0-32-amd64',
  '6.1.0-57-amd64': 'debian/12/x86_64/6.1.0-57-amd64',
  '6.12.117+deb12-amd64': 'debian/12/x86_64/6.12.117+deb12-amd64',
  '7.2.13+deb14-amd64': 'debian/sid/x86_64/7.2.13+deb14-amd64',
} as const;
type Release = keyof typeof KERNELS;
const loader = corpusBtfLoader();
const kernel = (r: Release): Btf => loader(`${KERNELS[r]}.btf.tar.xz`);

/** Program → the releases whose verifier refuses it (live goldens; 7.2 clobbers like 6.18, which loads it). */
const FIXTURE_FAILS: Record<string, readonly Release[]> = {
  key_is_pointer: ['6.1.0-57-amd64', '6.12.117+deb12-amd64'],
  key_is_copy: [],
};

// gcc-bpf 12's build of the fixture is not judged here: it puts the `parent->pid` relocation on
// the reload instead of the read, and libbpf refuses the object (CORE_ERROR on every kernel).
for (const variant of ['bpfel', 'bpfeb']) {
  test(`fixture spill_reread (${variant}): the pointer used as its own map key fails on 6.1 and 6.12 only; a copy as the key loads everywhere`, (t) => {
    const path = cachePath(`objects/fixtures/spill_reread.${variant}.o`);
    if (!existsSync(path)) return t.skip(`${path} not built (tools/goldens/build-fixtures.sh --objects-only)`);
    const obj = new BpfObject(readBytes(path));
    for (const release of Object.keys(KERNELS) as Release[]) {
      const v = checkObject(obj, { vmlinux: kernel(release) });
      for (const [name, failsOn] of Object.entries(FIXTURE_FAILS)) {
        const p = v.programs.find((x) => x.name === name)!;
        const rule = p.reasons.filter((r) => r.class === 'VERIFIER_RULE');
        if (!failsOn.includes(release)) {
          assert.equal(p.verdict, 'loads', `${name} on ${release}: ${rule.map((r) => r.message).join('; ')}`);
          continue;
        }
        assert.equal(p.verdict, 'fails', `${name} on ${release}`);
        assert.equal(rule.length, 1);
        const [r] = rule;
        assert.deepEqual(r.subject, {
          kind: 'verifier-rule', rule: 'helper-read-clobbers-spill', what: 'a helper reading the stack turns the pointers spilled there into scalars',
          relaxedIn: '5.10, and 6.13-6.18 and later',
        });
        assert.match(r.message, /spills argument 1 \(ctx\[0\], struct task_struct \*\) to the stack \(fp-8\) and passes that slot to bpf_map_lookup_elem/);
        assert.match(r.message, /invalid mem access 'scalar'/);
        assert.match(r.verifier ?? '', /Linux (5\.16|6\.9)-class verifier \(from BTF\)/);
        assert.match(r.fixes[0], /u64 key = \(u64\)ptr/);
        assert.equal(r.source?.line, 39, 'the read through the reloaded pointer (out[0] += parent->pid)');
      }
    }
  });
}

test('the rule follows the judging verifier: with the host\'s model (6.18) biosnoop loads on the 6.1 kernel\'s BTF', () => {
  const obj = new BpfObject(readBytes(cachePath('objects/libbpf-tools/biosnoop.bpf.o')));
  const own = checkObject(obj, { vmlinux: kernel('6.1.0-57-amd64') }).programs.find((p) => p.name === 'block_rq_complete')!;
  assert.deepEqual(own.reasons.filter((r) => r.verdict === 'fails').map((r) => r.class), ['VERIFIER_RULE']);
  const host = checkObject(obj, { vmlinux: kernel('6.1.0-57-amd64') }, { verifier: HOST_VERIFIER }).programs.find((p) => p.name === 'block_rq_complete')!;
  assert.equal(host.verdict, 'loads');
});
