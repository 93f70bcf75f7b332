/** A small deterministic PRNG (mulberry32), so every fuzz case can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0];

/**
 * Mutates a copy of `input`: bit flips, interesting 32-bit values at aligned offsets (sizes, ids,
 * offsets in headers and records), truncation, and chunk duplication or deletion.
 */
export function mutate(input: Uint8Array, seed: number): Uint8Array {
  const r = rng(seed);
  const pick = (n: number): number => Math.floor(r() * n);
  let out = input.slice();
  const rounds = 1 + pick(4);
  for (let k = 0; k < rounds && out.length > 0; k++) {
    switch (pick(6)) {
      case 0: {
        const i = pick(out.length);
        out[i] ^= 1 << pick(8);
        break;
      }
      case 1: {
        const i = pick(out.length);
        out[i] = pick(256);
        break;
      }
      case 2: {
        if (out.length < 4) break;
        const i = pick(out.length >>> 2) * 4;
        const v = INTERESTING_U32[pick(INTERESTING_U32.length)];
        new DataView(out.buffer, out.byteOffset).setUint32(i, v, r() < 0.5);
        break;
      }
      case 3:
        out = out.slice(0, pick(out.length));
        break;
      case 4: {
        const from = pick(out.length);
        const len = pick(Math.min(64, out.length - from));
        const at = pick(out.length);
        const grown = new Uint8Array(out.length + len);
        grown.set(out.subarray(0, at));
        grown.set(out.subarray(from, from + len), at);
        grown.set(out.subarray(at), at + len);
        out = grown;
        break;
      }
      default: {
        const from = pick(out.length);
        const len = pick(Math.min(64, out.length - from));
        const shrunk = new Uint8Array(out.length - len);
        shrunk.set(out.subarray(0, from));
        shrunk.set(out.subarray(from + len), from);
        out = shrunk;
      }
    }
  }
  return out;
}
