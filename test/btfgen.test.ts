// The btfgen minimizer (core/btfgen.ts) against its references, for the 52 libbpf-tools objects
// and every corpus kernel (goldens: tools/goldens/regen-btfgen.sh):
// - bpftool 7.1's `gen min_core_btf` output: corecheck's minimized BTF, written little-endian as
//   bpftool writes it, is the same bytes;
// - libbpf 1.5 relocating against the minimized BTF: the golden script checked that libbpf's
//   outcome on bpftool's file equals its outcome on the full BTF; here corecheck's engine (bit-exact
//   with libbpf, relocations.test.ts) relocates against corecheck's own file, in the kernel's byte
//   order, and must patch every instruction as against the full BTF, poisoning as many as libbpf
//   did (SUMMARY.tsv); and libbpf itself (relo-core) does the same for the kernels whose byte order
//   bpftool's file does not show (big-endian s390x) when the harness is built.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../src/btf/btf.js';
import { KernelBtfUse } from '../src/core/btfgen.js';
import { relocateObject } from '../src/core/relocate.js';
import type { BpfObject } from '../src/object/object.js';
import { openBpfObjects } from '../src/object/open.js';
import { REPO, bpftoolRaw, cachePath, corecheckRaw, exists, extractCorpusBtf, readBytes } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const GOLDENS = join(REPO, 'test/goldens/btfgen/libbpf-tools');
const TOOLS = cachePath('objects/libbpf-tools');
const RELO_CORE = cachePath('bin/relo-core');

/** SUMMARY.tsv: per kernel (corpus path) and object, libbpf's patched and poisoned counts. */
function summary(): Map<string, Map<string, { patched: number; poisoned: number; same: string }>> {
  const rows = readFileSync(join(GOLDENS, 'SUMMARY.tsv'), 'utf8').trim().split('\n').slice(1);
  const out = new Map<string, Map<string, { patched: number; poisoned: number; same: string }>>();
  for (const row of rows) {
    const [kernel, object, patched, poisoned, same] = row.split('\t');
    if (!out.has(kernel)) out.set(kernel, new Map());
    out.get(kernel)!.set(object, { patched: Number(patched), poisoned: Number(poisoned), same });
  }
  return out;
}

const objects = (): { name: string; path: string; obj: BpfObject }[] =>
  readdirSync(TOOLS).filter((f) => f.endsWith('.bpf.o')).sort().map((f) => {
    const path = join(TOOLS, f);
    return { name: f.replace(/\.bpf\.o$/, ''), path, obj: openBpfObjects(readBytes(path), f)[0].object };
  });

/** Every program's code after CO-RE against `btf`, and how many instructions were poisoned. */
function relocated(obj: BpfObject, btf: Btf): { code: Uint8Array[]; poisoned: number; ok: boolean } {
  const r = relocateObject(obj, { vmlinux: btf, modules: [] }, { trace: false, autoloadAll: true });
  return { code: r.programs.map((p) => p.code), poisoned: r.relocations.filter((x) => x.outcome === 'poisoned').length, ok: r.ok };
}

test('btfgen: the minimized BTF of every corpus kernel is bpftool gen min_core_btf\'s, and relocates every libbpf-tools object as the full BTF does', () => {
  const golden = summary();
  assert.equal(golden.size, 35, 'a golden per corpus kernel');
  const objs = objects();
  assert.equal(objs.length, 52);
  const dir = scratchDir('btfgen');
  try {
    for (const [kernel, rows] of golden) {
      assert.ok([...rows.values()].every((r) => r.same === 'yes'), `${kernel}: libbpf relocated alike against bpftool's minimized BTF`);
      const full = Btf.parse(readBytes(extractCorpusBtf(`${kernel}.btf.tar.xz`, dir)));
      const use = new KernelBtfUse(full);
      for (const { obj } of objs) {
        for (const r of relocateObject(obj, { vmlinux: full, modules: [] }, { trace: false, autoloadAll: true }).relocations) use.record(r);
      }
      const bpftool = readBytes(join(GOLDENS, `${kernel}.btf`));
      assert.deepEqual(use.minimized(true), bpftool, `${kernel}: bpftool's bytes`);

      const mine = use.minimized();
      const minimized = Btf.parse(mine);
      assert.equal(minimized.littleEndian, full.littleEndian, `${kernel}: written in the kernel's byte order`);
      for (const { name, obj } of objs) {
        const want = relocated(obj, full);
        const got = relocated(obj, minimized);
        assert.deepEqual(got.code, want.code, `${kernel} ${name}: the same instructions against the minimized BTF`);
        assert.equal(got.ok, want.ok, `${kernel} ${name}: the same result`);
        assert.equal(got.poisoned, rows.get(name)!.poisoned, `${kernel} ${name}: libbpf's poisoned count`);
      }
      rmSync(join(dir, kernel.split('/').pop()! + '.btf'), { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// libbpf itself against corecheck's big-endian output (bpftool writes only little-endian BTF).
const reloCore = exists(RELO_CORE) ? undefined : `${RELO_CORE} not built (tools/goldens/build-relo-core.sh)`;
test('btfgen: libbpf relocates every libbpf-tools object against corecheck\'s big-endian s390x minimized BTF as against the full BTF', { skip: reloCore }, () => {
  const kernel = 'debian/sid/s390x/7.2.13+deb14-s390x';
  const dir = scratchDir('btfgen-be');
  try {
    const fullPath = extractCorpusBtf(`${kernel}.btf.tar.xz`, dir);
    const full = Btf.parse(readBytes(fullPath));
    assert.equal(full.littleEndian, false);
    const objs = objects();
    const use = new KernelBtfUse(full);
    for (const { obj } of objs) for (const r of relocateObject(obj, { vmlinux: full, modules: [] }, { trace: false, autoloadAll: true }).relocations) use.record(r);
    const minPath = join(dir, 'min.btf');
    writeFileSync(minPath, use.minimized());
    const outcome = (obj: string, btf: string): string => execFileSync(RELO_CORE, [obj, '--btf', btf], { encoding: 'utf8', maxBuffer: 1 << 28 })
      .split('\n').filter((l) => l.startsWith('insn ') || l.startsWith('== relo-core: result')).join('\n');
    for (const { name, path } of objs) assert.equal(outcome(path, minPath), outcome(path, fullPath), `${name}: libbpf's outcome`);
    // bpftool reads it too, with the types corecheck reads in it
    assert.equal(bpftoolRaw(minPath), corecheckRaw(Btf.parse(readBytes(minPath))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
