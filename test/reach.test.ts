// One row per rule of the reachability walk (src/analysis/reach.ts) and of the instruction-set
// check (src/analysis/insn-set.ts), on small hand-assembled programs: each rule's effect under the
// verifier model that has it and the one that does not. The kernel behaviour each row stands for
// is in the rule's comment in verifier-model.ts (upstream commit and release).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstBackEdge, insnSetReasons } from '../src/analysis/insn-set.js';
import { analyzeReachability } from '../src/analysis/reach.js';
import { HOST_VERIFIER, type VerifierModel } from '../src/analysis/verifier-model.js';
import { InsnBuffer } from '../src/insn/buffer.js';
import {
  AluOp, AtomicOp, BpfClass, BpfMode, BpfSize, BpfSource, JmpOp, Opcode,
} from '../src/insn/opcode.js';
import type { BpfObject, BpfProgram } from '../src/object/object.js';

type Ins = [code: number, dst: number, src: number, off: number, imm: number];

// a small assembler
const mov = (dst: number, imm: number): Ins => [BpfClass.ALU64 | AluOp.MOV | BpfSource.K, dst, 0, 0, imm];
const movr = (dst: number, src: number): Ins => [BpfClass.ALU64 | AluOp.MOV | BpfSource.X, dst, src, 0, 0];
const alu = (op: number, dst: number, imm: number, off = 0): Ins => [BpfClass.ALU64 | op | BpfSource.K, dst, 0, off, imm];
const jmp = (op: number, dst: number, imm: number, off: number, cls: number = BpfClass.JMP): Ins => [cls | op | BpfSource.K, dst, 0, off, imm];
const jmpr = (op: number, dst: number, src: number, off: number): Ins => [BpfClass.JMP | op | BpfSource.X, dst, src, off, 0];
const stx = (size: number, dst: number, off: number, src: number): Ins => [BpfClass.STX | BpfMode.MEM | size, dst, src, off, 0];
const st = (size: number, dst: number, off: number, imm: number): Ins => [BpfClass.ST | BpfMode.MEM | size, dst, 0, off, imm];
const ldx = (size: number, dst: number, src: number, off: number): Ins => [BpfClass.LDX | BpfMode.MEM | size, dst, src, off, 0];
const call = (imm: number, src = 0): Ins => [Opcode.CALL, 0, src, 0, imm];
const exit: Ins = [Opcode.EXIT, 0, 0, 0, 0];
/** The instruction whose reach a row asks about (a helper call, as a poisoned relocation is). */
const MARK: Ins = call(1);

function assemble(insns: readonly Ins[]): Uint8Array {
  const out = new Uint8Array(insns.length * 8);
  const dv = new DataView(out.buffer);
  insns.forEach(([code, dst, src, off, imm], i) => {
    out[i * 8] = code;
    out[i * 8 + 1] = (src << 4) | dst;
    dv.setInt16(i * 8 + 2, off, true);
    dv.setInt32(i * 8 + 4, imm, true);
  });
  return out;
}

interface Fn { readonly name: string; readonly global?: boolean; readonly insns: readonly Ins[] }

/** Functions laid out in one section, as `.text` is: calls without relocations (`idx + imm + 1`). */
function build(fns: readonly Fn[]): { obj: BpfObject; progs: BpfProgram[]; codeOf: (p: BpfProgram) => InsnBuffer } {
  let at = 0;
  const progs: BpfProgram[] = fns.map((f, i) => {
    const p: BpfProgram = {
      name: f.name, section: 'test', sectionIndex: 1, insnOffset: at, insnCount: f.insns.length, isSubprogram: i > 0,
      attachBtf: false, sleepable: false, autoload: true, global: f.global ?? false,
    };
    at += f.insns.length;
    return p;
  });
  const codes = new Map(progs.map((p, i) => [p, new InsnBuffer(assemble(fns[i].insns), true)]));
  const obj = {
    littleEndian: true,
    relocationsIn: () => new Map(),
    programAt: (_s: number, insn: number) => progs.find((p) => insn >= p.insnOffset && insn < p.insnOffset + p.insnCount),
    sourceLine: () => undefined,
  } as unknown as BpfObject;
  return { obj, progs, codeOf: (p) => codes.get(p)! };
}

