import type { KernelInfo } from './kernel-info.js';

/**
 * How tools/build-fleet.mjs groups the corpus kernels into blocks. A load decodes its whole block
 * (format.ts), so grouping trades size for load time: the more kernels share a block, the more
 * strings and columns are stored once, and the more bytes a load decodes.
 *
 * The default, `series`, puts every kernel of one release series in a block, whatever the distro
 * and architecture (their strings are nearly the same): 5.10, 6.1, 6.12 and 7.2, and the BTFHub
 * 4.18/4.19 kernels (CentOS, BCLinux, Kylin) as one 4.x series. Measured on the 35 corpus kernels
 * with xz preset 9e (store version 1): `series` 11.51 MB; the same with 4.18 and 4.19 apart and
 * each distro's 4.19 apart 12.41 MB; `family` (distro, major.minor, architecture) 17.58 MB;
 * `kernel` (a block per kernel, fastest loads) about as large as the archives. Version 2 (LZMA2,
 * kernel by kernel) made `series` 11.81 MB, version 3 (Brotli) 11.99 MB.
 */
export function groupKey(info: KernelInfo, by: GroupBy = 'series'): string {
  const [major, minor] = (info.kernel ?? '?.?').split(/[.-]/);
  if (by === 'kernel') return `${info.distro}/${info.release}/${info.arch}/${info.kernel}`;
  if (by === 'family') return `${info.distro}/${major}.${minor}/${info.arch}`;
  return Number(major) < 5 ? `${major}.x` : `${major}.${minor}`;
}

export type GroupBy = 'series' | 'family' | 'kernel';
