import { ByteView } from '../common/bytes.js';
import { CorecheckError, fail } from '../common/errors.js';
import { EM_BPF, ET_REL, ElfFile, isElf } from '../elf/elf.js';
import { compressionAt, decompressStream, findCompressedStreams } from './decompress.js';

/** Where a kernel's BTF was found, for reports: e.g. `bzImage xz payload @0x52cc > ELF .BTF`. */
export interface FoundBtf {
  readonly bytes: Uint8Array;
  readonly method: string;
  /** True when the BTF came from a kernel module (a `.ko`, whose BTF is split BTF on vmlinux). */
  readonly fromKernelModule: boolean;
}

const MIB = 1 << 20;

/**
 * Finds the raw BTF in any kernel file, following corpus/REGENERATE.md: raw BTF as is; an ELF's
 * `.BTF` section; an x86 bzImage's payload (boot protocol header); otherwise a BTF header found by
 * scanning (arm64 `Image`, s390x); otherwise each compressed stream found by its magic, decompressed
 * and searched again. No file system access: the caller passes the bytes.
 */
export async function findKernelBtf(bytes: Uint8Array): Promise<FoundBtf> {
  const found = await findIn(bytes, 0, 0);
  if (!found) fail('NOT_FOUND', 'kernel BTF', 0, 'no BTF found: not raw BTF, no ELF .BTF section, and no BTF in any compressed payload (was the kernel built with CONFIG_DEBUG_INFO_BTF?)');
  return found;
}

async function findIn(bytes: Uint8Array, fileOffset: number, depth: number): Promise<FoundBtf | undefined> {
  if (bytes.length < 4) fail('TRUNCATED', 'kernel file', fileOffset, `only ${bytes.length} bytes`);
  if (isBtfMagic(bytes, 0)) return { bytes, method: 'raw BTF', fromKernelModule: false };
  if (isElf(bytes)) {
    const elf = new ElfFile(bytes, fileOffset);
    const sec = elf.section('.BTF');
    // Modules are relocatable ELF files of the kernel's machine with a .modinfo section.
    const module = elf.type === ET_REL && elf.machine !== EM_BPF && elf.section('.modinfo') !== undefined;
    if (sec) return { bytes: elf.data(sec), method: 'ELF .BTF section', fromKernelModule: module };
    if (depth === 0) fail('NOT_FOUND', 'ELF section .BTF', fileOffset, 'ELF file has no .BTF section');
    return undefined;
  }
  const payload = bzImagePayload(bytes);
  if (payload) {
    const kind = compressionAt(bytes, payload.offset);
    const data = bytes.subarray(payload.offset, payload.offset + payload.length);
    const inner = kind ? await decompressStream(kind, data, fileOffset + payload.offset, true) : data;
    const found = await findIn(inner, 0, depth + 1);
    if (found) return { ...found, method: `bzImage ${kind ?? 'uncompressed'} payload @0x${payload.offset.toString(16)} > ${found.method}` };
  }
  const scanned = scanForBtf(bytes);
  if (scanned) return { bytes: scanned.bytes, method: `BTF header found @0x${scanned.at.toString(16)}`, fromKernelModule: false };
  if (depth > 1) return undefined;
  for (const { at, kind } of findCompressedStreams(bytes)) {
    let inner: Uint8Array;
    try {
      inner = await decompressStream(kind, bytes.subarray(at), fileOffset + at, true);
    } catch (e) {
      if (e instanceof CorecheckError) continue; // a magic-shaped run that is not a stream
      throw e;
    }
    if (inner.length < MIB) continue;
    const found = await findIn(inner, 0, depth + 1);
    if (found) return { ...found, method: `${kind} payload @0x${at.toString(16)} > ${found.method}` };
  }
  return undefined;
}

function isBtfMagic(b: Uint8Array, at: number): boolean {
  return (b[at] === 0x9f && b[at + 1] === 0xeb) || (b[at] === 0xeb && b[at + 1] === 0x9f);
}

/** The x86 boot protocol (≥ 2.08) names the compressed payload: `payload_offset`/`payload_length`. */
function bzImagePayload(b: Uint8Array): { offset: number; length: number } | undefined {
  if (b.length < 0x250 || b[0x202] !== 0x48 || b[0x203] !== 0x64 || b[0x204] !== 0x72 || b[0x205] !== 0x53) return undefined; // "HdrS"
  const v = new ByteView(b, true);
  const version = v.u16(0x206, 'bzImage setup header');
  if (version < 0x208) return undefined;
  const setupSects = b[0x1f1] || 4;
  const offset = (setupSects + 1) * 512 + v.u32(0x248, 'bzImage payload_offset');
  const length = v.u32(0x24c, 'bzImage payload_length');
  if (offset + length > b.length) fail('TRUNCATED', 'bzImage payload', offset, `payload of ${length} bytes runs past the end of the image (${b.length} bytes)`);
  return { offset, length };
}

/**
 * A BTF header anywhere in the data (either byte order): version 1, flags 0, hdr_len 24,
 * type_off 0, strings after types, string section starting and ending with NUL, all inside the
 * data. The largest such blob wins (small blobs can be module or test BTF).
 */
export function scanForBtf(b: Uint8Array): { at: number; bytes: Uint8Array } | undefined {
  let best: { at: number; bytes: Uint8Array } | undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let pos = b.indexOf(0x9f); pos >= 0; pos = b.indexOf(0x9f, pos + 1)) {
    // Little-endian headers start `9f eb 01 00`; big-endian ones `eb 9f 01 00`, one byte earlier.
    let le: boolean;
    let at: number;
    if (b[pos + 1] === 0xeb && b[pos + 2] === 1 && b[pos + 3] === 0) {
      le = true;
      at = pos;
    } else if (pos > 0 && b[pos - 1] === 0xeb && b[pos + 1] === 1 && b[pos + 2] === 0) {
      le = false;
      at = pos - 1;
    } else continue;
    if (at + 24 > b.length) break;
    if (dv.getUint32(at + 4, le) !== 24 || dv.getUint32(at + 8, le) !== 0) continue;
    const typeLen = dv.getUint32(at + 12, le);
    const strOff = dv.getUint32(at + 16, le);
    const strLen = dv.getUint32(at + 20, le);
    const total = 24 + strOff + strLen;
    if (strOff < typeLen || strLen === 0 || at + total > b.length) continue;
    if (b[at + 24 + strOff] !== 0 || b[at + total - 1] !== 0) continue;
    if (!best || total > best.bytes.length) best = { at, bytes: b.subarray(at, at + total) };
  }
  return best;
}
