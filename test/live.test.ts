// corecheck against each live kernel's own verifier (issue 10's acceptance): every program and
// every whole object of the live goldens (tools/goldens/regen-live.sh: libbpf 1.5 on Debian
// kernels booted under QEMU, CO-RE against their own BTF, which is the corpus archive's byte for
// byte — KERNELS.tsv), judged by corecheck on the corpus BTF of the same release with the verifier
// generation that BTF evidences. Per kernel: at least 99.5% of judged programs agree; the object
// verdict matches the whole-object load for every object; no false `loads`, for programs or
// objects; and every disagreement is listed below with its cause (the README lists them too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkObject, type ObjectVerdict } from '../src/analysis/check.js';
import { KernelContext } from '../src/analysis/kernel-facts.js';
import { worst } from '../src/analysis/reason.js';
import { Btf } from '../src/btf/btf.js';
import { BpfObject } from '../src/object/object.js';
import { corpusBtfLoader, readBytes } from './helpers/inputs.js';
import { liveKernels, liveObjectPath, liveObjects, liveRows, type LiveRow } from './helpers/live.js';

const kernelBtf = corpusBtfLoader();

/** Live rows that judge nothing about the kernel: a loader artifact, or a program the object does not load. */
const unjudged = (r: LiveRow): boolean => r.verdict === 'artifact' || r.verdict === 'not-loaded';

type Side = 'loads' | 'fails' | 'unknown';
const liveSide = (r: LiveRow): Side => (r.verdict === 'loads' ? 'loads' : 'fails');
const ccSide = (v: string): Side => (v === 'fails' ? 'fails' : v === 'unknown' ? 'unknown' : 'loads');

/**
 * Disagreements, by `<release> <object> <program|(object)>`, each with its cause. The list may
 * only shrink: a new disagreement fails the test, and so does a listed one that went away.
 */
const KNOWN: ReadonlyMap<string, string> = new Map([
]);

interface Tally { programs: number; agree: number; falseLoads: number; falseFails: number; unknown: number; objects: number; objectsAgree: number; objectFalseLoads: number }

function check(obj: BpfObject, btf: Btf, ctx: KernelContext, release: string): ObjectVerdict {
  return checkObject(obj, { vmlinux: btf }, { kernelRelease: release }, ctx);
}

test('live kernels: programs and whole objects agree with each kernel\'s own verifier (≥ 99.5%, no false loads, every disagreement known)', (t) => {
  const found = new Map<string, string>();
  const bars: string[] = [];
  for (const k of liveKernels()) {
    const btf = kernelBtf(k.archive);
    const ctx = new KernelContext({ vmlinux: btf });
    const n: Tally = { programs: 0, agree: 0, falseLoads: 0, falseFails: 0, unknown: 0, objects: 0, objectsAgree: 0, objectFalseLoads: 0 };
    const missing: string[] = [];
    for (const name of liveObjects(k.release)) {
      const path = liveObjectPath(name);
      if (!path) { missing.push(name); continue; }
      const rows = liveRows(k.release, name);
      let v: ObjectVerdict | undefined;
      let error = '';
      try {
        v = check(new BpfObject(readBytes(path)), btf, ctx, k.release);
      } catch (e) {
        error = (e as Error).message;
      }
      const artifacts = new Set(rows.filter((r) => r.verdict === 'artifact').map((r) => r.program));
      for (const row of rows) {
        const id = `${k.release} ${name} ${row.program}`;
        if (row.program === '(object)') {
          // the whole object as user space loads it: artifacts' autoload is off
          const cc: Side = v ? ccSide(worst(v.programs.filter((p) => p.autoload && !artifacts.has(p.name)).map((p) => p.verdict))) : 'fails';
          n.objects++;
          if (cc === liveSide(row)) n.objectsAgree++;
          else {
            if (cc === 'loads') n.objectFalseLoads++;
            found.set(id, `live ${row.verdict} ${row.detail}; corecheck ${cc}${error ? ` (${error})` : ''}`);
          }
          continue;
        }
        if (unjudged(row)) continue;
        const p = v?.programs.find((x) => x.name === row.program);
        const cc: Side = p ? ccSide(p.verdict) : 'fails';
        n.programs++;
        if (cc === liveSide(row)) { n.agree++; continue; }
        if (cc === 'unknown') n.unknown++;
        else if (cc === 'loads') n.falseLoads++;
        else n.falseFails++;
        const why = p?.reasons.filter((r) => r.verdict === p.verdict).map((r) => `${r.class}: ${r.message}`).join('; ') ?? error;
        found.set(id, `live ${row.verdict} ${row.detail}; corecheck ${cc}${why ? ` (${why})` : ''}`);
      }
    }
    const pct = (100 * n.agree) / n.programs;
    t.diagnostic(`${k.release}: programs ${n.agree}/${n.programs} agree (${pct.toFixed(2)}%; false loads ${n.falseLoads}, false fails ${n.falseFails}, unknown ${n.unknown}); objects ${n.objectsAgree}/${n.objects} (false loads ${n.objectFalseLoads})${missing.length ? `; not built here: ${missing.join(' ')}` : ''}`);
    if (pct < 99.5) bars.push(`${k.release}: ${pct.toFixed(2)}% of programs agree`);
    if (n.falseLoads + n.objectFalseLoads > 0) bars.push(`${k.release}: ${n.falseLoads} programs and ${n.objectFalseLoads} objects falsely judged to load`);
    if (missing.length) bars.push(`${k.release}: not built here: ${missing.join(' ')}`);
  }
  for (const [id, what] of found) t.diagnostic(`${id}: ${what}`);
  assert.deepEqual(bars, [], 'every kernel meets the bar');
  assert.deepEqual([...found.keys()].sort(), [...KNOWN.keys()].sort(), 'the disagreements are the known ones');
});
