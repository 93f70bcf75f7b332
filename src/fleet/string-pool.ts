import { fail } from '../common/errors.js';
import { VarintReader, VarintWriter } from './varint.js';

/**
 * A group's distinct strings, in order of first use, each NUL-terminated: sibling kernels share
 * nearly all their names, so the group stores each once. A kernel's string section becomes the
 * ids of its strings in order, each written as zigzag(id - previous id - 1), so a run of strings
 * in pool order is a run of zero bytes; its name offsets become pool ids (btf-columns.ts).
 */
export class StringPoolBuilder {
  private readonly ids = new Map<string, number>();
  private readonly out = new VarintWriter();

  /** The section's id list, and each string's pool id by its offset in the section. */
  add(section: Uint8Array): { ids: Uint8Array; idAt: Map<number, number> } {
    const w = new VarintWriter();
    const idAt = new Map<number, number>();
    let prev = -1;
    let start = 0;
    for (let i = 0; i < section.length; i++) {
      if (section[i] !== 0) continue;
      const s = section.subarray(start, i + 1);
      const key = latin1(s);
      let id = this.ids.get(key);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(key, id);
        this.out.bytes(s);
      }
      if (!idAt.has(start)) idAt.set(start, id);
      w.i32(id - prev - 1);
      prev = id;
      start = i + 1;
    }
    return { ids: w.finish(), idAt };
  }

  bytes(): Uint8Array {
    return this.out.finish();
  }

  /** Bytes of the pool so far. */
  get length(): number {
    return this.out.length;
  }
}

/** Where each pool string starts (and, last, where the pool ends). */
export function poolStarts(pool: Uint8Array): Int32Array {
  return extendPoolStarts(new Int32Array(1), pool, 0);
}

/**
 * `starts` of a pool's first `from` bytes, extended over the strings after them: a group's pool
 * grows kernel by kernel as its block is decoded, and is scanned once, not once per kernel.
 */
export function extendPoolStarts(starts: Int32Array, pool: Uint8Array, from: number): Int32Array {
  // One indexOf pass (a byte loop is slower still), into room for strings of 8 bytes on average,
  // grown if they are shorter: counting them first was a second pass as long as the first.
  let out: Int32Array = new Int32Array(starts.length + ((pool.length - from) >>> 3) + 1);
  out.set(starts);
  let k = starts.length;
  for (let i = pool.indexOf(0, from); i >= 0; i = pool.indexOf(0, i + 1)) {
    if (k === out.length) out = grown(out);
    out[k++] = i + 1;
  }
  return out.slice(0, k);
}

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Writes a kernel's string section at `out[from..)` from its id list. Returns where it ended and
 * each pool id's offset in the section (the first, if a string occurs twice; -1 if absent).
 */
export function writeStrings(pool: Uint8Array, starts: Int32Array, ids: Uint8Array, out: Uint8Array, from: number, what: string): { end: number; offsetOf: Int32Array } {
  const count = starts.length - 1;
  const offsetOf = new Int32Array(count).fill(-1);
  const r = new VarintReader(ids, 0, ids.length, `${what} string ids`);
  let id = -1;
  let at = from;
  // Strings that follow each other in the pool (most do: the pool is in order of first use) are
  // copied as one run.
  let runFrom = 0;
  let runTo = 0;
  let runAt = from;
  while (!r.done) {
    id += r.i32() + 1;
    if (id < 0 || id >= count) fail('MALFORMED', `${what} string ids`, r.pos, `string ${id} of a pool of ${count}`);
    const s = starts[id];
    const e = starts[id + 1];
    if (at + e - s > out.length) fail('MALFORMED', `${what} string ids`, r.pos, 'strings run past the end of the BTF');
    if (offsetOf[id] < 0) offsetOf[id] = at - from;
    if (s !== runTo) {
      copyRun(pool, runFrom, runTo, out, runAt);
      runFrom = s;
      runAt = at;
    }
    runTo = e;
    at += e - s;
  }
  copyRun(pool, runFrom, runTo, out, runAt);
  return { end: at, offsetOf };
}

/** Copies `pool[from..to)` to `out[at..)`. */
function copyRun(pool: Uint8Array, from: number, to: number, out: Uint8Array, at: number): void {
  // Past the first kernel of a group, runs break every few strings; for a run that short, a
  // subarray and a native copy cost more than copying byte by byte.
  if (to - from > SHORT_RUN) out.set(pool.subarray(from, to), at);
  else for (let i = from; i < to; i++) out[at++] = pool[i];
}

const SHORT_RUN = 64;

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}
