// The kernel index a fleet run caches per kernel (src/btf/kernel-index.ts), on a real corpus kernel
// (Debian 12's 6.1 amd64) and the libbpf-tools objects: a kernel parsed with its index must answer
// every check exactly as one parsed from scratch, and an index that is corrupt or made for other
// bytes must be refused with one line, never taken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../src/btf/btf.js';
import { Kind } from '../src/btf/kinds.js';
import { CorecheckError } from '../src/common/errors.js';
import { crc32Of } from '../src/common/crc32.js';
import { nativeCrc32 } from '../src/kernels/native-crc32.js';
import { encodeKernelIndex, parseWithKernelIndex } from '../src/btf/kernel-index.js';
import { checkKernel } from '../src/analysis/kernel-check.js';
import { openBpfObjects } from '../src/object/open.js';
import { cachePath, extractCorpusBtf, readBytes } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const dir = scratchDir('kernel-index');
const K61 = readBytes(extractCorpusBtf('debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz', dir));
const K510 = readBytes(extractCorpusBtf('debian/11/x86_64/5.10.0-32-amd64.btf.tar.xz', dir));

/** Asserts `fn` throws a CorecheckError about the kernel index whose one-line message matches `pattern`. */
function assertRefused(fn: () => unknown, pattern: RegExp, code = 'MALFORMED'): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CorecheckError, `a CorecheckError, not ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.structure, 'kernel index');
    const line = e.format();
    assert.ok(!line.includes('\n'), `one line: ${line}`);
    assert.match(line, pattern);
    return true;
  });
}

test('kernel index: round trip on Debian 6.1 gives the same offsets and name indexes, and the same bytes again', () => {
  const btf = Btf.parse(K61);
  const bytes = encodeKernelIndex(btf);
  const loaded = parseWithKernelIndex(K61, bytes);
  assert.equal(loaded.typeCount, btf.typeCount);
  assert.deepEqual(loaded.index(), btf.index());
  assert.deepEqual(encodeKernelIndex(loaded), bytes);
  // an unaligned copy of both reads the same
  const copyOf = (b: Uint8Array): Uint8Array => {
    const out = new Uint8Array(new ArrayBuffer(b.length + 1), 1);
    out.set(b);
    return out;
  };
  assert.deepEqual(parseWithKernelIndex(copyOf(K61), copyOf(bytes)).index(), btf.index());
});

test('CRC-32 continued over pieces equals the CRC of the whole, in corecheck\'s loop and in Node\'s (an index\'s CRC covers several arrays)', () => {
  const whole = crc32Of(K61);
  // odd cuts, so the loop's unaligned head and tail are crossed too
  const cuts = [0, 3, 1001, 65537, K61.length - 5, K61.length];
  for (const checksum of [crc32Of, nativeCrc32]) {
    assert.equal(checksum(K61), whole);
    let crc = 0;
    for (let i = 1; i < cuts.length; i++) crc = checksum(K61.subarray(cuts[i - 1], cuts[i]), crc);
    assert.equal(crc, whole);
  }
});

for (const checkStructure of [true, false]) {
test(`kernel index: lookups on Debian 6.1 with the index equal those without it (structure ${checkStructure ? 'checked' : 'taken on its CRCs, as the kernel cache does'})`, () => {
  const fresh = Btf.parse(K61);
  const loaded = parseWithKernelIndex(K61, encodeKernelIndex(Btf.parse(K61)), crc32Of, { checkStructure });
  for (const name of ['task_struct', 'task_struct___v2', 'sk_buff', 'pt_regs', 'do_sys_openat2', 'bpf_func_id', 'jiffies', '.data..percpu', 'btf_trace_sched_switch', 'no_such_name', '']) {
    assert.deepEqual(loaded.idsByName(name), fresh.idsByName(name), name);
    assert.deepEqual(loaded.ownTypesByEssentialName(name), fresh.ownTypesByEssentialName(name), name);
  }
  for (const id of [1, 100, 5000, fresh.typeCount - 1]) assert.deepEqual(loaded.type(id), fresh.type(id));
  // firstNamed answers by the index when there is one, by a scan otherwise: the same ids.
  const wanted = [
    { name: 'bpf_func_id', kinds: [Kind.ENUM, Kind.ENUM64] }, { name: 'task_struct', kinds: [Kind.STRUCT] },
    { name: 'do_sys_openat2', kinds: [Kind.FUNC] }, { name: 'jiffies', kinds: [Kind.VAR] }, { name: 'task_struct', kinds: [Kind.FWD, Kind.UNION] },
    { name: 'btf_trace_sched_switch', kinds: [Kind.TYPEDEF, Kind.FUNC] }, { name: 'no_such_name', kinds: [Kind.STRUCT] }, { name: 'sk_buff', kinds: [Kind.STRUCT, Kind.FUNC] },
  ];
  assert.deepEqual(loaded.firstNamed(wanted), Btf.parse(K61).firstNamed(wanted));
  assert.ok(loaded.firstNamed(wanted).filter((id) => id !== undefined).length >= 5);
});
}

test('kernel index: checking the libbpf-tools objects on Debian 6.1 and 5.10 with the index gives the verdicts and successors of a fresh parse', () => {
  const objDir = cachePath('objects/libbpf-tools');
  const objects = readdirSync(objDir).filter((f) => f.endsWith('.o')).sort().map((f) => openBpfObjects(readBytes(join(objDir, f)), f)[0].object);
  assert.ok(objects.length > 40, `libbpf-tools objects in ${objDir}`);
  for (const bytes of [K61, K510]) {
    const fresh = checkKernel(objects, { vmlinux: Btf.parse(bytes), modules: [] });
    const indexed = checkKernel(objects, { vmlinux: parseWithKernelIndex(bytes, encodeKernelIndex(Btf.parse(bytes))), modules: [] });
    assert.deepEqual(indexed.verdicts, fresh.verdicts);
    assert.deepEqual([...indexed.successors], [...fresh.successors]);
  }
});

test('kernel index: a corrupt, truncated, foreign or other-version index is refused with one line', () => {
  const index = encodeKernelIndex(Btf.parse(K61));
  const flipped = (at: number): Uint8Array => {
    const b = index.slice();
    b[at] ^= 0x10;
    return b;
  };
  // a bit anywhere in the body: offsets, a name table's slots, its links
  for (const at of [32, 40 + 4 * 1000, Math.floor(index.length / 2), index.length - 1]) assertRefused(() => parseWithKernelIndex(K61, flipped(at)), /kernel index: checksum mismatch/);
  assertRefused(() => parseWithKernelIndex(K61, flipped(0)), /bad magic/);
  assertRefused(() => parseWithKernelIndex(K61, flipped(4)), /version 18, this corecheck reads version 2/, 'UNSUPPORTED');
  assertRefused(() => parseWithKernelIndex(K61, flipped(16)), /bytes, but its header says/);
  assertRefused(() => parseWithKernelIndex(K61, index.subarray(0, index.length - 4)), /bytes, but its header says/);
  assertRefused(() => parseWithKernelIndex(K61, index.subarray(0, 12)), /12 bytes is no kernel index/);
  assertRefused(() => parseWithKernelIndex(K510, index), /made for other BTF bytes/);
  const k61 = K61.slice();
  k61[k61.length - 2] ^= 1;
  assertRefused(() => parseWithKernelIndex(k61, index), /made for other BTF bytes/);
});

test('kernel index: offsets or name tables that do not fit the BTF are refused even when the bytes are consistent', () => {
  const parts = Btf.parse(K61).index();
  const offsets = parts.offsets.slice();
  offsets[10] += 3;
  assertRefused(() => Btf.parseIndexed(K61, { ...parts, offsets }), /type \[11\] does not start at word/);
  assertRefused(() => Btf.parseIndexed(K61, { ...parts, offsets: parts.offsets.subarray(0, 100) }), /types end at word/);
  const prev = parts.dataNames.prev.slice();
  prev[500] = 500;
  assertRefused(() => Btf.parseIndexed(K61, { ...parts, dataNames: { ...parts.dataNames, prev } }), /link 500 does not go down/);
  const slotKey = parts.typeNames.slotKey.slice().fill(1);
  assertRefused(() => Btf.parseIndexed(K61, { ...parts, typeNames: { ...parts.typeNames, slotKey } }), /no empty slot|out of range/);
  assertRefused(() => Btf.parseIndexed(K61, { ...parts, typeNames: { ...parts.typeNames, slotKey: parts.typeNames.slotKey.subarray(0, 24) } }), /not a power of two/);
});

test('kernel index: split BTF (a module) has none', () => {
  const vmlinux = Btf.parse(K61);
  // an empty split BTF on vmlinux: a header and one empty string
  const split = new Uint8Array([0x9f, 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  assertRefused(() => encodeKernelIndex(Btf.parse(split, { base: vmlinux })), /split BTF/, 'UNSUPPORTED');
});
