// The built-in fleet store (fleet/builtin.fleet, src/fleet/): every corpus kernel reads back
// byte-identical to the BTF that system `tar -xJf` extracts from its archive; bpftool's raw dump
// of a few (big-endian s390x, the non-deduplicated CentOS one, a 6.12 x86_64) is the same for both;
// the store stays within the 12 MB the package can carry; and a corrupt store is a CorecheckError.
// The corpus comparisons skip when ../shared/corpus is absent (a user's clone: the corpus the tests
// read is then the store's own kernels, corpus-setup.ts); the other tests need nothing outside the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CorecheckError } from '../src/common/errors.js';
import { openFleetStore } from '../src/fleet/open-store.js';
import { decompressBlock } from '../src/kernels/block-codec.js';
import { builtinFleetPath, builtinFleetSources } from '../src/kernels/builtin-fleet.js';
import { btfHubLabel, infoFromBtfHubPath } from '../src/kernels/kernel-info.js';
import { CORPUS_KERNELS, bpftoolRaw, corpusArchiveOf, corpusArchives, extractCorpusBtf, haveTool, readBytes } from './helpers/inputs.js';
import { EXAMPLE, runCli } from './helpers/cli.js';
import { CORPUS_IS_STORE } from './helpers/corpus-paths.js';

const STORE = builtinFleetPath();
const MAX_STORE_BYTES = 12_000_000;

function labelOf(rel: string): string {
  return btfHubLabel(infoFromBtfHubPath(resolve(CORPUS_KERNELS, rel)))!;
}

test('the built-in fleet lists and loads every kernel through KernelSource', async () => {
  const sources = await builtinFleetSources();
  assert.ok(sources.length >= 35, `${sources.length} kernels`);
  assert.equal(new Set(sources.map((s) => s.label)).size, sources.length, 'labels are unique');
  for (const s of sources) {
    assert.equal(s.format, 'fleet-store');
    assert.equal(s.label, `${s.info.distro}/${s.info.release}/${s.info.arch}/${s.info.kernel}`);
    assert.ok(!s.label.includes('/aarch64/'), `${s.label}: arch is normalized`);
    const { btf } = await s.load();
    assert.ok(btf.typeCount > 1000, `${s.label}: ${btf.typeCount} types`);
  }
});

test(`the store is at most ${MAX_STORE_BYTES} bytes`, () => {
  const size = readFileSync(STORE).length;
  assert.ok(size <= MAX_STORE_BYTES, `fleet/builtin.fleet is ${size} bytes`);
});

