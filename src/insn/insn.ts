/** eBPF instruction encoding (`include/uapi/linux/bpf.h`, `bpf_common.h`). */
export const INSN_SIZE = 8;

import { Opcode } from './opcode.js';

export const BPF_PSEUDO_CALL = 1;
export const BPF_PSEUDO_KFUNC_CALL = 2;
export const BPF_PSEUDO_FUNC = 4;

export interface Insn {
  readonly code: number;
  readonly dst: number;
  readonly src: number;
  /** Signed 16-bit offset. */
  readonly off: number;
  /** Signed 32-bit immediate. */
  readonly imm: number;
}

/**
 * Decodes instruction `index` of `code`. The register byte holds dst in the low nibble on
 * little-endian objects and in the high nibble on big-endian ones (as the kernel's `struct bpf_insn`
 * bitfields do).
 */
export function decodeInsn(code: Uint8Array, index: number, littleEndian: boolean): Insn {
  const o = index * INSN_SIZE;
  const dv = new DataView(code.buffer, code.byteOffset + o, INSN_SIZE);
  const regs = code[o + 1];
  return {
    code: code[o],
    dst: littleEndian ? regs & 0x0f : regs >>> 4,
    src: littleEndian ? regs >>> 4 : regs & 0x0f,
    off: dv.getInt16(2, littleEndian),
    imm: dv.getInt32(4, littleEndian),
  };
}

export function isLdImm64(insn: Insn): boolean {
  return insn.code === Opcode.LD_IMM64;
}

export function insnHex(code: Uint8Array, index: number): string {
  let s = '';
  for (let i = index * INSN_SIZE, e = i + INSN_SIZE; i < e; i++) s += code[i].toString(16).padStart(2, '0');
  return s;
}