/** Whether instruction `pc` of function `fn` (by index) is reached under `model`. */
function reaches(fns: readonly Fn[], fn: number, pc: number, model: VerifierModel): boolean {
  const { obj, progs, codeOf } = build(fns);
  const r = analyzeReachability(obj, progs[0], codeOf, { model });
  assert.ok(r.complete);
  return r.reached.get(progs[fn])?.[pc] === 1;
}

const without = (patch: Partial<VerifierModel>): VerifierModel => ({ ...HOST_VERIFIER, ...patch });
const spills = (patch: Partial<VerifierModel['spills']>): VerifierModel => without({ spills: { ...HOST_VERIFIER.spills, ...patch } });
const main = (...insns: Ins[]): Fn[] => [{ name: 'main', insns }];

/** rule, program, the function and instruction asked about, the model without the rule; with it (HOST_VERIFIER) the mark is dead code. */
const RULES: readonly [string, Fn[], number, number, VerifierModel][] = [
  ['branch folding: jgt on a constant and an immediate (4.20)',
    main(mov(1, 5), jmp(JmpOp.JGT, 1, 3, 1), MARK, exit), 0, 2, without({ branchFolding: 'eq-imm' })],
  ['branch folding: two known registers (5.7)',
    main(mov(1, 5), mov(2, 3), jmpr(JmpOp.JGT, 1, 2, 1), MARK, exit), 0, 3, without({ branchFolding: 'imm' })],
  ['spills: an 8-byte constant spilled and filled (5.3)',
    main(mov(1, 0), stx(BpfSize.DW, 10, -8, 1), ldx(BpfSize.DW, 2, 10, -8), jmp(JmpOp.JEQ, 2, 0, 1), MARK, exit), 0, 4, spills({ constants: false })],
  ['spills: a 4-byte constant spilled and filled (5.16)',
    main(mov(1, 0), stx(BpfSize.W, 10, -4, 1), ldx(BpfSize.W, 2, 10, -4), jmp(JmpOp.JEQ, 2, 0, 1), MARK, exit), 0, 4, spills({ narrow: false })],
  ['spills: a narrower fill of an 8-byte spill (6.9)',
    main(mov(1, 0), stx(BpfSize.DW, 10, -8, 1), ldx(BpfSize.W, 2, 10, -8), jmp(JmpOp.JEQ, 2, 0, 1), MARK, exit), 0, 4, spills({ narrowFill: false })],
  ['spills: an immediate stored by BPF_ST (6.3)',
    main(st(BpfSize.DW, 10, -8, 0), ldx(BpfSize.DW, 2, 10, -8), jmp(JmpOp.JEQ, 2, 0, 1), MARK, exit), 0, 3, spills({ immediateStores: false })],
  ['global functions: no reachable call, not verified (lazily, 6.8)',
    [{ name: 'main', insns: [mov(1, 0), jmp(JmpOp.JEQ, 1, 0, 1), call(1, 1), exit] }, { name: 'g', global: true, insns: [MARK, exit] }], 1, 0,
    without({ lazyGlobals: false })],
];

for (const [rule, fns, fn, pc, weaker] of RULES) {
  test(`reach rule: ${rule}`, () => {
    assert.equal(reaches(fns, fn, pc, HOST_VERIFIER), false, 'dead code with the rule');
    assert.equal(reaches(fns, fn, pc, weaker), true, 'reached without it');
  });
}

