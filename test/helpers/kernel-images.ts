import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cachePath } from './inputs.js';

/**
 * Reference BTF from a real kernel image by the system's tools, independent of corecheck's readers:
 * used by the image tests and the package tests.
 */

/**
 * The ELF vmlinux in a bzImage, located by the boot protocol (setup_sects at 0x1f1, payload_offset
 * and payload_length at 0x248/0x24c) and decompressed by the system tool into `outDir`. The build
 * appends the decompressed size as four bytes, which the tools would take for a second stream: they
 * are left out.
 */
export function systemVmlinux(img: string, tool: 'xz' | 'lz4' | 'zstd', outDir: string): string {
  const b = readFileSync(img);
  const start = ((b[0x1f1] || 4) + 1) * 512 + b.readUInt32LE(0x248);
  const payload = b.subarray(start, start + b.readUInt32LE(0x24c) - 4);
  const out = join(outDir, `${basename(img)}.${tool}.vmlinux`);
  writeFileSync(out, execFileSync(tool, ['-dc'], { input: payload, maxBuffer: 1 << 30 }));
  assert.equal(readFileSync(out).subarray(0, 4).toString('latin1'), '\x7fELF');
  return out;
}

/** The `.BTF` section of an ELF, by objcopy. */
export function objcopyBtf(elf: string): Buffer {
  const out = `${elf}.btf`;
  execFileSync('objcopy', ['-O', 'binary', '--only-section=.BTF', elf, out]);
  return readFileSync(out);
}

/** A real Debian kernel package fetched by tools/fetch-kernel-images.sh, with what IMAGES.tsv says of it. */
export interface FetchedDeb {
  readonly deb: string;
  /** The image kind (`bzimage-xz`, `arm64-image`, ...). */
  readonly what: string;
  readonly release: string;
  /** The corpus archive of the same kernel, when the corpus has it. */
  readonly corpus?: string;
}

/** The kernel-image rows of IMAGES.tsv (written by the fetch script) whose .deb is in .cache/debs. */
export function fetchedDebs(): FetchedDeb[] {
  const tsv = join(cachePath('kernel-images'), 'IMAGES.tsv');
  const debsDir = cachePath('debs');
  if (!existsSync(tsv) || !existsSync(debsDir)) return [];
  const debs = readdirSync(debsDir);
  return readFileSync(tsv, 'utf8').trim().split('\n').slice(1).flatMap((line) => {
    const [, what, release, pkg, corpus] = line.split('\t');
    const deb = debs.find((d) => d.startsWith(`${pkg}_`) && d.endsWith('.deb'));
    if (what === 'module' || !deb) return [];
    return [{ deb: join(debsDir, deb), what, release, corpus: corpus === '-' ? undefined : corpus }];
  });
}

/** rpmbuild's compressor macros: level and I/O type (rpm's rpmio names). */
const RPM_PAYLOADS = { xz: 'w9.xzdio', zstd: 'w19.zstdio', gzip: 'w9.gzdio' } as const;

/**
 * Builds `kernel-core-<version>-<release>.<arch>.rpm` holding `image` at /lib/modules/<uname -r>/vmlinuz,
 * after a config file and a module (so the cpio walk skips entries before the image, as in a real
 * kernel-core), below `dir`. Returns the package path.
 */
export function buildKernelCore(dir: string, image: string, version: string, release: string, compressor: keyof typeof RPM_PAYLOADS, target: string, name = 'kernel-core'): string {
  const top = join(dir, `rpm-${name}-${compressor}-${release}`);
  const rpm = join(top, 'RPMS', target, `${name}-${version}-${release}.${target}.rpm`);
  if (existsSync(rpm)) return rpm; // the bad-input test reuses the xz package
  const spec = join(top, 'kernel.spec');
  mkdirSync(top, { recursive: true });
  const install = name === 'kernel-core'
    ? `d=%{buildroot}/lib/modules/%{version}-%{release}.%{_target_cpu}
mkdir -p $d/kernel/fs
echo '# test config' > $d/config
head -c 65536 /dev/zero > $d/kernel/fs/some.ko
cp ${image} $d/vmlinuz`
    : `mkdir -p %{buildroot}/usr/share/doc/${name}
echo hello > %{buildroot}/usr/share/doc/${name}/README`;
  writeFileSync(spec, `%define _binary_payload ${RPM_PAYLOADS[compressor]}
%define debug_package %{nil}
%define __os_install_post %{nil}
%define _build_id_links none
Name: ${name}
Version: ${version}
Release: ${release}
Summary: corecheck test package around a real Debian kernel image
License: GPL-2.0-only
%description
Test package.
%install
${install}
%files
${name === 'kernel-core' ? '/lib/modules' : '/usr/share/doc'}
`);
  execFileSync('rpmbuild', ['-bb', '--quiet', '--target', target, '--define', `_topdir ${top}`, spec], { stdio: ['ignore', 'ignore', 'pipe'] });
  assert.ok(existsSync(rpm), `rpmbuild wrote ${rpm}`);
  return rpm;
}
