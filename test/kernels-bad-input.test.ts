// Bad kernel inputs: each gives one CorecheckError naming the file (and archive member), the
// structure and the byte offset, never a RangeError/TypeError or a library's own exception, and
// never a hang (small inputs, per-test time limit). Damaged inputs are made from real ones with the
// system's tar, xz, zstd, gzip and lz4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorecheckError, type ErrorCode } from '../src/common/errors.js';
import { loadKernelBtf, openKernelSources } from '../src/kernels/index.js';
import { CORPUS_KERNELS, REPO, cachePath } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const dir = scratchDir('kernels-bad');
const LIMIT = { timeout: 30_000 };
/** The smallest corpus kernel (2 MB of BTF, 0.3 MB archive). */
const SMALL = join(CORPUS_KERNELS, 'kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64.btf.tar.xz');
const SMALL_MEMBER = '4.19.90-52.22.v2207.ky10.aarch64.btf';
const smallBtf = execFileSync('tar', ['-xJOf', SMALL], { maxBuffer: 1 << 30 });

function write(name: string, data: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

function sh(cmd: string, args: string[], input?: Uint8Array): Buffer {
  return execFileSync(cmd, args, { input, maxBuffer: 1 << 30 });
}

interface Expected {
  readonly code: ErrorCode;
  readonly file: string;
  /** An exact offset, -1 (none applies), or a [min, max) range. */
  readonly offset: number | readonly [number, number];
  readonly message: RegExp;
}

async function expectError(load: Promise<unknown>, want: Expected): Promise<CorecheckError> {
  let error: unknown;
  try {
    await load;
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof CorecheckError, `a CorecheckError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  const line = error.format();
  assert.equal(error.code, want.code, line);
  assert.equal(error.file, want.file, line);
  if (typeof want.offset === 'number') assert.equal(error.offset, want.offset, line);
  else assert.ok(error.offset >= want.offset[0] && error.offset < want.offset[1], `offset in [${want.offset}): ${line}`);
  assert.match(line, want.message);
  if (error.offset >= 0) assert.match(line, / at offset \d+ \(0x[0-9a-f]+\): /);
  return error;
}

test('a missing path', LIMIT, async () => {
  const p = join(dir, 'no-such-kernel.btf');
  const want = { code: 'NOT_FOUND', file: p, offset: -1, message: /no such file or directory/ } as const;
  await expectError(openKernelSources(p), want);
  await expectError(loadKernelBtf(p), want);
  await expectError(loadKernelBtf(p, { base: SMALL }), want);
  await expectError(loadKernelBtf(SMALL, { base: p }), want);
});

test('an empty file', LIMIT, async () => {
  const p = write('empty', '');
  await expectError(loadKernelBtf(p), { code: 'MALFORMED', file: p, offset: 0, message: /file at offset 0 .*file is empty/ });
  const archive = write('empty.btf.tar.xz', '');
  await expectError(loadKernelBtf(archive), { code: 'MALFORMED', file: archive, offset: 0, message: /file is empty/ });
});

test('a PNG image', LIMIT, async () => {
  // Signature, IHDR of a 1x1 RGBA image, IEND: a valid PNG file.
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a17e0d2d0000000049454e44ae426082', 'hex');
  const p = write('picture.png', png);
  const [s] = await openKernelSources(p);
  assert.equal(s.format, 'kernel-image');
  await expectError(s.load(), { code: 'NO_BTF', file: p, offset: 0, message: /kernel BTF at offset 0 .*no BTF found.*file starts 89 50 4e 47/ });
});

test('an x86 ELF without .BTF (/bin/true)', LIMIT, async () => {
  assert.match(execFileSync('readelf', ['-h', '/bin/true'], { encoding: 'utf8' }), /Machine:\s+Advanced Micro Devices X86-64/);
  await expectError(loadKernelBtf('/bin/true'), { code: 'NO_BTF', file: '/bin/true', offset: 0, message: /ELF section \.BTF at offset 0 .*has no \.BTF section/ });
});

test('a truncated xz archive, a damaged xz stream, a damaged xz header', LIMIT, async () => {
  const archive = readFileSync(SMALL);
  const cut = write('cut.btf.tar.xz', archive.subarray(0, archive.length >> 1));
  await expectError(loadKernelBtf(cut), { code: 'TRUNCATED', file: cut, offset: 0, message: /xz stream at offset 0 .*cut short/ });
  const damaged = Buffer.from(archive);
  damaged.fill(0x55, 1000, 1100);
  const bad = write('damaged.btf.tar.xz', damaged);
  await expectError(loadKernelBtf(bad), { code: 'MALFORMED', file: bad, offset: [12, archive.length], message: /xz block 0 at offset \d+ .*(cannot decompress|does not match)/ });
  const header = Buffer.from(archive);
  header[7] ^= 0x01; // stream flags: the header CRC32 no longer matches
  const badHeader = write('header.btf.tar.xz', header);
  await expectError(loadKernelBtf(badHeader), { code: 'BAD_MAGIC', file: badHeader, offset: 0, message: /xz stream header at offset 0 .*not an xz stream/ });
});

test('a truncated tar inside a valid xz stream names the member', LIMIT, async () => {
  const work = join(dir, 'tar');
  mkdirSync(work);
  writeFileSync(join(work, SMALL_MEMBER), smallBtf);
  const tar = sh('tar', ['-C', work, '-cf', '-', SMALL_MEMBER]);
  const p = write('truncated-tar.btf.tar.xz', sh('xz', ['-c', '-1'], tar.subarray(0, 100_000)));
  await expectError(loadKernelBtf(p), { code: 'TRUNCATED', file: p, offset: 0, message: new RegExp(`tar member ${SMALL_MEMBER.replace(/\./g, '\\.')} \\(offset in the xz-decompressed tar\\) at offset 0 .*declares ${smallBtf.length} bytes`) });
  const cutHeader = write('cut-header.btf.tar.xz', sh('xz', ['-c', '-1'], tar.subarray(0, 300)));
  await expectError(loadKernelBtf(cutHeader), { code: 'TRUNCATED', file: cutHeader, offset: 0, message: /tar header .* needs 512 bytes/ });
  const notTar = write('not-a-tar.btf.tar.xz', sh('xz', ['-c', '-1'], Buffer.alloc(2048, 0x41)));
  await expectError(loadKernelBtf(notTar), { code: 'MALFORMED', file: notTar, offset: 0, message: /tar header .*not a tar header/ });
});

test('an archive whose member is not the kernel BTF, and one whose BTF is damaged', LIMIT, async () => {
  const work = join(dir, 'members');
  mkdirSync(work);
  writeFileSync(join(work, 'README'), 'not BTF');
  writeFileSync(join(work, 'NOTES'), 'not BTF either');
  const two = write('two-files.btf.tar.xz', sh('tar', ['-C', work, '-cJf', '-', 'README', 'NOTES']));
  await expectError(loadKernelBtf(two), { code: 'NOT_FOUND', file: two, offset: -1, message: /tar member: expected one <kernel>\.btf member .*found: README, NOTES/ });
  // The member's BTF claims more string bytes than it holds (str_len at header offset 20).
  const broken = Buffer.from(smallBtf);
  broken.writeUInt32LE(smallBtf.length, 20);
  writeFileSync(join(work, SMALL_MEMBER), broken);
  const p = write('broken-btf.btf.tar.xz', sh('tar', ['-C', work, '-cJf', '-', SMALL_MEMBER]));
  await expectError(loadKernelBtf(p), { code: 'TRUNCATED', file: `${p}:${SMALL_MEMBER}`, offset: [24, smallBtf.length], message: /BTF string section at offset \d+ .*runs past the end/ });
});

test('a directory with no kernels', LIMIT, async () => {
  const empty = join(dir, 'no-kernels');
  mkdirSync(join(empty, 'debian/12/x86_64'), { recursive: true });
  writeFileSync(join(empty, 'debian/12/x86_64/README'), 'nothing here');
  await expectError(openKernelSources(empty), { code: 'NOT_FOUND', file: empty, offset: -1, message: /kernel directory: no \.btf\.tar\.xz or \.btf files below it/ });
  await expectError(loadKernelBtf(empty), { code: 'NOT_FOUND', file: empty, offset: -1, message: /no \.btf\.tar\.xz or \.btf files/ });
});

test('a directory of many kernels given where one is expected', LIMIT, async () => {
  const kylin = join(CORPUS_KERNELS, 'kylin');
  await expectError(loadKernelBtf(kylin), { code: 'USAGE', file: kylin, offset: -1, message: /is a directory of 2 kernels; give one file/ });
});

test('truncated zstd, gzip and lz4 streams', LIMIT, async () => {
  const half = (b: Buffer): Buffer => b.subarray(0, b.length >> 1);
  const zst = write('cut.zst', half(sh('zstd', ['-q', '-c'], smallBtf)));
  await expectError(loadKernelBtf(zst), { code: 'TRUNCATED', file: zst, offset: [0, 1 << 20], message: /zstd frame at offset \d+ .*runs past the end/ });
  const gz = write('cut.gz', half(sh('gzip', ['-c', '-n'], smallBtf)));
  await expectError(loadKernelBtf(gz), { code: 'MALFORMED', file: gz, offset: 0, message: /gzip stream at offset 0 .*cannot decompress: unexpected EOF/ });
  // The lz4 legacy format has no end marker (kernel images rely on that); a block cut short is
  // not decoded, and a stream without one whole block is an error.
  const lz4 = write('cut.lz4', half(sh('lz4', ['-q', '-l', '-c'], smallBtf)));
  await expectError(loadKernelBtf(lz4), { code: 'TRUNCATED', file: lz4, offset: 4, message: /lz4 legacy frame at offset 4 .*no complete block/ });
});

test('a cut bzImage: its setup header points past the end', LIMIT, async (t) => {
  const img = cachePath('kernel-images', 'vmlinuz-6.1.0-57-amd64');
  if (!existsSync(img)) return t.skip('vmlinuz-6.1.0-57-amd64 not fetched: run tools/fetch-kernel-images.sh (needs apt and the network)');
  const p = write('cut-vmlinuz', readFileSync(img).subarray(0, 1 << 20));
  await expectError(loadKernelBtf(p), { code: 'TRUNCATED', file: p, offset: 0x52cc, message: /bzImage payload at offset 21196 .*past the end of the 1048576-byte image/ });
});

test('mutated containers (xz, xz+x86 BCJ, zstd, gzip, lz4, BTFHub archive): success or a CorecheckError, nothing else', LIMIT, async () => {
  // Small inputs made by the system tools from a real BTF (the example object's .BTF), then bytes
  // flipped or the data cut, with a fixed seed so a failure reproduces.
  const work = join(dir, 'mutate');
  mkdirSync(work);
  const btfPath = join(work, 'x.btf');
  execFileSync('objcopy', ['-I', 'elf64-little', '-O', 'binary', '--only-section=.BTF', '--set-section-flags', '.BTF=alloc,contents', join(REPO, 'examples/openat2/openat2.bpf.o'), btfPath]);
  const inputs: [string, Buffer][] = [
    ['x.xz', sh('xz', ['-c', '-1', btfPath])],
    ['x.x86.xz', sh('xz', ['-c', '--format=xz', '--x86', '--lzma2=preset=1', btfPath])],
    ['x.zst', sh('zstd', ['-q', '-c', btfPath])],
    ['x.gz', sh('gzip', ['-c', '-n', btfPath])],
    ['x.lz4', sh('lz4', ['-q', '-l', '-c', btfPath])],
    ['x.btf.tar.xz', sh('tar', ['-C', work, '-cJf', '-', 'x.btf'])],
  ];
  let seed = 20261129;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let loaded = 0;
  let rejected = 0;
  for (const [name, original] of inputs) {
    for (let k = 0; k < 150; k++) {
      let b = Buffer.from(original);
      if (k % 4 === 0) b = b.subarray(0, rnd(b.length));
      else for (let j = 1 + rnd(4); j > 0; j--) b[rnd(b.length)] = rnd(256);
      const p = write(`m${k}.${name}`, b);
      try {
        await loadKernelBtf(p);
        loaded++;
      } catch (e) {
        assert.ok(e instanceof CorecheckError, `${name} case ${k}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        assert.ok(e.file?.startsWith(p), `${name} case ${k}: names the file: ${e.format()}`);
        rejected++;
      }
    }
  }
  assert.equal(loaded + rejected, inputs.length * 150);
});