test('reach rule: before 5.6 a global function is verified in its caller\'s context (libbpf makes it static)', () => {
  const fns: Fn[] = [{ name: 'main', insns: [mov(1, 1), call(1, 1), exit] }, { name: 'g', global: true, insns: [jmp(JmpOp.JEQ, 1, 1, 1), MARK, exit] }];
  assert.equal(reaches(fns, 1, 1, HOST_VERIFIER), true, 'verified on its own, with unknown arguments');
  assert.equal(reaches(fns, 1, 1, without({ globalFunctions: false, lazyGlobals: false })), false, 'r1 = 1 from the caller');
});

test('reach rule: a static function is walked in its caller\'s context (r1 = 1 from the caller)', () => {
  const fns: Fn[] = [{ name: 'main', insns: [mov(1, 1), call(1, 1), exit] }, { name: 'f', insns: [jmp(JmpOp.JEQ, 1, 1, 1), MARK, exit] }];
  assert.equal(reaches(fns, 1, 0, HOST_VERIFIER), true);
  assert.equal(reaches(fns, 1, 1, HOST_VERIFIER), false);
});

test('reach rule: calls deeper than MAX_CALL_FRAMES end the path', () => {
  const fns: Fn[] = [{ name: 'main', insns: [call(1, 1), exit] }, { name: 'f', insns: [MARK, exit] }];
  assert.equal(reaches(fns, 1, 0, HOST_VERIFIER), true);
  assert.equal(reaches(fns, 1, 0, without({ maxFrames: 1 })), false);
});

test('reach rule: no verifier computes divisions (a model that did would fold them)', () => {
  const fns = main(mov(1, 6), alu(AluOp.DIV, 1, 2), jmp(JmpOp.JEQ, 1, 3, 1), MARK, exit);
  assert.equal(reaches(fns, 0, 3, HOST_VERIFIER), true);
  assert.equal(reaches(fns, 0, 3, without({ divisions: true })), false);
});

test('reach rule: jeq/jne on an immediate are folded by every verifier (pre-4.20 too)', () => {
  assert.equal(reaches(main(mov(1, 0), jmp(JmpOp.JEQ, 1, 0, 1), MARK, exit), 0, 2, without({ branchFolding: 'eq-imm' })), false);
});

/** INSN_UNSUPPORTED rows: the program, the feature, and the model field that refuses it. */
const ISA: readonly [string, Ins[], string, Partial<VerifierModel['insns']>, boolean][] = [
  // opcode-table features are refused wherever they are, even in dead code
  ['JMP32 in dead code', [mov(1, 0), jmp(JmpOp.JEQ, 1, 0, 1), jmp(JmpOp.JGT, 2, 1, 0, BpfClass.JMP32), exit], 'jmp32', { jmp32: false }, true],
  ['bswap (ALU64 END) in dead code', [mov(1, 0), jmp(JmpOp.JEQ, 1, 0, 1), [BpfClass.ALU64 | AluOp.END, 1, 0, 0, 16], exit], 'cpu-v4', { cpuV4: false }, true],
  ['gotol', [[Opcode.GOTOL, 0, 0, 0, 0], exit], 'cpu-v4', { cpuV4: false }, true],
  ['ldsx', [[BpfClass.LDX | BpfMode.MEMSX | BpfSize.W, 0, 10, -8, 0], exit], 'cpu-v4', { cpuV4: false }, true],
  ['may_goto', [[Opcode.MAY_GOTO, 0, 0, 0, 0], exit], 'may-goto', { mayGoto: false }, true],
  // field checks of do_check: reached instructions only
  ['sdiv reached', [mov(1, 6), alu(AluOp.DIV, 1, 2, 1), exit], 'cpu-v4', { cpuV4: false }, true],
  ['sdiv in dead code', [mov(1, 0), jmp(JmpOp.JEQ, 1, 0, 1), alu(AluOp.DIV, 1, 2, 1), exit], 'cpu-v4', { cpuV4: false }, false],
  ['movsx reached', [[BpfClass.ALU64 | AluOp.MOV | BpfSource.X, 1, 2, 8, 0], exit], 'cpu-v4', { cpuV4: false }, true],
  ['addr_space_cast', [[BpfClass.ALU64 | AluOp.MOV | BpfSource.X, 1, 1, 1, 1], exit], 'addr-space-cast', { addrSpaceCast: false }, true],
  ['atomic fetch-add', [mov(1, 1), [BpfClass.STX | BpfMode.ATOMIC | BpfSize.DW, 10, 1, -8, AtomicOp.ADD | AtomicOp.FETCH], exit], 'atomic-fetch', { atomicFetch: false }, true],
  ['atomic add (xadd, known to every kernel)', [mov(1, 1), [BpfClass.STX | BpfMode.ATOMIC | BpfSize.DW, 10, 1, -8, AtomicOp.ADD], exit], 'atomic-fetch', { atomicFetch: false }, false],
  ['cmpxchg', [mov(1, 1), [BpfClass.STX | BpfMode.ATOMIC | BpfSize.DW, 10, 1, -8, AtomicOp.CMPXCHG], exit], 'atomic-fetch', { atomicFetch: false }, true],
  ['load-acquire', [[BpfClass.STX | BpfMode.ATOMIC | BpfSize.DW, 0, 10, -8, AtomicOp.LOAD_ACQ], exit], 'load-acquire', { loadAcquire: false }, true],
];

