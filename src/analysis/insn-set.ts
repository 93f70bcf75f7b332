import { BPF_PSEUDO_CALL } from '../insn/insn.js';
import type { InsnBuffer } from '../insn/buffer.js';
import {
  AluOp, AtomicOp, BPF_ADDR_SPACE_CAST, BpfClass, BpfMode, JmpOp, Opcode, opAluOp, opClass, opJmpOp, opMode, isAluClass,
} from '../insn/opcode.js';
import { callTarget } from '../object/calls.js';
import type { BpfObject, BpfProgram } from '../object/object.js';
import { insnFixes } from './explain.js';
import type { Reachability } from './reach.js';
import type { Reason } from './reason.js';
import { describeModel, type InsnSetRules, type VerifierModel } from './verifier-model.js';

/** An instruction or program shape a verifier generation does not accept. */
export interface InsnFeature {
  /** Stable name (the subject's key). */
  readonly name: string;
  /** For a person. */
  readonly what: string;
  /** The first upstream release that accepts it. */
  readonly since: string;
}

const BPF_FUNC_tail_call = 12;

export const INSN_FEATURES = {
  jmp32: { name: 'jmp32', what: 'JMP32 instructions (32-bit conditional jumps)', since: '5.1' },
  atomicFetch: { name: 'atomic-fetch', what: 'atomic fetch, xchg, cmpxchg and atomic and/or/xor (BPF_ATOMIC beyond add)', since: '5.12' },
  cpuV4: { name: 'cpu-v4', what: 'cpu v4 instructions (sign-extending loads and moves, sdiv/smod, bswap, gotol)', since: '6.6' },
  mayGoto: { name: 'may-goto', what: 'may_goto (can_loop, cond_break)', since: '6.9' },
  addrSpaceCast: { name: 'addr-space-cast', what: 'addr_space_cast (BPF arena pointers)', since: '6.9' },
  loadAcquire: { name: 'load-acquire', what: 'load-acquire and store-release instructions', since: '6.15' },
  loops: { name: 'loops', what: 'loops (back-edges in the control-flow graph)', since: '5.3' },
  size: { name: 'program-size', what: 'programs of more than 4096 instructions', since: '5.2' },
  tailCallsWithCalls: { name: 'tail-calls-with-calls', what: 'tail calls in a program with bpf-to-bpf calls', since: '5.10' },
} as const satisfies Record<string, InsnFeature>;

/**
 * Why the kernel's verifier refuses an instruction, or undefined. `reached`: whether a path reaches
 * it (most checks are `do_check`'s, on reached instructions only); the opcode table
 * (`bpf_opcode_in_insntable`, checked for every instruction before verification) refuses new
 * opcodes wherever they are.
 */
function unknownInsn(code: InsnBuffer, pc: number, reached: boolean, isa: InsnSetRules): InsnFeature | undefined {
  const op = code.code(pc);
  const cls = opClass(op);
  // opcode-table checks: the whole program
  if (cls === BpfClass.JMP32 && op !== Opcode.GOTOL && !isa.jmp32) return INSN_FEATURES.jmp32;
  if (op === Opcode.GOTOL && !isa.cpuV4) return INSN_FEATURES.cpuV4;
  if (cls === BpfClass.LDX && opMode(op) === BpfMode.MEMSX && !isa.cpuV4) return INSN_FEATURES.cpuV4;
  if (cls === BpfClass.ALU64 && opAluOp(op) === AluOp.END && !isa.cpuV4) return INSN_FEATURES.cpuV4;
  if (op === Opcode.MAY_GOTO && !isa.mayGoto) return INSN_FEATURES.mayGoto;
  if (!reached) return undefined;
  // do_check's checks of fields: reached instructions only
  const off = code.off(pc);
  if (isAluClass(cls)) {
    const aop = opAluOp(op);
    if ((aop === AluOp.DIV || aop === AluOp.MOD) && off === 1 && !isa.cpuV4) return INSN_FEATURES.cpuV4; // sdiv, smod
    if (aop === AluOp.MOV && (off === 8 || off === 16 || off === 32) && !isa.cpuV4) return INSN_FEATURES.cpuV4; // movsx
    if (aop === AluOp.MOV && cls === BpfClass.ALU64 && off === BPF_ADDR_SPACE_CAST && !isa.addrSpaceCast) return INSN_FEATURES.addrSpaceCast;
  }
  if (cls === BpfClass.STX && opMode(op) === BpfMode.ATOMIC) {
    const imm = code.imm(pc);
    if ((imm === AtomicOp.LOAD_ACQ || imm === AtomicOp.STORE_REL) && !isa.loadAcquire) return INSN_FEATURES.loadAcquire;
    if (imm !== AtomicOp.ADD && imm !== AtomicOp.LOAD_ACQ && imm !== AtomicOp.STORE_REL && !isa.atomicFetch) return INSN_FEATURES.atomicFetch;
  }
  return undefined;
}

