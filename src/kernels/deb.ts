import { fail } from '../common/errors.js';
import { latin1 } from '../common/bytes.js';
import { arMembers, type ArMember } from './ar.js';
import type { Compression } from './decompress.js';
import { decompressStream } from './decompress.js';
import { normalizeArch, type KernelInfo } from './kernel-info.js';
import { inPayload, payloadReader } from './package-payload.js';
import { findTarMember, tarFiles } from './tar.js';

/**
 * Debian and Ubuntu kernel packages (`linux-image-*.deb`, sid's `linux-binary-*.deb`): an ar
 * archive of `debian-binary`, `control.tar.*` and `data.tar.*` (deb(5)). The metadata comes from
 * the package's own `control` file; the kernel image is the first `boot/vmlinu[xz]-<release>` or
 * `[usr/]lib/modules/<release>/vmlinu[xz]` in data.tar. No file system access.
 */

export interface DebKernelImage {
  /** Path of the image in data.tar, e.g. `boot/vmlinuz-6.1.0-57-amd64`. */
  readonly path: string;
  /** The `<release>` of that path: what `uname -r` prints on that kernel. */
  readonly kernel: string;
  readonly bytes: Uint8Array;
  /** Where it was found, for `LoadedKernel.method`. */
  readonly method: string;
}

const TAR_COMPRESSIONS: Readonly<Record<string, Compression | 'none'>> = { '': 'none', '.xz': 'xz', '.zst': 'zstd', '.gz': 'gzip' };

/** The members a package must have, checked once: `debian-binary` first, then control and data tarballs. */
function debMembers(b: Uint8Array, fileSize: number): { control?: ArMember; data?: ArMember } {
  const members = arMembers(b, fileSize);
  const first = members[0];
  if (!first || first.name !== 'debian-binary') {
    fail('BAD_MAGIC', 'ar member 0', first?.headerOffset ?? 8, `an ar archive but not a Debian package: the first member is ${first ? `"${first.name}"` : 'missing'}, not "debian-binary"`);
  }
  if (first.dataOffset + 2 <= b.length && latin1(b, first.dataOffset, first.dataOffset + 2) !== '2.') {
    fail('UNSUPPORTED', 'ar member debian-binary', first.dataOffset, `package format "${latin1(b, first.dataOffset, Math.min(b.length, first.dataOffset + first.size)).trim()}", corecheck reads 2.x`);
  }
  return {
    control: members.find((m) => /^control\.tar(\.(xz|zst|gz))?$/.test(m.name)),
    data: members.find((m) => /^data\.tar(\.(xz|zst|gz))?$/.test(m.name)),
  };
}

/** The control.tar member's place in the file, from the file's first bytes (it follows `debian-binary`). */
export function debControlMember(head: Uint8Array, fileSize: number): ArMember {
  const { control } = debMembers(head, fileSize);
  if (!control) fail('NOT_FOUND', 'ar member control.tar', -1, 'a Debian package without control.tar.{xz,zst,gz} in its first members');
  return control;
}

/** The fields of the `control` file in a control.tar member's bytes (continuation lines joined). */
export async function debControlFields(member: ArMember, bytes: Uint8Array): Promise<Record<string, string>> {
  const what = `ar member ${member.name}`;
  const kind = TAR_COMPRESSIONS[member.name.slice('control.tar'.length)];
  const tar = kind === 'none' ? bytes : await inPayload(what, kind, () => decompressStream(kind, bytes, member.dataOffset));
  const files = await inPayload(what, kind, async () => tarFiles(tar));
  const control = files.find((f) => f.name === 'control');
  if (!control) fail('NOT_FOUND', `${what} > tar member ./control`, -1, 'the control tarball has no control file');
  const fields: Record<string, string> = {};
  let last: string | undefined;
  for (const line of new TextDecoder().decode(control.data).split('\n')) {
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (m) fields[(last = m[1])] = m[2].trim();
    else if (last && /^\s/.test(line)) fields[last] += `\n${line.trim()}`;
  }
  return fields;
}

