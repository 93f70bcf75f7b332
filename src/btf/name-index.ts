/**
 * Name → type ids index over a BTF string table, built without decoding strings: an open-addressing
 * hash table keyed by the bytes of each name (NUL-terminated in the string section), with the ids
 * of one name chained through a typed array. For a 100k-type kernel it takes a few milliseconds and
 * about 1.5 MB: two slots arrays sized to the named types, and one link per type.
 */
export class NameIndex {
  private readonly slotKey: Int32Array; // byte offset of the name's first occurrence + 1 (0 = empty)
  private readonly slotLen?: Int32Array; // key length, when keys are prefixes of names
  private readonly slotHead: Int32Array; // most recently added local index with that name
  private readonly prev: Int32Array; // per local index: the previous (lower) index with the same name, or -1
  private readonly mask: number;

  /**
   * @param strings bytes holding NUL-terminated names
   * @param firstId id of local index 0
   * @param nameStarts per local index, the byte offset in `strings` of its name, or -1 when it has
   *   none (or is left out)
   * @param essential key each name by its CO-RE essential name (`task_struct___v2` is found under
   *   `task_struct`; the rule of `essentialNameLength`) instead of the whole name
   */
  constructor(
    private readonly strings: Uint8Array,
    private readonly firstId: number,
    nameStarts: Int32Array,
    essential = false,
  ) {
    const count = nameStarts.length;
    let named = 0;
    for (let i = 0; i < count; i++) if (nameStarts[i] >= 0) named++;
    let size = 16;
    while (size < named + (named >>> 1)) size <<= 1;
    this.mask = size - 1;
    this.slotKey = new Int32Array(size);
    this.slotHead = new Int32Array(size);
    this.prev = new Int32Array(count);
    if (essential) this.slotLen = new Int32Array(size);
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
        for (; b[j] !== 0; j++) {
          if (j - start >= 1 && b[j] === 0x5f && b[j - 1] !== 0x5f && b[j + 1] === 0x5f && b[j + 2] === 0x5f && b[j + 3] !== 0x5f && b[j + 3] !== 0) {
            cut = j - start;
            cutHash = h;
          }
          h = Math.imul(h ^ b[j], 0x01000193);
        }
        len = j - start;
        if (cut >= 0) {
          len = cut;
          h = cutHash;
        }
      } else {
        for (let j = start; b[j] !== 0; j++) h = Math.imul(h ^ b[j], 0x01000193);
      }
      let slot = (h >>> 0) & this.mask;
      for (;;) {
        const k = this.slotKey[slot];
        if (k === 0) {
          this.slotKey[slot] = start + 1;
          if (this.slotLen) this.slotLen[slot] = len;
          this.slotHead[slot] = i;
          this.prev[i] = -1;
          break;
        }
        if (len >= 0 ? this.slotLen![slot] === len && samePrefix(b, k - 1, start, len) : sameName(b, k - 1, start)) {
          this.prev[i] = this.slotHead[slot];
          this.slotHead[slot] = i;
          break;
        }
        slot = (slot + 1) & this.mask;
      }
    }
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
