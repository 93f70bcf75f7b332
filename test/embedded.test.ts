// Objects embedded in other binaries: libbpf skeletons (Debian's libbpf-tools, checked against an
// independent Python extractor's list in test/goldens/libbpf-tools/objects.tsv), a Go program
// (go:embed) and a Rust program (include_bytes!) built here around cilium/ebpf's testdata objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findEmbeddedBpfObjects } from '../src/elf/scan.js';
import { openBpfObjects } from '../src/object/open.js';
import { REPO, haveTool, readBytes } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const CILIUM = '/usr/share/gocode/src/github.com/cilium/ebpf/testdata';
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function assertEmbeds(binary: string, originals: string[]): void {
  const bytes = readBytes(binary);
  const found = findEmbeddedBpfObjects(bytes).map((e) => sha256(bytes.subarray(e.offset, e.offset + e.size)));
  for (const o of originals) assert.ok(found.includes(sha256(readBytes(o))), `${o} found byte-identical in ${binary}`);
  for (const located of openBpfObjects(bytes, binary)) assert.ok(located.object.programs.length > 0);
}

test('a Go binary embedding little- and big-endian objects with go:embed', (t) => {
  if (!haveTool('go')) return t.skip('go is not installed (apt-get install golang-go)');
  const dir = scratchDir('go');
  cpSync(join(REPO, 'test/fixtures/embed/go'), dir, { recursive: true });
  copyFileSync(join(CILIUM, 'loader-el.elf'), join(dir, 'probe-el.o'));
  copyFileSync(join(CILIUM, 'loader-eb.elf'), join(dir, 'probe-eb.o'));
  execFileSync('go', ['build', '-o', 'probe', '.'], { cwd: dir, env: { ...process.env, GOFLAGS: '-mod=mod', GOCACHE: join(dir, '.gocache'), GOPATH: join(dir, '.gopath') } });
  assertEmbeds(join(dir, 'probe'), [join(dir, 'probe-el.o'), join(dir, 'probe-eb.o')]);
});

test('a Rust binary embedding an object with include_bytes!', (t) => {
  if (!haveTool('cargo')) return t.skip('cargo is not installed');
  const dir = scratchDir('rust');
  cpSync(join(REPO, 'test/fixtures/embed/rust'), dir, { recursive: true });
  copyFileSync(join(CILIUM, 'loader-el.elf'), join(dir, 'probe-el.o'));
  execFileSync('cargo', ['build', '--release', '--offline', '-q'], { cwd: dir });
  assertEmbeds(join(dir, 'target/release/embedprobe'), [join(dir, 'probe-el.o')]);
});

test('libbpf-tools skeleton binaries: the same objects an independent extractor finds', () => {
  const golden = join(REPO, 'test/goldens/libbpf-tools/objects.tsv');
  assert.ok(existsSync(golden), 'golden list exists (tools/goldens/extract-libbpf-tools.py)');
  const rows = readFileSync(golden, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  assert.equal(rows.length, 52, '52 distinct libbpf-tools binaries');
  for (const [tool, offset, size, digest] of rows) {
    const bytes = readBytes(`/usr/sbin/${tool}`);
    const found = findEmbeddedBpfObjects(bytes);
    assert.equal(found.length, 1, `${tool}: one embedded object`);
    assert.equal(found[0].offset, Number(offset), `${tool}: offset`);
    assert.equal(found[0].size, Number(size), `${tool}: size`);
    assert.equal(sha256(bytes.subarray(found[0].offset, found[0].offset + found[0].size)), digest, `${tool}: sha256`);
  }
});
