/**
 * The eBPF opcode byte as a typed model, in the manner of cilium/ebpf's `asm.OpCode`
 * (`include/uapi/linux/bpf.h`, `bpf_common.h`, `Documentation/bpf/standardization/instruction-set.rst`).
 *
 * An opcode is `class` (low 3 bits) plus, by class:
 * - load and store classes (LD, LDX, ST, STX): `mode` (high 3 bits) and `size` (bits 3-4);
 * - arithmetic and jump classes (ALU, ALU64, JMP, JMP32): `op` (high 4 bits) and `source` (bit 3).
 *
 * Opcodes stay plain numbers (the reachability walk reads millions of them): these helpers name
 * the fields, and the constants name the values, so no file spells `0x85` again.
 */

/** Instruction classes (`BPF_CLASS`). */
export const BpfClass = { LD: 0x00, LDX: 0x01, ST: 0x02, STX: 0x03, ALU: 0x04, JMP: 0x05, JMP32: 0x06, ALU64: 0x07 } as const;

/** Access sizes of load and store classes (`BPF_SIZE`). */
export const BpfSize = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;

/** Modes of load and store classes (`BPF_MODE`). */
export const BpfMode = {
  IMM: 0x00, ABS: 0x20, IND: 0x40, MEM: 0x60,
  /** Sign-extending loads (cpu v4, 6.6). */
  MEMSX: 0x80,
  /** `BPF_ATOMIC` (was `BPF_XADD`); the operation is in the immediate. */
  ATOMIC: 0xc0,
} as const;

/** Operand source of ALU and jump classes (`BPF_SRC`): the immediate, or `src` (also the byte-swap direction of `BPF_END`). */
export const BpfSource = { K: 0x00, X: 0x08 } as const;

/** ALU operations (`BPF_OP` of ALU and ALU64). */
export const AluOp = {
  ADD: 0x00, SUB: 0x10, MUL: 0x20, DIV: 0x30, OR: 0x40, AND: 0x50, LSH: 0x60, RSH: 0x70,
  NEG: 0x80, MOD: 0x90, XOR: 0xa0, MOV: 0xb0, ARSH: 0xc0, END: 0xd0,
} as const;

/** Jump operations (`BPF_OP` of JMP and JMP32). */
export const JmpOp = {
  JA: 0x00, JEQ: 0x10, JGT: 0x20, JGE: 0x30, JSET: 0x40, JNE: 0x50, JSGT: 0x60, JSGE: 0x70,
  CALL: 0x80, EXIT: 0x90, JLT: 0xa0, JLE: 0xb0, JSLT: 0xc0, JSLE: 0xd0,
  /** `may_goto` (6.9): `BPF_JMP | BPF_JCOND` with src `BPF_MAY_GOTO`. */
  JCOND: 0xe0,
} as const;

/** The immediate of a `BPF_ATOMIC` instruction. */
export const AtomicOp = {
  ADD: 0x00, OR: 0x40, AND: 0x50, XOR: 0xa0,
  /** Flag: the old value is written back to `src` (5.12). */
  FETCH: 0x01,
  XCHG: 0xe1,
  /** Compares with r0 and writes the old value to r0. */
  CMPXCHG: 0xf1,
  /** Load-acquire and store-release (6.15). */
  LOAD_ACQ: 0x100,
  STORE_REL: 0x110,
} as const;

/** Immediates and offsets that select a variant of an instruction. */
export const BPF_MAY_GOTO = 0;
/** `mov` with `off = BPF_ADDR_SPACE_CAST` and the address spaces in `imm` (6.9). */
export const BPF_ADDR_SPACE_CAST = 1;

/** Whole opcodes used by name. */
export const Opcode = {
  /** `BPF_JMP | BPF_CALL`: a helper, bpf-to-bpf or kfunc call. */
  CALL: BpfClass.JMP | JmpOp.CALL,
  /** `BPF_JMP | BPF_EXIT`. */
  EXIT: BpfClass.JMP | JmpOp.EXIT,
  /** `BPF_LD | BPF_IMM | BPF_DW`: the first half of a 16-byte ld_imm64. */
  LD_IMM64: BpfClass.LD | BpfMode.IMM | BpfSize.DW,
  /** `BPF_JMP32 | BPF_JA`: `gotol`, a jump by the 32-bit immediate (cpu v4, 6.6). */
  GOTOL: BpfClass.JMP32 | JmpOp.JA,
  /** `BPF_JMP | BPF_JCOND`: `may_goto` (6.9). */
  MAY_GOTO: BpfClass.JMP | JmpOp.JCOND,
} as const;

export const opClass = (op: number): number => op & 0x07;
/** Load and store classes: access size in bytes. */
export const opSizeBytes = (op: number): number => SIZE_BYTES[(op >>> 3) & 3];
export const opSize = (op: number): number => op & 0x18;
export const opMode = (op: number): number => op & 0xe0;
/** ALU and jump classes. */
export const opSource = (op: number): number => op & 0x08;
export const opAluOp = (op: number): number => op & 0xf0;
export const opJmpOp = (op: number): number => op & 0xf0;
/** The `BpfSize` code of an access of `bytes` bytes, or -1. */
export const sizeCode = (bytes: number): number =>
  bytes === 8 ? BpfSize.DW : bytes === 4 ? BpfSize.W : bytes === 2 ? BpfSize.H : bytes === 1 ? BpfSize.B : -1;
/** An opcode with its size field replaced. */
export const withSize = (op: number, size: number): number => (op & ~0x18) | size;

const SIZE_BYTES: readonly number[] = [4, 2, 1, 8];

export const isAluClass = (cls: number): boolean => cls === BpfClass.ALU || cls === BpfClass.ALU64;
export const isJmpClass = (cls: number): boolean => cls === BpfClass.JMP || cls === BpfClass.JMP32;
