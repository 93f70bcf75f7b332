// BTFHub archives and trees: every kernel in ../shared/corpus/kernels loads through the KernelSource
// interface. References, all independent of corecheck: MANIFEST.tsv (type counts, byte order, struct
// open_how), the system's `tar -xJOf` (the member's bytes) and /usr/bin/time (peak RSS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind } from '../src/btf/kinds.js';
import { CorecheckError } from '../src/common/errors.js';
import { infoFromBtfHubPath, loadKernelBtf, normalizeArch, openKernelSources } from '../src/kernels/index.js';
import { CORPUS, CORPUS_KERNELS, REPO, corpusManifest } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const dir = scratchDir('kernels-corpus');
const CENTOS = 'centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64.btf.tar.xz';
const DEBIAN_61 = 'debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz';

/** The archive's member as the system tar extracts it. */
function systemTarMember(archive: string): Buffer {
  return execFileSync('tar', ['-xJOf', archive], { maxBuffer: 1 << 30 });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

test('the corpus is present (tests below need it; it is not fetched)', () => {
  assert.ok(existsSync(join(CORPUS, 'MANIFEST.tsv')), `${CORPUS}/MANIFEST.tsv`);
  assert.ok(existsSync(join(CORPUS_KERNELS, CENTOS)), CENTOS);
});

test('every corpus archive: types, byte order, open_how as in MANIFEST.tsv; member bytes as the system tar extracts them', async (t) => {
  const manifest = corpusManifest();
  const sources = await openKernelSources(CORPUS_KERNELS);
  assert.equal(sources.length, manifest.size, 'one source per manifest row');
  for (const s of sources) {
    await t.test(s.label, async () => {
      const rel = s.path.slice(CORPUS_KERNELS.length + 1);
      const row = manifest.get(rel);
      assert.ok(row, `${rel} is a manifest row`);
      assert.equal(s.format, 'btfhub-archive');
      assert.deepEqual(s.info, { distro: row.distro, release: row.version, arch: row.arch === 'aarch64' ? 'arm64' : row.arch, kernel: row.kernelrelease });
      assert.equal(s.label, `${row.distro}/${row.version}/${s.info.arch}/${row.kernelrelease}`);
      const { btf, method } = await s.load();
      assert.equal(method, `BTFHub archive member ${row.kernelrelease}.btf`);
      assert.equal(btf.typeCount, Number(row.types_count) + 1, 'typeCount counts void');
      assert.equal(btf.littleEndian, row.endianness === 'little');
      assert.equal(btf.bytes.length, Number(row.btf_bytes));
      const openHow = btf.idsByName('open_how').some((id) => btf.kind(id) === Kind.STRUCT);
      assert.equal(openHow ? 'yes' : 'no', row.has_open_how);
      assert.ok(sameBytes(btf.bytes, systemTarMember(s.path)), 'BTF bytes equal the member extracted by tar -xJ');
    });
  }
});

test('sources come sorted by label; aarch64 and arm64 directories are one architecture', async () => {
  const sources = await openKernelSources(CORPUS_KERNELS);
  const labels = sources.map((s) => s.label);
  assert.deepEqual(labels, [...labels].sort());
  const arches = new Set(sources.map((s) => s.info.arch));
  assert.deepEqual([...arches].sort(), ['arm64', 'ppc64le', 's390x', 'x86_64']);
  assert.ok(sources.some((s) => s.path.includes('/aarch64/')) && sources.some((s) => s.path.includes('/arm64/')), 'the corpus has both directory names');
  assert.equal(normalizeArch('aarch64'), 'arm64');
  assert.equal(normalizeArch('amd64'), 'x86_64');
});

test('sub-trees list only their kernels, with the info still taken from the full path', async () => {
  const kylin = await openKernelSources(join(CORPUS_KERNELS, 'kylin'));
  assert.deepEqual(kylin.map((s) => s.label), [
    'kylin/V10/arm64/4.19.90-24.4.v2101.ky10.aarch64',
    'kylin/V10/arm64/4.19.90-52.22.v2207.ky10.aarch64',
  ]);
  const sidS390 = await openKernelSources(join(CORPUS_KERNELS, 'debian/sid/s390x'));
  assert.deepEqual(sidS390.map((s) => s.info), [{ distro: 'debian', release: 'sid', arch: 's390x', kernel: '7.2.13+deb14-s390x' }]);
  const manifest = corpusManifest();
  const debian12 = await openKernelSources(join(CORPUS_KERNELS, 'debian/12'));
  assert.equal(debian12.length, [...manifest.values()].filter((r) => r.distro === 'debian' && r.version === '12').length);
  // A directory holding one kernel loads like its file.
  const { btf, source } = await loadKernelBtf(join(CORPUS_KERNELS, 'centos'));
  assert.equal(source.label, 'centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64');
  assert.equal(btf.typeCount, Number(manifest.get(CENTOS)!.types_count) + 1);
});

test('an archive outside a BTFHub tree gets its kernel release only; one given as a file keeps its tree info', async () => {
  const lone = join(dir, '6.1.0-57-amd64.btf.tar.xz');
  cpSync(join(CORPUS_KERNELS, DEBIAN_61), lone);
  const [s] = await openKernelSources(lone);
  assert.deepEqual(s.info, { kernel: '6.1.0-57-amd64' });
  assert.equal(s.label, lone);
  assert.equal(s.format, 'btfhub-archive');
  assert.deepEqual(infoFromBtfHubPath(join(CORPUS_KERNELS, DEBIAN_61)), { distro: 'debian', release: '12', arch: 'x86_64', kernel: '6.1.0-57-amd64' });
  const [inTree] = await openKernelSources(join(CORPUS_KERNELS, CENTOS));
  assert.equal(inTree.label, 'centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64');
});

test('listing loads nothing: a tree with a damaged archive lists, and only that source fails, when loaded', async () => {
  const tree = join(dir, 'tree');
  cpSync(join(CORPUS_KERNELS, 'kylin'), join(tree, 'kylin'), { recursive: true });
  const bad = join(tree, 'kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64.btf.tar.xz');
  writeFileSync(bad, readFileSync(bad).subarray(0, 1000));
  const sources = await openKernelSources(tree);
  assert.equal(sources.length, 2);
  await sources[0].load();
  await assert.rejects(sources[1].load(), (e: unknown) => e instanceof CorecheckError && e.file === bad && e.code === 'TRUNCATED');
});

/** Peak RSS (kB, from /usr/bin/time -v) and stdout of `node -e <code>` run in the repository. */
function measure(code: string): { kb: number; stdout: string } {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, '--input-type=module', '-e', code], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  assert.ok(m, `/usr/bin/time -v output:\n${r.stderr}`);
  return { kb: Number(m[1]), stdout: r.stdout };
}

