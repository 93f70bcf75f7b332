import { emptyFields, type InsnBuffer } from '../insn/buffer.js';
import { MASK32, MASK64, foldAlu, foldJump } from '../insn/fold.js';
import { BPF_PSEUDO_CALL } from '../insn/insn.js';
import { AluOp, BpfClass, BpfMode, BpfSource, JmpOp, Opcode, isJmpClass, opAluOp, opClass, opJmpOp, opMode, opSizeBytes, opSource } from '../insn/opcode.js';
import { callTarget } from '../object/calls.js';
import type { BpfObject, BpfProgram } from '../object/object.js';
import { autoloadFix } from './explain.js';
import type { Reason } from './reason.js';

/**
 * VERIFIER_RULE: the verifier explores a program depth first. At a conditional jump it cannot
 * decide it pushes the jump's target as a pending state and goes on with the fall-through; a
 * pending state is taken back only when the path it is on ends. More than
 * BPF_COMPLEXITY_LIMIT_JMP_SEQ (8192) pending states fail the load ("The sequence of 8193 jumps
 * is too complex", `push_stack` in kernel/bpf/verifier.c). Fully unrolled loops (the selftests'
 * pyperf600) get there on their first path.
 *
 * This follows that first path only: the fall-through of every undecided jump, into static
 * functions and back and round bounded loops, with the constants the verifier folds in registers
 * and 8-byte stack slots. The verifier decides more jumps than constants do (ranges, null
 * checks), so a count over the limit is only claimed with a margin (`MARGIN`). The limit has been 8192 since 5.2 (before, 1024 with BPF_COMPLEXITY_LIMIT_STACK).
 */
export const JMP_SEQ_LIMIT = 8192;
/** How far over the limit the count must be before corecheck says the verifier gets there too. */
const MARGIN = 1.25;
/** Steps the path is followed for at most. */
const MAX_STEPS = 2_000_000;