/**
 * Whether `check_cfg`'s depth-first search over the function finds a back-edge (a jump to an
 * instruction still on the search stack): a loop, which verifiers before 5.3 refuse wherever it is.
 * Returns the instruction of the first back-edge found, or -1.
 */
export function firstBackEdge(code: InsnBuffer): number {
  const n = code.count;
  const state = new Uint8Array(n); // 0 new, 1 on the stack, 2 done
  const stack: number[] = [];
  const nextEdge: number[] = [];
  const succ = (pc: number): number[] => {
    const op = code.code(pc);
    const cls = opClass(op);
    if (op === Opcode.LD_IMM64) return [pc + 2];
    if (cls !== BpfClass.JMP && cls !== BpfClass.JMP32) return [pc + 1];
    const jop = opJmpOp(op);
    if (cls === BpfClass.JMP && jop === JmpOp.EXIT) return [];
    if (cls === BpfClass.JMP && jop === JmpOp.CALL) return [pc + 1];
    if (jop === JmpOp.JA) return [pc + 1 + (cls === BpfClass.JMP32 ? code.imm(pc) : code.off(pc))];
    return [pc + 1, pc + 1 + code.off(pc)];
  };
  if (n === 0) return -1;
  stack.push(0);
  nextEdge.push(0);
  state[0] = 1;
  while (stack.length > 0) {
    const top = stack.length - 1;
    const pc = stack[top];
    const edges = succ(pc);
    if (nextEdge[top] >= edges.length) {
      state[pc] = 2;
      stack.pop();
      nextEdge.pop();
      continue;
    }
    const to = edges[nextEdge[top]++];
    if (to < 0 || to >= n) continue; // the verifier refuses a jump out of range anyway
    if (state[to] === 1) return pc;
    if (state[to] === 0) {
      state[to] = 1;
      stack.push(to);
      nextEdge.push(0);
    }
  }
  return -1;
}

/**
 * `INSN_UNSUPPORTED` reasons of one program on a kernel whose verifier is `model`: instructions it
 * does not know (in any linked function for new opcodes, on reached paths for new uses of known
 * opcodes), loops before 5.3, more than 4096 instructions before 5.2, and tail calls beside
 * bpf-to-bpf calls before 5.10. One reason per feature, at its first instruction.
 */
export function insnSetReasons(
  obj: BpfObject, prog: BpfProgram, codeOf: (fn: BpfProgram) => InsnBuffer, linked: readonly BpfProgram[],
  reach: Reachability, model: VerifierModel,
): Reason[] {
  const found = new Map<string, { feature: InsnFeature; fn: BpfProgram; pc: number; detail?: string }>();
  const note = (feature: InsnFeature, fn: BpfProgram, pc: number, detail?: string): void => {
    if (!found.has(feature.name)) found.set(feature.name, { feature, fn, pc, detail });
  };
  let total = 0;
  let tailCall: { fn: BpfProgram; pc: number } | undefined;
  let bpfCalls = false;
  for (const fn of linked) {
    const code = codeOf(fn);
    const reached = reach.reached.get(fn);
    total += code.count;
    for (let pc = 0; pc < code.count; pc++) {
      const op = code.code(pc);
      const hit = reached?.[pc] === 1;
      const f = unknownInsn(code, pc, hit, model.insns);
      if (f) note(f, fn, pc, `opcode 0x${op.toString(16).padStart(2, '0')}`);
      if (op === Opcode.CALL && code.src(pc) === BPF_PSEUDO_CALL && callTarget(obj, fn, pc, code.imm(pc)).kind === 'subprogram') bpfCalls = true;
      if (op === Opcode.CALL && code.src(pc) === 0 && code.imm(pc) === BPF_FUNC_tail_call && hit) tailCall ??= { fn, pc };
      if (op === Opcode.LD_IMM64) pc++;
    }
    if (!model.boundedLoops) {
      const at = firstBackEdge(code);
      if (at >= 0) note(INSN_FEATURES.loops, fn, at, `back-edge from insn ${at}`);
    }
  }
  if (total > model.maxInsns) note(INSN_FEATURES.size, prog, 0, `${total} instructions with its subprograms`);
  if (!model.tailCallsWithCalls && tailCall && bpfCalls && linked.length > 1) note(INSN_FEATURES.tailCallsWithCalls, tailCall.fn, tailCall.pc);
  return [...found.values()].map(({ feature, fn, pc, detail }) => ({
    class: 'INSN_UNSUPPORTED', verdict: 'fails',
    subject: { kind: 'insn', feature: feature.name, since: feature.since },
    message: `${feature.what}${detail ? ` (${detail})` : ''}: first accepted by Linux ${feature.since}; this kernel's verifier (${describeModel(model)}) refuses them`,
    source: obj.sourceLine(fn.section, fn.insnOffset + pc), function: fn.name, insn: pc,
    fixes: insnFixes(feature.name, prog.name),
  }));
}
