import { CorecheckError, fail } from '../common/errors.js';
import { ElfFile, isElf } from '../elf/elf.js';
import { scanForBtf, startsWithBtfMagic } from './btf-scan.js';
import { bzImagePayload } from './bzimage.js';
import { compressionAt, decompressStream, findCompressedStreams } from './decompress.js';

/**
 * Finds the raw BTF in any kernel file, following corpus/REGENERATE.md ("Finding the BTF in a
 * kernel image"): raw BTF as is; an ELF's `.BTF` section (vmlinux of any class and byte order, or
 * a module's split BTF); an x86 bzImage's payload, located by its setup header; a BTF header found
 * by scanning (arm64 `Image`); otherwise each compressed stream found by its magic (s390x,
 * `Image.gz`, a compressed vmlinux), decompressed and searched again. No file system access.
 */
export interface FoundBtf {
  /** The raw BTF: a view into the file or into a decompressed payload. */
  readonly bytes: Uint8Array;
  /** How it was found, e.g. `bzImage xz payload @0x52cc > ELF .BTF section`. */
  readonly method: string;
  /** Offset of `bytes` in the file, or in the decompressed payload when `inPayload`. */
  readonly offset: number;
  /** True when `bytes` comes from a decompressed payload (offsets are then not file offsets). */
  readonly inPayload: boolean;
  /** True for a kernel module's `.BTF`: split BTF, which needs its vmlinux BTF as base. */
  readonly module: boolean;
}

/** Payloads smaller than this are not kernels (extract-vmlinux's rule); a stream at offset 0 is always tried. */
const MIN_PAYLOAD = 1 << 20;

export async function findKernelBtf(bytes: Uint8Array): Promise<FoundBtf> {
  if (bytes.length === 0) fail('MALFORMED', 'file', 0, 'file is empty');
  const direct = findUncompressed(bytes, 0, false);
  if (direct) return direct;

  const bz = bzImagePayload(bytes);
  const bzKind = bz && compressionAt(bytes, bz.offset);
  if (bz && !bzKind) {
    const head = hexBytes(bytes.subarray(bz.offset, bz.offset + 6));
    fail('UNSUPPORTED', 'bzImage payload', bz.offset, `payload compression not supported (starts ${head}); corecheck reads xz, zstd, lz4 and gzip payloads`);
  }
  if (bz && bzKind) {
    const payload = await decompressStream(bzKind, bytes.subarray(bz.offset, bz.offset + bz.length), bz.offset, bz.sizeHint);
    const where = `bzImage ${bzKind} payload @0x${bz.offset.toString(16)}`;
    const found = findUncompressed(payload, bz.offset, true);
    if (!found) fail('NO_BTF', 'bzImage payload', bz.offset, `no BTF in the ${payload.length}-byte decompressed payload (kernel built without CONFIG_DEBUG_INFO_BTF?)`);
    return { ...found, method: `${where} > ${found.method}` };
  }

  const scanned = scanForBtf(bytes);
  if (scanned) return { bytes: scanned.bytes, method: `BTF header found @0x${scanned.at.toString(16)}`, offset: scanned.at, inPayload: false, module: false };

  let firstError: CorecheckError | undefined;
  for (const { at, kind } of findCompressedStreams(bytes)) {
    let payload: Uint8Array;
    try {
      payload = await decompressStream(kind, bytes.subarray(at), at);
    } catch (e) {
      // Most magic-shaped byte runs inside a kernel are not streams; only report if nothing works.
      if (!(e instanceof CorecheckError)) throw e;
      firstError ??= e;
      continue;
    }
    if (at > 0 && payload.length < MIN_PAYLOAD) continue;
    let found: FoundBtf | undefined;
    try {
      found = findUncompressed(payload, at, true);
    } catch (e) {
      // An ELF without .BTF, or a damaged one: another stream may still hold the kernel.
      if (!(e instanceof CorecheckError)) throw e;
      firstError ??= e;
      continue;
    }
    if (found) return { ...found, method: `${kind} payload @0x${at.toString(16)} > ${found.method}` };
  }
  // A file that is one compressed stream (a .ko.xz, an Image.gz) that fails: that error is the useful one.
  if (firstError && compressionAt(bytes, 0)) throw firstError;
  return fail('NO_BTF', 'kernel BTF', 0, `no BTF found: not raw BTF, not ELF, no BTF header and no compressed payload holding BTF (file starts ${hexBytes(bytes.subarray(0, 8))}; kernel built without CONFIG_DEBUG_INFO_BTF?)`);
}

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Raw BTF, an ELF's .BTF, or a scanned BTF header in data that needs no decompression.
 * `at` is where the data starts in the file (for a payload: where its compressed stream starts).
 */
function findUncompressed(b: Uint8Array, at: number, inPayload: boolean): FoundBtf | undefined {
  if (startsWithBtfMagic(b)) return { bytes: b, method: 'raw BTF', offset: 0, inPayload, module: false };
  if (isElf(b)) {
    const elf = new ElfFile(b, inPayload ? 0 : at);
    const sec = elf.section('.BTF');
    const what = inPayload ? `ELF file in the payload at 0x${at.toString(16)}` : 'ELF file';
    if (!sec) fail('NO_BTF', 'ELF section .BTF', inPayload ? at : 0, `${what} has no .BTF section (kernel built without CONFIG_DEBUG_INFO_BTF?)`);
    // Every kernel module has these; vmlinux and plain objects do not.
    const module = elf.section('.gnu.linkonce.this_module') !== undefined || elf.section('.modinfo') !== undefined;
    return { bytes: elf.data(sec), method: 'ELF .BTF section', offset: sec.offset, inPayload, module };
  }
  if (!inPayload) return undefined; // the caller tries bzImage and compressed streams first
  const scanned = scanForBtf(b);
  return scanned && { bytes: scanned.bytes, method: `BTF header found @0x${scanned.at.toString(16)}`, offset: scanned.at, inPayload, module: false };
}
