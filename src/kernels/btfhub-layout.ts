import { basename } from 'node:path';
import { BTFHUB_SUFFIX, RAW_BTF_SUFFIX, btfHubLabel, type KernelInfo } from './kernel-info.js';

/**
 * How a minimized BTF is written: raw (`RAW_BTF_SUFFIX`), or as BTFHub ships BTF (a tar of
 * `<kernel>.btf`, xz-compressed). Where, below an output directory, a kernel's BTF goes in BTFHub's layout:
 * `<distro>/<release>/<arch>/<kernel>.btf[.tar.xz]`. A kernel the fleet knows less of (a raw file,
 * an image) goes at the top, named by its release when known, else by its file name without the
 * suffixes BTF files carry.
 */
export function btfHubPath(label: string, info: KernelInfo, compressed: boolean): string {
  const suffix = compressed ? BTFHUB_SUFFIX : RAW_BTF_SUFFIX;
  const full = btfHubLabel(info);
  // a label with `.` or `..` parts would leave the output directory
  if (full && full.split('/').every((p) => p !== '.' && p !== '..' && p !== '')) return `${full}${suffix}`;
  const name = (info.kernel ?? basename(label).replace(/(\.btf)?(\.tar)?(\.(xz|gz|zst))?$/, '')).replace(/\//g, '_');
  return `${name === '' || name === '.' || name === '..' ? 'vmlinux' : name}${suffix}`;
}

/** The name of the one member of a BTFHub archive: the file name of its path, without `.tar.xz`. */
export const btfHubMember = (path: string): string => basename(path).replace(/\.tar\.xz$/, '');
