// CO-RE parity with libbpf: corecheck's relocation log equals libbpf 1.5's CO-RE log, line for line,
// for the same object and target BTF. Goldens: test/goldens/**/<object>.core.<kernel>.txt, made by
// tools/goldens (relo-log: libbpf loading the object with btf_custom_path = that kernel's BTF).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Btf } from '../src/btf/btf.js';
import { relocateObject, type ObjectRelocation } from '../src/core/relocate.js';
import { openBpfObjects } from '../src/object/open.js';
import { REPO, cachePath, corpusArchives, extractCorpusBtf, readBytes } from './helpers/inputs.js';

const GOLDENS = join(REPO, 'test/goldens');
const dir = mkdtempSync(join(tmpdir(), 'corecheck-relocate-'));
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
