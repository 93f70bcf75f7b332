// Every container corecheck finds kernel BTF in, built by the system's own tools (objcopy, xz, zstd,
// gzip, lz4) around real BTF from the corpus, so each case runs without the network. The reference
// is always the BTF the system tar extracts from the corpus archive: corecheck must return those
// bytes exactly. Real kernel images are in kernels-images.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { machine, release } from 'node:os';
import { join } from 'node:path';
import { loadKernelBtf, openKernelSources } from '../src/kernels/index.js';
import { CORPUS_KERNELS, HOST_BTF, REPO } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const dir = scratchDir('kernels-formats');

/** A corpus kernel's raw BTF, extracted by the system tar. */
function corpusBtf(rel: string): { path: string; bytes: Buffer } {
  const bytes = execFileSync('tar', ['-xJOf', join(CORPUS_KERNELS, rel)], { maxBuffer: 1 << 30 });
  const path = join(dir, rel.replace(/\//g, '_').replace(/\.tar\.xz$/, ''));
  writeFileSync(path, bytes);
  return { path, bytes };
}

const LE = corpusBtf('debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz');
const BE = corpusBtf('debian/sid/s390x/7.2.13+deb14-s390x.btf.tar.xz');

function sh(cmd: string, args: string[], input?: Uint8Array): Buffer {
  return execFileSync(cmd, args, { input, maxBuffer: 1 << 30 });
}

function write(name: string, data: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

/** Deterministic filler that holds no BTF or compression magic by accident (xorshift, bytes >= 0x30). */
function filler(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = 0x30 + ((x >>> 0) % 0x40);
  }
  return b;
}

async function assertLoads(path: string, expected: Uint8Array, format: string, method: RegExp): Promise<void> {
  const { btf, method: how, source } = await loadKernelBtf(path);
  assert.equal(source.format, format);
  assert.match(how, method);
  assert.ok(sameBytes(btf.bytes, expected), `${path}: BTF bytes equal the corpus member (${btf.bytes.length} vs ${expected.length} bytes)`);
}

test('raw BTF, both byte orders', async () => {
  await assertLoads(LE.path, LE.bytes, 'raw', /^raw BTF$/);
  await assertLoads(BE.path, BE.bytes, 'raw', /^raw BTF$/);
  const { btf } = await loadKernelBtf(BE.path);
  assert.equal(btf.littleEndian, false);
});

test('the running kernel: /sys/kernel/btf/vmlinux, with release and architecture from uname', async () => {
  const [s] = await openKernelSources(HOST_BTF);
  assert.equal(s.format, 'raw');
  assert.equal(s.info.kernel, execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim());
  assert.equal(s.info.kernel, release());
  assert.equal(s.info.arch, machine() === 'aarch64' ? 'arm64' : machine());
  const { btf } = await s.load();
  assert.ok(sameBytes(btf.bytes, readFileSync(HOST_BTF)));
});

test('ELF of every class and byte order carrying .BTF (objcopy -I binary -O elf{32,64}-{little,big})', async () => {
  for (const [target, src] of [['elf64-little', LE], ['elf32-little', LE], ['elf64-big', BE], ['elf32-big', BE]] as const) {
    const out = join(dir, `btf.${target}.o`);
    // objcopy names the section .data; --rename-section makes it .BTF. Its data starts at an odd
    // file offset in elf32 (no alignment), which the BTF reader must cope with.
    sh('objcopy', ['-I', 'binary', '-O', target, '--rename-section', '.data=.BTF', src.path, out]);
    const sections = execFileSync('readelf', ['-S', '-W', out], { encoding: 'utf8' });
    assert.match(sections, / \.BTF /);
    await assertLoads(out, src.bytes, 'elf', /^ELF \.BTF section$/);
  }
});

test('whole-file compression by the system tools: xz (CRC64, CRC32, x86 BCJ, multi-block), zstd, gzip, lz4 legacy', async () => {
  const cases: [string, string[], string][] = [
    // xz's default preset is what BTFHub archives use (the corpus test covers it); -1 keeps this fast.
    ['btf.xz', ['xz', '-c', '-1'], 'xz'],
    ['btf.crc32.xz', ['xz', '-c', '-1', '--check=crc32'], 'xz'],
    // The x86 BCJ filter rewrites E8/E9 byte patterns, which BTF has plenty of: the decoder must undo it.
    ['btf.x86.xz', ['xz', '-c', '--format=xz', '--x86', '--lzma2=preset=1'], 'xz'],
    ['btf.blocks.xz', ['xz', '-c', '-1', '-T2', '--block-size=1MiB'], 'xz'],
    ['btf.zst', ['zstd', '-q', '-c'], 'zstd'],
    ['btf.gz', ['gzip', '-c', '-n'], 'gzip'],
    ['btf.lz4', ['lz4', '-q', '-l', '-c'], 'lz4-legacy'],
  ];
  for (const [name, cmd, kind] of cases) {
    for (const src of [LE, BE]) {
      const p = write(`${src === LE ? 'le' : 'be'}.${name}`, sh(cmd[0], [...cmd.slice(1), src.path]));
      await assertLoads(p, src.bytes, 'kernel-image', new RegExp(`^${kind} payload @0x0 > raw BTF$`));
    }
  }
  const blocks = execFileSync('xz', ['-lv', join(dir, 'le.btf.blocks.xz')], { encoding: 'utf8' });
  assert.match(blocks, /Blocks:\s+[2-9]/, 'the multi-block case has several blocks');
});

test('xz with a filter the built-in decoder lacks (PowerPC BCJ) goes through liblzma', async () => {
  const p = write('btf.ppc.xz', sh('xz', ['-c', '--format=xz', '--powerpc', '--lzma2=preset=1', LE.path]));
  await assertLoads(p, LE.bytes, 'kernel-image', /^xz payload @0x0 > raw BTF$/);
});

test('BTF inside other data is found by its header; the largest blob wins', async () => {
  // A small real BTF (the example object's .BTF, extracted by objcopy; the section is not ALLOC, so
  // -O binary needs the flag to write it) before the kernel's.
  const small = join(dir, 'small.btf');
  sh('objcopy', ['-I', 'elf64-little', '-O', 'binary', '--only-section=.BTF', '--set-section-flags', '.BTF=alloc,contents', join(REPO, 'examples/openat2/openat2.bpf.o'), small]);
  const smallBytes = readFileSync(small);
  assert.ok(smallBytes.length > 100 && smallBytes.length < 100_000);
  for (const src of [LE, BE]) {
    const head = Buffer.concat([filler(0x1003, 1), smallBytes, filler(0x2000, 2)]);
    const p = write(`embedded.${src === LE ? 'le' : 'be'}`, Buffer.concat([head, src.bytes, filler(5000, 3)]));
    await assertLoads(p, src.bytes, 'kernel-image', new RegExp(`^BTF header found @0x${head.length.toString(16)}$`));
  }
});

test('compressed streams inside other data: small ones (< 1 MiB) are skipped, trailing data is ignored', async () => {
  const smallGz = sh('gzip', ['-c', '-n'], filler(50_000, 4));
  for (const [name, cmd] of [['gzip', ['gzip', '-c', '-n']], ['zstd', ['zstd', '-q', '-c']], ['xz', ['xz', '-c', '-1', '--check=crc32']], ['lz4-legacy', ['lz4', '-q', '-l', '-c']]] as const) {
    const head = Buffer.concat([filler(0x10000, 5), smallGz, filler(100, 6)]);
    const p = write(`stream-in-image.${name}`, Buffer.concat([head, sh(cmd[0], [...cmd.slice(1), LE.path]), Buffer.from([0x78, 0x56, 0x34, 0x12]), filler(3000, 7)]));
    await assertLoads(p, LE.bytes, 'kernel-image', new RegExp(`^${name} payload @0x${head.length.toString(16)} > raw BTF$`));
  }
});
