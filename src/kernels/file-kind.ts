import { startsWithBtfMagic } from './btf-scan.js';
import { bzImageArch, bzImageRelease, isBzImage } from './bzimage.js';
import { BTFHUB_SUFFIX, type KernelInfo } from './kernel-info.js';
import { isArArchive } from './ar.js';
import { isRpm } from './rpm.js';

/**
 * What kind of kernel BTF source a file is, from its name and first bytes only, so that listing
 * sources stays cheap. Loading decides the rest (which compression, where the BTF is).
 */
export type KernelFormat =
  | 'raw' // raw BTF (/sys/kernel/btf/vmlinux, a .btf file)
  | 'elf' // ELF with .BTF: vmlinux, or a kernel module (split BTF)
  | 'kernel-image' // anything else: bzImage, arm64 Image(.gz), s390x image, a compressed vmlinux or BTF
  | 'btfhub-archive' // <kernel>.btf.tar.xz
  | 'deb' // a Debian or Ubuntu kernel package (linux-image-*.deb): an ar archive
  | 'rpm' // an RPM kernel package (kernel-core-*.rpm)
  | 'fleet-store'; // one kernel of a corecheck fleet store (fleet/builtin.fleet, src/fleet/)

/** Bytes of a file's head that `sniffKernelFile` looks at (the s390x entry marker sits at 0x10008). */
export const HEAD_BYTES = 0x10010;

const ELF_MACHINES: Readonly<Record<number, string>> = { 3: 'i386', 40: 'arm', 62: 'x86_64', 183: 'arm64', 243: 'riscv64', 258: 'loongarch64' };

export function sniffKernelFile(name: string, head: Uint8Array): { format: KernelFormat; info: KernelInfo } {
  // By name, as in BTFHub trees; a misnamed file is judged by its content instead.
  const xzMagic = head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0;
  if (name.endsWith(BTFHUB_SUFFIX) && xzMagic) return { format: 'btfhub-archive', info: {} };
  if (startsWithBtfMagic(head)) return { format: 'raw', info: {} };
  // Packages: their metadata needs more than the head (the control file, the RPM header), read when the source is opened.
  if (isArArchive(head)) return { format: 'deb', info: {} };
  if (isRpm(head)) return { format: 'rpm', info: {} };
  if (head.length >= 20 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
    const le = head[5] === 1;
    const machine = le ? head[18] | (head[19] << 8) : (head[18] << 8) | head[19];
    const arch = machine === 22 ? 's390x' : machine === 21 ? (le ? 'ppc64le' : 'ppc64') : ELF_MACHINES[machine];
    return { format: 'elf', info: arch ? { arch } : {} };
  }
  if (isBzImage(head)) {
    const arch = bzImageArch(head);
    const kernel = bzImageRelease(head);
    return { format: 'kernel-image', info: { ...(arch ? { arch } : {}), ...(kernel ? { kernel } : {}) } };
  }
  // arm64 Image header: "ARM\x64" at 0x38. s390x: "S390EP" entry marker at 0x10008.
  if (head[0x38] === 0x41 && head[0x39] === 0x52 && head[0x3a] === 0x4d && head[0x3b] === 0x64) return { format: 'kernel-image', info: { arch: 'arm64' } };
  if (latin(head, 0x10008, 6) === 'S390EP') return { format: 'kernel-image', info: { arch: 's390x' } };
  return { format: 'kernel-image', info: {} };
}

function latin(b: Uint8Array, at: number, n: number): string {
  return at + n <= b.length ? String.fromCharCode(...b.subarray(at, at + n)) : '';
}
