/**
 * CRC-64/XZ (ECMA-182 polynomial, reflected), the default check of .xz files (BTFHub archives
 * use it). Computed on two 32-bit halves: BigInt would be ~50x slower on a 27 MB archive.
 */
const POLY_HI = 0xc96c5795;
const POLY_LO = 0xd7870f42;
const [TABLE_HI, TABLE_LO] = (() => {
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let h = 0;
    let l = n;
    for (let k = 0; k < 8; k++) {
      const carry = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h >>>= 1;
      if (carry) {
        h = (h ^ POLY_HI) >>> 0;
        l = (l ^ POLY_LO) >>> 0;
      }
    }
    hi[n] = h;
    lo[n] = l;
  }
  return [hi, lo];
})();

/** The CRC64 of `bytes[start..end)` as 8 little-endian bytes, as .xz stores it. */
export function crc64le(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  let h = 0xffffffff;
  let l = 0xffffffff;
  for (let i = start; i < end; i++) {
    const idx = (l ^ bytes[i]) & 0xff;
    l = ((l >>> 8) | ((h & 0xff) << 24)) ^ TABLE_LO[idx];
    h = (h >>> 8) ^ TABLE_HI[idx];
  }
  h = ~h >>> 0;
  l = ~l >>> 0;
  return new Uint8Array([l & 0xff, (l >>> 8) & 0xff, (l >>> 16) & 0xff, l >>> 24, h & 0xff, (h >>> 8) & 0xff, (h >>> 16) & 0xff, h >>> 24]);
}
