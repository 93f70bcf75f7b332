import { fail } from '../common/errors.js';

/**
 * Type ids by recency: a reference to a type already referenced is written as its rank among the
 * distinct types referenced since (0 = the latest). Ranks survive what id numbers do not: one type
 * added near the start of a kernel shifts every later id, but leaves the sequence of references,
 * and so the ranks, the same as a sibling kernel's. A Fenwick tree over reference times gives the
 * rank and its inverse in O(log n).
 */
export class RecencyRanks {
  private readonly tree: Int32Array;
  private readonly who: Int32Array;
  private readonly last: Int32Array;
  private now = 0;
  private live = 0;

  /** `maxRefs`: references the kernel can hold at most; `maxId`: highest type id. */
  constructor(maxRefs: number, maxId: number) {
    this.tree = new Int32Array(maxRefs + 1);
    this.who = new Int32Array(maxRefs);
    this.last = new Int32Array(maxId + 1).fill(-1);
  }

  /** The rank of `id`, or -1 if it was never referenced (or is out of range). */
  rankOf(id: number): number {
    if (id >= this.last.length) return -1;
    const t = this.last[id];
    return t < 0 ? -1 : this.prefix(this.now - 1) - this.prefix(t);
  }

  /** The id at `rank`; the caller checks `rank < this.count` first. */
  idAt(rank: number, what: string): number {
    if (rank >= this.live) fail('MALFORMED', what, -1, `recency rank ${rank} of ${this.live} referenced types`);
    let k = this.live - rank;
    let pos = 0;
    for (let step = 1 << (31 - Math.clz32(this.tree.length - 1)); step > 0; step >>= 1) {
      if (pos + step < this.tree.length && this.tree[pos + step] < k) {
        pos += step;
        k -= this.tree[pos];
      }
    }
    return this.who[pos];
  }

  /** Records a reference to `id` (which must be ≤ maxId). */
  touch(id: number, what: string): void {
    if (this.now >= this.who.length || id >= this.last.length) fail('MALFORMED', what, -1, `type reference ${id} beyond the kernel's bounds`);
    const t = this.last[id];
    if (t >= 0) this.add(t, -1);
    else this.live++;
    this.add(this.now, 1);
    this.who[this.now] = id;
    this.last[id] = this.now++;
  }

  private add(i: number, d: number): void {
    for (i++; i < this.tree.length; i += i & -i) this.tree[i] += d;
  }

  private prefix(i: number): number {
    let s = 0;
    for (i++; i > 0; i -= i & -i) s += this.tree[i];
    return s;
  }
}
