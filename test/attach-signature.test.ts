// ATTACH_SIGNATURE_MISMATCH (issue 10, item 1): context reads against the attach target's
// prototype in each kernel's BTF.
//
// Ground truth:
// - test/goldens/live/<release>/<object>.tsv: libbpf 1.5 loading every program on the live
//   Debian 5.10.0-32, 6.1.0-57 and 6.12.117+deb12 kernels under QEMU (tools/goldens/regen-live.sh),
//   whose BTF is byte-identical to the corpus rows checked here (test/goldens/live/KERNELS.tsv).
//   Nothing here is a golden written from corecheck's own output.
// - the fixture test/fixtures/src/attach_signature.bpf.c, whose expected verdicts follow from
//   its construction and the prototypes bpftool prints from each corpus kernel (see its header);
//   its live goldens (test/goldens/live/*/attach_signature.tsv) came with the regen that added
//   tail_call_owner; this file does not compare them yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkObject, type ProgramVerdict } from '../src/analysis/check.js';
import { BpfObject } from '../src/object/object.js';
import type { Report } from '../src/report/model.js';
import { CORPUS_KERNELS, REPO, cachePath, corpusBtfLoader, extractCorpusBtf, haveTool, readBytes } from './helpers/inputs.js';
import { liveKernels } from './helpers/live.js';
import { EXAMPLE, runCli } from './helpers/cli.js';
import { errorsOf, reportValidator } from './helpers/validators.js';
import { scratchDir } from './helpers/scratch.js';

const LIVE = join(REPO, 'test/goldens/live');
const KERNELS = liveKernels();
const kernelBtf = corpusBtfLoader();
const dir = scratchDir('sig');

/** The libbpf-tools objects and the example: the inputs whose every program the live goldens judge. */
function objects(): [string, string][] {
  const tools = cachePath('objects/libbpf-tools');
  return [
    ...readdirSync(tools).filter((f) => f.endsWith('.bpf.o')).sort().map((f): [string, string] => [f.slice(0, -'.bpf.o'.length), join(tools, f)]),
    ['openat2', EXAMPLE],
  ];
}

interface LiveRow { readonly program: string; readonly verdict: string; readonly detail: string }
function liveRows(release: string, object: string): Map<string, LiveRow> | undefined {
  const path = join(LIVE, release, `${object}.tsv`);
  if (!existsSync(path)) return undefined;
  const rows = readFileSync(path, 'utf8').trimEnd().split('\n').slice(1).map((l) => l.split('\t'))
    .filter((c) => c[0] !== '(object)').map(([program, verdict, detail]) => ({ program, verdict: verdict.split(' ')[0], detail: detail ?? '' }));
  return new Map(rows.map((r) => [r.program, r]));
}

/** The verifier's complaints about context reads that a target's signature decides. */
const SIGNATURE_LINE = /invalid bpf_context access|doesn't have \d+-th argument|dereference of modified ctx ptr|invalid mem access 'scalar'/;
/** libbpf's line for an attach target the kernel lacks (ATTACH_TARGET_MISSING). */
const TARGET_LINE = /failed to find kernel BTF type ID of/;

/**
 * Live failures with a signature-like line that are another rule's, each with its cause: the list
 * only shrinks, and each must be predicted by its own class.
 *
 * biosnoop `block_rq_complete` on 6.1/6.12: `R1 invalid mem access 'scalar'` is not a signature
 * mismatch. Its argument 0 is `struct request *` in all three kernels (btf_trace_block_rq_complete:
 * `(void *, struct request *, int|blk_status_t, unsigned int)`). The program spills `rq` to the
 * stack and passes `&rq` to bpf_map_lookup_elem as the key; 6.1's and 6.12's
 * check_stack_range_initialized() clobbers spilled pointers on any helper access to the stack
 * (`clobber = true` for ACCESS_HELPER, kernel/bpf/verifier.c of linux-source-6.12), so the
 * reloaded `rq` is a scalar and `rq->__sector` is refused. 5.10 (keeps spilled BTF pointers) and
 * 6.18 (clobbers only for helper writes) load it: VERIFIER_RULE (`HelperStackReads`).
 */
