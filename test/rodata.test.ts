// Values the verifier knows because libbpf freezes their map (`.rodata*`, `.kconfig`): the rodata
// fixture (test/fixtures/src/rodata.bpf.c, built by tools/goldens/build-fixtures.sh
// --objects-only), checked against the live verifier's verdicts for it with its initial values and
// with its values set (test/goldens/verdicts/rodata*.tsv, tools/goldens/regen-verdicts.sh rodata
// 'rodata+...': load-verdicts --set writes the values into the map before load, as a skeleton does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkObject, type CheckOptions, type ObjectVerdict } from '../src/analysis/check.js';
import { KnownValues } from '../src/analysis/known-values.js';
import { ObjectContext } from '../src/analysis/object-context.js';
import { analyzeReachability } from '../src/analysis/reach.js';
import { HOST_VERIFIER } from '../src/analysis/verifier-model.js';
import { Btf } from '../src/btf/btf.js';
import { ldImm64Target } from '../src/object/calls.js';
import { InsnBuffer } from '../src/insn/buffer.js';
import { BpfObject } from '../src/object/object.js';
import { runCli } from './helpers/cli.js';
import { CORPUS_KERNELS, REPO, cachePath, extractCorpusBtf, readBytes } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const EL8 = 'centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64';
const GOLDENS = join(REPO, 'test/goldens/verdicts');
const dir = scratchDir('rodata');
const fixture = (flavor: 'bpfel' | 'bpfeb'): string => {
  const path = cachePath(`objects/fixtures/rodata.${flavor}.o`);
  assert.ok(existsSync(path), `${path} (tools/goldens/build-fixtures.sh --objects-only)`);
  return path;
};
const objects = { bpfel: new BpfObject(readBytes(fixture('bpfel'))), bpfeb: new BpfObject(readBytes(fixture('bpfeb'))) };
const kernels = new Map<string, Btf>();
const kernel = (label: string): Btf => {
  let btf = kernels.get(label);
  if (!btf) kernels.set(label, (btf = Btf.parse(readBytes(extractCorpusBtf(`${label}.btf.tar.xz`, dir)))));
  return btf;
};
/** The values the skeleton sets in the golden `rodata+use_how=1+...`: each guard flipped. */
const FLIPPED = new Map([['use_how', 1n], ['skip_how', 0n], ['how_mode', 2n], ['how_min', 0n]]);
const GUARDED = ['rodata_bool_guard', 'rodata_u16_early_return', 'rodata_u32_compare', 'rodata_s64_signed'];

/** A program's CO-RE verdict as the live verifier's goldens name it. */
function coreVerdict(v: ObjectVerdict, prog: string): string {
  const p = v.programs.find((x) => x.name === prog);
  assert.ok(p, prog);
  const core = p.reasons.filter((r) => r.class.startsWith('CORE_'));
  return core.some((r) => r.verdict === 'fails') ? 'fails-core' : core.some((r) => r.verdict === 'unknown') ? 'unknown' : 'loads';
}

/** What the ld_imm64 at the start of `prog` points at, and the constant a `size`-byte load there gives. */
function readAt(obj: BpfObject, known: KnownValues, prog: string, size: number, signed = false): bigint | undefined {
  const p = obj.programs.find((x) => x.name === prog)!;
  const code = new InsnBuffer(obj.code(p), obj.littleEndian);
  const at = known.address(ldImm64Target(obj, p, 0, code.imm(0)), code.imm(0));
  assert.ok(at, `${prog}: an address in a frozen map`);
  return known.read(at, size, signed);
}

test('.rodata initial values are read in the object\'s byte order, sign-extended only for BPF_MEMSX, with skeleton-style overrides', () => {
  for (const [flavor, obj] of Object.entries(objects)) {
    const initial = new KnownValues(obj);
    assert.equal(readAt(obj, initial, 'rodata_bool_guard', 1), 0n, `${flavor} use_how`);
    assert.equal(readAt(obj, initial, 'rodata_u16_early_return', 2), 1n, `${flavor} skip_how`);
    assert.equal(readAt(obj, initial, 'rodata_u32_compare', 4), 0n, `${flavor} how_mode`);
    assert.equal(readAt(obj, initial, 'rodata_s64_signed', 8), (1n << 64n) - 1n, `${flavor} how_min = -1 as u64`);
    assert.equal(readAt(obj, initial, 'rodata_s64_signed', 1, true), (1n << 64n) - 1n, `${flavor} ldsx of 0xff`);
    assert.equal(readAt(obj, initial, 'rodata_s64_signed', 3), undefined, 'no 3-byte loads');
    const set = new KnownValues(obj, { rodata: new Map([['skip_how', 0x1234n], ['how_min', -2n]]) });
    assert.equal(readAt(obj, set, 'rodata_u16_early_return', 2), 0x1234n, `${flavor} skip_how set`);
    // the low byte is at the start on little-endian objects, the high byte on big-endian ones
    assert.equal(readAt(obj, set, 'rodata_u16_early_return', 1), obj.littleEndian ? 0x34n : 0x12n, `${flavor} 1-byte read of a 2-byte value`);
    assert.equal(readAt(obj, set, 'rodata_s64_signed', 8), (1n << 64n) - 2n, `${flavor} how_min set`);
    assert.notEqual(initial.key, set.key, 'the walk cache tells the settings apart');
  }
});

