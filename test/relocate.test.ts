// CO-RE parity with libbpf: corecheck's relocation log equals libbpf 1.5's CO-RE log, line for line,
// for the same object and target BTF. Goldens: test/goldens/**/<object>.core.<kernel>.txt, made by
// tools/goldens (relo-log: libbpf loading the object with btf_custom_path = that kernel's BTF).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../src/btf/btf.js';
import { relocateObject, type ObjectRelocation } from '../src/core/relocate.js';
import { insnHex } from '../src/insn/insn.js';
import { ElfFile } from '../src/elf/elf.js';
import { openBpfObjects } from '../src/object/open.js';
import { REPO, cachePath, corpusArchives, extractCorpusBtf, readBytes } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const GOLDENS = join(REPO, 'test/goldens');
const dir = scratchDir('relocate');
const kernels = new Map<string, Btf>();

/** A corpus kernel's BTF by release name, extracted by the system tar (cached per run). */
function corpusKernel(release: string): Btf {
  let btf = kernels.get(release);
  if (!btf) {
    const rel = corpusArchives().find((a) => a.endsWith(`/${release}.btf.tar.xz`));
    assert.ok(rel, `corpus kernel ${release}`);
    btf = Btf.parse(readBytes(extractCorpusBtf(rel, dir)));
    kernels.set(release, btf);
  }
  return btf;
}

export function relocateFile(path: string, target: Btf): ObjectRelocation {
  const objects = openBpfObjects(readBytes(path), path);
  assert.equal(objects.length, 1);
  // The goldens' harness turns autoload on for every program, so nothing is skipped.
  return relocateObject(objects[0].object, { vmlinux: target }, { autoloadAll: true });
}

export function assertSameLog(ours: string[], golden: string[], what: string): void {
  const n = Math.max(ours.length, golden.length);
  for (let i = 0; i < n; i++) {
    if (ours[i] !== golden[i]) {
      assert.fail(`${what}: first difference at line ${i + 1}:\n  corecheck: ${ours[i] ?? '(end)'}\n  libbpf:    ${golden[i] ?? '(end)'}`);
    }
  }
}

const goldenLines = (p: string): string[] => readFileSync(p, 'utf8').split('\n').filter((l) => l !== '');

test('fixtures and the example against fixed corpus kernels: the whole CO-RE log', async (t) => {
  const cases: [string, string][] = [];
  for (const [sub, objectOf] of [
    ['fixtures', (n: string) => cachePath('objects/fixtures', `${n}.bpfel.o`)],
    ['examples', () => join(REPO, 'examples/openat2/openat2.bpf.o')],
  ] as const) {
    for (const f of readdirSync(join(GOLDENS, sub)).filter((x) => /\.core\..+\.txt$/.test(x))) {
      cases.push([join(GOLDENS, sub, f), objectOf(f.slice(0, f.indexOf('.core.')))]);
    }
  }
  assert.ok(cases.length >= 7, `${cases.length} goldens`);
  for (const [golden, object] of cases) {
    const release = golden.slice(golden.indexOf('.core.') + 6, -4);
    await t.test(`${object.split('/').pop()} on ${release}`, () => {
      assert.ok(existsSync(object), `${object} exists (tools/goldens/build-fixtures.sh --objects-only)`);
      const r = relocateFile(object, corpusKernel(release));
      assertSameLog(r.log.map((l) => l.text), goldenLines(golden), golden);
    });
  }
});

const CORE_LINE = /^sec '.*': (found \d+ CO-RE relocations|skipping CO-RE relocation #)|^CO-RE relocating |^prog '.*?': relo[ #]|^prog '.*?': relo for \[|^failed to perform CO-RE relocations|^unexpected kind /;

/**
 * Compares one object's result with a golden block: libbpf's CO-RE lines (those `keep` selects,
 * as the golden's generator kept them), then `insn <prog> <idx> <hex>` lines giving the bytes libbpf
 * produced for each instruction it patched or poisoned.
 */
function assertMatchesCoreGolden(r: ObjectRelocation, block: string[], what: string, keep: (line: string) => boolean): void {
  const insnLines = block.filter((l) => l.startsWith('insn '));
  const logLines = block.filter((l) => !l.startsWith('insn ') && !l.startsWith('#'));
  assertSameLog(r.log.map((l) => l.text).filter(keep), logLines, what);
  const programs = new Map(r.programs.map((p) => [p.name, p.code]));
  for (const l of insnLines) {
    const [, prog, idx, hex] = l.split(' ');
    const code = programs.get(prog);
    assert.equal(code && insnHex(code, Number(idx)), hex, `${what}: ${prog} insn #${idx} after patching`);
  }
  assert.ok(logLines.length > 0 || block.length === 0, `${what}: golden has lines`);
}

test('libbpf-tools: 52 objects × every corpus kernel and the host, log and patched bytes', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const { createHash } = await import('node:crypto');
  const root = join(GOLDENS, 'core/libbpf-tools');
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.txt.xz')) files.push(join(d, e.name));
    }
  };
  walk(root);
  assert.ok(files.length >= 36, `${files.length} kernel goldens`);
  for (const f of files.sort()) {
    const text = execFileSync('xz', ['-dc', f], { encoding: 'latin1', maxBuffer: 1 << 30 });
    const kernel = /^# kernel (.*)$/m.exec(text)![1];
    await t.test(kernel, (tt) => {
      let target: Btf;
      if (kernel.startsWith('host/')) {
        const sha = /^# btf-sha256 (\w+)$/m.exec(text)![1];
        const host = readBytes('/sys/kernel/btf/vmlinux');
        if (createHash('sha256').update(host).digest('hex') !== sha) return tt.skip(`golden made on another host kernel (${kernel})`);
        target = Btf.parse(host);
      } else {
        target = corpusKernel(kernel.split('/').pop()!);
      }
      const blocks = text.split(/^=== object /m).slice(1);
      assert.equal(blocks.length, 52);
      for (const b of blocks) {
        const lines = b.split('\n').filter((l) => l !== '');
        const tool = lines[0];
        const r = relocateFile(`/usr/sbin/${tool}`, target);
        assertMatchesCoreGolden(r, lines.slice(1), `${tool} on ${kernel}`, (l) => CORE_LINE.test(l));
      }
    });
  }
});


