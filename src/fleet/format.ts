/**
 * The fleet store file, version 1. All integers in the index are LEB128 varints; the two header
 * words are little-endian u32.
 *
 *   0  "CCFLEET1"                      magic and version
 *   8  u32 index length L
 *  12  u32 CRC-32 of the index         a flipped index byte is caught before any offset is trusted
 *  16  index (L bytes)
 *  16+L blocks: one raw LZMA2 stream per group of similar kernels
 *
 * Index: group count, then per group {packed offset (from the end of the index), packed length,
 * unpacked length, string pool offset, string pool length}; kernel count, then per kernel {label,
 * distro, release, arch, kernel, group, raw BTF length, CRC-32 of the raw BTF, mode, parts}. Mode 0
 * (`raw`) has one part, the BTF as it is; mode 1 (`columns`) has eight: header, info, names,
 * refs, new refs, named refs, vals (btf-columns.ts) and the string ids into the group's pool (string-pool.ts). A part is {offset, length} in
 * the group's unpacked block.
 *
 * An unpacked block is the pool, then each column of every kernel of the group, column by column
 * (all headers, all info columns, ...), then raw-mode kernels: equal columns of sibling kernels
 * sit next to each other, where LZMA2 finds them with short distances.
 */
export const FLEET_MAGIC = 'CCFLEET1';
export const FLEET_HEADER_SIZE = 16;

export const MODE_RAW = 0;
export const MODE_COLUMNS = 1;

/** Parts per kernel by mode. */
export const PART_COUNT: Readonly<Record<number, number>> = { [MODE_RAW]: 1, [MODE_COLUMNS]: 8 };

/** What the index says of one kernel, without loading it. */
export interface FleetKernelInfo {
  /** `distro/release/arch/kernel`, arch normalized (aarch64 → arm64). */
  readonly label: string;
  readonly distro: string;
  readonly release: string;
  readonly arch: string;
  readonly kernel: string;
  /** Size of the raw BTF that `load` returns. */
  readonly btfBytes: number;
  /** The block holding the kernel: loading kernels of one block in a row decodes it once. */
  readonly block: number;
}

export interface FleetGroupEntry {
  readonly packedOffset: number;
  readonly packedLength: number;
  readonly unpackedLength: number;
  readonly poolOffset: number;
  readonly poolLength: number;
}

export interface FleetKernelEntry extends Omit<FleetKernelInfo, 'block'> {
  readonly group: number;
  readonly crc: number;
  readonly mode: number;
  /** [offset, length] pairs in the group's unpacked block. */
  readonly parts: readonly (readonly [number, number])[];
}
