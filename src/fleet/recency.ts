import { fail } from '../common/errors.js';

/** Reference times per block of the counting tree (2^10): the tree stays small enough for L1. */
const BLOCK_SHIFT = 10;
const WORDS_PER_BLOCK = 1 << (BLOCK_SHIFT - 5);

/** Ranks below this are found by walking back over the latest bitmap words, without the tree. */
const NEAR = 64;

/**
 * Type ids by recency: a reference to a type already referenced is written as its rank among the
 * distinct types referenced since (0 = the latest). Ranks survive what id numbers do not: one type
 * added near the start of a kernel shifts every later id, but leaves the sequence of references,
 * and so the ranks, the same as a sibling kernel's.
 *
 * Each reference has a time (0, 1, ...); a time is live while it is its type's latest reference,
 * and a rank counts live times. Live times are a bitmap, and a Fenwick tree counts them per block
 * of 1024 times, so rank and its inverse are a short tree walk plus popcounts within one block.
 * (A Fenwick tree over single times, as before, was the decoder's hottest spot: ~60 scattered
 * steps per reference over a tree of megabytes.) Most ranks are small (0..15 are over half), and
 * the walk back from the latest word finds those without the tree.
 */
export class RecencyRanks {
  private readonly bits: Int32Array;
  private readonly tree: Int32Array;
  private readonly who: Int32Array;
  private readonly last: Int32Array;
  private readonly topStep: number;
  private now = 0;
  private live = 0;

  /** `maxRefs`: references the kernel can hold at most; `maxId`: highest type id. */
  constructor(maxRefs: number, maxId: number) {
    this.bits = new Int32Array((maxRefs >>> 5) + 1);
    const blocks = (maxRefs >>> BLOCK_SHIFT) + 1;
    this.tree = new Int32Array(blocks + 1);
    this.topStep = 1 << (31 - Math.clz32(blocks));
    this.who = new Int32Array(maxRefs);
    this.last = new Int32Array(maxId + 1).fill(-1);
  }

  /** The rank of `id`, or -1 if it was never referenced (or is out of range). */
  rankOf(id: number): number {
    if (id >= this.last.length) return -1;
    const t = this.last[id];
    return t < 0 ? -1 : this.live - 1 - this.liveBefore(t);
  }

  /** The id at `rank`; the caller checks `rank < this.count` first. */
  idAt(rank: number, what: string): number {
    if (rank >= this.live) fail('MALFORMED', what, -1, `recency rank ${rank} of ${this.live} referenced types`);
    const bits = this.bits;
    if (rank < NEAR) {
      let left = rank;
      for (let w = (this.now - 1) >>> 5; w >= 0; w--) {
        const n = popcount(bits[w]);
        if (left < n) return this.who[(w << 5) + nthSetBit(bits[w], n - 1 - left)];
        left -= n;
      }
    }
    // The block holding the live time with `k` live times before it, then the word within it.
    const tree = this.tree;
    let k = this.live - 1 - rank;
    let block = 0;
    for (let step = this.topStep; step > 0; step >>= 1) {
      if (block + step < tree.length && tree[block + step] <= k) {
        block += step;
        k -= tree[block];
      }
    }
    for (let w = block * WORDS_PER_BLOCK; ; w++) {
      const n = popcount(bits[w]);
      if (k < n) return this.who[(w << 5) + nthSetBit(bits[w], k)];
      k -= n;
    }
  }

  /** Records a reference to `id` (which must be ≤ maxId). */
  touch(id: number, what: string): void {
    if (this.now >= this.who.length || id >= this.last.length) fail('MALFORMED', what, -1, `type reference ${id} beyond the kernel's bounds`);
    const t = this.last[id];
    if (t >= 0) {
      this.bits[t >>> 5] &= ~(1 << (t & 31));
      this.add(t >>> BLOCK_SHIFT, -1);
    } else this.live++;
    const now = this.now;
    this.bits[now >>> 5] |= 1 << (now & 31);
    this.add(now >>> BLOCK_SHIFT, 1);
    this.who[now] = id;
    this.last[id] = now;
    this.now = now + 1;
  }

  /** Live times before time `t`. */
  private liveBefore(t: number): number {
    let s = 0;
    for (let i = t >>> BLOCK_SHIFT; i > 0; i -= i & -i) s += this.tree[i];
    const word = t >>> 5;
    for (let w = (t >>> BLOCK_SHIFT) * WORDS_PER_BLOCK; w < word; w++) s += popcount(this.bits[w]);
    return s + popcount(this.bits[word] & ((1 << (t & 31)) - 1));
  }

  private add(block: number, d: number): void {
    const tree = this.tree;
    for (let i = block + 1; i < tree.length; i += i & -i) tree[i] += d;
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** The bit index of the `n`th (from 0) set bit of `x`, counting from the lowest. */
function nthSetBit(x: number, n: number): number {
  for (; n > 0; n--) x &= x - 1;
  return 31 - Math.clz32(x & -x);
}
