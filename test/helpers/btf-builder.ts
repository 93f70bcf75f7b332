/**
 * Builds small BTF blobs by hand for tests that need shapes no compiler emits (bad ids, cycles,
 * huge vlen) or a kernel with exactly the types a test names.
 */
export class BtfBuilder {
  private strings: number[] = [0];
  private readonly stringOffsets = new Map<string, number>();
  private words: number[] = [];
  private count = 0;

  constructor(private readonly littleEndian = true) {}

  str(s: string): number {
    if (s === '') return 0;
    const known = this.stringOffsets.get(s);
    if (known !== undefined) return known;
    const off = this.strings.length;
    for (let i = 0; i < s.length; i++) this.strings.push(s.charCodeAt(i) & 0xff);
    this.strings.push(0);
    this.stringOffsets.set(s, off);
    return off;
  }

  /** Appends a raw type record; returns its id. */
  raw(nameOff: number, kind: number, vlen: number, sizeOrType: number, trailer: number[] = [], kflag = false): number {
    this.words.push(nameOff, ((kflag ? 1 : 0) << 31) | (kind << 24) | (vlen & 0xffff), sizeOrType, ...trailer);
    return ++this.count;
  }

  int(name: string, size: number, signed = false): number {
    return this.raw(this.str(name), 1, 0, size, [((signed ? 1 : 0) << 24) | (size * 8)]);
  }
  ptr(type: number): number {
    return this.raw(0, 2, 0, type);
  }
  typedef(name: string, type: number): number {
    return this.raw(this.str(name), 8, 0, type);
  }
  struct(name: string, size: number, members: [string, number, number][]): number {
    return this.raw(this.str(name), 4, members.length, size, members.flatMap(([n, t, bits]) => [this.str(n), t, bits]));
  }
  enumType(name: string, values: [string, number][], size = 4): number {
    return this.raw(this.str(name), 6, values.length, size, values.flatMap(([n, v]) => [this.str(n), v >>> 0]));
  }
  funcProto(ret: number, params: [string, number][]): number {
    return this.raw(0, 13, params.length, ret, params.flatMap(([n, t]) => [this.str(n), t]));
  }
  func(name: string, proto: number, linkage = 1): number {
    return this.raw(this.str(name), 12, linkage, proto);
  }

  build(): Uint8Array {
    const typeLen = this.words.length * 4;
    const strLen = this.strings.length;
    const out = new Uint8Array(24 + typeLen + strLen);
    const dv = new DataView(out.buffer);
    const le = this.littleEndian;
    dv.setUint16(0, 0xeb9f, le);
    out[2] = 1;
    out[3] = 0;
    dv.setUint32(4, 24, le);
    dv.setUint32(8, 0, le);
    dv.setUint32(12, typeLen, le);
    dv.setUint32(16, typeLen, le);
    dv.setUint32(20, strLen, le);
    this.words.forEach((w, i) => dv.setUint32(24 + i * 4, w >>> 0, le));
    out.set(this.strings, 24 + typeLen);
    return out;
  }
}
