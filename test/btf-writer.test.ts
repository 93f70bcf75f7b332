// The BTF writer (src/btf/writer.ts): encoding a parsed BTF gives back its bytes (every corpus
// kernel, both byte orders; every libbpf-tools object's .BTF; fixtures and cilium/ebpf's objects
// of either endianness; module BTF split on its vmlinux), BTF it builds is what bpftool reads
// (`bpftool btf dump format raw` is the reference for corecheck's raw dump of the same bytes), and
// random type graphs of every kind survive encode -> parse -> encode. WRITER_FUZZ_CASES sets the
// number of random graphs (400 by default), WRITER_FUZZ_SEED the seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../src/btf/btf.js';
import { Kind, isComposite } from '../src/btf/kinds.js';
import { remapTypeRefs, typeRefs, type TypeData } from '../src/btf/type-data.js';
import type { BtfType } from '../src/btf/types.js';
import { BtfWriter, encodeBtf } from '../src/btf/writer.js';
import { CorecheckError } from '../src/common/errors.js';
import { ElfFile } from '../src/elf/elf.js';
import { CORPUS_KERNELS, bpftoolRaw, cachePath, assertSameText, corecheckRaw, corpusArchives, extractCorpusBtf, readBytes } from './helpers/inputs.js';
import { rng } from './helpers/mutate.js';
import { randomTypes } from './helpers/random-btf.js';
import { scratchDir } from './helpers/scratch.js';

const CILIUM_TESTDATA = '/usr/share/gocode/src/github.com/cilium/ebpf/testdata';
const dir = scratchDir('btf-writer');


/** Fails with the first differing byte rather than two megabyte arrays. */
function assertSameBytes(ours: Uint8Array, want: Uint8Array, what: string): void {
  if (ours.length === want.length && Buffer.compare(ours, want) === 0) return;
  let i = 0;
  while (i < ours.length && i < want.length && ours[i] === want[i]) i++;
  assert.fail(`${what}: ${ours.length} bytes encoded, ${want.length} read; first difference at byte ${i}`);
}


/** `bytes` written to a file, parsed, and dumped by bpftool and by corecheck: the two must agree. */
function assertBpftoolReads(bytes: Uint8Array, name: string, base?: { file: string; btf: Btf }): Btf {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const btf = Btf.parse(bytes, { base: base?.btf });
  assertSameText(corecheckRaw(btf), bpftoolRaw(file, base?.file), name);
  return btf;
}

/** A type as data, without what a writer derives (ids, name offsets, raw member offsets). */
function plain(t: TypeData | BtfType): unknown {
  return JSON.parse(JSON.stringify(t, (k, v: unknown) => (k === 'id' || k === 'nameOff' || k === 'rawOffset' ? undefined : typeof v === 'bigint' ? `${v}n` : v)));
}

/** The .BTF section of an ELF object, if it has one. */
function objectBtf(path: string): Uint8Array | undefined {
  const elf = new ElfFile(readBytes(path));
  const s = elf.section('.BTF');
  return s && elf.data(s);
}

test('encodeBtf of every corpus kernel is its input, byte for byte (both byte orders)', async (t) => {
  const archives = corpusArchives();
  assert.ok(archives.length >= 30, `${archives.length} corpus kernels`);
  const orders = new Set<boolean>();
  for (const rel of archives) {
    await t.test(rel, () => {
      const file = extractCorpusBtf(rel, dir);
      const bytes = readBytes(file);
      const btf = Btf.parse(bytes);
      orders.add(btf.littleEndian);
      assertSameBytes(encodeBtf(btf), bytes, rel);
      rmSync(file);
    });
  }
  assert.deepEqual([...orders].sort(), [false, true], 'the corpus has kernels of both byte orders');
});

