/** eBPF instruction encoding (`include/uapi/linux/bpf.h`, `bpf_common.h`). */
export const INSN_SIZE = 8;

export const BpfClass = { LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, JMP32: 0x06, ALU64: 0x07 } as const;
export const BPF_K = 0x00;
export const BPF_X = 0x08;
export const BPF_IMM = 0x00;
export const BPF_DW = 0x18;
export const BPF_CALL = 0x80;
export const BPF_EXIT = 0x90;
/** `BPF_LD | BPF_IMM | BPF_DW`: the first half of a 16-byte ld_imm64. */
export const LD_IMM64 = 0x18;
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

export function insnClass(code: number): number {
  return code & 0x07;
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
  return insn.code === LD_IMM64;
}

export function insnHex(code: Uint8Array, index: number): string {
  let s = '';
  for (let i = index * INSN_SIZE, e = i + INSN_SIZE; i < e; i++) s += code[i].toString(16).padStart(2, '0');
  return s;
}
