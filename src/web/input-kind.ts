import { EM_BPF } from '../elf/elf.js';

/**
 * Whether a dropped file is first tried as a kernel (BTF, archive, image, package) rather than as
 * BPF objects: by its first bytes, or by a kernel's usual file name. An ELF file that is not itself
 * a BPF object may be either (a vmlinux, or a binary embedding objects): tried as objects first.
 */
export function looksLikeKernel(name: string, head: Uint8Array): boolean {
  const at = (i: number, ...bytes: number[]): boolean => bytes.every((b, k) => head[i + k] === b);
  const btf = at(0, 0x9f, 0xeb) || at(0, 0xeb, 0x9f);
  const xz = at(0, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00);
  const ar = at(0, ...Array.from('!<arch>\n', (c) => c.charCodeAt(0)));
  const rpm = at(0, 0xed, 0xab, 0xee, 0xdb);
  const bzImage = at(0x202, 0x48, 0x64, 0x72, 0x53);
  const gzip = at(0, 0x1f, 0x8b);
  return btf || xz || ar || rpm || bzImage || gzip || /(^|\/)(vmlinu[xz]|Image)([-.]|$)|\.btf$/.test(name);
}

/** An ELF file whose e_machine is not BPF: a vmlinux is one, so is a binary embedding objects. */
export function isOtherElf(head: Uint8Array): boolean {
  if (!(head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46)) return false;
  const machine = head[5] === 2 ? (head[18] << 8) | head[19] : head[18] | (head[19] << 8);
  return machine !== EM_BPF;
}
