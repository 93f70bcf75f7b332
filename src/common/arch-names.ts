/**
 * Architecture names as corecheck uses them: `uname -m` names, except arm64 for aarch64. BTFHub
 * uses both `aarch64` and `arm64` directories, Debian `amd64`, `arm64`, `ppc64el`: all map to one
 * name per architecture.
 */
const ARCH_ALIASES: Readonly<Record<string, string>> = {
  aarch64: 'arm64', arm64: 'arm64',
  amd64: 'x86_64', x86_64: 'x86_64',
  ppc64el: 'ppc64le', ppc64le: 'ppc64le',
  s390x: 's390x', riscv64: 'riscv64', loongarch64: 'loongarch64',
  i386: 'i386', i686: 'i386', armhf: 'arm', armv7l: 'arm', mips64el: 'mips64el',
};

/** Whether a name (a BTFHub or Debian directory, `uname -m`) is one corecheck knows as an architecture. */
export const isArchName = (name: string): boolean => name in ARCH_ALIASES;

/** The one name of an architecture (`aarch64` → `arm64`, `amd64` → `x86_64`); unknown names pass through. */
export function normalizeArch(arch: string): string {
  return ARCH_ALIASES[arch] ?? arch;
}

