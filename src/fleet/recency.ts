import { fail } from '../common/errors.js';

/** Reference times per block (2^10, 32 bitmap words), and per group of 32 blocks (2^15). */
const BLOCK_SHIFT = 10;
const GROUP_SHIFT = 15;
const WORDS_PER_BLOCK = 1 << (BLOCK_SHIFT - 5);
const BLOCKS_PER_GROUP = 1 << (GROUP_SHIFT - BLOCK_SHIFT);

/**
 * Type ids by recency: a reference to a type already referenced is written as its rank among the
 * distinct types referenced since (0 = the latest). Ranks survive what id numbers do not: one type
 * added near the start of a kernel shifts every later id, but leaves the sequence of references,
 * and so the ranks, the same as a sibling kernel's.
 *
 * Each reference has a time (0, 1, ...); a time is live while it is its type's latest reference,
 * and a rank counts the live times after its type's. Live times are a bitmap, counted per block of
 * 1024 times and per group of 32 blocks, and a rank is found by walking back from the latest time:
 * over groups, then blocks, then words, with popcounts. Most ranks are small (0..15 are over
 * half), so most walks stay in the latest word or two; the counts give every walk a bound (a few
 * dozen steps per level), and a reference updates four counters. (A Fenwick tree over the blocks,
 * as before, cost each reference two tree updates and each far rank a descent of unpredictable
 * branches, for no gain at these sizes.)
 */
export class RecencyRanks {
  private readonly bits: Int32Array;
  private readonly blockLive: Int32Array;
  private readonly groupLive: Int32Array;
  private readonly who: Int32Array;
  private readonly last: Int32Array;
  private now = 0;
  private live = 0;

  /** `maxRefs`: references the kernel can hold at most; `maxId`: highest type id. */
  constructor(maxRefs: number, maxId: number) {
    this.bits = new Int32Array((maxRefs >>> 5) + 1);
    this.blockLive = new Int32Array((maxRefs >>> BLOCK_SHIFT) + 1);
    this.groupLive = new Int32Array((maxRefs >>> GROUP_SHIFT) + 1);
    this.who = new Int32Array(maxRefs);
    this.last = new Int32Array(maxId + 1).fill(-1);
  }

  /** The rank of `id`, or -1 if it was never referenced (or is out of range). */
  rankOf(id: number): number {
    if (id >= this.last.length) return -1;
    const t = this.last[id];
    if (t < 0) return -1;
    // Live times after `t`: in its word, the rest of its block, the rest of its group, later groups.
    const latest = this.now - 1;
    const word = t >>> 5;
    let after = popcount(this.bits[word] & ~((2 << (t & 31)) - 1));
    for (let w = word + 1; w <= lastIn(word, WORDS_PER_BLOCK, latest >>> 5); w++) after += popcount(this.bits[w]);
    const block = t >>> BLOCK_SHIFT;
    for (let b = block + 1; b <= lastIn(block, BLOCKS_PER_GROUP, latest >>> BLOCK_SHIFT); b++) after += this.blockLive[b];
    for (let g = (t >>> GROUP_SHIFT) + 1; g <= latest >>> GROUP_SHIFT; g++) after += this.groupLive[g];
    return after;
  }

  /**
   * The id at `rank`, referenced again: what `touch` does, from the time the rank lookup found
   * rather than from the id's entry in `last` (a random access per reference saved).
   */
  again(rank: number, what: string): number {
    const t = this.timeAt(rank, what);
    const id = this.who[t];
    this.kill(t);
    this.stamp(id, what);
    return id;
  }

  /** Records a reference to `id` (which must be ≤ maxId). */
  touch(id: number, what: string): void {
    if (id >= this.last.length) fail('MALFORMED', what, -1, `type reference ${id} beyond the kernel's bounds`);
    const t = this.last[id];
    if (t >= 0) this.kill(t);
    else this.live++;
    this.stamp(id, what);
  }

  /** The live time at `rank`. */
  private timeAt(rank: number, what: string): number {
    if (rank >= this.live) fail('MALFORMED', what, -1, `recency rank ${rank} of ${this.live} referenced types`);
    const latest = this.now - 1;
    // The latest time is always live: it is the latest reference of its type.
    if (rank === 0) return latest;
    // `left`: live times still to pass, walking back from the latest time.
    let left = rank;
    let g = latest >>> GROUP_SHIFT;
    for (; left >= this.groupLive[g]; g--) left -= this.groupLive[g];
    let b = g === latest >>> GROUP_SHIFT ? latest >>> BLOCK_SHIFT : (g + 1) * BLOCKS_PER_GROUP - 1;
    for (; left >= this.blockLive[b]; b--) left -= this.blockLive[b];
    let w = b === latest >>> BLOCK_SHIFT ? latest >>> 5 : (b + 1) * WORDS_PER_BLOCK - 1;
    for (; ; w--) {
      const bits = this.bits[w];
      const n = popcount(bits);
      if (left < n) return (w << 5) + nthSetBit(bits, n - 1 - left, n);
      left -= n;
    }
  }

  /** Time `t` is no longer live: its type is referenced again. */
  private kill(t: number): void {
    this.bits[t >>> 5] &= ~(1 << (t & 31));
    this.blockLive[t >>> BLOCK_SHIFT]--;
    this.groupLive[t >>> GROUP_SHIFT]--;
  }

  /** The next time is `id`'s latest reference. */
  private stamp(id: number, what: string): void {
    const now = this.now;
    if (now >= this.who.length) fail('MALFORMED', what, -1, `more than the ${this.who.length} type references the kernel has room for`);
    this.bits[now >>> 5] |= 1 << (now & 31);
    this.blockLive[now >>> BLOCK_SHIFT]++;
    this.groupLive[now >>> GROUP_SHIFT]++;
    this.who[now] = id;
    this.last[id] = now;
    this.now = now + 1;
  }
}

/** The last index of the run of `per` that holds `i`, or `latest` if that comes first. */
function lastIn(i: number, per: number, latest: number): number {
  return Math.min(i - (i % per) + per - 1, latest);
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * The bit index of the `n`th (from 0) of the `count` set bits of `x`, counting from the lowest. Set
 * bits are cleared from the nearer end: ranks are mostly small, that is, near the top of a word.
 */
function nthSetBit(x: number, n: number, count: number): number {
  if (n < count >>> 1) {
    for (; n > 0; n--) x &= x - 1;
    return 31 - Math.clz32(x & -x);
  }
  for (let above = count - 1 - n; above > 0; above--) x ^= 1 << (31 - Math.clz32(x));
  return 31 - Math.clz32(x);
}
