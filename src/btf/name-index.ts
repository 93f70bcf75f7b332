/**
 * Name → type ids index over a BTF string table, built without decoding strings: an open-addressing
 * hash table keyed by the name's bytes, with ids chained in ascending order through typed arrays.
 * Building it for a 500k-type kernel takes a few milliseconds and a few MB.
 */
export class NameIndex {
  private readonly slotKey: Int32Array; // byte offset of the key's first occurrence + 1 (0 = empty)
  private readonly slotKeyLen: Int32Array;
  private readonly slotHead: Int32Array;
  private readonly slotTail: Int32Array;
  private readonly next: Int32Array; // per local id: the next id with the same key, or -1
  private readonly mask: number;

  /**
   * @param strings the bytes holding the names
   * @param firstId id of the first entry in `keyStart`
   * @param keyStart per id, byte offset in `strings` of its name, or -1 for no name
   * @param keyLen per id, how many bytes of the name form the key
   */
  constructor(
    private readonly strings: Uint8Array,
    private readonly firstId: number,
    keyStart: Int32Array,
    keyLen: Int32Array,
  ) {
    const n = keyStart.length;
    let size = 16;
    while (size < n * 2) size <<= 1;
    this.mask = size - 1;
    this.slotKey = new Int32Array(size);
    this.slotKeyLen = new Int32Array(size);
    this.slotHead = new Int32Array(size);
    this.slotTail = new Int32Array(size);
    this.next = new Int32Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const start = keyStart[i];
      if (start < 0) continue;
      const len = keyLen[i];
      let slot = hashBytes(strings, start, len) & this.mask;
      for (;;) {
        const k = this.slotKey[slot];
        if (k === 0) {
          this.slotKey[slot] = start + 1;
          this.slotKeyLen[slot] = len;
          this.slotHead[slot] = i;
          this.slotTail[slot] = i;
          break;
        }
        if (this.slotKeyLen[slot] === len && bytesEqual(strings, k - 1, start, len)) {
          this.next[this.slotTail[slot]] = i;
          this.slotTail[slot] = i;
          break;
        }
        slot = (slot + 1) & this.mask;
      }
    }
  }

  /** Ids whose key equals `name` (a Latin-1 string), ascending. */
  lookup(name: string): number[] {
    let slot = hashString(name) & this.mask;
    for (;;) {
      const k = this.slotKey[slot];
      if (k === 0) return [];
      if (this.slotKeyLen[slot] === name.length && stringEqualsBytes(name, this.strings, k - 1)) {
        const ids: number[] = [];
        for (let i = this.slotHead[slot]; i >= 0; i = this.next[i]) ids.push(i + this.firstId);
        return ids;
      }
      slot = (slot + 1) & this.mask;
    }
  }
}

// FNV-1a over bytes; the string variant must agree on Latin-1 text.
function hashBytes(b: Uint8Array, start: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = start, end = start + len; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ (s.charCodeAt(i) & 0xff), 0x01000193);
  return h >>> 0;
}

function bytesEqual(b: Uint8Array, a: number, c: number, len: number): boolean {
  if (a === c) return true;
  for (let i = 0; i < len; i++) if (b[a + i] !== b[c + i]) return false;
  return true;
}

function stringEqualsBytes(s: string, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== b[at + i]) return false;
  return true;
}

/** Length of a NUL-terminated name starting at `start`. */
export function cStringLength(b: Uint8Array, start: number): number {
  let end = start;
  while (b[end] !== 0) end++;
  return end - start;
}
