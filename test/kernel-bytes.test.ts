// kernels/kernel-bytes.ts, what the web app reads dropped kernels with: on the same files, the
// same label, info and BTF as the CLI's file-based sources, and the same errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CorecheckError } from '../src/common/errors.js';
import { kernelFromBytes } from '../src/kernels/kernel-bytes.js';
import { openKernelSources } from '../src/kernels/index.js';
import { CORPUS_KERNELS, cachePath, extractCorpusBtf, readBytes } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const dir = scratchDir('kernel-bytes');

const inputs = [
  join(CORPUS_KERNELS, 'debian/11/x86_64/5.10.0-32-amd64.btf.tar.xz'),
  // a raw BTF file: the same kernel, extracted by the system's tar
  extractCorpusBtf('debian/11/x86_64/5.10.0-32-amd64.btf.tar.xz', dir),
  cachePath('kernel-images', 'vmlinuz-6.1.0-57-cloud-amd64'),
  cachePath('debs', 'linux-binary-7.2.13+deb14-s390x_7.2.13-1_s390x.deb'),
];

for (const path of inputs) {
  test(`${basename(path)}: from bytes as from the file`, { skip: existsSync(path) ? false : `no ${path}` }, async () => {
    const [source] = await openKernelSources(path);
    const fromFile = (await source.load()).btf;
    // the web app has the file's name, not its path: a BTFHub tree's directories do not label it
    const k = await kernelFromBytes(basename(path), readBytes(path));
    assert.equal(k.format, source.format);
    if (source.format === 'deb' || source.format === 'rpm') {
      assert.equal(k.label, source.label);
      assert.deepEqual(k.info, source.info);
    } else {
      assert.equal(k.info.kernel, source.info.kernel);
    }
    const btf = await k.load();
    assert.equal(btf.typeCount, fromFile.typeCount);
    assert.deepEqual(btf.bytes, fromFile.bytes);
  });
}

test('bad kernels: the CLI\'s errors, naming the file', async () => {
  const archive = inputs[0];
  const cases: [string, Uint8Array][] = [['empty.btf', new Uint8Array(0)], ['noise.btf', new TextEncoder().encode('BTF? not a kernel')]];
  if (existsSync(archive)) cases.push(['cut.btf.tar.xz', readBytes(archive).subarray(0, 300_000)]);
  for (const [name, bytes] of cases) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const fromFile = await openKernelSources(path).then(async ([s]) => s.load()).then(() => null, (e: unknown) => e);
    const fromBytes = await kernelFromBytes(name, bytes).then((k) => k.load()).then(() => null, (e: unknown) => e);
    assert.ok(fromFile instanceof CorecheckError && fromBytes instanceof CorecheckError, `${name}: ${String(fromFile)} / ${String(fromBytes)}`);
    assert.equal(fromBytes.format(), fromFile.format().replace(path, name), name);
  }
});