const OTHER_RULES = new Map([
  ['6.1.0-57-amd64 biosnoop block_rq_complete', 'VERIFIER_RULE'],
  ['6.12.117+deb12-amd64 biosnoop block_rq_complete', 'VERIFIER_RULE'],
]);

const failsWith = (p: ProgramVerdict, cls: string): boolean => p.verdict === 'fails' && p.reasons.some((r) => r.class === cls && r.verdict === 'fails');

test('live kernels: every signature failure of libbpf-tools and the example is predicted, with no new false failure', (t) => {
  const disagreements: string[] = [];
  for (const k of KERNELS) {
    const btf = kernelBtf(k.archive);
    const tally = { programs: 0, agree: 0, agreeBefore: 0, signatureFails: 0, signaturePredicted: 0 };
    for (const [name, path] of objects()) {
      const live = liveRows(k.release, name);
      if (!live) continue;
      const v = checkObject(new BpfObject(readBytes(path)), { vmlinux: btf }, { kernelRelease: k.release });
      for (const p of v.programs) {
        const row = live.get(p.name);
        // artifacts need the tool's user space; not-loaded programs were never judged
        if (!row || row.verdict === 'artifact' || row.verdict === 'not-loaded') continue;
        const id = `${k.release} ${name} ${p.name}`;
        const liveFails = row.verdict !== 'loads';
        const sig = p.reasons.filter((r) => r.class === 'ATTACH_SIGNATURE_MISMATCH');
        const before = p.reasons.filter((r) => r.class !== 'ATTACH_SIGNATURE_MISMATCH').some((r) => r.verdict === 'fails');
        tally.programs++;
        if ((p.verdict === 'fails') === liveFails) tally.agree++;
        if (before === liveFails) tally.agreeBefore++;
        if (!liveFails) {
          // a warn (raw_tp: loads, attaching fails) is no failure; fails or unknown would be
          const wrong = sig.filter((r) => r.verdict === 'fails' || r.verdict === 'unknown');
          if (wrong.length > 0) disagreements.push(`${id}: live loads, corecheck ${wrong.map((r) => `${r.verdict}: ${r.message}`).join('; ')}`);
          continue;
        }
        if (SIGNATURE_LINE.test(row.detail)) {
          tally.signatureFails++;
          if (failsWith(p, 'ATTACH_SIGNATURE_MISMATCH')) tally.signaturePredicted++;
          else if (!OTHER_RULES.has(id)) disagreements.push(`${id}: live "${row.detail}", corecheck ${p.verdict}`);
          else assert.ok(failsWith(p, OTHER_RULES.get(id)!), `${id}: predicted by ${OTHER_RULES.get(id)}`);
        } else if (TARGET_LINE.test(row.detail) && !failsWith(p, 'ATTACH_TARGET_MISSING')) {
          disagreements.push(`${id}: live "${row.detail}", corecheck ${p.verdict} without ATTACH_TARGET_MISSING`);
        }
      }
    }
    t.diagnostic(`${k.release}: ${tally.agree}/${tally.programs} programs agree with the live verdict (${tally.agreeBefore} without ATTACH_SIGNATURE_MISMATCH); signature failures predicted ${tally.signaturePredicted}/${tally.signatureFails}`);
  }
  assert.deepEqual(disagreements, []);
});