test('a .rodata flag folds the branch it guards: dead CO-RE reads load on el8_1 (no struct open_how) until the flag is set, as the live verifier says', () => {
  const vm = kernel(EL8);
  for (const [flavor, obj] of Object.entries(objects)) {
    const initial = checkObject(obj, { vmlinux: vm }, { verifier: HOST_VERIFIER });
    const flipped = checkObject(obj, { vmlinux: vm }, { verifier: HOST_VERIFIER, rodata: FLIPPED });
    for (const prog of GUARDED) {
      assert.equal(coreVerdict(initial, prog), 'loads', `${flavor} ${prog}, initial values`);
      assert.equal(coreVerdict(flipped, prog), 'fails-core', `${flavor} ${prog}, values set`);
    }
    assert.equal(coreVerdict(initial, 'rodata_unguarded'), 'fails-core');
    // a verifier without frozen-map reads (before 5.5) does not fold: both ways, the read is reached
    const old = checkObject(obj, { vmlinux: vm }, { verifier: { ...HOST_VERIFIER, frozenMapReads: false } });
    for (const prog of GUARDED) assert.equal(coreVerdict(old, prog), 'fails-core', `${flavor} ${prog}, no frozen-map reads`);
  }
});

test('the rodata goldens (initial values, and values set by load-verdicts --set) agree with corecheck on every kernel', () => {
  const goldens = readdirSync(GOLDENS).filter((f) => f.startsWith('rodata') && f.endsWith('.tsv'));
  assert.deepEqual(goldens.sort(), ['rodata+use_how=1+skip_how=0+how_mode=2+how_min=0.tsv', 'rodata.tsv']);
  const differ: string[] = [];
  let pairs = 0;
  for (const f of goldens) {
    const sets = f.slice(0, -4).split('+').slice(1);
    const rodata = new Map(sets.map((x) => [x.split('=')[0], BigInt(x.split('=')[1])] as const));
    const rows = readFileSync(join(GOLDENS, f), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')).filter((r) => r[0] !== 'host');
    const byKernel = new Map<string, string[][]>();
    for (const r of rows) byKernel.set(r[0], [...(byKernel.get(r[0]) ?? []), r]);
    for (const [label, kr] of byKernel) {
      const v = checkObject(objects.bpfel, { vmlinux: kernel(label) }, { verifier: HOST_VERIFIER, rodata });
      for (const [, prog, verifier] of kr) {
        pairs++;
        const ours = coreVerdict(v, prog);
        if (ours !== verifier) differ.push(`${f} ${prog} on ${label}: verifier ${verifier}, corecheck ${ours}`);
      }
    }
  }
  assert.equal(pairs, 2 * 35 * 8);
  assert.deepEqual(differ, []);
});

test('__kconfig: LINUX_KERNEL_VERSION folds from the release; CONFIG_ values are unknown (both ways) unless given', () => {
  const vm = kernel(EL8);
  const obj = objects.bpfel;
  const verdict = (opts: CheckOptions): string => coreVerdict(checkObject(obj, { vmlinux: vm }, { verifier: HOST_VERIFIER, ...opts }), 'kconfig_version_guard');
  assert.equal(verdict({ kernelRelease: '4.18.0-147.5.1.el8_1.aarch64' }), 'loads', 'before 5.6: the open_how read is dead code');
  assert.equal(verdict({ kernelRelease: '6.1.0-57-amd64' }), 'fails-core', 'from 5.6: the read is reached');
  assert.equal(verdict({}), 'fails-core', 'release unknown: both ways');

  const p = obj.programs.find((x) => x.name === 'kconfig_config_guard')!;
  const codeOf = (fn: typeof p): InsnBuffer => new InsnBuffer(obj.code(fn), obj.littleEndian);
  const reached = (kconfig?: Map<string, bigint>): number =>
    analyzeReachability(obj, p, codeOf, { known: new KnownValues(obj, { kconfig }) }).reached.get(p)!.reduce((n, x) => n + x, 0);
  const both = reached();
  assert.equal(both, p.insnCount, 'unknown: every instruction');
  const y = reached(new Map([['CONFIG_CORECHECK_FIXTURE', 1n]]));
  const n = reached(new Map([['CONFIG_CORECHECK_FIXTURE', 0n]]));
  // clang made it `r1 = 1; if CONFIG != 0 goto +1; r1 = 2`: y skips one instruction, n reaches them all
  assert.equal(y, both - 1, `y ${y}, unknown ${both}`);
  assert.equal(n, both, `n ${n}`);
});

test('walks shared across kernels and settings (ObjectContext) keep settings apart', () => {
  const vm = kernel(EL8);
  const context = new ObjectContext(objects.bpfel);
  const check = (opts: CheckOptions): string => coreVerdict(checkObject(objects.bpfel, { vmlinux: vm }, { verifier: HOST_VERIFIER, ...opts }, undefined, context), 'rodata_bool_guard');
  assert.equal(check({}), 'loads');
  assert.equal(check({ rodata: new Map([['use_how', 1n]]) }), 'fails-core');
  assert.equal(check({ rodata: new Map([['use_how', 0n]]) }), 'loads');
});

test('corecheck check --set: el8_1 does not fold (4.18 verifier); good values are accepted, a bad --set is one line and exit 2', () => {
  const obj = fixture('bpfel');
  const k = ['--kernel', join(CORPUS_KERNELS, `${EL8}.btf.tar.xz`), '--arch', 'all', '--json', '-j', '1'];
  const fails = (args: string[]): string[] => {
    const r = runCli(['check', obj, ...k, ...args]);
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    const report = JSON.parse(r.stdout) as { objects: { details: { programs: { name: string; reasons: { class: string; verdict: string }[] }[] }[] }[] };
    return report.objects[0].details[0].programs
      .filter((p) => p.reasons.some((x) => x.class === 'CORE_RELOCATION' && x.verdict === 'fails')).map((p) => p.name).sort();
  };
  // el8_1's own verifier (4.18) does not read frozen maps: every guard goes both ways there
  assert.deepEqual(fails([]), [...GUARDED, 'kconfig_version_guard', 'rodata_unguarded'].sort());
  const bad = (set: string, pattern: RegExp): void => {
    const r = runCli(['check', obj, ...k, '--set', set]);
    assert.equal(r.status, 2, `${set}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], pattern);
  };
  bad('use_how', /^corecheck: option --set: expected NAME=VALUE, got 'use_how'$/);
  bad('=1', /expected NAME=VALUE/);
  bad('targ_pid=1', /^corecheck: option --set targ_pid: no object has a \.rodata variable named targ_pid$/);
  bad('use_how=yes', /option --set use_how: 'yes' is not an integer$/);
  bad('use_how=256', /rodata\.bpfel\.o: option --set use_how: 256 does not fit use_how, an unsigned 1-byte variable$/);
  bad('how_min=9223372036854775808', /does not fit how_min, a signed 8-byte variable$/);
  bad('CONFIG_CORECHECK_FIXTURE=q', /'q' is not an integer \(nor y, n or m\)$/);
  bad('CONFIG_NOT_THERE=y', /no object has a \.rodata variable or __kconfig extern named CONFIG_NOT_THERE/);
  for (const good of ['use_how=1', 'how_min=-0x10', 'how_mode=0xffffffff', 'CONFIG_CORECHECK_FIXTURE=m']) {
    const r = runCli(['check', obj, ...k, '--set', good]);
    assert.ok(r.status === 0 || r.status === 1, `${good}: ${r.stderr}`);
  }
});

test('corecheck check --set on Debian 11 (5.10, a verifier that folds frozen maps): the helper the flag guards is reached only once set', () => {
  const k = ['--kernel', join(CORPUS_KERNELS, 'debian/11/x86_64/5.10.0-32-amd64.btf.tar.xz'), '--arch', 'all', '--json', '-j', '1'];
  const helperFails = (args: string[]): boolean => {
    const r = runCli(['check', fixture('bpfel'), ...k, ...args]);
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    const report = JSON.parse(r.stdout) as { objects: { details: { programs: { name: string; reasons: { class: string; verdict: string }[] }[] }[] }[] };
    const p = report.objects[0].details[0].programs.find((x) => x.name === 'rodata_helper_guard')!;
    return p.reasons.some((x) => x.class === 'HELPER_UNAVAILABLE' && x.verdict === 'fails');
  };
  assert.equal(helperFails([]), false, 'use_clock = 0: bpf_ktime_get_coarse_ns is dead code');
  assert.equal(helperFails(['--set', 'use_clock=1']), true, 'use_clock = 1: the 5.11 helper is called');
});
