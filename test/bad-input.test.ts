// Bad input never produces a stack trace, a hang or a partial result: one line naming the file, the
// structure and the byte offset, and exit status 2. Each case is a real command-line run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BtfBuilder } from './helpers/btf-builder.js';
import { CORPUS_KERNELS, REPO } from './helpers/inputs.js';
import { assertOneLineError } from './helpers/cli.js';
import { scratchDir } from './helpers/scratch.js';

const CLI = join(REPO, 'dist/cli/main.js');
const dir = scratchDir('bad');
const EXAMPLE = join(REPO, 'examples/openat2/openat2.bpf.o');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** A copy of a BTF blob with one u32 of its type section replaced. */
function patchU32(btf: Uint8Array, off: number, value: number): Uint8Array {
  const copy = btf.slice();
  new DataView(copy.buffer).setUint32(off, value, true);
  return copy;
}

function smallBtf(): { bytes: Uint8Array; intId: number; structId: number } {
  const b = new BtfBuilder();
  const intId = b.int('int', 4, true);
  const structId = b.struct('s', 4, [['a', intId, 0]]);
  return { bytes: b.build(), intId, structId };
}

test('empty file', () => {
  const p = file('empty.o', new Uint8Array(0));
  assertOneLineError(run(['inspect', p]), p, /at offset 0 .*empty/);
  assertOneLineError(run(['btf', 'dump', p]), p, /empty/);
});

test('a PNG image', () => {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
  const p = file('image.png', png);
  assertOneLineError(run(['inspect', p]), p, /at offset 0 .*not a BPF ELF object/);
  assertOneLineError(run(['btf', 'dump', p]), p, /offset/);
});

test('an x86 ELF that embeds no BPF object', () => {
  assertOneLineError(run(['inspect', '/bin/true']), '/bin/true', /e_machine at offset 18 .*e_machine is 62/);
});

test('a missing file', () => {
  const p = join(dir, 'does-not-exist.o');
  const r = run(['inspect', p]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^corecheck: .*does-not-exist\.o: .*no such file/);
});

test('truncated BPF objects fail at the structure they cut', () => {
  const whole = readFileSync(EXAMPLE);
  for (const len of [10, 63, 64, 200, Math.floor(whole.length / 2), whole.length - 1]) {
    const p = file(`trunc-${len}.o`, whole.subarray(0, len));
    assertOneLineError(run(['inspect', p]), p, /at offset \d+ \(0x[0-9a-f]+\): /);
  }
});

test('BTF with an out-of-range type id', () => {
  const { bytes } = smallBtf();
  // member 'a' of the struct (2nd record: 24 + 16 + 12 header bytes, then name, type)
  const p = file('bad-id.btf', patchU32(bytes, 24 + 16 + 12 + 4, 99));
  assertOneLineError(run(['btf', 'dump', p]), p, /BTF type \[2\] STRUCT at offset 56 .*type id 99/);
});

test('BTF with an out-of-range string offset', () => {
  const { bytes } = smallBtf();
  const p = file('bad-str.btf', patchU32(bytes, 24, 100000));
  assertOneLineError(run(['btf', 'dump', p]), p, /BTF type \[1\] INT at offset 24 .*name offset 100000/);
});

test('BTF with a type cycle', () => {
  const b = new BtfBuilder();
  const a = b.typedef('a', 2);
  b.typedef('b', a);
  const p = file('cycle.btf', b.build());
  assertOneLineError(run(['btf', 'dump', p]), p, /type cycle/);
});

test('BTF with a 2^31 vlen (kflag set, vlen 0xffff) runs past its section', () => {
  const { bytes } = smallBtf();
  const info = (1 << 31) | (4 << 24) | 0xffff;
  const p = file('vlen.btf', patchU32(bytes, 24 + 16 + 4, info));
  assertOneLineError(run(['btf', 'dump', p]), p, /BTF type \[2\] STRUCT vlen=65535 at offset 40 .*runs past the end/);
});

test('BTF header lies about its sizes', () => {
  const { bytes } = smallBtf();
  const p = file('hdr.btf', patchU32(bytes, 20, 1 << 30));
  assertOneLineError(run(['btf', 'dump', p]), p, /BTF string section at offset \d+ .*runs past the end/);
});

test('wrong flags and commands are usage errors with exit 2', () => {
  const r1 = run(['inspect']);
  assert.equal(r1.status, 2);
  assert.match(r1.stderr, /missing required argument/);
  const r2 = run(['btf', 'dump', EXAMPLE, '--format', 'xml']);
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /Allowed choices are raw, c, json/);
  const r3 = run(['frobnicate']);
  assert.equal(r3.status, 2);
  assert.match(r3.stderr, /unknown command/);
});

test('relocate --module: a missing file, or a whole kernel where a module belongs, is one line and exit 2', () => {
  const kernel = join(CORPUS_KERNELS, 'debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz');
  const missing = join(dir, 'no-such-module.ko');
  assertOneLineError(run(['relocate', EXAMPLE, '--kernel', kernel, '--module', missing]), missing, /no such file/);
  // A BTFHub archive is vmlinux BTF: parsed on a base it would give nonsense types.
  assertOneLineError(run(['relocate', EXAMPLE, '--kernel', kernel, '--module', kernel]), kernel, /holds complete BTF \(BTFHub archive member .*\), not split BTF/);
  // So is an ELF that is not a module: the example object itself.
  assertOneLineError(run(['relocate', EXAMPLE, '--kernel', kernel, '--module', EXAMPLE]), EXAMPLE, /holds complete BTF \(ELF \.BTF section\), not split BTF/);
});