test('live 5.10: the block tracepoints that lost their request_queue argument fail with the argument, the prototype and the fix', () => {
  const k = KERNELS[0];
  const v = checkObject(new BpfObject(readBytes(cachePath('objects/libbpf-tools/biolatency.bpf.o'))), { vmlinux: kernelBtf(k.archive) }, { kernelRelease: k.release });
  const p = v.programs.find((x) => x.name === 'block_rq_insert_btf')!;
  const r = p.reasons.find((x) => x.class === 'ATTACH_SIGNATURE_MISMATCH')!;
  assert.equal(r.verdict, 'fails');
  assert.ok(r.subject.kind === 'attach-signature');
  assert.equal(r.subject.argument, 1, 'ctx[1]: the request_queue layout of 5.10 upstream');
  assert.equal(r.subject.problem, 'beyond');
  assert.equal(r.subject.declaredBy, 'btf_trace_block_rq_insert');
  // bpftool's own C dump of the same kernel's typedef
  const file = extractCorpusBtf(k.archive, dir);
  const line = execFileSync('bpftool', ['btf', 'dump', 'file', file, 'format', 'c'], { maxBuffer: 1 << 30, encoding: 'utf8' })
    .split('\n').find((l) => l.includes('(*btf_trace_block_rq_insert)'));
  assert.equal(r.subject.prototype, line);
  assert.match(r.message, /LINUX_KERNEL_VERSION check \(5\.10\.0 here\) chose this path/);
  // the source line is biolatency's own version check branch (line info of the load)
  assert.match(r.source?.text ?? '', /ctx\[1\]/);
  assert.ok(r.fixes.some((f) => f.includes('bpf_core_type_matches(btf_trace_block_rq_insert___old)')));
  assert.ok(r.fixes.some((f) => f.includes('autoload')));
  // the raw tracepoint flavour of the same read loads and fails to attach (bpf_probe_register
  // compares the largest context offset with the tracepoint's arguments): live says loads
  const raw = v.programs.find((x) => x.name === 'block_rq_insert')!;
  assert.equal(liveRows(k.release, 'biolatency')!.get('block_rq_insert')!.verdict, 'loads');
  assert.equal(raw.verdict, 'warn');

  // without a known release, LINUX_KERNEL_VERSION is unknown: undecided, not a guess
  const unknown = checkObject(new BpfObject(readBytes(cachePath('objects/libbpf-tools/biolatency.bpf.o'))), { vmlinux: kernelBtf(KERNELS[1].archive) });
  assert.equal(unknown.programs.find((x) => x.name === 'block_rq_insert_btf')!.verdict, 'unknown');
});

/** The fixture's object: from the fixtures cache when build-fixtures.sh has built it, else built here the same way. */
function fixture(): string | undefined {
  const cached = cachePath('objects/fixtures/attach_signature.bpfel.o');
  if (existsSync(cached)) return cached;
  if (!haveTool('clang-19')) return undefined;
  const src = join(REPO, 'test/fixtures/src');
  const out = join(dir, 'attach_signature.bpfel.o');
  // tools/goldens/build-fixtures.sh's command line
  execFileSync('clang-19', ['-target', 'bpfel', '-O2', '-g', '-c', `-fdebug-prefix-map=${src}=.`, '-o', out, 'attach_signature.bpf.c'], { cwd: src });
  return out;
}

test('fixture attach_signature: a read past the arity and a dereferenced scalar fail where the prototype says so; guarded reads load', (t) => {
  const path = fixture();
  if (!path) return t.skip('clang-19 is not installed and the fixture is not built');
  const obj = new BpfObject(readBytes(path));
  // expected verdicts from the fixture's construction (its header comment), per corpus kernel
  const expected: Record<string, readonly string[]> = {
    bio_queue_old: ['loads', 'fails', 'fails'],
    bio_queue_matches: ['loads', 'loads', 'loads'],
    bio_queue_merged: ['fails', 'loads', 'loads'],
    mkdir_new: ['fails', 'loads', 'loads'],
    mkdir_by_version: ['loads', 'loads', 'loads'],
  };
  const problems: Record<string, string> = { bio_queue_old: 'beyond', bio_queue_merged: 'modified-ctx', mkdir_new: 'scalar' };
  KERNELS.forEach((k, i) => {
    const v = checkObject(obj, { vmlinux: kernelBtf(k.archive) }, { kernelRelease: k.release });
    for (const [name, verdicts] of Object.entries(expected)) {
      const p = v.programs.find((x) => x.name === name)!;
      assert.equal(p.verdict, verdicts[i], `${name} on ${k.release}: ${p.reasons.map((r) => r.message).join('; ')}`);
      const sig = p.reasons.filter((r) => r.class === 'ATTACH_SIGNATURE_MISMATCH');
      if (verdicts[i] === 'loads') {
        assert.deepEqual(sig, [], `${name} on ${k.release}`);
        continue;
      }
      assert.equal(sig.length, 1, `${name} on ${k.release}`);
      assert.ok(sig[0].subject.kind === 'attach-signature');
      assert.equal(sig[0].subject.problem, problems[name]);
    }
  });
});

