import { fail } from './errors.js';

/** Whether typed arrays hold words in little-endian order here: data in that order can be viewed, not converted. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Bounds-checked, endianness-aware view of a byte range. Every read names the structure it reads,
 * so a truncated or hostile file fails with the structure and the absolute offset, never with a
 * RangeError from DataView.
 */
export class ByteView {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    public littleEndian: boolean,
    /** Offset of `bytes[0]` within the enclosing file, for error messages. */
    readonly base = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Fails unless `[off, off+len)` lies inside the view. */
  need(off: number, len: number, structure: string): void {
    if (off < 0 || len < 0 || off + len > this.bytes.length || !Number.isSafeInteger(off + len)) {
      fail('TRUNCATED', structure, this.base + Math.max(0, Math.min(off, this.bytes.length)),
        `needs ${len} bytes at offset ${this.base + off}, but the data ends at ${this.base + this.bytes.length}`);
    }
  }

  u8(off: number, structure: string): number {
    this.need(off, 1, structure);
    return this.bytes[off];
  }
  u16(off: number, structure: string): number {
    this.need(off, 2, structure);
    return this.view.getUint16(off, this.littleEndian);
  }
  u32(off: number, structure: string): number {
    this.need(off, 4, structure);
    return this.view.getUint32(off, this.littleEndian);
  }
  i32(off: number, structure: string): number {
    this.need(off, 4, structure);
    return this.view.getInt32(off, this.littleEndian);
  }
  u64(off: number, structure: string): bigint {
    this.need(off, 8, structure);
    return this.view.getBigUint64(off, this.littleEndian);
  }
  /** A 64-bit file offset or size as a number; fails if it cannot be exact. */
  u64n(off: number, structure: string): number {
    this.need(off, 8, structure);
    // two 32-bit halves while the value is exact (below 2^53), without a BigInt
    const lo = this.view.getUint32(this.littleEndian ? off : off + 4, this.littleEndian);
    const hi = this.view.getUint32(this.littleEndian ? off + 4 : off, this.littleEndian);
    if (hi < 0x200000) return hi * 0x100000000 + lo;
    const v = this.u64(off, structure);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('MALFORMED', structure, this.base + off, `64-bit value ${v} is out of range`);
    return Number(v);
  }

  /** A sub-view sharing memory; offsets in errors stay absolute. */
  slice(off: number, len: number, structure: string): ByteView {
    this.need(off, len, structure);
    return new ByteView(this.bytes.subarray(off, off + len), this.littleEndian, this.base + off);
  }
}

/**
 * Decodes a NUL-terminated string as Latin-1: one char per byte, so names round-trip byte for byte
 * into output that must equal what C tools print. Returns undefined when no NUL ends it.
 */
export function cString(bytes: Uint8Array, off: number): string | undefined {
  let end = off;
  const n = bytes.length;
  while (end < n && bytes[end] !== 0) end++;
  if (end >= n) return undefined;
  return latin1(bytes, off, end);
}

/** Scratch arrays of `latin1` for short strings, by length (reused: read before `latin1` returns). */
const shortCodes: number[][] = [];

export function latin1(bytes: Uint8Array, start: number, end: number): string {
  // String.fromCharCode over small chunks is much faster than TextDecoder for short names; over
  // the codes in a plain array it beats adding one character at a time (and makes a flat string).
  if (end - start < 64) {
    const codes = (shortCodes[end - start] ??= new Array<number>(end - start).fill(0));
    for (let i = start; i < end; i++) codes[i - start] = bytes[i];
    return String.fromCharCode.apply(null, codes);
  }
  let s = '';
  for (let i = start; i < end; i += 4096) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 4096)) as unknown as number[]);
  }
  return s;
}

/** Encodes a Latin-1 string (as produced by `latin1`) back to bytes. */
export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

export function hex(n: number | bigint): string {
  return '0x' + n.toString(16);
}

/** The arrays one after another, in one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
