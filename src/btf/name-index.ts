/**
 * Name → type ids index over a BTF string table, built without decoding strings: an open-addressing
 * hash table keyed by the bytes of each name (NUL-terminated in the string section), with the ids
 * of one name chained through a typed array. For a 100k-type kernel it takes a few milliseconds and
 * about 1.5 MB: two slots arrays sized to the named types, and one link per type.
 */
/** A name index's arrays, as `NameIndex.parts` gives them and `NameIndex.fromParts` takes them back. */
export interface NameIndexParts {
  /** Per slot: byte offset of the key's first occurrence in the strings + 1 (0 = empty). */
  readonly slotKey: Int32Array;
  /** Per slot: key length, when keys are essential names (prefixes of names). */
  readonly slotLen?: Int32Array;
  /** Per slot: the highest local index with that key. */
  readonly slotHead: Int32Array;
  /** Per local index: the previous (lower) local index with the same key, or -1. */
  readonly prev: Int32Array;
}

export class NameIndex {
  private readonly slotKey: Int32Array;
  private readonly slotLen?: Int32Array;
  private readonly slotHead: Int32Array;
  private readonly prev: Int32Array;
  private readonly mask: number;

  private constructor(private readonly strings: Uint8Array, private readonly firstId: number, parts: NameIndexParts) {
    this.slotKey = parts.slotKey;
    this.slotLen = parts.slotLen;
    this.slotHead = parts.slotHead;
    this.prev = parts.prev;
    this.mask = parts.slotKey.length - 1;
  }

  /**
   * @param strings bytes holding NUL-terminated names
   * @param firstId id of local index 0
   * @param nameStarts per local index, the byte offset in `strings` of its name, or -1 when it has
   *   none (or is left out)
   * @param named how many entries of `nameStarts` are not -1
   * @param essential key each name by its CO-RE essential name (`task_struct___v2` is found under
   *   `task_struct`; the rule of `essentialNameLength`) instead of the whole name
   */
  static build(strings: Uint8Array, firstId: number, nameStarts: Int32Array, named: number, essential: boolean): NameIndex {
    const count = nameStarts.length;
    let size = 16;
    while (size < named + (named >>> 1)) size <<= 1;
    const mask = size - 1;
    const slotKey = new Int32Array(size);
    const slotHead = new Int32Array(size);
    const prev = new Int32Array(count).fill(-1);
    const slotLen = essential ? new Int32Array(size) : undefined;
    const b = strings;
    for (let i = 0; i < count; i++) {
      const start = nameStarts[i];
      if (start < 0) continue;
      // FNV-1a over the key, in one forward pass: for an essential key, the hash as it stood at
      // the last flavor separator ("X___Y", X and Y not underscores) seen, if any
      let h = 0x811c9dc5;
      let len = -1;
      if (essential) {
        let cutHash = 0;
        let cut = -1;
        let j = start;
        for (let c = b[j]; c !== 0; c = b[++j]) {
          if (c === 0x5f && j > start && b[j + 1] === 0x5f && b[j + 2] === 0x5f && b[j - 1] !== 0x5f && b[j + 3] !== 0x5f && b[j + 3] !== 0) {
            cut = j - start;
            cutHash = h;
          }
          h = Math.imul(h ^ c, 0x01000193);
        }
        len = j - start;
        if (cut >= 0) {
          len = cut;
          h = cutHash;
        }
      } else {
        for (let j = start, c = b[j]; c !== 0; c = b[++j]) h = Math.imul(h ^ c, 0x01000193);
      }
      let slot = h & mask;
      for (;;) {
        const k = slotKey[slot];
        if (k === 0) {
          slotKey[slot] = start + 1;
          if (slotLen) slotLen[slot] = len;
          slotHead[slot] = i;
          break;
        }
        if (len >= 0 ? slotLen![slot] === len && samePrefix(b, k - 1, start, len) : sameName(b, k - 1, start)) {
          prev[i] = slotHead[slot];
          slotHead[slot] = i;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    return new NameIndex(strings, firstId, { slotKey, slotLen, slotHead, prev });
  }

  /**
   * An index from arrays that `parts` gave (read back from a cache). Checks what lookups rely on
   * to end and stay in range, and returns a reason when the parts cannot be an index for `count`
   * local types over `strings`; `check` false takes them as they are (arrays known to be `parts()`'s).
   */
  static fromParts(strings: Uint8Array, firstId: number, count: number, parts: NameIndexParts, check = true): NameIndex | string {
    if (!check) return new NameIndex(strings, firstId, parts);
    const { slotKey, slotLen, slotHead, prev } = parts;
    const size = slotKey.length;
    if (size < 16 || (size & (size - 1)) !== 0) return `name index has ${size} slots, not a power of two of at least 16`;
    if (slotHead.length !== size || (slotLen && slotLen.length !== size)) return 'name index slot arrays differ in length';
    if (prev.length !== count) return `name index covers ${prev.length} types, the BTF has ${count}`;
    let empty = 0;
    let bad = -1;
    for (let s = 0; s < size; s++) {
      const k = slotKey[s];
      if (k === 0) empty++;
      else if (k < 0 || k > strings.length || slotHead[s] < 0 || slotHead[s] >= count) bad = s;
    }
    if (slotLen) {
      for (let s = 0; s < size; s++) if (slotKey[s] !== 0 && (slotLen[s] < 0 || slotKey[s] - 1 + slotLen[s] > strings.length)) bad = s;
    }
    if (bad >= 0) return `name index slot ${bad} is out of range`;
    // a lookup probes until an empty slot, and follows `prev` down to -1
    if (empty === 0) return 'name index has no empty slot';
    for (let i = 0; i < count; i++) {
      const p = prev[i];
      if (p < -1 || p >= i) return `name index link ${i} does not go down`;
    }
    return new NameIndex(strings, firstId, parts);
  }

  /** The index's arrays (for `fromParts`). */
  parts(): NameIndexParts {
    return { slotKey: this.slotKey, slotLen: this.slotLen, slotHead: this.slotHead, prev: this.prev };
  }

  /** Ids named exactly `name` (a Latin-1 string), ascending. */
  lookup(name: string): number[] {
    let h = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ (name.charCodeAt(i) & 0xff), 0x01000193);
    let slot = (h >>> 0) & this.mask;
    for (;;) {
      const k = this.slotKey[slot];
      if (k === 0) return [];
      const hit = this.slotLen
        ? this.slotLen[slot] === name.length && stringEqualsPrefix(name, this.strings, k - 1)
        : stringEqualsName(name, this.strings, k - 1);
      if (hit) {
        const ids: number[] = [];
        for (let i = this.slotHead[slot]; i >= 0; i = this.prev[i]) ids.push(i + this.firstId);
        return ids.reverse();
      }
      slot = (slot + 1) & this.mask;
    }
  }
}

/** Whether the NUL-terminated names at `a` and `c` are equal. */
function sameName(b: Uint8Array, a: number, c: number): boolean {
  if (a === c) return true;
  for (;;) {
    const x = b[a++];
    if (x !== b[c++]) return false;
    if (x === 0) return true;
  }
}

function samePrefix(b: Uint8Array, a: number, c: number, len: number): boolean {
  if (a === c) return true;
  for (let i = 0; i < len; i++) if (b[a + i] !== b[c + i]) return false;
  return true;
}

function stringEqualsPrefix(s: string, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== b[at + i]) return false;
  return true;
}

function stringEqualsName(s: string, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== b[at + i]) return false;
  return b[at + s.length] === 0;
}
