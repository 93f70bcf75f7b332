// Split BTF: the .ko files of linux-image-6.1.0-57-amd64-unsigned (fetched by
// tools/fetch-kernel-images.sh) carry module BTF on that kernel's vmlinux BTF, which is the corpus
// row debian/12/x86_64/6.1.0-57-amd64. Reference: `bpftool btf dump file X.ko -B base format raw`,
// which prints the module's own types only, as corecheck's raw dump of a split BTF does.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Btf } from '../src/btf/btf.js';
import { dumpRaw } from '../src/btf/dump-raw.js';
import { CorecheckError } from '../src/common/errors.js';
import { loadKernelBtf, openKernelSources } from '../src/kernels/index.js';
import { CORPUS_KERNELS, bpftoolRaw, cachePath } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const IMAGES = cachePath('kernel-images');
const BASE_ARCHIVE = join(CORPUS_KERNELS, 'debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz');
const dir = scratchDir('kernels-split');
const BASE_RAW = join(dir, '6.1.0-57-amd64.btf');
writeFileSync(BASE_RAW, execFileSync('tar', ['-xJOf', BASE_ARCHIVE], { maxBuffer: 1 << 30 }));

/** Module rows of IMAGES.tsv whose base is the 6.1.0-57-amd64 corpus row. */
function modules(t: TestContext): string[] {
  const tsv = join(IMAGES, 'IMAGES.tsv');
  const rows = existsSync(tsv) ? readFileSync(tsv, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')) : [];
  const kos = rows.filter((r) => r[1] === 'module' && r[4] === 'debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz').map((r) => join(IMAGES, r[0])).filter(existsSync);
  if (kos.length === 0) t.skip('no 6.1.0-57-amd64 modules: run tools/fetch-kernel-images.sh (needs apt and the network)');
  return kos;
}

function raw(btf: Btf): string {
  const parts: string[] = [];
  dumpRaw(btf, (c) => parts.push(c));
  return parts.join('');
}

test('each module on its vmlinux BTF: raw dump equals bpftool -B, ids continue after the base', async (t) => {
  const kos = modules(t);
  for (const ko of kos) {
    const { btf, method, source } = await loadKernelBtf(ko, { base: BASE_RAW });
    assert.equal(source.format, 'elf');
    assert.deepEqual(source.info, { arch: 'x86_64' });
    assert.equal(method, 'ELF .BTF section');
    assert.ok(btf.base, 'split BTF keeps its base');
    assert.equal(btf.firstId, btf.base.typeCount, 'first module id follows the base');
    assert.ok(btf.typeCount > btf.firstId, `${ko} has types of its own`);
    assert.ok(raw(btf) === bpftoolRaw(ko, BASE_RAW), `${ko}: raw dump equals bpftool -B`);
  }
});

test('the base can be any source kind: raw BTF, the BTFHub archive, the bzImage itself', async (t) => {
  const [ko] = modules(t);
  if (!ko) return;
  const reference = bpftoolRaw(ko, BASE_RAW);
  const bases = [BASE_RAW, BASE_ARCHIVE];
  const bzImage = join(IMAGES, 'vmlinuz-6.1.0-57-amd64');
  if (existsSync(bzImage)) bases.push(bzImage);
  else t.diagnostic('vmlinuz-6.1.0-57-amd64 not fetched: bzImage base not tried');
  for (const base of bases) {
    const { btf } = await loadKernelBtf(ko, { base });
    assert.ok(raw(btf) === reference, `base ${base}`);
  }
});

test('the base is loaded once per openKernelSources call and shared by every load', async (t) => {
  const [ko] = modules(t);
  if (!ko) return;
  const a = (await openKernelSources(ko, { base: BASE_ARCHIVE }))[0];
  const loadedA = await a.load();
  const again = await a.load();
  assert.equal(loadedA.btf.base, again.btf.base, 'the same Btf object serves as base');
});

test('a module without a base: a CorecheckError that says a base is needed', async (t) => {
  const [ko] = modules(t);
  if (!ko) return;
  await assert.rejects(loadKernelBtf(ko), (e: unknown) => {
    assert.ok(e instanceof CorecheckError);
    assert.equal(e.code, 'USAGE');
    assert.equal(e.file, ko);
    assert.ok(e.offset > 0, 'offset of the .BTF section');
    const sections = execFileSync('readelf', ['-S', '-W', ko], { encoding: 'utf8' });
    const off = /\] \.BTF\s+PROGBITS\s+[0-9a-f]+ ([0-9a-f]+)/.exec(sections);
    assert.ok(off);
    assert.equal(e.offset, Number.parseInt(off[1], 16), 'the .BTF section offset readelf reports');
    assert.match(e.format(), /kernel module: its BTF is split BTF .*--base/);
    return true;
  });
});
