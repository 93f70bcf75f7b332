// Kernel packages as kernel sources. Debian: the real linux-image/linux-binary .debs that
// tools/fetch-kernel-images.sh downloads into .cache/debs. RPM: kernel-core packages built here, at
// test time, by the system rpmbuild (Debian's `rpm` package) around a real Debian vmlinuz, once per
// payload compressor. For each, `corecheck btf dump <package> --format raw` (the built CLI) must be
// byte-identical to `bpftool btf dump file <reference> format raw`, where the reference BTF comes
// from an independent path: the corpus row of the same release (system tar), or for the x86
// bzImage without one, the vmlinuz extracted by `dpkg-deb --fsys-tarfile | tar -x`, decompressed by the system tool and
// cut by objcopy. Metadata is checked against `dpkg-deb -f` / `rpm -qp --qf`. Without the fetch
// (apt and the network) or rpmbuild, each test is a named skip.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openKernelSources } from '../src/kernels/index.js';
import { debKernelInfo } from '../src/kernels/deb.js';
import { rpmKernelInfo, type RpmHeader } from '../src/kernels/rpm.js';
import { CORPUS_KERNELS, REPO, bpftoolRaw, haveTool } from './helpers/inputs.js';
import { buildKernelCore, fetchedDebs, objcopyBtf, systemVmlinux, type FetchedDeb } from './helpers/kernel-images.js';
import { assertOneLineError } from './helpers/cli.js';
import { scratchDir } from './helpers/scratch.js';

const CLI = join(REPO, 'dist/cli/main.js');
const dir = scratchDir('kernels-packages');

function need(t: TestContext, what: string): FetchedDeb | undefined {
  const d = fetchedDebs().find((x) => x.what === what);
  if (!d) t.skip(`no ${what} package in .cache/debs: run tools/fetch-kernel-images.sh (needs apt and the network)`);
  return d;
}

