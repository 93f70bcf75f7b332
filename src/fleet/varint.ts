import { fail } from '../common/errors.js';

/**
 * LEB128 unsigned varints, the store's only integer encoding: BTF fields are mostly small (kinds,
 * member counts, id distances), so a varint column is 2-3x smaller than the u32 words it replaces,
 * and a block decoder's time grows with the bytes it has to produce.
 */
export class VarintWriter {
  private buf = new Uint8Array(1 << 16);
  private len = 0;

  u32(v: number): void {
    if (this.len + 5 > this.buf.length) this.grow(5);
    let x = v >>> 0;
    while (x >= 0x80) {
      this.buf[this.len++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    this.buf[this.len++] = x;
  }

  /** A signed difference, zigzag-mapped so small negative values stay short. */
  i32(v: number): void {
    this.u32(((v << 1) ^ (v >> 31)) >>> 0);
  }

  bytes(b: Uint8Array): void {
    if (this.len + b.length > this.buf.length) this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  get length(): number {
    return this.len;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private grow(need: number): void {
    let n = this.buf.length * 2;
    while (n < this.len + need) n *= 2;
    const b = new Uint8Array(n);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
}

/** Reads varints from `bytes[pos..end)`; running past `end` is a CorecheckError naming `what`. */
export class VarintReader {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
    /** The structure read, for errors, e.g. `fleet store index`. */
    readonly what: string,
    /** Where `bytes[0]` sits in the store file, so errors give store offsets. */
    readonly base = 0,
  ) {}

  u32(): number {
    const b = this.bytes;
    // Most column values fit one byte.
    if (this.pos < this.end && b[this.pos] < 0x80) return b[this.pos++];
    let x = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) fail('TRUNCATED', this.what, this.base + this.pos, 'varint runs past the end of its data');
      const c = b[this.pos++];
      if (shift === 28 && c > 0x0f) fail('MALFORMED', this.what, this.base + this.pos - 1, 'varint does not fit in 32 bits');
      x |= (c & 0x7f) << shift;
      if (c < 0x80) return x >>> 0;
      shift += 7;
    }
  }

  /** Steps over one varint (its value is not wanted). */
  skip(): void {
    const b = this.bytes;
    while (this.pos < this.end && b[this.pos] >= 0x80) this.pos++;
    if (this.pos >= this.end) fail('TRUNCATED', this.what, this.base + this.pos, 'varint runs past the end of its data');
    this.pos++;
  }

  i32(): number {
    const z = this.u32();
    return (z >>> 1) ^ -(z & 1);
  }

  bytesOf(n: number): Uint8Array {
    if (n > this.end - this.pos) fail('TRUNCATED', this.what, this.base + this.pos, `${n} bytes run past the end of its data`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A length-prefixed ASCII/Latin-1 string (labels, distro names). */
  text(): string {
    const b = this.bytesOf(this.u32());
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return s;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }
}

/**
 * Every varint of `bytes` (a whole column), decoded in one loop: for a column read more than once
 * (a BTF's info and names columns, walked before its types are rebuilt and again while they are).
 * A varint that runs past the end or past 32 bits is a CorecheckError naming `what`.
 */
export function decodeVarints(bytes: Uint8Array, what: string): Uint32Array {
  const end = bytes.length;
  // Every varint then ends before `end`, at its first byte below 0x80.
  if (end > 0 && bytes[end - 1] >= 0x80) fail('TRUNCATED', what, end, 'varint runs past the end of its data');
  // Room for one value per byte, not counted first: a count was a pass over the column as long as
  // the decoding itself, and the unused room is never touched.
  const out = new Uint32Array(end);
  let n = 0;
  for (let pos = 0; pos < end; ) {
    // Unrolled: a loop per byte (with its shift test) cost an eighth more.
    let c = bytes[pos++];
    let x = c & 0x7f;
    if (c >= 0x80) {
      c = bytes[pos++];
      x |= (c & 0x7f) << 7;
      if (c >= 0x80) {
        c = bytes[pos++];
        x |= (c & 0x7f) << 14;
        if (c >= 0x80) {
          c = bytes[pos++];
          x |= (c & 0x7f) << 21;
          if (c >= 0x80) {
            c = bytes[pos++];
            if (c > 0x0f) fail('MALFORMED', what, pos - 1, 'varint does not fit in 32 bits');
            x |= c << 28;
          }
        }
      }
    }
    out[n++] = x;
  }
  return out.subarray(0, n);
}

/** How many varints `bytes` holds: each ends in the one byte of it below 0x80. */
export function countVarints(bytes: Uint8Array): number {
  let count = 0;
  // Branch-free: columns mix one- and several-byte varints, a test per byte is mispredicted often.
  for (let i = 0; i < bytes.length; i++) count += (bytes[i] >>> 7) ^ 1;
  return count;
}
