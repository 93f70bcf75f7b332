import { StringTable } from '../../src/btf/string-table.js';
import { assembleBtf } from '../../src/btf/writer.js';

/**
 * Builds small BTF blobs by hand for tests that need shapes no compiler emits (bad ids, cycles,
 * huge vlen) or a kernel with exactly the types a test names. Well-formed types are better built
 * with `BtfWriter`; this writes raw records, whatever their fields hold.
 */
export class BtfBuilder {
  private readonly strings = new StringTable();
  private words: number[] = [];
  private count = 0;

  constructor(private readonly littleEndian = true) {}

  str(s: string): number {
    return this.strings.add(s);
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
    return assembleBtf({ littleEndian: this.littleEndian, types: Uint32Array.from(this.words, (w) => w >>> 0), strings: this.strings.section() });
  }
}