for (const [what, insns, feature, isa, refused] of ISA) {
  test(`INSN_UNSUPPORTED: ${what} ${refused ? 'is' : 'is not'} refused without ${feature}`, () => {
    const { obj, progs, codeOf } = build(main(...insns));
    const check = (model: VerifierModel): string[] => {
      const reach = analyzeReachability(obj, progs[0], codeOf, { model });
      return insnSetReasons(obj, progs[0], codeOf, progs, reach, model).map((r) => (r.subject.kind === 'insn' ? r.subject.feature : '?'));
    };
    assert.deepEqual(check(HOST_VERIFIER), [], 'the host verifier knows every instruction');
    assert.deepEqual(check(without({ insns: { ...HOST_VERIFIER.insns, ...isa } })), refused ? [feature] : []);
  });
}

test('INSN_UNSUPPORTED: loops before 5.3 (check_cfg\'s back-edges), size before 5.2, tail calls beside bpf-to-bpf calls before 5.10', () => {
  const loop = [mov(1, 0), alu(AluOp.ADD, 1, 1), jmp(JmpOp.JLT, 1, 10, -2), exit];
  assert.equal(firstBackEdge(new InsnBuffer(assemble(loop), true)), 2);
  // a forward jump and a backward jump to a finished block are no back-edges
  const diamond = [mov(1, 0), jmp(JmpOp.JEQ, 1, 0, 2), mov(2, 1), exit, mov(2, 2), exit];
  assert.equal(firstBackEdge(new InsnBuffer(assemble(diamond), true)), -1);
  const features = (fns: Fn[], model: VerifierModel): string[] => {
    const { obj, progs, codeOf } = build(fns);
    const reach = analyzeReachability(obj, progs[0], codeOf, { model });
    return insnSetReasons(obj, progs[0], codeOf, progs, reach, model).map((r) => (r.subject.kind === 'insn' ? r.subject.feature : '?'));
  };
  assert.deepEqual(features(main(...loop), without({ boundedLoops: false })), ['loops']);
  assert.deepEqual(features(main(...loop), HOST_VERIFIER), []);
  const big = main(...Array.from({ length: 4100 }, () => mov(0, 0)), exit);
  assert.deepEqual(features(big, without({ maxInsns: 4096 })), ['program-size']);
  assert.deepEqual(features(big, HOST_VERIFIER), []);
  const tail: Fn[] = [{ name: 'main', insns: [call(0, 1), call(12), exit] }, { name: 'f', insns: [mov(0, 0), exit] }];
  assert.deepEqual(features(tail, without({ tailCallsWithCalls: false })), ['tail-calls-with-calls']);
  assert.deepEqual(features([tail[0]].map((f) => ({ ...f, insns: [call(12), exit] })), without({ tailCallsWithCalls: false })), []);
});
