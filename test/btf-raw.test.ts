// `corecheck btf dump --format raw` must equal `bpftool btf dump file F format raw` byte for byte:
// for the host's BTF and every kernel in ../shared/corpus/kernels. Each golden is produced at test
// time by bpftool from the same file (the host BTF differs between machines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../src/btf/btf.js';
import { HOST_BTF, bpftoolRaw, assertSameText, corecheckRaw, corpusArchives, corpusManifest, extractCorpusBtf, readBytes } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

function ourRaw(path: string): { text: string; btf: Btf } {
  const btf = Btf.parse(readBytes(path));
  return { text: corecheckRaw(btf), btf };
}


test('raw dump of the host BTF equals bpftool', () => {
  const { text } = ourRaw(HOST_BTF);
  assertSameText(text, bpftoolRaw(HOST_BTF), HOST_BTF);
});

test('raw dump of every corpus kernel equals bpftool, with the manifest type count', async (t) => {
  const manifest = corpusManifest();
  const archives = corpusArchives();
  assert.equal(archives.length, manifest.size, 'every manifest row has an archive');
  const dir = scratchDir('raw');
  try {
    for (const rel of archives) {
      await t.test(rel, () => {
        const file = extractCorpusBtf(rel, dir);
        const { text, btf } = ourRaw(file);
        const row = manifest.get(rel)!;
        assert.equal(btf.typeCount - 1, Number(row.types_count));
        assert.equal(btf.littleEndian, row.endianness === 'little');
        assertSameText(text, bpftoolRaw(file), rel);
        rmSync(file);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('raw dump of object BTF equals bpftool: cilium/ebpf testdata (both endians), fixtures (clang, gcc), the example', async (t) => {
  const { loadKernelBtf } = await import('../src/kernels/index.js');
  const { readdirSync, existsSync } = await import('node:fs');
  const { REPO, cachePath } = await import('./helpers/inputs.js');
  const files = [
    ...['/usr/share/gocode/src/github.com/cilium/ebpf/testdata', '/usr/share/gocode/src/github.com/cilium/ebpf/btf/testdata']
      .flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.elf')).map((f) => join(d, f))),
    ...(existsSync(cachePath('objects/fixtures')) ? readdirSync(cachePath('objects/fixtures')).filter((f) => f.endsWith('.o')).map((f) => cachePath('objects/fixtures', f)) : []),
    join(REPO, 'examples/openat2/openat2.bpf.o'),
  ];
  assert.ok(files.length > 40, `${files.length} objects`);
  for (const f of files) {
    await t.test(f, async () => {
      let reference: string;
      try {
        reference = bpftoolRaw(f);
      } catch {
        // bpftool finds no BTF (clang-7 objects have none): corecheck must say so too.
        await assert.rejects(loadKernelBtf(f), /no \.BTF section/);
        return;
      }
      const { btf } = await loadKernelBtf(f);
      assertSameText(corecheckRaw(btf), reference, f);
    });
  }
});
