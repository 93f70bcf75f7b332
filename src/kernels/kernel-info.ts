import { isArchName, normalizeArch } from '../common/arch-names.js';

/**
 * What is known of a kernel without loading its BTF: from a BTFHub path
 * (`<distro>/<release>/<arch>/<kernel>.btf.tar.xz`) or from the first bytes of a kernel file.
 * Architecture names follow BTFHub (`uname -m` names, except arm64 for aarch64): x86_64, arm64,
 * s390x, ppc64le, ... BTFHub itself uses both `aarch64` and `arm64` directories, Debian `amd64`,
 * `arm64`, `ppc64el`: all are mapped so one architecture has one name.
 */
export interface KernelInfo {
  readonly distro?: string;
  readonly release?: string;
  readonly arch?: string;
  /** Kernel release as `uname -r` prints it, e.g. `4.18.0-147.5.1.el8_1.aarch64`. */
  readonly kernel?: string;
}

export { normalizeArch };

export const BTFHUB_SUFFIX = '.btf.tar.xz';

/** A raw BTF file in BTFHub's layout: what BTFHub's archives hold, and what `corecheck btfgen` writes by default. */
export const RAW_BTF_SUFFIX = '.btf';

/**
 * Info from a path ending `<distro>/<release>/<arch>/<kernel>.btf.tar.xz` (or `.btf`). The three
 * directories are taken only when the arch directory is an architecture name, so an archive lying
 * elsewhere (`/tmp/x.btf.tar.xz`) gets just its kernel release.
 */
export function infoFromBtfHubPath(path: string): KernelInfo {
  const parts = path.split(/[\\/]/).filter((p) => p !== '');
  const file = parts[parts.length - 1] ?? '';
  const suffix = [BTFHUB_SUFFIX, RAW_BTF_SUFFIX].find((x) => file.endsWith(x) && file.length > x.length);
  if (!suffix) return {};
  const kernel = file.slice(0, -suffix.length);
  const [distro, release, arch] = parts.slice(-4, -1);
  if (parts.length < 4 || !isArchName(arch)) return { kernel };
  return { distro, release, arch: normalizeArch(arch), kernel };
}

/** `distro/release/arch/kernel` when all four are known. */
export function btfHubLabel(info: KernelInfo): string | undefined {
  return info.distro && info.release && info.arch && info.kernel ? `${info.distro}/${info.release}/${info.arch}/${info.kernel}` : undefined;
}

/**
 * The name the kernel (and libbpf, printing `in [<name>]`) gives a module from its file: the file
 * name without `.ko` and a compression suffix, dashes as underscores (KBUILD_MODNAME), so
 * `nf-tables.ko.xz` and `/sys/kernel/btf/nf_tables` are both `nf_tables`.
 */
export function moduleNameFromPath(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  return file.replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}
