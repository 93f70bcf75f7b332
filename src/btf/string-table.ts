import { fail } from '../common/errors.js';

/**
 * A BTF string section being written: each distinct name is stored once, NUL-terminated, and
 * addressed by its offset. Names are Latin-1 text, as `Btf` decodes them, so every character is
 * one byte. A base table starts with the empty string at offset 0 (libbpf and the kernel require
 * it); a split BTF's table continues its base's offsets and names '' by the base's offset 0.
 */
export class StringTable {
  private bytes = new Uint8Array(256);
  private used = 0;
  private readonly offsets = new Map<string, number>();

  /** @param firstOffset the offset of this table's first byte: 0, or a split BTF's `base.strEnd`. */
  constructor(readonly firstOffset = 0) {
    this.offsets.set('', 0);
    if (firstOffset === 0) this.used = 1; // the empty string's NUL
  }

  /** The offset of `s`, added now if it is new. */
  add(s: string): number {
    const known = this.offsets.get(s);
    if (known !== undefined) return known;
    this.reserve(s.length + 1);
    const at = this.used;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff || c === 0) fail('MALFORMED', 'BTF string', -1, `name ${JSON.stringify(s)} has a character that is not a non-NUL Latin-1 byte`);
      this.bytes[at + i] = c;
    }
    this.bytes[at + s.length] = 0;
    this.used += s.length + 1;
    const off = this.firstOffset + at;
    this.offsets.set(s, off);
    return off;
  }

  /** Bytes of the section so far (a view: copy it before adding more). */
  section(): Uint8Array {
    return this.bytes.subarray(0, this.used);
  }

  private reserve(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + n));
    grown.set(this.bytes.subarray(0, this.used));
    this.bytes = grown;
  }
}
