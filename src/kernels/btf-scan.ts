/**
 * Finding raw BTF inside data that is not BTF itself (arm64 `Image`, s390x payloads, any blob),
 * by the rule of corpus/REGENERATE.md: a BTF header in either byte order (magic 0xeB9F, version
 * 1, flags 0, hdr_len 24), type_off 0, the strings after the types, a string section that starts and
 * ends with NUL, and the whole blob inside the data. The largest candidate wins: kernels also embed
 * small BTF blobs (test and module data).
 */

export function startsWithBtfMagic(b: Uint8Array): boolean {
  return b.length >= 2 && ((b[0] === 0x9f && b[1] === 0xeb) || (b[0] === 0xeb && b[1] === 0x9f));
}

export function scanForBtf(b: Uint8Array): { at: number; bytes: Uint8Array } | undefined {
  let best: { at: number; bytes: Uint8Array } | undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let pos = b.indexOf(0x9f); pos >= 0; pos = b.indexOf(0x9f, pos + 1)) {
    // Little-endian headers start `9f eb 01 00`; big-endian ones `eb 9f 01 00`, one byte earlier.
    let le: boolean;
    let at: number;
    if (b[pos + 1] === 0xeb && b[pos + 2] === 1 && b[pos + 3] === 0) {
      le = true;
      at = pos;
    } else if (pos > 0 && b[pos - 1] === 0xeb && b[pos + 1] === 1 && b[pos + 2] === 0) {
      le = false;
      at = pos - 1;
    } else continue;
    if (at + 24 > b.length) break;
    if (dv.getUint32(at + 4, le) !== 24 || dv.getUint32(at + 8, le) !== 0) continue;
    const typeLen = dv.getUint32(at + 12, le);
    const strOff = dv.getUint32(at + 16, le);
    const strLen = dv.getUint32(at + 20, le);
    const total = 24 + strOff + strLen;
    if (strOff < typeLen || strLen === 0 || at + total > b.length) continue;
    if (b[at + 24 + strOff] !== 0 || b[at + total - 1] !== 0) continue;
    if (!best || total > best.bytes.length) best = { at, bytes: b.subarray(at, at + total) };
  }
  return best;
}
