// Kernel BTF sources. References: ../shared/corpus/MANIFEST.tsv (type counts, byte order,
// struct open_how), bpftool's raw dump of the same BTF, and the corpus archive extracted by the
// system tar for kernel images of the same release. Real Debian kernel images come from
// tools/fetch-kernel-images.sh (.ci/run runs it); without them those tests are named skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kind } from '../src/btf/kinds.js';
import { dumpRaw } from '../src/btf/dump-raw.js';
import type { Btf } from '../src/btf/btf.js';
import { CorecheckError } from '../src/common/errors.js';
import { loadKernelBtf, openKernelSources } from '../src/kernels/index.js';
import { CORPUS_KERNELS, bpftoolRaw, cachePath, corpusManifest, extractCorpusBtf } from './helpers/inputs.js';

const IMAGES = cachePath('kernel-images');
const dir = mkdtempSync(join(tmpdir(), 'corecheck-kernels-'));

function raw(btf: Btf): string {
  const parts: string[] = [];
  dumpRaw(btf, (c) => parts.push(c));
  return parts.join('');
}

async function rejects(path: string, pattern: RegExp, opts: { base?: string } = {}): Promise<CorecheckError> {
  try {
    await loadKernelBtf(path, opts);
  } catch (e) {
    assert.ok(e instanceof CorecheckError, `CorecheckError, got ${String(e)}`);
    assert.equal(e.file, path);
    assert.match(e.format(), pattern);
    return e;
  }
  assert.fail(`${path} loaded but should not`);
}

test('the corpus tree: every kernel, with distro/release/arch/kernel from its path', async (t) => {
  const manifest = corpusManifest();
  const sources = await openKernelSources(CORPUS_KERNELS);
  assert.equal(sources.length, manifest.size);
  for (const s of sources) {
    await t.test(s.label, async () => {
      const rel = s.path.slice(CORPUS_KERNELS.length + 1);
      const row = manifest.get(rel);
      assert.ok(row, `${rel} is in the manifest`);
      assert.equal(s.format, 'btfhub-archive');
      assert.deepEqual(s.info, {
        distro: row.distro, release: row.version, arch: row.arch === 'aarch64' ? 'arm64' : row.arch, kernel: row.kernelrelease,
      });
      const { btf } = await s.load();
      assert.equal(btf.typeCount - 1, Number(row.types_count));
      assert.equal(btf.littleEndian, row.endianness === 'little');
      const openHow = btf.idsByName('open_how').some((id) => btf.kind(id) === Kind.STRUCT);
      assert.equal(openHow ? 'yes' : 'no', row.has_open_how);
    });
  }
});

test('a sub-tree lists only its kernels', async () => {
  const sources = await openKernelSources(join(CORPUS_KERNELS, 'kylin'));
  assert.deepEqual(sources.map((s) => s.label), [
    'kylin/V10/arm64/4.19.90-24.4.v2101.ky10.aarch64',
    'kylin/V10/arm64/4.19.90-52.22.v2207.ky10.aarch64',
  ]);
});

function needImage(t: { skip: (m: string) => void }, name: string): string | undefined {
  const p = join(IMAGES, name);
  if (existsSync(p)) return p;
  t.skip(`${name} not fetched: run tools/fetch-kernel-images.sh`);
  return undefined;
}

test('x86 bzImage with xz payload (Debian 6.1.0-57-amd64) equals the corpus BTF of that release', async (t) => {
  const img = needImage(t, 'vmlinuz-6.1.0-57-amd64');
  if (!img) return;
  const { btf, method } = await loadKernelBtf(img);
  assert.match(method, /^bzImage xz payload @0x[0-9a-f]+ > ELF \.BTF section$/);
  const corpus = extractCorpusBtf('debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz', dir);
  assert.ok(raw(btf) === bpftoolRaw(corpus), 'raw dump equals bpftool on the corpus archive of the same release');
});

/** The ELF vmlinux inside a bzImage, decompressed by the system tool named for its payload. */
function systemDecompressPayload(img: string, tool: string[]): string {
  const b = readFileSync(img);
  const setupSects = b[0x1f1] || 4;
  const off = (setupSects + 1) * 512 + b.readUInt32LE(0x248);
  const len = b.readUInt32LE(0x24c);
  const out = join(dir, `${tool[0]}-vmlinux`);
  try {
    execFileSync(tool[0], tool.slice(1), { input: b.subarray(off, off + len), maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'ignore'] });
  } catch (e) {
    // xz reports the truncated index the kernel's size trailer causes; the data is complete.
    const stdout = (e as { stdout?: Buffer }).stdout;
    if (!stdout?.length) throw e;
    writeFileSync(out, stdout);
    return out;
  }
  writeFileSync(out, execFileSync(tool[0], tool.slice(1), { input: b.subarray(off, off + len), maxBuffer: 1 << 30 }));
  return out;
}

