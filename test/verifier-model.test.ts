// The verifier generation each corpus kernel's BTF evidences, and the verdicts that generation
// gives against the live goldens (libbpf 1.5 loading every program on live Debian 5.10, 6.1 and
// 6.12 kernels in QEMU: test/goldens/live).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkObject } from '../src/analysis/check.js';
import { KernelContext } from '../src/analysis/kernel-facts.js';
import { CAPABILITIES, HOST_VERIFIER, describeModel, inferCapabilities, inferVerifierModel, type Capability, type HelperStackReads } from '../src/analysis/verifier-model.js';
import { Btf } from '../src/btf/btf.js';
import { openBpfObjects } from '../src/object/open.js';
import { corpusBtfLoader, readBytes } from './helpers/inputs.js';
import { liveKernels, liveObjectPath, liveObjects, liveRows } from './helpers/live.js';

const loader = corpusBtfLoader();
const kernel = (label: string): Btf => loader(`${label}.btf.tar.xz`);

/**
 * The capabilities each corpus kernel's BTF evidences, as `bpftool btf dump file <f> format c`
 * shows them (checked by hand): the newest capability it has, then what it lacks. Version numbers
 * mislead: el8's 4.18 has 4.20 helpers, Kylin's 4.19 has 5.3's precision tracking and 5.9's helpers.
 */
const EXPECTED: readonly [string, Capability | undefined, readonly Capability[]][] = [
  // __BPF_FUNC_MAX_ID 93 (up to rc_pointer_rel, 5.0): sk_lookup_tcp (4.20) but no spin_lock (5.1)
  ['centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64', 'branchFoldingImm', ['jmp32', 'boundedLoops', 'globalFunctions']],
  // helpers up to probe_read_kernel_str (5.5), but no bpf_reg_state.precise, no bpf_func_info_aux
  ['bclinux/21.10U3/x86_64/4.19.90-2107.6.0.0248.35.oe1.bclinux.x86_64', 'bigPrograms', ['boundedLoops', 'spillConstants', 'globalFunctions']],
  // bpf_reg_state.precise; bpf_func_info_aux has only `unreliable` (no linkage); helpers up to 151
  ['kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64', 'spillConstants', ['globalFunctions', 'branchFoldingReg', 'atomicFetch']],
  ['debian/11/x86_64/5.10.0-32-amd64', 'tailCallsWithCalls', ['atomicFetch', 'narrowSpills', 'lazyGlobals']],
  ['debian/12/x86_64/6.1.0-57-amd64', 'narrowSpills', ['immediateStores', 'cpuV4', 'lazyGlobals']],
  ['debian/12/x86_64/6.12.117+deb12-amd64', 'narrowFill', ['loadAcquire']],
  ['debian/sid/x86_64/7.2.13+deb14-amd64', 'loadAcquire', []],
];

test('the verifier generation of each corpus kernel, from its own BTF', () => {
  for (const [label, newest, lacks] of EXPECTED) {
    const ctx = new KernelContext({ vmlinux: kernel(label) });
    const caps = inferCapabilities(ctx.facts.verifier);
    const order = CAPABILITIES.filter((c) => c.ordered !== false).map((c) => c.capability);
    const have = order.filter((c) => caps.get(c) === true);
    assert.equal(have[have.length - 1], newest, `${label}: newest capability`);
    for (const c of lacks) assert.equal(caps.get(c), false, `${label} lacks ${c}`);
    // what it has is a prefix of the table: kernels gain verifier features in order
    const idx = newest ? order.indexOf(newest) : -1;
    assert.ok(order.slice(0, idx + 1).every((c) => caps.get(c) === true || lacksOutOfOrder(label, c)), `${label}: ${have.join(' ')}`);
    const m = ctx.verifier;
    assert.match(m.generation, /verifier/);
  }
});

/**
 * How each corpus kernel's helpers leave pointers spilled where they read, from its BTF: the enum
 * check_stack_range_initialized() takes (`bpftool btf dump file <f> format raw`: 5.10's
 * `enum stack_access_src`, 6.1-6.12's `enum bpf_access_src`, 7.2's and this host's
 * `enum bpf_access_type` for its `type` parameter). Live: 5.10.0-32 and 6.18 load libbpf-tools
 * biosnoop's block_rq_complete, 6.1.0-57 and 6.12.117 refuse it (test/goldens/live).
 */
const HELPER_READS: readonly [string, HelperStackReads, boolean][] = [
  // no FUNC check_stack_range_initialized, no enum of either era: the weakest rule, said
  ['kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64', 'clobber', true],
  ['debian/11/x86_64/5.10.0-32-amd64', 'keep-btf-id', false],
  // the FUNC is inlined on arm64: the enum alone decides
  ['debian/11/arm64/5.10.0-32-arm64', 'keep-btf-id', false],
  ['debian/12/x86_64/6.1.0-57-amd64', 'clobber', false],
  ['debian/12/x86_64/6.12.117+deb12-amd64', 'clobber', false],
  ['debian/13/ppc64le/6.12.107+deb13-powerpc64le', 'clobber', false],
  ['debian/sid/x86_64/7.2.13+deb14-amd64', 'keep', false],
  ['debian/sid/s390x/7.2.13+deb14-s390x', 'keep', false],
];

