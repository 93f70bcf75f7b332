/**
 * The xz x86 BCJ filter, decoding direction: x86 kernel payloads are compressed with `xz --x86`,
 * which rewrites the relative targets of CALL/JMP (E8/E9) instructions to absolute ones so they
 * compress better. Port of xz-embedded's bcj_x86(), applied in place to one block's whole output
 * (`start` is the filter's start offset, 0 unless the block header gives one).
 */
const ALLOWED = [true, true, true, false, true, false, false, false];
const BIT_NUM = [0, 1, 2, 2, 3, 3, 3, 3];

const msbyteIs00orFF = (b: number): boolean => b === 0x00 || b === 0xff;

export function bcjX86Decode(buf: Uint8Array, start = 0): void {
  if (buf.length <= 4) return;
  const end = buf.length - 4;
  let prevPos = -1;
  let prevMask = 0;
  for (let i = 0; i < end; i++) {
    if ((buf[i] & 0xfe) !== 0xe8) continue;
    const gap = i - prevPos;
    if (gap > 3) prevMask = 0;
    else {
      prevMask = (prevMask << (gap - 1)) & 7;
      if (prevMask !== 0) {
        const b = buf[i + 4 - BIT_NUM[prevMask]];
        if (!ALLOWED[prevMask] || msbyteIs00orFF(b)) {
          prevPos = i;
          prevMask = (prevMask << 1) | 1;
          continue;
        }
      }
    }
    prevPos = i;
    if (msbyteIs00orFF(buf[i + 4])) {
      let src = (buf[i + 1] | (buf[i + 2] << 8) | (buf[i + 3] << 16) | (buf[i + 4] << 24)) >>> 0;
      let dest: number;
      for (;;) {
        dest = (src - (start + i + 5)) >>> 0;
        if (prevMask === 0) break;
        const j = BIT_NUM[prevMask] * 8;
        if (!msbyteIs00orFF((dest >>> (24 - j)) & 0xff)) break;
        src = (dest ^ ((1 << (32 - j)) - 1)) >>> 0;
      }
      dest = (dest & 0x01ffffff) | (dest & 0x01000000 ? 0xfe000000 : 0);
      buf[i + 1] = dest & 0xff;
      buf[i + 2] = (dest >>> 8) & 0xff;
      buf[i + 3] = (dest >>> 16) & 0xff;
      buf[i + 4] = (dest >>> 24) & 0xff;
      i += 4;
    } else {
      prevMask = (prevMask << 1) | 1;
    }
  }
}
