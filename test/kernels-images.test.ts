// Real Debian kernel images, fetched by tools/fetch-kernel-images.sh into .cache/kernel-images (its
// IMAGES.tsv says which file is which). The BTF corecheck finds in each must be byte-identical to an
// independent extraction: the corpus archive of the same release (extracted by the system tar), and
// for x86 bzImages also `objcopy --only-section=.BTF` of the payload decompressed by the system's
// xz / lz4 / zstd. Without the fetch (it needs apt and the network) each test is a named skip.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadKernelBtf, openKernelSources } from '../src/kernels/index.js';
import { CORPUS_KERNELS, cachePath } from './helpers/inputs.js';
import { objcopyBtf, systemVmlinux } from './helpers/kernel-images.js';
import { scratchDir } from './helpers/scratch.js';

const IMAGES = cachePath('kernel-images');
const dir = scratchDir('kernels-images');

interface FetchedImage {
  readonly path: string;
  readonly what: string;
  readonly release: string;
  readonly package: string;
  /** The corpus row of the same release, if any. */
  readonly corpus?: string;
}

/** The rows of IMAGES.tsv (written by the fetch script), or none if it did not run. */
function fetchedImages(): FetchedImage[] {
  const tsv = join(IMAGES, 'IMAGES.tsv');
  if (!existsSync(tsv)) return [];
  return readFileSync(tsv, 'utf8').trim().split('\n').slice(1).map((line) => {
    const [file, what, release, pkg, corpus] = line.split('\t');
    return { path: join(IMAGES, file), what, release, package: pkg, corpus: corpus === '-' ? undefined : corpus };
  });
}

function need(t: TestContext, what: string): FetchedImage | undefined {
  const img = fetchedImages().find((i) => i.what === what && existsSync(i.path));
  if (!img) t.skip(`no ${what} kernel image: run tools/fetch-kernel-images.sh (needs apt and the network)`);
  return img;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

/** The corpus member for the image's release, by the system tar. */
function corpusBtf(img: FetchedImage): Buffer | undefined {
  return img.corpus ? execFileSync('tar', ['-xJOf', join(CORPUS_KERNELS, img.corpus)], { maxBuffer: 1 << 30 }) : undefined;
}

async function checkBzImage(t: TestContext, what: string, tool: 'xz' | 'lz4' | 'zstd'): Promise<void> {
  const img = need(t, what);
  if (!img) return;
  const t0 = performance.now();
  const { btf, method, source } = await loadKernelBtf(img.path);
  t.diagnostic(`${img.package}: ${Math.round(performance.now() - t0)} ms, ${method}`);
  assert.equal(source.format, 'kernel-image');
  assert.deepEqual(source.info, { arch: 'x86_64', kernel: img.release });
  assert.match(method, new RegExp(`^bzImage ${tool === 'lz4' ? 'lz4-legacy' : tool} payload @0x[0-9a-f]+ > ELF \\.BTF section$`));
  assert.ok(sameBytes(btf.bytes, objcopyBtf(systemVmlinux(img.path, tool, dir))), `equals objcopy's .BTF of the vmlinux that ${tool} -dc gives`);
  const corpus = corpusBtf(img);
  if (corpus) assert.ok(sameBytes(btf.bytes, corpus), `equals corpus ${img.corpus}`);
  else t.diagnostic(`${img.release} has no corpus row: compared with objcopy only`);
}

test('x86 bzImage, xz payload (Debian 6.1.0-57-amd64): equals the corpus BTF of that release and objcopy of xz -dc', async (t) => {
  await checkBzImage(t, 'bzimage-xz', 'xz');
});

test('x86 bzImage, lz4 legacy payload (Debian bookworm cloud kernel): equals objcopy of lz4 -dc', async (t) => {
  await checkBzImage(t, 'bzimage-lz4', 'lz4');
});

test('x86 bzImage, zstd payload (Debian trixie 6.12 cloud kernel): equals the corpus BTF and objcopy of zstd -dc', async (t) => {
  await checkBzImage(t, 'bzimage-zstd', 'zstd');
});

test('the ELF vmlinux itself (xz -dc of the 6.1.0-57 payload) is an "elf" source with the same BTF', async (t) => {
  const img = need(t, 'bzimage-xz');
  if (!img) return;
  const vmlinux = systemVmlinux(img.path, 'xz', dir);
  const [s] = await openKernelSources(vmlinux);
  assert.equal(s.format, 'elf');
  assert.deepEqual(s.info, { arch: 'x86_64' });
  const { btf, method } = await s.load();
  assert.equal(method, 'ELF .BTF section');
  assert.ok(sameBytes(btf.bytes, corpusBtf(img)!));
});

test('arm64 raw Image (Debian trixie cloud-arm64, not ELF, not compressed): header scan equals the corpus BTF', async (t) => {
  const img = need(t, 'arm64-image');
  if (!img) return;
  const { btf, method, source } = await loadKernelBtf(img.path);
  assert.equal(source.format, 'kernel-image');
  assert.deepEqual(source.info, { arch: 'arm64' });
  assert.match(method, /^BTF header found @0x[0-9a-f]+$/);
  const corpus = corpusBtf(img);
  if (!corpus) return t.skip(`fetched ${img.release} has no corpus row to compare with`);
  assert.ok(sameBytes(btf.bytes, corpus), `equals corpus ${img.corpus}`);
});

test('Image.gz: the real Debian arm64 Image recompressed with the system gzip (no Debian kernel uses gzip)', async (t) => {
  const img = need(t, 'arm64-image');
  if (!img) return;
  const gz = join(dir, 'Image.gz');
  writeFileSync(gz, execFileSync('gzip', ['-c', '-9', '-n', img.path], { maxBuffer: 1 << 30 }));
  const { btf, method, source } = await loadKernelBtf(gz);
  assert.equal(source.format, 'kernel-image');
  assert.match(method, /^gzip payload @0x0 > BTF header found @0x[0-9a-f]+$/);
  const corpus = corpusBtf(img);
  if (!corpus) return t.skip(`fetched ${img.release} has no corpus row to compare with`);
  assert.ok(sameBytes(btf.bytes, corpus));
});

test('s390x image (Debian sid, zstd payload after the decompressor): big-endian BTF equals the corpus BTF', async (t) => {
  const img = need(t, 's390x-image');
  if (!img) return;
  const t0 = performance.now();
  const { btf, method, source } = await loadKernelBtf(img.path);
  t.diagnostic(`${img.package}: ${Math.round(performance.now() - t0)} ms, ${method}`);
  assert.equal(source.format, 'kernel-image');
  assert.deepEqual(source.info, { arch: 's390x' });
  assert.match(method, /^zstd payload @0x[0-9a-f]+ > BTF header found @0x[0-9a-f]+$/);
  assert.equal(btf.littleEndian, false);
  const corpus = corpusBtf(img);
  if (!corpus) return t.skip(`fetched ${img.release} has no corpus row to compare with`);
  assert.ok(sameBytes(btf.bytes, corpus), `equals corpus ${img.corpus}`);
  // The zstd stream the loader names, decompressed by the system zstd, holds exactly these bytes.
  const at = Number.parseInt(/@0x([0-9a-f]+)/.exec(method)![1], 16);
  const payload = execFileSync('sh', ['-c', `tail -c +${at + 1} "$0" | zstd -dc 2>/dev/null; true`, img.path], { maxBuffer: 1 << 30 });
  assert.ok(payload.indexOf(corpus) >= 0, 'the system zstd payload contains the BTF');
});