function objcopyBtf(elf: string): string {
  const out = `${elf}.btf`;
  execFileSync('objcopy', ['-O', 'binary', '--only-section=.BTF', elf, out]);
  return out;
}

test('x86 bzImage with lz4 payload (Debian 6.1.0-57-cloud-amd64) equals objcopy of its vmlinux', async (t) => {
  const img = needImage(t, 'vmlinuz-6.1.0-57-cloud-amd64');
  if (!img) return;
  const { btf, method } = await loadKernelBtf(img);
  assert.match(method, /^bzImage lz4-legacy payload/);
  const reference = objcopyBtf(systemDecompressPayload(img, ['lz4', '-dc']));
  assert.ok(raw(btf) === bpftoolRaw(reference));
});

test('gzip and zstd payloads: a real Debian vmlinux recompressed by gzip and zstd (no Debian kernel ships gzip; the zstd ones are trixie/sid)', async (t) => {
  const img = needImage(t, 'vmlinuz-6.1.0-57-cloud-amd64');
  if (!img) return;
  const vmlinux = systemDecompressPayload(img, ['lz4', '-dc']);
  const reference = bpftoolRaw(objcopyBtf(vmlinux));
  for (const [name, cmd] of [['Image.gz', ['gzip', '-c', '-9', vmlinux]], ['vmlinux.zst', ['zstd', '-q', '-c', vmlinux]]] as const) {
    const p = join(dir, name);
    writeFileSync(p, execFileSync(cmd[0], cmd.slice(1), { maxBuffer: 1 << 30 }));
    const { btf, method } = await loadKernelBtf(p);
    assert.match(method, name === 'Image.gz' ? /^gzip payload @0x0 > ELF/ : /^zstd payload @0x0 > ELF/);
    assert.ok(raw(btf) === reference, `${name}: raw dump equals bpftool on the objcopy'd .BTF`);
  }
});

test('a raw arm64-style image (BTF found by header scan, not ELF)', async (t) => {
  const img = needImage(t, 'vmlinuz-6.1.0-57-cloud-amd64');
  if (!img) return;
  // objcopy -O binary gives the loadable image without ELF headers, as arm64's Image is.
  const vmlinux = systemDecompressPayload(img, ['lz4', '-dc']);
  const flat = join(dir, 'Image');
  execFileSync('objcopy', ['-O', 'binary', '--only-section=.rodata', '--only-section=.BTF', '--only-section=.text', vmlinux, flat]);
  const { btf, method } = await loadKernelBtf(flat);
  assert.match(method, /^BTF header found @0x/);
  assert.ok(raw(btf) === bpftoolRaw(objcopyBtf(vmlinux)));
});

test('split BTF: kernel modules on their vmlinux equal bpftool -B', async (t) => {
  const ko = needImage(t, 'ext4.ko');
  if (!ko) return;
  const base = extractCorpusBtf('debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz', dir);
  for (const m of ['ext4.ko', 'nf_tables.ko', 'vfat.ko']) {
    const { btf } = await loadKernelBtf(join(IMAGES, m), { base });
    assert.ok(btf.firstId > 1, 'ids continue after the base');
    assert.ok(raw(btf) === bpftoolRaw(join(IMAGES, m), base), `${m}: raw dump equals bpftool -B`);
  }
  await rejects(ko, /kernel module: its BTF is split BTF .*--base/);
});

test('bad kernel inputs: one CorecheckError naming the file and offset', async () => {
  const write = (name: string, data: Uint8Array | string): string => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };
  await rejects(write('empty.btf', ''), /empty/);
  await rejects(write('notes.txt', 'hello, this is not a kernel at all'.repeat(4)), /no BTF found/);
  await rejects('/bin/true', /ELF section \.BTF at offset 0 .*no \.BTF section/);
  const archive = readFileSync(join(CORPUS_KERNELS, 'kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64.btf.tar.xz'));
  await rejects(write('trunc.btf.tar.xz', archive.subarray(0, archive.length >> 1)), /xz stream at offset 0 .*cannot decompress/);
  const corrupt = Buffer.from(archive);
  corrupt.fill(0x55, 100, 200);
  await rejects(write('corrupt.btf.tar.xz', corrupt), /xz stream at offset 0 .*cannot decompress/);
  await assert.rejects(loadKernelBtf(join(dir, 'missing.btf')), /no such file/);
  await assert.rejects(openKernelSources(mkdtempSync(join(tmpdir(), 'empty-tree-'))), /no \.btf\.tar\.xz files below it/);
});