test('encodeBtf in the other byte order: bpftool reads the same types (s390x to little-endian, x86_64 to big-endian)', () => {
  for (const rel of ['debian/sid/s390x/7.2.13+deb14-s390x.btf.tar.xz', 'debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz']) {
    const file = extractCorpusBtf(rel, dir);
    const btf = Btf.parse(readBytes(file));
    const swapped = encodeBtf(btf, { littleEndian: !btf.littleEndian });
    const again = assertBpftoolReads(swapped, `${rel.split('/').pop()}.swapped`);
    assert.equal(again.littleEndian, !btf.littleEndian);
    assertSameText(corecheckRaw(again), bpftoolRaw(file), `${rel} swapped`);
    // and back: the original bytes
    assertSameBytes(encodeBtf(again, { littleEndian: btf.littleEndian }), readBytes(file), `${rel} swapped back`);
    rmSync(file);
  }
});

test('encodeBtf of the .BTF of every libbpf-tools object, fixture and cilium/ebpf test object is its input', async (t) => {
  const objects = [
    ...readdirSync(cachePath('objects/libbpf-tools')).filter((f) => f.endsWith('.bpf.o')).sort().map((f) => cachePath('objects/libbpf-tools', f)),
    ...readdirSync(cachePath('objects/fixtures')).filter((f) => f.endsWith('.o')).sort().map((f) => cachePath('objects/fixtures', f)),
    ...readdirSync(CILIUM_TESTDATA).filter((f) => f.endsWith('.elf')).sort().map((f) => join(CILIUM_TESTDATA, f)),
  ];
  assert.ok(objects.filter((f) => f.includes('libbpf-tools')).length >= 50, 'the libbpf-tools objects are built (.cache/objects/libbpf-tools)');
  const orders = new Set<boolean>();
  for (const f of objects) {
    await t.test(f, () => {
      const bytes = objectBtf(f);
      if (!bytes) return; // clang-7 objects of the cilium testdata carry no BTF
      const btf = Btf.parse(bytes);
      orders.add(btf.littleEndian);
      assertSameBytes(encodeBtf(btf), bytes, f);
    });
  }
  assert.deepEqual([...orders].sort(), [false, true], 'objects of both byte orders');
});