test('memory and time: loading the 27 MB CentOS BTF grows peak RSS by at most 3x the BTF size', (t) => {
  const idle = measure('');
  const load = (rel: string): string => `import { loadKernelBtf } from './dist/src/kernels/index.js';
    const t0 = performance.now(); const { btf } = await loadKernelBtf(${JSON.stringify(join(CORPUS_KERNELS, rel))});
    console.log(btf.bytes.length, Math.round(performance.now() - t0));`;
  const centos = measure(load(CENTOS));
  const [bytes, ms] = centos.stdout.trim().split(' ').map(Number);
  const growth = (centos.kb - idle.kb) * 1024;
  t.diagnostic(`CentOS 4.18 (${(bytes / 1e6).toFixed(1)} MB BTF): load ${ms} ms, peak RSS ${centos.kb} kB vs idle node ${idle.kb} kB: growth ${(growth / bytes).toFixed(2)}x the BTF`);
  assert.equal(bytes, 27031815);
  assert.ok(growth <= 3 * bytes, `peak RSS growth ${growth} bytes exceeds 3x ${bytes}`);
  const deb = measure(load(DEBIAN_61));
  const [dbytes, dms] = deb.stdout.trim().split(' ').map(Number);
  t.diagnostic(`Debian 6.1.0-57-amd64 (${(dbytes / 1e6).toFixed(1)} MB BTF): load ${dms} ms, peak RSS growth ${(((deb.kb - idle.kb) * 1024) / dbytes).toFixed(2)}x the BTF`);
});