/**
 * Kernel info from the control fields:
 * - arch: `Architecture` through normalizeArch (amd64 → x86_64, arm64, ppc64el → ppc64le, s390x);
 * - kernel (`uname -r`): the package name without `linux-image-`/`linux-binary-` (Ubuntu:
 *   `linux-image-unsigned-`) and a `-unsigned`/`-dbg` suffix, which is how both distros name it
 *   after the release (a meta package such as `linux-image-amd64` gives none); load() reads it
 *   again from the image's path;
 * - distro: `ubuntu` when the Maintainer is at ubuntu.com, else `debian`;
 * - release: Ubuntu: the `~YY.MM` of an HWE/backport version, else unknown. Debian: `~bpoNN`,
 *   `+debNN`, `~debNN`, `-debNN` in the version or the kernel release (what trixie and later put
 *   in the ABI name: `6.12.118+deb13-cloud-amd64`); else the stable series, which older releases
 *   shipped without a suffix and which never change: 4.9 → 9, 4.19 → 10, 5.10 → 11, 6.1 → 12.
 */
export function debKernelInfo(fields: Readonly<Record<string, string>>): KernelInfo {
  const pkg = fields.Package ?? '';
  const version = fields.Version ?? '';
  const rest = pkg.replace(/^linux-(image|binary)-(unsigned-)?/, '').replace(/-(unsigned|dbg)$/, '');
  const kernel = rest !== pkg && /^\d+\.\d+/.test(rest) ? rest : undefined;
  const arch = fields.Architecture ? normalizeArch(fields.Architecture) : undefined;
  const ubuntu = /ubuntu\.com/i.test(fields.Maintainer ?? '');
  const release = ubuntu ? /~(\d\d\.\d\d)(\.\d+)?$/.exec(version)?.[1] : debianRelease(version, kernel);
  return {
    distro: ubuntu ? 'ubuntu' : 'debian',
    ...(release ? { release } : {}),
    ...(arch ? { arch } : {}),
    ...(kernel ? { kernel } : {}),
  };
}

const DEBIAN_STABLE_SERIES: Readonly<Record<string, string>> = { '4.9': '9', '4.19': '10', '5.10': '11', '6.1': '12' };

function debianRelease(version: string, kernel: string | undefined): string | undefined {
  for (const s of [version, kernel ?? '']) {
    const m = /~bpo(\d+)/.exec(s) ?? /[+~-]deb(\d+)/.exec(s);
    if (m) return m[1];
  }
  const series = /^(\d+\.\d+)\./.exec(kernel ?? version)?.[1];
  return series ? DEBIAN_STABLE_SERIES[series] : undefined;
}

/** `boot/vmlinuz-<release>` (bookworm, trixie, Ubuntu; vmlinux on ppc64el) or `[usr/]lib/modules/<release>/vmlinuz` (sid's linux-binary). */
const IMAGE_PATHS = [/^boot\/vmlinu[xz]-(.+)$/, /^(?:usr\/)?lib\/modules\/([^/]+)\/vmlinu[xz]$/];

export function kernelOfImagePath(path: string): string | undefined {
  for (const re of IMAGE_PATHS) {
    const m = re.exec(path);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * The kernel image in a whole .deb: data.tar decompressed piece by piece and walked only up to the
 * image (Debian puts boot/ first, before ~400 MB of modules), which is copied out; nothing else of
 * the payload is kept.
 */
export async function debKernelImage(file: Uint8Array): Promise<DebKernelImage> {
  const { data } = debMembers(file, file.length);
  if (!data) fail('NOT_FOUND', 'ar member data.tar', -1, 'a Debian package without data.tar.{xz,zst,gz}');
  const what = `ar member ${data.name}`;
  const kind = TAR_COMPRESSIONS[data.name.slice('data.tar'.length)];
  const bytes = file.subarray(data.dataOffset, data.dataOffset + data.size);
  const found = await inPayload(what, kind, async () => findTarMember(payloadReader(kind, bytes, data.dataOffset, what), (name) => kernelOfImagePath(name) !== undefined));
  if (!found) fail('NOT_FOUND', what, data.dataOffset, 'no kernel image (boot/vmlinuz-<release> or lib/modules/<release>/vmlinuz) in the package: not a kernel image package');
  return { path: found.name, kernel: kernelOfImagePath(found.name)!, bytes: found.data, method: `${what} > ${found.name}` };
}
