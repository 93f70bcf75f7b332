import { fail } from '../common/errors.js';

/**
 * The x86 boot protocol's setup header (Documentation/arch/x86/boot.rst). From protocol 2.08 on it
 * names the compressed kernel inside a bzImage: `payload_offset` (0x248) and `payload_length`
 * (0x24c), counted from the protected-mode code, which starts after the `setup_sects` + 1 setup
 * sectors. The kernel build appends the decompressed size as a little-endian u32 to the payload
 * (size_append), which the decoders use to allocate their output once.
 */
export interface BzImagePayload {
  readonly offset: number;
  readonly length: number;
  /** The payload's last four bytes read as the decompressed size (a hint: decoders check it). */
  readonly sizeHint: number;
}

const SETUP_SECTS = 0x1f1;
const HEADER_MAGIC = 0x202; // "HdrS"
const VERSION = 0x206;
const KERNEL_VERSION = 0x20e;
const XLOADFLAGS = 0x236;
const PAYLOAD_OFFSET = 0x248;
const PAYLOAD_LENGTH = 0x24c;

export function isBzImage(b: Uint8Array): boolean {
  return b.length >= 0x250 && b[HEADER_MAGIC] === 0x48 && b[HEADER_MAGIC + 1] === 0x64 && b[HEADER_MAGIC + 2] === 0x72 && b[HEADER_MAGIC + 3] === 0x53;
}

/** The compressed payload, or undefined for protocols before 2.08 (no payload fields). */
export function bzImagePayload(b: Uint8Array): BzImagePayload | undefined {
  if (!isBzImage(b) || u16(b, VERSION) < 0x208) return undefined;
  const setupSects = b[SETUP_SECTS] || 4; // 0 means 4 (old boot loaders' convention)
  const offset = (setupSects + 1) * 512 + u32(b, PAYLOAD_OFFSET);
  const length = u32(b, PAYLOAD_LENGTH);
  if (length < 4 || offset + length > b.length) {
    fail('TRUNCATED', 'bzImage payload', Math.min(offset, b.length), `setup header puts a ${length}-byte payload at ${offset}, past the end of the ${b.length}-byte image`);
  }
  return { offset, length, sizeHint: u32(b, offset + length - 4) };
}

/** The kernel release from the setup header's version string ("6.1.0-57-amd64 (debian-kernel@...) #1 ..."). */
export function bzImageRelease(b: Uint8Array): string | undefined {
  if (!isBzImage(b) || u16(b, VERSION) < 0x200) return undefined;
  const ptr = u16(b, KERNEL_VERSION);
  if (ptr === 0) return undefined;
  const at = ptr + 0x200;
  let end = at;
  while (end < b.length && end < at + 256 && b[end] !== 0 && b[end] !== 0x20) end++;
  if (end === at || end >= b.length || end === at + 256) return undefined;
  let s = '';
  for (let i = at; i < end; i++) s += String.fromCharCode(b[i]);
  return /^[\x21-\x7e]+$/.test(s) ? s : undefined;
}

/** x86_64 when the setup header's xloadflags say the kernel is 64-bit (protocol 2.12+), i386 when they say it is not. */
export function bzImageArch(b: Uint8Array): string | undefined {
  if (!isBzImage(b) || u16(b, VERSION) < 0x20c) return undefined;
  return b[XLOADFLAGS] & 1 ? 'x86_64' : 'i386';
}

function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}