function corecheck(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'latin1', maxBuffer: 1 << 30, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `bpftool btf dump ... format raw` of a reference BTF blob. */
function referenceRaw(btf: Uint8Array, name: string): string {
  const p = join(dir, `${name}.btf`);
  writeFileSync(p, btf);
  return bpftoolRaw(p);
}

/** The package's kernel image, extracted by dpkg-deb and tar (not corecheck), and its path in the package. */
function dpkgImage(deb: string): { path: string; file: string } {
  const listing = execFileSync('dpkg-deb', ['-c', deb], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const path = listing.split('\n').map((l) => l.split(/\s+/)[5] ?? '')
    .find((p) => /^\.\/(boot\/vmlinu[xz]-|(usr\/)?lib\/modules\/[^/]+\/vmlinu[xz]$)/.test(p));
  assert.ok(path, `dpkg-deb -c ${deb} lists a kernel image`);
  const file = join(dir, `${deb.split('/').pop()}.image`);
  if (!existsSync(file)) writeFileSync(file, execFileSync('sh', ['-c', 'dpkg-deb --fsys-tarfile "$0" | tar -xO --occurrence=1 "$1"', deb, path], { maxBuffer: 1 << 30 }));
  return { path: path.slice(2), file };
}

/** The reference BTF of a fetched package: its corpus row, else (an x86 bzImage) objcopy of the system-decompressed vmlinux. */
function referenceBtf(d: FetchedDeb): { bytes: Uint8Array; from: string } {
  if (d.corpus) return { bytes: execFileSync('tar', ['-xJOf', join(CORPUS_KERNELS, d.corpus)], { maxBuffer: 1 << 30 }), from: `corpus ${d.corpus}` };
  const tool = ({ 'bzimage-xz': 'xz', 'bzimage-lz4': 'lz4', 'bzimage-zstd': 'zstd' } as const)[d.what as 'bzimage-xz'];
  assert.ok(tool, `${d.what}: no corpus row and no system tool to extract its BTF`);
  return { bytes: objcopyBtf(systemVmlinux(dpkgImage(d.deb).file, tool, dir)), from: `objcopy of ${tool} -dc of the dpkg-deb -x image` };
}

/** Debian's names for architectures, as the tests expect them to be normalized (BTFHub's names). */
const DEB_ARCH: Readonly<Record<string, string>> = { amd64: 'x86_64', arm64: 'arm64', s390x: 's390x', ppc64el: 'ppc64le' };

/**
 * The distro release the package says: `+debNN` in the kernel release (trixie and later), else the
 * Debian stable release of that kernel series (bookworm shipped 6.1 without a suffix).
 */
function expectedDebianRelease(kernel: string): string {
  const m = /\+deb(\d+)/.exec(kernel);
  if (m) return m[1];
  assert.match(kernel, /^6\.1\./, 'a suffix-less Debian kernel in the fetch list is bookworm 6.1');
  return '12';
}

async function checkDeb(t: TestContext, what: string): Promise<void> {
  const d = need(t, what);
  if (!d) return;
  const fields = execFileSync('dpkg-deb', ['-f', d.deb, 'Package', 'Version', 'Architecture'], { encoding: 'utf8' });
  const field = (name: string): string => new RegExp(`^${name}: (.*)$`, 'm').exec(fields)![1];
  const image = dpkgImage(d.deb);
  const kernel = /^boot\/vmlinu[xz]-(.+)$/.exec(image.path)?.[1] ?? image.path.split('/').at(-2)!;
  assert.equal(kernel, d.release, 'the image path gives the release the fetch script recorded');
  assert.ok(field('Package').includes(kernel), `${field('Package')} names its release`);
  const arch = DEB_ARCH[field('Architecture')];
  const release = expectedDebianRelease(kernel);

  const [source] = await openKernelSources(d.deb);
  assert.equal(source.format, 'deb');
  assert.deepEqual(source.info, { distro: 'debian', release, arch, kernel });
  assert.equal(source.label, `debian/${release}/${arch}/${kernel}`);
  t.diagnostic(`${field('Package')} ${field('Version')}: ${source.label}`);

  const t0 = performance.now();
  const r = corecheck(['btf', 'dump', d.deb, '--format', 'raw']);
  t.diagnostic(`corecheck btf dump: ${Math.round(performance.now() - t0)} ms`);
  assert.equal(r.status, 0, r.stderr);
  const ref = referenceBtf(d);
  assert.ok(r.stdout === referenceRaw(ref.bytes, kernel), `btf dump --format raw equals bpftool's dump of the ${ref.from}`);
  if (what !== 'bzimage-xz') return;
  const { method } = await source.load();
  assert.match(method, new RegExp(`^ar member data\\.tar\\.xz > ${image.path.replace(/[.+]/g, '\\$&')} > bzImage xz payload @0x[0-9a-f]+ > ELF \\.BTF section$`));
}

test('Debian linux-image .deb, x86 bzImage with xz payload (6.1.0-57-amd64, bookworm-security): BTF and metadata', async (t) => {
  await checkDeb(t, 'bzimage-xz');
});

test('Debian linux-image .deb, x86 bzImage with lz4 payload (bookworm cloud kernel): BTF and metadata', async (t) => {
  await checkDeb(t, 'bzimage-lz4');
});

test('Debian linux-image .deb, x86 bzImage with zstd payload (trixie 6.12 cloud): BTF and metadata', async (t) => {
  await checkDeb(t, 'bzimage-zstd');
});

test('Debian linux-image .deb, arm64 raw Image (trixie 6.12 cloud-arm64): BTF and metadata', async (t) => {
  await checkDeb(t, 'arm64-image');
});

test("Debian linux-binary .deb, s390x image in usr/lib/modules (sid 7.2): big-endian BTF and metadata", async (t) => {
  await checkDeb(t, 's390x-image');
});

test('check --kernel <deb> reports the kernel under its package label', async (t) => {
  const d = need(t, 'bzimage-xz');
  if (!d) return;
  const r = corecheck(['check', join(REPO, 'examples/openat2/openat2.bpf.o'), '--kernel', d.deb, '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { kernels: { label: string; distro: string; release: string; arch: string; version: string; btf: boolean }[] };
  assert.deepEqual(report.kernels, [{ label: `debian/12/x86_64/${d.release}`, distro: 'debian', release: '12', arch: 'x86_64', version: d.release, btf: true }]);
});

// --- RPM ------------------------------------------------------------------------------------------

function needRpmbuild(t: TestContext): boolean {
  if (haveTool('rpmbuild') && haveTool('rpm')) return true;
  t.skip('rpmbuild is not installed (Debian package rpm; .ci/run installs it)');
  return false;
}

const RPM_CASES = [
  // compressor, RELEASE with its dist tag, expected distro and release
  ['xz', '57.el8', 'rhel', '8'],
  ['zstd', '57.1.el9_2', 'rhel', '9'],
  ['gzip', '57.el8_1', 'rhel', '8'],
] as const;

for (const [compressor, release, distro, distroRelease] of RPM_CASES) {
  test(`RPM kernel-core (${compressor} payload, RELEASE ${release}) around the real Debian 6.1.0-57-amd64 vmlinuz: BTF and metadata`, async (t) => {
    if (!needRpmbuild(t)) return;
    const d = need(t, 'bzimage-xz');
    if (!d) return;
    const rpm = buildKernelCore(dir, dpkgImage(d.deb).file, '6.1.0', release, compressor, 'x86_64');
    const q = execFileSync('rpm', ['-qp', '--qf', '%{NAME}|%{VERSION}|%{RELEASE}|%{ARCH}|%{PAYLOADCOMPRESSOR}', rpm], { encoding: 'utf8' }).split('|');
    assert.deepEqual(q, ['kernel-core', '6.1.0', release, 'x86_64', compressor]);
    const kernel = `${q[1]}-${q[2]}.${q[3]}`;

    const [source] = await openKernelSources(rpm);
    assert.equal(source.format, 'rpm');
    assert.deepEqual(source.info, { distro, release: distroRelease, arch: 'x86_64', kernel });
    assert.equal(source.label, `${distro}/${distroRelease}/x86_64/${kernel}`);

    const r = corecheck(['btf', 'dump', rpm, '--format', 'raw']);
    assert.equal(r.status, 0, r.stderr);
    const ref = referenceBtf(d);
    assert.ok(r.stdout === referenceRaw(ref.bytes, `rpm-${compressor}`), `btf dump --format raw equals bpftool's dump of the ${ref.from}`);
    if (compressor !== 'xz') return;
    const { method } = await source.load();
    assert.match(method, new RegExp(`^RPM ${compressor} payload > cpio entry \\d+ /lib/modules/${kernel.replace(/[.+]/g, '\\$&')}/vmlinuz > bzImage xz payload`));
  });
}

test('RPM kernel-core for aarch64 (gzip payload) with a Fedora dist tag (fc40) around the real Debian arm64 Image', async (t) => {
  if (!needRpmbuild(t)) return;
  const d = need(t, 'arm64-image');
  if (!d) return;
  // gzip: xz -9 of a 30 MB image would take rpmbuild half a minute, and xz is covered above.
  const rpm = buildKernelCore(dir, dpkgImage(d.deb).file, '6.12.118', '200.fc40', 'gzip', 'aarch64');
  const [source] = await openKernelSources(rpm);
  const kernel = '6.12.118-200.fc40.aarch64';
  assert.deepEqual(source.info, { distro: 'fedora', release: '40', arch: 'arm64', kernel });
  assert.equal(source.label, `fedora/40/arm64/${kernel}`);
  const r = corecheck(['btf', 'dump', rpm, '--format', 'raw']);
  assert.equal(r.status, 0, r.stderr);
  const ref = referenceBtf(d);
  assert.ok(r.stdout === referenceRaw(ref.bytes, 'rpm-arm64'), `equals bpftool's dump of the ${ref.from}`);
});

// --- metadata rules on control fields and headers of other distributions (no package needed) ------

test('Debian/Ubuntu control fields → kernel info (backports, security updates, Ubuntu HWE, meta packages)', () => {
  const debian = 'Debian Kernel Team <debian-kernel@lists.debian.org>';
  const ubuntu = 'Ubuntu Kernel Team <kernel-team@lists.ubuntu.com>';
  const cases: [Record<string, string>, object][] = [
    [{ Package: 'linux-image-6.1.0-0.deb11.21-amd64', Version: '6.1.90-1~bpo11+1', Architecture: 'amd64', Maintainer: debian },
      { distro: 'debian', release: '11', arch: 'x86_64', kernel: '6.1.0-0.deb11.21-amd64' }],
    [{ Package: 'linux-image-5.10.0-32-amd64-unsigned', Version: '5.10.223-1', Architecture: 'amd64', Maintainer: debian },
      { distro: 'debian', release: '11', arch: 'x86_64', kernel: '5.10.0-32-amd64' }],
    [{ Package: 'linux-image-6.12.117+deb12-amd64-unsigned', Version: '6.12.117-1~deb12u1', Architecture: 'amd64', Maintainer: debian },
      { distro: 'debian', release: '12', arch: 'x86_64', kernel: '6.12.117+deb12-amd64' }],
    [{ Package: 'linux-image-6.1.0-57-powerpc64le', Version: '6.1.192-3', Architecture: 'ppc64el', Maintainer: debian },
      { distro: 'debian', release: '12', arch: 'ppc64le', kernel: '6.1.0-57-powerpc64le' }],
    [{ Package: 'linux-image-unsigned-5.15.0-119-generic', Version: '5.15.0-119.129~20.04.1', Architecture: 'amd64', Maintainer: ubuntu },
      { distro: 'ubuntu', release: '20.04', arch: 'x86_64', kernel: '5.15.0-119-generic' }],
    // Ubuntu's own-release kernels carry no release in their version: no label, the path is used.
    [{ Package: 'linux-image-6.8.0-45-generic', Version: '6.8.0-45.45', Architecture: 'arm64', Maintainer: ubuntu },
      { distro: 'ubuntu', arch: 'arm64', kernel: '6.8.0-45-generic' }],
    // A meta package names no release (and has no image: load() says so).
    [{ Package: 'linux-image-amd64', Version: '6.1.192-3', Architecture: 'amd64', Maintainer: debian },
      { distro: 'debian', release: '12', arch: 'x86_64' }],
  ];
  for (const [fields, want] of cases) assert.deepEqual(debKernelInfo(fields), want, fields.Package);
});

test('RPM header → kernel info (dist tags of RHEL-family, Fedora, Amazon Linux)', () => {
  const h = (version: string, release: string, arch: string): RpmHeader => ({
    name: 'kernel-core', version, release, arch, payloadCompressor: 'xz', payloadFormat: 'cpio', files: [], payloadOffset: 0,
  });
  assert.deepEqual(rpmKernelInfo(h('4.18.0', '147.5.1.el8_1', 'aarch64')), { distro: 'rhel', release: '8', arch: 'arm64', kernel: '4.18.0-147.5.1.el8_1.aarch64' });
  assert.deepEqual(rpmKernelInfo(h('4.18.0', '372.9.1.el8', 'x86_64')), { distro: 'rhel', release: '8', arch: 'x86_64', kernel: '4.18.0-372.9.1.el8.x86_64' });
  assert.deepEqual(rpmKernelInfo(h('6.8.5', '301.fc40', 'ppc64le')), { distro: 'fedora', release: '40', arch: 'ppc64le', kernel: '6.8.5-301.fc40.ppc64le' });
  assert.deepEqual(rpmKernelInfo(h('5.10.210', '201.852.amzn2', 'x86_64')), { distro: 'amzn', release: '2', arch: 'x86_64', kernel: '5.10.210-201.852.amzn2.x86_64' });
  assert.deepEqual(rpmKernelInfo(h('6.1.79', '99.167.amzn2023', 's390x')), { distro: 'amzn', release: '2023', arch: 's390x', kernel: '6.1.79-99.167.amzn2023.s390x' });
  assert.deepEqual(rpmKernelInfo(h('5.14.0', '1.an8', 'x86_64')), { arch: 'x86_64', kernel: '5.14.0-1.an8.x86_64' });
});

// --- bad input: one line naming the file, the structure and the offset; exit 2 ----------------------

function cut(src: string, name: string, length: number): string {
  const p = join(dir, name);
  writeFileSync(p, readFileSync(src).subarray(0, length));
  return p;
}

function damaged(src: string, name: string, at: number): string {
  const b = readFileSync(src);
  b.fill(0x5a, at, at + 64);
  const p = join(dir, name);
  writeFileSync(p, b);
  return p;
}

test('bad .deb packages: truncated, foreign (no kernel image), not a package, damaged payload', async (t) => {
  const d = need(t, 'bzimage-lz4');
  if (!d) return;
  const size = readFileSync(d.deb).length;
  for (const [name, length, pattern] of [
    ['cut-in-header.deb', 100, /^corecheck: .*: ar member header 1 at offset 72 \(0x48\): needs 60 bytes, only 28 left$/],
    ['cut-in-control.deb', 5000, /: ar member control\.tar\.xz at offset \d+ \(0x[0-9a-f]+\): declares \d+ bytes of data, but the file ends/],
    ['cut-in-data.deb', Math.floor(size / 2), /: ar member data\.tar\.xz at offset \d+ \(0x[0-9a-f]+\): declares \d+ bytes of data, but the file ends/],
  ] as const) {
    const p = cut(d.deb, name, length);
    assertOneLineError(corecheck(['btf', 'dump', p]), p, pattern);
  }
  // A damaged xz block in the middle of data.tar: the xz decoder names the block and the file offset.
  const bad = damaged(d.deb, 'damaged-payload.deb', Math.floor(size / 3));
  assertOneLineError(corecheck(['btf', 'dump', bad]), bad, /: ar member data\.tar\.xz > xz block \d+( check)? at offset \d+ \(0x[0-9a-f]+\): /);

  // A damaged tar header inside a valid xz stream: the real package's members, its data.tar cut to
  // 8 KiB with the second header's checksum field set to a wrong value, recompressed by the system xz, put
  // back together by the system ar in the order dpkg-deb writes.
  const parts = join(dir, 'deb-parts');
  mkdirSync(parts, { recursive: true });
  execFileSync('ar', ['x', d.deb, 'debian-binary', 'control.tar.xz', 'data.tar.xz'], { cwd: parts });
  const tar = execFileSync('sh', ['-c', 'xz -dc data.tar.xz | head -c 8192', 'sh'], { cwd: parts, maxBuffer: 1 << 20 });
  tar.write('0000001\0', 512 + 148, 'latin1');
  writeFileSync(join(parts, 'data.tar.xz'), execFileSync('xz', ['-c', '-0'], { input: tar }));
  const badTar = join(dir, 'bad-tar.deb');
  execFileSync('ar', ['rc', badTar, 'debian-binary', 'control.tar.xz', 'data.tar.xz'], { cwd: parts });
  assertOneLineError(corecheck(['btf', 'dump', badTar]), badTar,
    /: ar member data\.tar\.xz > tar header \(offset in the xz-decompressed payload\) at offset 512 \(0x200\): header checksum/);

  // A real Debian package that is not a kernel, built by dpkg-deb.
  const root = join(dir, 'hello-pkg');
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'usr/share/doc/hello'), { recursive: true });
  writeFileSync(join(root, 'usr/share/doc/hello/README'), 'hello\n');
  writeFileSync(join(root, 'DEBIAN/control'), 'Package: hello\nVersion: 2.10-3\nArchitecture: amd64\nMaintainer: Nobody <nobody@example.org>\nDescription: not a kernel\n');
  const hello = join(dir, 'hello_2.10-3_amd64.deb');
  execFileSync('dpkg-deb', ['--build', '-Zxz', root, hello], { stdio: 'ignore' });
  assertOneLineError(corecheck(['btf', 'dump', hello]), hello, /: ar member data\.tar\.xz at offset \d+ \(0x[0-9a-f]+\): no kernel image .* not a kernel image package$/);
  assertOneLineError(corecheck(['check', join(REPO, 'examples/openat2/openat2.bpf.o'), '--kernel', hello]), hello, /no kernel image/);

  // An ar archive that is not a Debian package (a static library).
  const lib = join(dir, 'libx.a');
  writeFileSync(join(dir, 'x.o'), 'not an object');
  execFileSync('ar', ['rc', lib, join(dir, 'x.o')]);
  assertOneLineError(corecheck(['btf', 'dump', lib]), lib, /: ar member 0 at offset 8 \(0x8\): an ar archive but not a Debian package: the first member is "x\.o", not "debian-binary"$/);
});

test('bad .rpm packages: truncated lead, header and payload, damaged payload, a package without a kernel', async (t) => {
  if (!needRpmbuild(t)) return;
  const d = need(t, 'bzimage-xz');
  if (!d) return;
  const rpm = buildKernelCore(dir, dpkgImage(d.deb).file, '6.1.0', '57.el8', 'xz', 'x86_64');
  const size = readFileSync(rpm).length;
  for (const [name, length, pattern] of [
    ['lead.rpm', 50, /: RPM lead at offset 0 \(0x0\): needs 96 bytes, only 50 in the file$/],
    ['sig.rpm', 120, /: RPM signature header at offset 96 \(0x60\): declares \d+ bytes, the data ends at 120$/],
    ['payload.rpm', Math.floor(size / 2), /: RPM xz payload > xz stream at offset \d+ \(0x[0-9a-f]+\): cannot decompress: no valid index and footer/],
  ] as const) {
    const p = cut(rpm, name, length);
    assertOneLineError(corecheck(['btf', 'dump', p]), p, pattern);
  }
  const bad = damaged(rpm, 'damaged.rpm', Math.floor(size / 3));
  assertOneLineError(corecheck(['btf', 'dump', bad]), bad, /: RPM xz payload > xz (block \d+|stream)( check)? at offset \d+ \(0x[0-9a-f]+\): /);
  // A damaged index entry of the main header: its offset points outside the store.
  const hdr = readFileSync(rpm);
  const sigEntries = hdr.readUInt32BE(96 + 8);
  const sigEnd = 96 + 16 + sigEntries * 16 + hdr.readUInt32BE(96 + 12);
  const main = (sigEnd + 7) & ~7;
  const entries = hdr.readUInt32BE(main + 8);
  for (let i = 0; i < entries; i++) if (hdr.readUInt32BE(main + 16 + i * 16) === 1000) hdr.writeUInt32BE(0x7fffffff, main + 16 + i * 16 + 8);
  const badEntry = join(dir, 'bad-entry.rpm');
  writeFileSync(badEntry, hdr);
  assertOneLineError(corecheck(['btf', 'dump', badEntry]), badEntry, /: RPM header index entry \d+ at offset \d+ \(0x[0-9a-f]+\): tag 1000: offset 2147483647/);

  // A damaged cpio header inside a valid payload: rpm2cpio's cpio with entry 2's magic overwritten,
  // recompressed by the system xz after the package's own headers.
  const payloadAt = main + 16 + entries * 16 + hdr.readUInt32BE(main + 12);
  const cpio = execFileSync('rpm2cpio', [rpm], { maxBuffer: 1 << 30 });
  let entry = 0;
  for (let at = 0, i = 0; i < 2; i++) {
    const field = (k: number): number => parseInt(cpio.toString('latin1', at + 6 + k * 8, at + 14 + k * 8), 16);
    const size = field(6);
    const nameEnd = at + 110 + field(11);
    at = nameEnd + ((4 - (nameEnd % 4)) % 4);
    at += size + ((4 - (size % 4)) % 4);
    entry = at;
  }
  cpio.write('0707ZZ', entry, 'latin1');
  const badCpio = join(dir, 'bad-cpio.rpm');
  writeFileSync(badCpio, Buffer.concat([readFileSync(rpm).subarray(0, payloadAt), execFileSync('xz', ['-c', '-0', '--check=crc64'], { input: cpio, maxBuffer: 1 << 30 })]));
  assertOneLineError(corecheck(['btf', 'dump', badCpio]), badCpio,
    new RegExp(`: RPM xz payload > cpio entry 2 \\(offset in the xz-decompressed payload\\) at offset ${entry} \\(0x${entry.toString(16)}\\): not a newc cpio header \\(magic "0707ZZ"`));

  const notKernel = buildKernelCore(dir, '', '2.10', '3.el8', 'gzip', 'x86_64', 'hello');
  assertOneLineError(corecheck(['btf', 'dump', notKernel]), notKernel, /: RPM header file list at offset \d+ \(0x[0-9a-f]+\): hello-2\.10-3\.el8 has no \/lib\/modules\/<release>\/vmlinuz .*not a kernel package$/);
});
