import type { KernelInfo } from './kernel-info.js';

/**
 * How tools/build-fleet.mjs groups the corpus kernels into LZMA2 blocks. A block is decoded whole
 * to load any of its kernels, so a group is a trade: more kernels per block share more (smaller
 * store), fewer decode faster. Kernels of one distro, major.minor version and architecture
 * differ by a few hundred types, so they share nearly all their columns.
 */
export function groupKey(info: KernelInfo, by: GroupBy = 'family'): string {
  const version = /^(\d+\.\d+)/.exec(info.kernel ?? '')?.[1] ?? '?';
  if (by === 'kernel') return `${info.distro}/${info.release}/${info.arch}/${info.kernel}`;
  if (by === 'version') return `${info.distro}/${version}`;
  return `${info.distro}/${version}/${info.arch}`;
}

/**
 * `family` (the default): distro, major.minor, architecture. `kernel`: one block per kernel
 * (fastest load, largest store). `version`: all architectures of a release in one block
 * (smallest store, slowest load). The build script takes FLEET_GROUP_BY to measure the others.
 */
export type GroupBy = 'family' | 'kernel' | 'version';

/** xz `--lzma2` options for the blocks (the dictionary size is added per block). */
export const LZMA2_OPTIONS = 'preset=9e';