test('kernel selftests core_reloc cases and core_autosize (clang-19 builds of linux-source-6.12)', async (t) => {
  const dir = cachePath('objects/selftests');
  assert.ok(existsSync(dir), `${dir} exists (tools/goldens/build-selftests.sh --objects-only)`);
  const rows = readFileSync(join(GOLDENS, 'selftests/CASES.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  assert.equal(rows.length, 75);
  const targetOf = (file: string): Btf => {
    const bytes = readBytes(join(dir, file));
    if (file.endsWith('.btf')) return Btf.parse(bytes);
    const elf = new ElfFile(bytes);
    return Btf.parse(elf.data(elf.section('.BTF')!));
  };
  for (const [name, program, targetFile, , , , , , , , golden] of rows) {
    await t.test(name, () => {
      const r = relocateFile(join(dir, program), targetOf(targetFile));
      const keep = (l: string): boolean => /^CO-RE relocating |^prog '.*?': relo |^unexpected kind |^failed to perform CO-RE relocations/.test(l);
      assertMatchesCoreGolden(r, goldenLines(join(GOLDENS, 'selftests', golden)), name, keep);
    });
  }
});


// libbpf 1.1 (Debian's libbpf-dev) and 1.5 (the reference) differ on these selftests cases, whose
// goldens tools/goldens/regen-libbpf-1.1.sh makes with the same harness linked against 1.1: a
// poisoned ld_imm64 is logged second slot first by 1.1, first slot first by 1.5 (same bytes).
// corecheck follows 1.5.
test('libbpf 1.1 vs 1.5: ld_imm64 poison order in enumval___err_missing and enum64val___err_missing', async (t) => {
  const dir = cachePath('objects/selftests');
  assert.ok(existsSync(dir), `${dir} exists (tools/goldens/build-selftests.sh --objects-only)`);
  const rows = readFileSync(join(GOLDENS, 'selftests/CASES.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
  for (const name of ['enumval___err_missing', 'enum64val___err_missing']) {
    await t.test(name, () => {
      const [, program, targetFile] = rows.find((r) => r[0] === name)!;
      const elf = new ElfFile(readBytes(join(dir, targetFile)));
      const r = relocateFile(join(dir, program), Btf.parse(elf.data(elf.section('.BTF')!)));
      const ours = r.log.map((l) => l.text).filter((l) => / substituting insn #/.test(l));
      const v15 = goldenLines(join(GOLDENS, 'selftests', `${name}.txt`)).filter((l) => / substituting insn #/.test(l));
      const v11 = goldenLines(join(GOLDENS, 'selftests/libbpf-1.1', `${name}.txt`)).filter((l) => / substituting insn #/.test(l));
      assert.deepEqual(ours, v15, 'corecheck poisons as libbpf 1.5 does');
      assert.notDeepEqual(v11, v15, 'libbpf 1.1 logs the poisoning in another order');
      assert.deepEqual([...v11].sort(), [...v15].sort(), 'the same slots are poisoned by both versions');
      // Where they differ, 1.1 names the upper slot (#n+1) before #n.
      const slot = (l: string): number => Number(/ substituting insn #(\d+)/.exec(l)![1]);
      let swapped = 0;
      for (let i = 0; i < v15.length; i++) {
        if (v11[i] === v15[i]) continue;
        assert.equal(slot(v11[i]), slot(v15[i]) + 1, `${name}: line ${i}`);
        assert.equal(v11[i + 1], v15[i], `${name}: line ${i + 1}`);
        swapped++;
        i++;
      }
      assert.equal(swapped, 2, `${name}: two poisoned ld_imm64 relocations`);
      const insns = (f: string): string[] => goldenLines(f).filter((l) => l.startsWith('insn ')).sort();
      assert.deepEqual(insns(join(GOLDENS, 'selftests/libbpf-1.1', `${name}.txt`)), insns(join(GOLDENS, 'selftests', `${name}.txt`)), 'same bytes');
    });
  }
});

test('cilium/ebpf CO-RE testdata, both byte orders (libbpf relo_core.c called directly: the loader refuses big-endian)', async (t) => {
  const dirCt = '/usr/share/gocode/src/github.com/cilium/ebpf/btf/testdata';
  const btfOf = (path: string): Btf => {
    const elf = new ElfFile(readBytes(path));
    return Btf.parse(elf.data(elf.section('.BTF')!));
  };
  for (const e of ['el', 'eb']) {
    for (const [obj, tgt] of [['relocs', 'relocs'], ['relocs_read', 'relocs_read_tgt']]) {
      await t.test(`${obj}-${e} on ${tgt}-${e}`, () => {
        const r = relocateFile(join(dirCt, `${obj}-${e}.elf`), btfOf(join(dirCt, `${tgt}-${e}.elf`)));
        assertMatchesCoreGolden(r, goldenLines(join(GOLDENS, 'cilium', `${obj}.${e}.core.txt`)), `${obj}-${e}`, (l) => CORE_LINE.test(l));
      });
    }
  }
});