test('the class flows through the report: JSON (schema-valid), text and SARIF', () => {
  const kernels = KERNELS.slice(0, 2).flatMap((k) => ['--kernel', join(CORPUS_KERNELS, k.archive)]);
  const object = cachePath('objects/libbpf-tools/biosnoop.bpf.o');
  const json = runCli(['check', object, '--json', ...kernels]);
  const report = JSON.parse(json.stdout) as Report;
  const validate = reportValidator();
  assert.ok(validate(report), errorsOf(validate));
  const cause = report.objects[0].causes.find((c) => c.class === 'ATTACH_SIGNATURE_MISMATCH' && c.programs.includes('block_rq_insert'))!;
  assert.ok(cause, 'a root cause of the class');
  assert.equal(cause.verdict, 'fails');
  assert.deepEqual(cause.kernels, ['debian/11/x86_64/5.10.0-32-amd64']);
  assert.equal(cause.key, 'signature:btf_trace_block_rq_insert#1:beyond');

  const text = runCli(['check', object, ...kernels]);
  assert.match(text.stdout, /ATTACH_SIGNATURE_MISMATCH: the program reads argument 2 \(ctx\[1\]\), but btf_trace_block_rq_insert has 1 argument/);
  assert.match(text.stdout, /the prototype changed between 5\.10\.0-32-amd64 and 6\.1\.0-57-amd64/);

  const sarif = JSON.parse(runCli(['check', object, '--format', 'sarif', ...kernels]).stdout) as { runs: { tool: { driver: { rules: { id: string; name: string }[] } } }[] };
  const rule = sarif.runs[0].tool.driver.rules.find((r) => r.id === 'ATTACH_SIGNATURE_MISMATCH');
  assert.equal(rule?.name, 'AttachSignatureMismatch');
});

test('struct_ops: a read past the member\'s arguments fails, and the struct_ops map\'s other programs fail with it; programs within their members load', () => {
  const sig = new BpfObject(readBytes(cachePath('objects/fixtures/struct_ops_signature.bpfel.o')));
  const fine = new BpfObject(readBytes(cachePath('objects/fixtures/struct_ops.bpfel.o')));
  for (const k of KERNELS) {
    const btf = kernelBtf(k.archive);
    const v = checkObject(sig, { vmlinux: btf }, { kernelRelease: k.release });
    const bad = v.programs.find((p) => p.name === 'sig_cong_avoid')!;
    const [r] = bad.reasons.filter((x) => x.class === 'ATTACH_SIGNATURE_MISMATCH');
    assert.equal(r.verdict, 'fails');
    assert.deepEqual(r.subject, {
      kind: 'attach-signature', via: 'struct_ops', target: 'sig_cong_avoid', declaredBy: 'tcp_congestion_ops.cong_avoid', argument: 3,
      prototype: 'struct tcp_congestion_ops { void (*cong_avoid)(struct sock *, u32, u32); }', expects: 'reads argument 4 (ctx[3]) (8 bytes at offset 24)', problem: 'beyond',
    });
    for (const name of ['sig_ssthresh', 'sig_undo_cwnd']) {
      const p = v.programs.find((x) => x.name === name)!;
      assert.equal(p.verdict, 'fails', `${name} loads with the map`);
      assert.ok(p.reasons.some((x) => x.class === 'ATTACH_SIGNATURE_MISMATCH' && x.message.startsWith('loaded with struct_ops map sig_cc, whose program sig_cong_avoid fails')));
    }
    assert.equal(v.verdict, 'fails');
    assert.equal(checkObject(fine, { vmlinux: btf }, { kernelRelease: k.release }).verdict, 'loads', `${k.release}: the struct_ops fixture`);
  }
});
