/**
 * The fleet store file, version 3. All integers in the index are LEB128 varints; the two header
 * words are little-endian u32.
 *
 *   0  "CCFLEET3"                      magic and version
 *   8  u32 index length L
 *  12  u32 CRC-32 of the index         a flipped index byte is caught before any offset is trusted
 *  16  index (L bytes)
 *  16+L blocks: one Brotli stream (RFC 7932) per group of similar kernels
 *
 * Index: group count, then per group {packed offset (from the end of the index), packed length,
 * unpacked length}; kernel count, then per kernel {label, distro, release, arch, kernel, group, raw
 * BTF length, CRC-32 of the raw BTF, mode, parts}. A part is {offset, length} in the group's
 * unpacked block. Part 0 of every kernel is the strings it adds to its group's pool (string-pool.ts):
 * a kernel's pool is part 0 of each kernel of its group, in index order, up to and including its
 * own. Mode 0 (`raw`) then has one part, the BTF as it is; mode 1 (`columns`) has eight: header,
 * info, names, refs, new refs, named refs, vals (btf-columns.ts) and the string ids into the pool.
 *
 * An unpacked block is its kernels one after another, each kernel's parts in order, so sibling
 * kernels' columns are within the codec's 16 MiB window of each other. The reader is given the
 * block decoder (`BlockDecoder`): Node's native Brotli in the CLI, any Brotli decoder elsewhere.
 * Versions 1 and 2 used raw LZMA2, decoded by corecheck's own JavaScript decoder; Brotli packs the
 * 35 corpus kernels 1.5% larger and decodes them about nine times faster.
 */
export const FLEET_MAGIC = 'CCFLEET3';
export const FLEET_HEADER_SIZE = 16;

export const MODE_RAW = 0;
export const MODE_COLUMNS = 1;

/** Parts per kernel by mode. */
export const PART_COUNT: Readonly<Record<number, number>> = { [MODE_RAW]: 2, [MODE_COLUMNS]: 9 };

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
}

export interface FleetKernelEntry extends Omit<FleetKernelInfo, 'block'> {
  readonly group: number;
  readonly crc: number;
  readonly mode: number;
  /** [offset, length] pairs in the group's unpacked block. */
  readonly parts: readonly (readonly [number, number])[];
}
