import { AluOp, JmpOp } from './opcode.js';

/**
 * Constant folding as the verifier does it for known scalars: the one arithmetic the reachability
 * walk (analysis/reach.ts) and the context-read pass (analysis/attach-signature.ts) both apply.
 * Values are u64 bigints; 32-bit operations see and give the low 32 bits.
 */
export const MASK64 = (1n << 64n) - 1n;
export const MASK32 = 0xffffffffn;

const signed = (v: bigint, is64: boolean): bigint => (is64 ? BigInt.asIntN(64, v) : BigInt.asIntN(32, v));

/**
 * `x op y` for a constant ALU operation, or undefined where the verifier makes the result unknown:
 * shifts by the width or more, divisions (`divisions`: no verifier computes them; a model that did
 * would follow the runtime rules, unsigned, x / 0 = 0, x % 0 = x), and operations it does not fold.
 */
export function foldAlu(aop: number, is64: boolean, x: bigint, y: bigint, divisions = false): bigint | undefined {
  const mask = is64 ? MASK64 : MASK32;
  const ux = x & mask;
  const uy = y & mask;
  let r: bigint;
  switch (aop) {
    case AluOp.ADD: r = ux + uy; break;
    case AluOp.SUB: r = ux - uy; break;
    case AluOp.MUL: r = ux * uy; break;
    case AluOp.DIV: case AluOp.MOD:
      if (!divisions) return undefined;
      r = aop === AluOp.DIV ? (uy === 0n ? 0n : ux / uy) : uy === 0n ? ux : ux % uy;
      break;
    case AluOp.OR: r = ux | uy; break;
    case AluOp.AND: r = ux & uy; break;
    case AluOp.XOR: r = ux ^ uy; break;
    case AluOp.LSH: case AluOp.RSH: case AluOp.ARSH:
      if (uy >= (is64 ? 64n : 32n)) return undefined;
      r = aop === AluOp.LSH ? ux << uy : aop === AluOp.RSH ? ux >> uy : signed(ux, is64) >> uy;
      break;
    default: return undefined;
  }
  return r & mask;
}

/** Whether a conditional jump on constants `x` and `y` is taken, or undefined for an op that is no comparison. */
export function foldJump(jop: number, is32: boolean, x: bigint, y: bigint): boolean | undefined {
  const ux = is32 ? x & MASK32 : x & MASK64;
  const uy = is32 ? y & MASK32 : y & MASK64;
  const sx = signed(ux, !is32);
  const sy = signed(uy, !is32);
  switch (jop) {
    case JmpOp.JEQ: return ux === uy;
    case JmpOp.JNE: return ux !== uy;
    case JmpOp.JGT: return ux > uy;
    case JmpOp.JGE: return ux >= uy;
    case JmpOp.JLT: return ux < uy;
    case JmpOp.JLE: return ux <= uy;
    case JmpOp.JSET: return (ux & uy) !== 0n;
    case JmpOp.JSGT: return sx > sy;
    case JmpOp.JSGE: return sx >= sy;
    case JmpOp.JSLT: return sx < sy;
    case JmpOp.JSLE: return sx <= sy;
    default: return undefined;
  }
}