/** The pending states on the first path, or undefined when it cannot be followed (or runs too long). */
export function firstPathPushes(obj: BpfObject, prog: BpfProgram, codeOf: (fn: BpfProgram) => InsnBuffer): number | undefined {
  type Frame = { fn: BpfProgram; code: InsnBuffer; pc: number; regs: (bigint | undefined)[]; stack: Map<number, bigint> };
  const enter = (fn: BpfProgram, regs: (bigint | undefined)[]): Frame => ({ fn, code: codeOf(fn), pc: 0, regs, stack: new Map() });
  const frames: Frame[] = [enter(prog, new Array(11).fill(undefined))];
  let pushes = 0;
  const fields = emptyFields();
  // A bounded loop is walked round as the verifier walks it, with its counter known; coming back
  // to a loop's head with the state of an earlier round is where the verifier prunes the path.
  const heads = new Set<string>();
  const looped = (f: Frame, head: number): boolean => {
    const key = `${frames.length}:${f.fn.name}:${head}:${f.regs.join(',')}:${[...f.stack].join(',')}`;
    if (heads.has(key)) return true;
    heads.add(key);
    return false;
  };
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    const f = frames[frames.length - 1];
    const { code, regs: r } = f;
    const pc = f.pc;
    if (pc < 0 || pc >= code.count) return undefined;
    const { op, cls, dst, src, off, imm } = code.decode(pc, fields);
    if (dst > 10 || src > 10) return undefined;
    f.pc = pc + 1;
    switch (cls) {
      case BpfClass.ALU: case BpfClass.ALU64: {
        const is64 = cls === BpfClass.ALU64;
        const b = opSource(op) === BpfSource.X ? r[src] : BigInt(imm) & MASK64;
        const aop = opAluOp(op);
        if (aop === AluOp.MOV) r[dst] = off !== 0 || b === undefined ? undefined : is64 ? b : b & MASK32;
        else r[dst] = r[dst] === undefined || b === undefined ? undefined : foldAlu(aop, is64, r[dst]!, b);
        break;
      }
      case BpfClass.LD:
        if (op === Opcode.LD_IMM64) {
          r[dst] = src === 0 ? ((BigInt(code.imm(pc + 1) >>> 0) << 32n) | BigInt(imm >>> 0)) & MASK64 : undefined;
          f.pc = pc + 2;
        } else {
          for (let i = 0; i <= 5; i++) r[i] = undefined;
        }
        break;
      case BpfClass.LDX:
        r[dst] = src === 10 && opMode(op) === BpfMode.MEM && opSizeBytes(op) === 8 ? f.stack.get(off) : undefined;
        break;
      case BpfClass.ST: case BpfClass.STX:
        if (dst === 10) {
          for (const k of [...f.stack.keys()]) if (k < off + 8 && off < k + 8) f.stack.delete(k);
          const dw = opMode(op) === BpfMode.MEM && opSizeBytes(op) === 8;
          const v = !dw ? undefined : cls === BpfClass.STX ? r[src] : BigInt(imm) & MASK64;
          if (v !== undefined) f.stack.set(off, v);
        }
        break;
      case BpfClass.JMP: case BpfClass.JMP32: {
        const jop = opJmpOp(op);
        if (cls === BpfClass.JMP && jop === JmpOp.CALL) {
          if (src === BPF_PSEUDO_CALL) {
            const ref = callTarget(obj, f.fn, pc, imm);
            if (ref.kind !== 'subprogram' || ref.entry !== 0) return undefined;
            // a global function is verified on its own: its result is unknown
            if (!ref.callee.global) {
              if (frames.length >= 8) return undefined;
              frames.push(enter(ref.callee, [undefined, ...r.slice(1, 6), ...new Array(5).fill(undefined)]));
              continue;
            }
          }
          for (let i = 0; i <= 5; i++) r[i] = undefined;
          break;
        }
        if (cls === BpfClass.JMP && jop === JmpOp.EXIT) {
          frames.pop();
          if (frames.length === 0) return pushes;
          const caller = frames[frames.length - 1];
          caller.regs[0] = r[0];
          for (let i = 1; i <= 5; i++) caller.regs[i] = undefined;
          break;
        }
        const target = pc + 1 + (cls === BpfClass.JMP32 && jop === JmpOp.JA ? imm : off);
        if (jop === JmpOp.JA) {
          if (target <= pc && looped(f, target)) return pushes;
          f.pc = target;
          break;
        }
        const a = r[dst];
        const b = opSource(op) === BpfSource.X ? r[src] : BigInt(imm) & MASK64;
        const taken = a !== undefined && b !== undefined ? foldJump(jop, cls === BpfClass.JMP32, a, b) : undefined;
        if (taken === undefined) pushes++;
        else if (taken) {
          if (target <= pc && looped(f, target)) return pushes;
          f.pc = target;
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

/** The reason, when the first path alone pushes well over the limit. */
export function jumpSequenceReasons(obj: BpfObject, prog: BpfProgram, codeOf: (fn: BpfProgram) => InsnBuffer, linked: readonly BpfProgram[]): Reason[] {
  // the first path repeats jumps of loops and of functions called more than once: only programs
  // with many conditional jumps, or loops or calls, can get there; most have neither
  let jumps = 0;
  let repeats = false;
  for (const fn of linked) {
    const code = codeOf(fn);
    repeats ||= fn !== prog;
    for (let pc = 0; pc < code.count; pc++) {
      const op = code.code(pc);
      if (!isJmpClass(opClass(op)) || op === Opcode.CALL || op === Opcode.EXIT) continue;
      jumps++;
      if (code.off(pc) < 0 || (op === Opcode.GOTOL && code.imm(pc) < 0)) repeats = true;
    }
  }
  if (!repeats && jumps <= JMP_SEQ_LIMIT * MARGIN) return [];
  const pushes = firstPathPushes(obj, prog, codeOf);
  if (pushes === undefined || pushes <= JMP_SEQ_LIMIT * MARGIN) return [];
  return [{
    class: 'VERIFIER_RULE', verdict: 'fails',
    subject: { kind: 'verifier-rule', rule: 'jump-sequence', what: `at most ${JMP_SEQ_LIMIT} jumps pending on one path`, relaxedIn: '' },
    message: `the program's first path alone leaves ${pushes} conditional jumps the verifier cannot decide, each a state it must come back to, over its limit of ${JMP_SEQ_LIMIT} ("The sequence of ${JMP_SEQ_LIMIT + 1} jumps is too complex")`,
    function: prog.name,
    fixes: ['unroll less: a bounded loop (5.3+), bpf_loop (5.17+) or an open-coded iterator keeps the pending states few', autoloadFix(prog.name)],
  }];
}