test('helper reads of spilled pointers: the rule of each corpus kernel, from the enum its check_stack_range_initialized takes', () => {
  for (const [label, rule, assumed] of HELPER_READS) {
    const m = new KernelContext({ vmlinux: kernel(label) }).verifier;
    assert.equal(m.helperStackReads, rule, label);
    assert.equal(m.assumed.includes('helperReadsKeepSpills'), assumed, `${label}: ${m.assumed.join(' ')}`);
  }
  // the host verifier's model is 7.2's: nothing assumed
  assert.equal(new KernelContext({ vmlinux: kernel('debian/sid/x86_64/7.2.13+deb14-amd64') }).verifier, HOST_VERIFIER);
});

/** Backports that break the order: Kylin's 4.19 has 5.3's precision tracking without 5.6's global functions. */
function lacksOutOfOrder(label: string, c: Capability): boolean {
  return label.startsWith('kylin/') && (c === 'globalFunctions' || c === 'branchFoldingReg');
}

test('per-kernel verifier models never say fails where the live 5.10, 6.1 and 6.12 kernels loaded the program', (t) => {
  const falseFails: string[] = [];
  let compared = 0;
  for (const { release, archive } of liveKernels()) {
    const label = archive.replace(/\.btf\.tar\.xz$/, '');
    const target = { vmlinux: kernel(label) };
    const ctx = new KernelContext(target);
    t.diagnostic(`${release}: ${ctx.verifier.generation}`);
    for (const name of liveObjects(release)) {
      const path = liveObjectPath(name);
      if (!path) continue;
      const located = openBpfObjects(readBytes(path), path);
      if (located.length !== 1) continue;
      const v = checkObject(located[0].object, target, {}, ctx);
      for (const row of liveRows(release, name)) {
        if (row.program === '(object)' || row.verdict !== 'loads') continue;
        const p = v.programs.find((x) => x.name === row.program);
        if (!p) continue;
        compared++;
        const fails = p.reasons.filter((r) => r.verdict === 'fails');
        if (fails.length > 0) falseFails.push(`${release} ${name} ${row.program}: ${fails.map((r) => `${r.class} ${r.message}`).join('; ')}`);
      }
    }
  }
  t.diagnostic(`${compared} programs the live kernels loaded`);
  assert.ok(compared > 500, `${compared}`);
  assert.deepEqual(falseFails, []);
});

test('a BTF without the verifier\'s structures evidences nothing: the weakest rules, said in the model', () => {
  const m = inferVerifierModel({ members: new Map(), enumerators: new Map() });
  assert.equal(m.lazyGlobals, false);
  assert.equal(m.boundedLoops, false);
  assert.equal(m.branchFolding, 'eq-imm');
  assert.equal(m.maxInsns, 4096);
  assert.deepEqual(m.spills, { constants: false, narrow: false, narrowFill: false, immediateStores: false });
  assert.ok(m.assumed.includes('boundedLoops') && m.assumed.includes('jmp32'));
  assert.match(describeModel(m), /no BTF evidence for .*boundedLoops.*weakest rules were assumed/);
  // evidence of a late capability implies the earlier ones (kernels gain verifier features in order)
  const late = inferVerifierModel({ members: new Map([['bpf_func_info_aux', new Set(['linkage', 'called'])]]), enumerators: new Map() });
  assert.equal(late.lazyGlobals, true);
  assert.equal(late.boundedLoops, true);
  assert.equal(late.insns.cpuV4, true);
  assert.equal(late.insns.mayGoto, false, 'no evidence either way for what came after: weakest');
});

test('where the BTF has no evidence, the kernel\'s release judges the ordered rules (a minimized BTF of 5.10)', () => {
  const none = { members: new Map(), enumerators: new Map() };
  const m = inferVerifierModel(none, '5.10.0-32-amd64');
  // 5.10 upstream: JMP32 (5.1), 1M instructions (5.2), bounded loops (5.3), tail calls with calls (5.10); not 5.12's atomics
  assert.equal(m.insns.jmp32, true);
  assert.equal(m.maxInsns, 1_000_000);
  assert.equal(m.boundedLoops, true);
  assert.equal(m.tailCallsWithCalls, true);
  assert.equal(m.insns.atomicFetch, false);
  assert.equal(m.lazyGlobals, false);
  assert.match(m.generation, /^Linux 5\.10-class verifier \(from release 5\.10\.0-32-amd64\)$/);
  assert.ok(!m.assumed.includes('jmp32') && !m.assumed.includes('atomicFetch'), m.assumed.join());
  // the rules whose release is not pinned stay assumed (weakest), and are said to be
  assert.deepEqual([...m.assumed].sort(), ['btfIdSpillsSurviveHelpers', 'helperReadsKeepSpills']);
  // evidence still wins: an absent rule keeps every later one absent, whatever the release
  const absent = inferVerifierModel({ members: new Map(), enumerators: new Map([['bpf_func_id', new Set(['BPF_FUNC_map_lookup_elem'])]]) }, '6.1.0-57-amd64');
  assert.equal(absent.insns.jmp32, false, 'enum bpf_func_id without BPF_FUNC_spin_lock: no JMP32');
  assert.equal(absent.insns.cpuV4, false);
  assert.equal(absent.lazyGlobals, false);
  // no release either: the weakest rules, as before
  assert.equal(inferVerifierModel(none, 'not-a-release').insns.jmp32, false);
});