test('encodeBtf of module BTF split on its vmlinux is the module\'s .BTF', async (t) => {
  const tsv = cachePath('kernel-images', 'IMAGES.tsv');
  const rows = existsSync(tsv) ? readFileSync(tsv, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')) : [];
  const kos = rows.filter((r) => r[1] === 'module').map((r) => ({ ko: cachePath('kernel-images', r[0]), base: r[4] })).filter((m) => existsSync(m.ko));
  if (kos.length === 0) return t.skip('no module .ko files: run tools/fetch-kernel-images.sh (needs apt and the network)');
  for (const { ko, base } of kos) {
    await t.test(ko, () => {
      const baseFile = extractCorpusBtf(base, dir);
      const baseBtf = Btf.parse(readBytes(baseFile));
      const bytes = objectBtf(ko)!;
      const btf = Btf.parse(bytes, { base: baseBtf });
      assert.ok(btf.firstId > 1);
      assertSameBytes(encodeBtf(btf), bytes, ko);
    });
  }
});

/**
 * What a minimizer keeps of `btf` for `roots`, as bpftool's min_core_btf does: each root and every
 * type it holds by value, whole; a struct or union reached only through a pointer as an empty shell
 * of its size. Ascending source ids.
 */
function minimalSubset(btf: Btf, roots: number[]): { ids: number[]; shells: Set<number> } {
  const whole = new Set<number>();
  const shells = new Set<number>();
  const work = [...roots];
  while (work.length > 0) {
    const id = work.pop()!;
    if (id === 0 || whole.has(id)) continue;
    whole.add(id);
    const t = btf.type(id);
    for (const ref of typeRefs(t as TypeData)) {
      if (t.kind === Kind.PTR && isComposite(btf.kind(ref)) && !roots.includes(ref)) shells.add(ref);
      else work.push(ref);
    }
  }
  for (const id of whole) shells.delete(id);
  return { ids: [...whole, ...shells].sort((a, b) => a - b), shells };
}

test('a minimized kernel BTF built with BtfWriter: bpftool reads it as corecheck does, in both byte orders', async (t) => {
  for (const rel of ['debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz', 'debian/sid/s390x/7.2.13+deb14-s390x.btf.tar.xz']) {
    await t.test(rel, () => {
      const file = extractCorpusBtf(rel, dir);
      const src = Btf.parse(readBytes(file));
      const roots = ['task_struct', 'sk_buff', 'bpf_prog'].map((n) => src.find(n, Kind.STRUCT)!);
      roots.push(src.find('bpf_map_lookup_elem', Kind.FUNC) ?? src.find('bpf_get_current_task', Kind.FUNC)!);
      // one type of each kind the kernel has, so that every kind it has is written
      const seen = new Set<number>();
      for (let id = 1; id < src.typeCount; id++) {
        const k = src.kind(id);
        if (!seen.has(k)) roots.push(id);
        seen.add(k);
      }
      const { ids, shells } = minimalSubset(src, roots);
      const newId = new Map<number, number>([[0, 0]]);
      ids.forEach((id, i) => newId.set(id, i + 1));
      for (const littleEndian of [true, false]) {
        const w = new BtfWriter({ littleEndian });
        for (const id of ids) {
          const type = src.type(id) as TypeData;
          const kept = shells.has(id) && isComposite(type.kind) ? { ...type, members: [] } : type;
          assert.equal(w.add(remapTypeRefs(kept, (r) => newId.get(r)!)), newId.get(id));
        }
        const out = w.encode();
        const btf = assertBpftoolReads(out, `${rel.split('/').pop()}.min.${littleEndian ? 'el' : 'eb'}`);
        assert.equal(btf.typeCount, ids.length + 1);
        assert.ok(out.length < src.bytes.length / 4, `${out.length} bytes of ${src.bytes.length}`);
        t.diagnostic(`${littleEndian ? 'little' : 'big'}-endian: ${ids.length} of ${src.typeCount - 1} types (${shells.size} shells), ${out.length} bytes`);
        for (const id of [...roots, ...shells]) {
          const want = src.type(id) as TypeData;
          const got = btf.type(newId.get(id)!);
          assert.equal(got.name, want.name);
          if (!shells.has(id)) assert.deepEqual(typeRefs(got as TypeData), typeRefs(want).map((r) => newId.get(r)));
        }
        assertSameBytes(encodeBtf(btf), out, 'the minimized BTF encoded again');
      }
      rmSync(file);
    });
  }
});

test('random type graphs of every kind: build -> parse gives the types, parse -> encode gives the bytes; bpftool reads some', () => {
  const cases = Number(process.env.WRITER_FUZZ_CASES ?? 400);
  const seed = Number(process.env.WRITER_FUZZ_SEED ?? 0xb7f0);
  const kinds = new Set<number>();
  const orders = new Set<boolean>();
  for (let i = 0; i < cases; i++) {
    const caseSeed = (seed + i) >>> 0;
    const rand = rng(caseSeed);
    const littleEndian = rand() < 0.5;
    const types = randomTypes(rand, 1 + Math.floor(rand() * 40));
    const what = `case ${i} (seed ${caseSeed}, ${littleEndian ? 'little' : 'big'}-endian, ${types.length} types)`;
    const w = new BtfWriter({ littleEndian });
    types.forEach((t, k) => assert.equal(w.add(t), k + 1, what));
    const bytes = w.encode();
    const btf = Btf.parse(bytes);
    assert.equal(btf.littleEndian, littleEndian, what);
    assert.equal(btf.typeCount, types.length + 1, what);
    types.forEach((t, k) => {
      kinds.add(t.kind);
      assert.deepEqual(plain(btf.decode(k + 1)), plain(t), `${what}: type [${k + 1}]`);
    });
    assertSameBytes(encodeBtf(btf), bytes, what);
    // the same graph in the other order, through its parse
    assertSameBytes(encodeBtf(Btf.parse(encodeBtf(btf, { littleEndian: !littleEndian })), { littleEndian }), bytes, `${what} via the other byte order`);
    orders.add(littleEndian);
    if (i < 16) assertBpftoolReads(bytes, `random-${caseSeed}`);
  }
  assert.deepEqual([...kinds].sort((a, b) => a - b), Array.from({ length: Kind.ENUM64 }, (_, k) => k + 1), 'every kind was drawn');
  assert.deepEqual([...orders].sort(), [false, true]);
});

test('split BTF built on a base: ids continue after the base, names after its strings; bpftool -B reads it', () => {
  for (const littleEndian of [true, false]) {
    const rand = rng(littleEndian ? 7 : 8);
    const baseWriter = new BtfWriter({ littleEndian });
    for (const t of randomTypes(rand, 30)) baseWriter.add(t);
    const baseBytes = baseWriter.encode();
    const baseFile = join(dir, `base-${littleEndian}`);
    writeFileSync(baseFile, baseBytes);
    const base = Btf.parse(baseBytes);
    const w = new BtfWriter({ base });
    const types = randomTypes(rand, 30, base.typeCount);
    for (const t of types) w.add(t);
    const bytes = w.encode();
    const btf = assertBpftoolReads(bytes, `split-${littleEndian}`, { file: baseFile, btf: base });
    assert.equal(btf.firstId, base.typeCount);
    types.forEach((t, k) => assert.deepEqual(plain(btf.decode(base.typeCount + k)), plain(t)));
    assertSameBytes(encodeBtf(btf), bytes, 'split BTF encoded again');
  }
});

test('the writer refuses what a record cannot hold, naming the type', () => {
  const refuses = (f: (w: BtfWriter) => void, detail: RegExp): void => {
    const w = new BtfWriter();
    assert.throws(() => f(w), (e: unknown) => e instanceof CorecheckError && detail.test(e.message), String(detail));
  };
  const int: TypeData = { kind: Kind.INT, name: 'int', size: 4, encoding: 1, bitsOffset: 0, bits: 32 };
  refuses((w) => w.add({ kind: Kind.STRUCT, name: 's', size: 4, kflag: false, members: [{ name: 'f', type: 0, bitOffset: 0, bitfieldSize: 3 }] }), /bitfield size but the struct has no kflag/);
  refuses((w) => w.add({ kind: Kind.STRUCT, name: 's', size: 4, kflag: true, members: [{ name: 'f', type: 0, bitOffset: 1 << 24, bitfieldSize: 3 }] }), /bit offset 16777216 is outside/);
  refuses((w) => w.add({ ...int, bits: 256 } as TypeData), /bits 256 is outside/);
  refuses((w) => w.add({ ...int, name: 'a\u0100' }), /not a non-NUL Latin-1 byte/);
  refuses((w) => w.add({ kind: Kind.PTR, name: '', type: -1 }), /type -1 is outside 0\.\.2147483647/);
  refuses((w) => w.add({ kind: Kind.ARRAY, name: '', type: 0, indexType: 0, nelems: 2 ** 32 }), /nelems 4294967296 does not fit in 32 bits/);
  // what one record cannot show fails at encode, as the reader words it
  const encodeRefuses = (types: TypeData[], detail: RegExp): void => refuses((w) => {
    for (const t of types) w.add(t);
    w.encode();
  }, detail);
  encodeRefuses([{ kind: Kind.PTR, name: '', type: 2 }], /references type id 2, but the last type id is 1/);
  encodeRefuses([int, { kind: Kind.FUNC, name: 'f', type: 1, linkage: 1 }], /type id 1 is INT, not FUNC_PROTO/);
  encodeRefuses([{ kind: Kind.TYPEDEF, name: 't', type: 2 }, { kind: Kind.CONST, name: '', type: 1 }], /type cycle/);
  // names are stored once: two types of one name, '' at offset 0
  const w = new BtfWriter();
  w.add(int);
  w.add({ kind: Kind.TYPEDEF, name: 'int', type: 1 });
  w.add({ kind: Kind.PTR, name: '', type: 1 });
  const btf = Btf.parse(w.encode());
  assert.equal(btf.header.strLen, '\0int\0'.length);
  assert.deepEqual([btf.nameOff(1), btf.nameOff(2), btf.nameOff(3)], [1, 1, 0]);
});
