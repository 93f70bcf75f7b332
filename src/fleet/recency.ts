import { fail } from '../common/errors.js';

/** References `idAt` walks back over before it asks the tree. */
const SCAN = 24;

/**
 * Type ids by recency: a reference to a type already referenced is written as its rank among the
 * distinct types referenced since (0 = the latest). Ranks survive what id numbers do not: one type
 * added near the start of a kernel shifts every later id, but leaves the sequence of references,
 * and so the ranks, the same as a sibling kernel's. A Fenwick tree over reference times gives the
 * rank and its inverse in O(log n); the small ranks most references have (0..15 are over half)
 * are found faster by walking back over the latest references, skipping those superseded since.
 */
export class RecencyRanks {
  private readonly tree: Int32Array;
  private readonly who: Int32Array;
  private readonly last: Int32Array;
  private now = 0;
  private live = 0;
  /** The highest power of two below the tree's length: where the descent in `idAt` starts. */
  private readonly topStep: number;

  /** `maxRefs`: references the kernel can hold at most; `maxId`: highest type id. */
  constructor(maxRefs: number, maxId: number) {
    this.tree = new Int32Array(maxRefs + 1);
    this.who = new Int32Array(maxRefs);
    this.last = new Int32Array(maxId + 1).fill(-1);
    this.topStep = 1 << (31 - Math.clz32(maxRefs));
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
    const who = this.who;
    const last = this.last;
    // Walk back at most SCAN references: one is current when it is its id's last reference.
    let seen = -1;
    for (let t = this.now - 1, stop = Math.max(0, this.now - SCAN); t >= stop; t--) {
      if (last[who[t]] === t && ++seen === rank) return who[t];
    }
    const tree = this.tree;
    let k = this.live - rank;
    let pos = 0;
    for (let step = this.topStep; step > 0; step >>= 1) {
      if (pos + step < tree.length && tree[pos + step] < k) {
        pos += step;
        k -= tree[pos];
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
    const tree = this.tree;
    for (i++; i < tree.length; i += i & -i) tree[i] += d;
  }

  private prefix(i: number): number {
    let s = 0;
    for (i++; i > 0; i -= i & -i) s += this.tree[i];
    return s;
  }
}