test('every corpus kernel loads from the store byte-identical to tar -xJf of its archive', { skip: CORPUS_IS_STORE }, () => {
  const store = openFleetStore(readBytes(STORE), decompressBlock);
  const archives = corpusArchives();
  assert.deepEqual(store.kernels.map((k) => k.label).sort(), archives.map(labelOf).sort(), 'the store holds exactly the corpus kernels');
  const dir = mkdtempSync(join(tmpdir(), 'fleet-store-'));
  try {
    for (const rel of archives) {
      const original = readBytes(extractCorpusBtf(rel, dir));
      const loaded = store.load(labelOf(rel));
      assert.equal(loaded.length, original.length, `${rel}: length`);
      assert.ok(Buffer.from(loaded).equals(Buffer.from(original)), `${rel}: bytes differ`);
      rmSync(join(dir, rel.split('/').pop()!.replace(/\.tar\.xz$/, '')));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const DUMPED = [
  'debian/sid/s390x/7.2.13+deb14-s390x.btf.tar.xz',
  'centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64.btf.tar.xz',
  'debian/12/x86_64/6.12.117+deb12-amd64.btf.tar.xz',
];
for (const rel of DUMPED) {
  test(`bpftool's raw dump of ${rel} is the same from the store`, { skip: CORPUS_IS_STORE || (!haveTool('bpftool') && 'bpftool not installed') }, () => {
    const store = openFleetStore(readBytes(STORE), decompressBlock);
    const dir = mkdtempSync(join(tmpdir(), 'fleet-dump-'));
    try {
      const original = extractCorpusBtf(rel, dir);
      const fromStore = join(dir, 'from-store.btf');
      writeFileSync(fromStore, store.load(labelOf(rel)));
      const ref = bpftoolRaw(original);
      assert.ok(ref.length > 0);
      assert.ok(bpftoolRaw(fromStore) === ref, 'bpftool dumps differ');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

function assertCorrupt(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CorecheckError, `${what}: threw ${e}, not a CorecheckError`);
    assert.match(e.format(), /fleet store/, what);
    assert.ok(e.offset >= 0 && e.offset < readBytes(STORE).length, `${what}: names an offset in the store (${e.format()})`);
    return;
  }
  assert.fail(`${what}: no error`);
}

test('a truncated or corrupted store is a CorecheckError naming the structure', () => {
  const good = readBytes(STORE);
  const indexEnd = 16 + new DataView(good.buffer, good.byteOffset).getUint32(8, true);
  // The smallest kernel's block, to keep decoding short.
  const smallest = [...openFleetStore(good, decompressBlock).kernels].sort((a, b) => a.btfBytes - b.btfBytes)[0].label;
  for (const n of [0, 7, 15, 16, indexEnd - 1]) assertCorrupt(() => openFleetStore(good.subarray(0, n), decompressBlock), `truncated to ${n} bytes`);
  // A store cut inside its blocks opens only if the index's blocks still fit; the last ones do not.
  assertCorrupt(() => openFleetStore(good.subarray(0, good.length - 1), decompressBlock), 'last byte cut');
  for (const at of [0, 9, 13, 16, 17, indexEnd >> 1, indexEnd - 1]) {
    const bad = good.slice();
    bad[at] ^= 0x5a;
    assertCorrupt(() => openFleetStore(bad, decompressBlock).load(smallest), `byte ${at} of the header or index flipped`);
  }
  // Flipped bytes inside a block: Brotli errors or the CRC of the rebuilt BTF catch them. A load
  // decodes its block only up to its kernel, so the flips are read by loading the last kernel of
  // the smallest block, which decodes all of it.
  const store = openFleetStore(good, decompressBlock);
  const { block, label: last } = lastOfSmallestBlock(good);
  for (const frac of [0.01, 0.3, 0.6, 0.95]) {
    const bad = good.slice();
    const at = block.start + Math.floor((block.end - block.start) * frac);
    bad[at] ^= 0xff;
    assertCorrupt(() => openFleetStore(bad, decompressBlock).load(last), `block byte ${at} flipped`);
  }
  // Flips in what a block decodes to (Brotli itself would catch them in the compressed bytes): the
  // column readers or the CRC of the rebuilt BTF of the kernel whose part holds the byte catch
  // them, and the error is placed at the block.
  const sameBlock = store.kernels.filter((k) => k.block === store.kernels.find((x) => x.label === last)!.block).map((k) => k.label);
  for (const frac of [0.02, 0.25, 0.5, 0.75, 0.98]) {
    const flipping = (packed: Uint8Array, unpacked: number): Uint8Array => {
      const out = decompressBlock(packed, unpacked);
      out[Math.floor(out.length * frac)] ^= 0xff;
      return out;
    };
    const failing = sameBlock.filter((label) => {
      try {
        openFleetStore(good, flipping).load(label);
        return false;
      } catch {
        assertCorrupt(() => openFleetStore(good, flipping).load(label), `decoded block byte at ${frac} flipped, ${label} loaded`);
        return true;
      }
    });
    assert.ok(failing.length > 0, `decoded block byte at ${frac} flipped: some kernel of the block reads it`);
  }
  assert.ok(store.load(smallest).length > 0, 'the intact store still loads');
});

/** The smallest block, and its last kernel: read from the index through a minimal varint walk. */
function lastOfSmallestBlock(store: Uint8Array): { block: { start: number; end: number }; label: string } {
  let pos = 16;
  const indexEnd = 16 + new DataView(store.buffer, store.byteOffset).getUint32(8, true);
  const u = (): number => {
    let x = 0;
    for (let shift = 0; ; shift += 7) {
      const c = store[pos++];
      x += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) return x;
    }
  };
  const text = (): string => {
    const n = u();
    pos += n;
    return Buffer.from(store.subarray(pos - n, pos)).toString('latin1');
  };
  const groups: [number, number][] = [];
  for (let g = u(); g > 0; g--) {
    const [off, len] = [u(), u()];
    u();
    groups.push([off, len]);
  }
  const smallest = groups.reduce((best, g, i) => (g[1] < groups[best][1] ? i : best), 0);
  let label: string | undefined;
  for (let k = u(); k > 0; k--) {
    const l = text();
    text(); text(); text(); text();
    const group = u();
    u(); u();
    const mode = u();
    for (let p = mode === 0 ? 2 : 9; p > 0; p--) { u(); u(); }
    if (group === smallest) label = l;
  }
  if (label === undefined) throw new Error('the smallest block holds no kernel');
  const [off, len] = groups[smallest];
  return { block: { start: indexEnd + off, end: indexEnd + off + len }, label };
}

test('a store read in parts (header, index, then only the blocks asked for: the web app) loads kernels identical to the whole file', () => {
  const whole = readBytes(builtinFleetPath());
  const full = openFleetStore(whole, decompressBlock);
  const indexEnd = 16 + (whole[8] | (whole[9] << 8) | (whole[10] << 16) | (whole[11] << 24));
  const sparse = new Uint8Array(whole.length);
  sparse.set(whole.subarray(0, indexEnd));
  const store = openFleetStore(sparse, decompressBlock);
  const k = store.kernels[store.kernels.length - 1];
  const [start, end] = store.blockRange(k.block);
  assert.ok(start >= indexEnd && end <= whole.length && end - start < whole.length / 2);
  sparse.set(whole.subarray(start, end), start);
  assert.deepEqual(store.load(k.label), full.load(k.label));
  // the blocks tile the file after the index
  const ranges = [...new Set(store.kernels.map((x) => x.block))].map((b) => store.blockRange(b)).sort((a, b) => a[0] - b[0]);
  assert.equal(ranges[0][0], indexEnd);
  assert.equal(ranges[ranges.length - 1][1], whole.length);
  assert.throws(() => store.blockRange(999), CorecheckError);
});

test('one kernel of a store as a kernel source (<store>.fleet#<label>): relocate and btf dump give what its corpus archive gives; a bad label or store is one line, exit 2', () => {
  const label = 'centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64';
  const inStore = `${STORE}#${label}`;
  const archive = join(CORPUS_KERNELS, corpusArchiveOf(label));
  const log = runCli(['relocate', EXAMPLE, '--kernel', inStore, '--log']);
  assert.equal(log.status, 0, log.stderr);
  assert.match(log.stdout, /relo #2: <byte_off> \[19\] struct open_how\.flags \(0:0 @ offset 0\)\n.*relo #2: no matching targets found/);
  assert.equal(log.stdout, runCli(['relocate', EXAMPLE, '--kernel', archive, '--log']).stdout);
  assert.equal(runCli(['btf', 'dump', inStore, '--format', 'raw']).stdout, runCli(['btf', 'dump', archive, '--format', 'raw']).stdout);
  const noLabel = runCli(['relocate', EXAMPLE, '--kernel', `${STORE}#debian/99/x86_64/none`]);
  assert.equal(noLabel.status, 2);
  assert.match(noLabel.stderr, /^corecheck: .*builtin\.fleet: fleet store index: no kernel debian\/99\/x86_64\/none in it\n$/);
  const noStore = runCli(['relocate', EXAMPLE, '--kernel', `${STORE}.missing.fleet#${label}`]);
  assert.equal(noStore.status, 2);
  assert.match(noStore.stderr, /^corecheck: .*\.missing\.fleet: .*no such file/);
});
