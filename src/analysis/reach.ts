import { POISON_IMM } from '../core/patch.js';
import { emptyFields, type InsnBuffer } from '../insn/buffer.js';
import { BPF_PSEUDO_CALL, BPF_PSEUDO_KFUNC_CALL } from '../insn/insn.js';
import {
  AluOp, AtomicOp, BpfClass, BpfMode, BpfSource, JmpOp, Opcode, opAluOp, opJmpOp, opMode, opSizeBytes, opSource,
} from '../insn/opcode.js';
import { callTarget, ldImm64Target } from '../object/calls.js';
import type { BpfObject, BpfProgram } from '../object/object.js';
import { linkedFunctions } from './functions.js';
import { MASK32, MASK64, foldAlu, foldJump } from '../insn/fold.js';
import type { FrozenAddress, KnownValues } from './known-values.js';
import { HOST_VERIFIER, type BranchFolding, type VerifierModel } from './verifier-model.js';
import { oncePer } from '../common/memo.js';

/**
 * Which instructions of a program the kernel verifier can reach once CO-RE results are constants.
 *
 * The verifier walks every path, but a conditional jump whose operands it knows goes one way only:
 * `if (bpf_core_type_exists(struct open_how))` is `r1 = 0; if r1 == 0 goto skip` on a kernel without
 * the type, and the poisoned read behind it is never visited. This walk does the same with exact
 * constants: registers, stack slots (spills of constants at offsets aligned to their size, and fills
 * of the same or fewer bytes at the same offset, also through pointers into a caller's frame),
 * bpf-to-bpf calls into static functions in the caller's context with r6-r9 preserved and r0
 * returned. Global functions are verified on their own with unknown arguments when a reachable
 * call needs them (as kernels since 6.8 do), callbacks (bpf_loop and friends) likewise. Which
 * spills are kept, which branches are folded, how global functions are verified and how deep calls
 * nest are the rules of a `VerifierModel` (`verifier-model.ts`: one per kernel generation, this
 * host's 6.18 by default); the sentences here describe that default. Loads from the maps libbpf
 * freezes (`.rodata*`, `.kconfig`) at constant offsets give the constants `KnownValues` knows, as
 * the verifier reads them from the frozen map (5.5+). Everything else (other memory, map values,
 * helper results, CONFIG_* values not given) is unknown, and a jump on an unknown value goes both ways, so the reached set is
 * never smaller than the verifier's. Loops are followed iteration by iteration; a join point seen
 * too often widens the values that keep changing to unknown, and a step budget bounds the walk
 * (`complete` is false when it ran out).
 */
export interface Reachability {
  /** False when the step budget ran out: instructions outside `reached` may still be reachable. */
  readonly complete: boolean;
  /** Per function (the program and each subprogram it can reach), the instructions some path reaches. */
  readonly reached: ReadonlyMap<BpfProgram, Uint8Array>;
}

/** The code of every function after CO-RE patching. */
export type CodeOf = (fn: BpfProgram) => InsnBuffer;

/** Instructions the walk interprets per program before giving up (the kernel verifier's own limit is 1M). */
export const DEFAULT_MAX_STEPS = 1_000_000;

export interface ReachOptions {
  /** Instructions interpreted before giving up (the kernel verifier's own limit is 1M). */
  readonly maxSteps?: number;
  /** Visits of one join point (same call stack) before changing values there become unknown. */
  readonly widenAfter?: number;
  /** __weak externs the kernel lacks: libbpf loads their address as 0 (`if (bpf_task_acquire)` is then false). */
  readonly missingWeakExterns?: ReadonlySet<string>;
  /** The rules of the kernel's verifier (`HOST_VERIFIER`, this host's 6.18, unless given). */
  readonly model?: VerifierModel;
  /** What loads from frozen maps give (none: every such load is unknown). */
  readonly known?: KnownValues;
}

/**
 * A register or stack value: a constant (u64), a pointer into a frame's stack, a pointer at a
 * constant offset into a frozen map (`FrozenAddress`), or unknown (null).
 */
type Val = { readonly c: bigint } | { readonly frame: number; readonly off: number } | FrozenAddress | typeof MEM | null;
/** A pointer known not to point into any stack (the context, a map or global data): stores through it leave the stack alone. */
const MEM = { mem: true } as const;

interface Frame {
  readonly fn: BpfProgram;
  readonly code: InsnBuffer;
  /** The call stack down to this frame, as `atJoin` keys join points by it (built once per call, not per branch). */
  readonly key: string;
  /** `fn`'s reached instructions (one array per function, shared by every frame of it). */
  readonly marks: Uint8Array;
  /** `fn`'s immediates as values, by instruction, made on first use (shared like `marks`: values are never mutated). */
  readonly imms: (Val | undefined)[];
  /** Where the caller continues after this frame returns. */
  readonly ret: number;
  /** The caller's r6-r9 (callee-saved), restored on return. */
  readonly saved: readonly Val[];
  /**
   * Spilled constants (and 8-byte spilled stack pointers), by offset from the frame pointer
   * (aligned to their size). Copied on write: states queued at a branch and states recorded at a
   * join point share their frames' maps until one of them writes (`writableStack`).
   */
  stack: Map<number, Slot>;
  /** Whether `stack` belongs to this frame alone (false once shared by `cloneFrames`). */
  owned: boolean;
}

/** A spill: `size` bytes (1, 2, 4 or 8) of a value at an offset aligned to `size`. */
interface Slot {
  readonly size: number;
  readonly v: Val;
}

interface State {
  pc: number;
  regs: Val[];
  frames: Frame[];
}

const u64 = (v: bigint): bigint => v & MASK64;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);
const constOf = (v: Val): bigint | undefined => (v !== null && 'c' in v ? v.c : undefined);
const isPtr = (v: Val): v is { frame: number; off: number } => v !== null && 'frame' in v;
const isMem = (v: Val): boolean => v === MEM;
const isFrozen = (v: Val): v is FrozenAddress => v !== null && 'region' in v;


/**
 * The rules of a verifier model the walk follows: nothing else of the model changes a walk, so
 * walks are shared between kernels whose models agree on these (`walkRulesKey`). The walker sees
 * the model through this type only, so a rule it starts to read must be added here.
 */
const WALK_RULES = ['globalFunctions', 'lazyGlobals', 'branchFolding', 'maxFrames', 'spills', 'frozenMapReads', 'divisions'] as const satisfies readonly (keyof VerifierModel)[];
export type WalkRules = Pick<VerifierModel, (typeof WALK_RULES)[number]>;

/** The walk's rules of `model` as text: equal for models that walk alike (kernels of one generation have equal models, not the same object). */
export const walkRulesKey = oncePer((model: VerifierModel): string => JSON.stringify(WALK_RULES.map((rule) => model[rule])));

export function analyzeReachability(obj: BpfObject, main: BpfProgram, codeOf: CodeOf, opts: ReachOptions = {}): Reachability {
  return new Walker(obj, codeOf, opts).run(main);
}

class Walker {
  /** Filled by `InsnBuffer.decode` for each step. */
  private readonly fields = emptyFields();
  private readonly reached = new Map<BpfProgram, Uint8Array>();
  /** Per function, its marks array; it enters `reached` when its first instruction is reached. */
  private readonly marks = new Map<BpfProgram, Uint8Array>();
  private readonly imms = new Map<BpfProgram, (Val | undefined)[]>();
  /** States recorded at join points: by call stack (`Frame.key`), then by instruction. */
  private readonly joins = new Map<string, Map<number, { count: number; joined: State }>>();
  private readonly work: State[] = [];
  private readonly callbacks = new Set<string>();
  private steps = 0;
  private readonly maxSteps: number;
  private readonly widenAfter: number;
  private readonly missingWeak: ReadonlySet<string>;
  private readonly model: WalkRules;
  private readonly known?: KnownValues;

  constructor(private readonly obj: BpfObject, private readonly codeOf: CodeOf, opts: ReachOptions) {
    this.maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
    this.widenAfter = opts.widenAfter ?? 32;
    this.missingWeak = opts.missingWeakExterns ?? new Set();
    this.model = opts.model ?? HOST_VERIFIER;
    this.known = opts.known;
  }

  run(main: BpfProgram): Reachability {
    this.enter(main, 0);
    // Before 6.8 the verifier checks every global function the program links, called or not.
    if (this.model.globalFunctions && !this.model.lazyGlobals) {
      for (const fn of linkedFunctions(this.obj, main, this.codeOf)) if (fn !== main && fn.global) this.callback(fn, 0);
    }
    while (this.work.length > 0 && this.steps <= this.maxSteps) this.path(this.work.pop()!);
    return { complete: this.steps <= this.maxSteps, reached: this.reached };
  }

  /** Queues a function entered with unknown arguments (the program itself, or a callback). */
  private enter(fn: BpfProgram, entry: number): void {
    const regs: Val[] = new Array(11).fill(null);
    regs[10] = { frame: 0, off: 0 };
    regs[1] = MEM; // the program's context (a callback's first argument is no stack pointer either)
    this.work.push({ pc: entry, regs, frames: [this.frame(fn, undefined, -1, [])] });
  }

  /** A new frame for `fn`, called from `caller` (none for an entry), returning to `ret`. */
  private frame(fn: BpfProgram, caller: Frame | undefined, ret: number, saved: readonly Val[]): Frame {
    const code = this.codeOf(fn);
    let marks = this.marks.get(fn);
    let imms = this.imms.get(fn);
    if (!marks || !imms) {
      marks = new Uint8Array(code.count);
      this.marks.set(fn, marks);
      imms = new Array<Val | undefined>(code.count).fill(undefined);
      this.imms.set(fn, imms);
    }
    const key = `${caller ? `${caller.key}/` : ''}${fn.sectionIndex}.${fn.insnOffset}@${ret}`;
    return { fn, code, key, marks, imms, ret, saved, stack: new Map(), owned: true };
  }

  private mark(frame: Frame, pc: number): void {
    if (frame.marks[pc] !== 0) return;
    frame.marks[pc] = 1;
    if (!this.reached.has(frame.fn)) this.reached.set(frame.fn, frame.marks);
  }

  /** Follows one path until it ends, queueing the other side of every undecided branch. */
  private path(s: State): void {
    for (;;) {
      if (++this.steps > this.maxSteps) return;
      const frame = s.frames[s.frames.length - 1];
      const code = frame.code;
      const pc = s.pc;
      if (pc < 0 || pc >= code.count) return; // falls off the function: the verifier rejects it anyway
      this.mark(frame, pc);
      const { op, cls, dst, src, off, imm } = code.decode(pc, this.fields);
      const r = s.regs;
      if (dst > 10 || src > 10) return; // no such register: the verifier rejects the instruction
      switch (cls) {
        case BpfClass.ALU64:
        case BpfClass.ALU:
          // with an unknown destination only a mov has a known result: skip building the operand
          r[dst] = r[dst] === null && opAluOp(op) !== AluOp.MOV ? null
            : alu(op, cls === BpfClass.ALU64, r[dst], opSource(op) === BpfSource.X ? r[src] : immVal(frame, pc, imm), off, this.model);
          s.pc = pc + 1;
          break;
        case BpfClass.LD:
          if (op === Opcode.LD_IMM64) {
            if (pc + 1 < code.count) this.mark(frame, pc + 1);
            const ref = ldImm64Target(this.obj, frame.fn, pc, imm);
            const frozen = this.known?.address(ref, imm);
            if (ref?.kind === 'subprogram') this.callback(ref.callee, ref.entry);
            if (frozen) r[dst] = frozen;
            else if (ref?.kind === 'extern' && this.missingWeak.has(ref.symbol.name)) r[dst] = { c: 0n };
            else if (ref?.kind === 'data') r[dst] = MEM;
            else r[dst] = ref || src !== 0 || pc + 1 >= code.count ? null : { c: (BigInt(code.imm(pc + 1) >>> 0) << 32n) | BigInt(imm >>> 0) };
            s.pc = pc + 2;
          } else {
            // legacy packet loads (LD_ABS/LD_IND): r0 from the packet, r1-r5 clobbered
            for (let i = 0; i <= 5; i++) r[i] = null;
            s.pc = pc + 1;
          }
          break;
        case BpfClass.LDX:
          r[dst] = opMode(op) === BpfMode.MEM ? this.load(s, r[src], off, opSizeBytes(op))
            : opMode(op) === BpfMode.MEMSX ? this.frozenLoad(r[src], off, opSizeBytes(op), true) : null;
          s.pc = pc + 1;
          break;
        case BpfClass.ST:
        case BpfClass.STX: {
          const size = opSizeBytes(op);
          const isSt = cls === BpfClass.ST;
          if (opMode(op) === BpfMode.MEM) this.store(s, r[dst], off, size, isSt ? immVal(frame, pc, imm) : r[src], isSt);
          else {
            // atomics: the slot becomes unknown, fetching forms write a register too
            this.store(s, r[dst], off, size, null, isSt);
            if (!isSt && (imm & AtomicOp.FETCH) !== 0) r[imm === AtomicOp.CMPXCHG ? 0 : src] = null; // CMPXCHG writes r0
            if (imm === AtomicOp.LOAD_ACQ) r[dst] = null; // load-acquire: dst gets the value loaded through src
          }
          s.pc = pc + 1;
          break;
        }
        case BpfClass.JMP:
        case BpfClass.JMP32: {
          const jop = opJmpOp(op);
          if (cls === BpfClass.JMP && jop === JmpOp.CALL) {
            if (!this.call(s, frame, pc, src, imm)) return;
            break;
          }
          if (cls === BpfClass.JMP && jop === JmpOp.EXIT) {
            if (!this.ret(s)) return;
            break;
          }
          if (jop === JmpOp.JA) {
            s.pc = pc + 1 + (cls === BpfClass.JMP32 ? imm : off); // ja, gotol
            break;
          }
          const taken = r[dst] === null ? undefined // unknown: both ways, whatever the operand
            : decide(jop, cls === BpfClass.JMP32, r[dst], opSource(op) === BpfSource.X ? r[src] : immVal(frame, pc, imm), opSource(op), this.model.branchFolding);
          if (taken === undefined) {
            const target = pc + 1 + off;
            if (!this.seenAlready(target, r, s.frames)) this.queue({ pc: target, regs: r.slice(), frames: cloneFrames(s.frames) });
            s.pc = pc + 1;
            if (!this.atJoin(s)) return;
          } else {
            s.pc = taken ? pc + 1 + off : pc + 1;
          }
          break;
        }
        default:
          return;
      }
    }
  }

  /**
   * What `atJoin` answers false for, with the same charge to the budget, for a branch target the
   * current registers and frames would reach: read in place, before copying a state that would
   * be dropped (most undecided branches of an unrolled loop lead where the walk has been).
   */
  private seenAlready(pc: number, regs: Val[], frames: Frame[]): boolean {
    const seen = this.joins.get(frames[frames.length - 1].key)?.get(pc);
    if (!seen || seen.count >= this.widenAfter || !sameState({ pc, regs, frames }, seen.joined)) return false;
    for (const f of frames) this.steps += f.stack.size;
    return true;
  }

  /** Queues the other side of a branch, unless that state was seen there already. */
  private queue(s: State): void {
    if (this.atJoin(s)) this.work.push(s);
  }

  /**
   * Records a state at a join point (a branch target): false if the same state was seen there, which
   * ends the path. After `widenAfter` visits the values that differ from what was seen before turn
   * unknown, so loops whose counters the branch does not decide still end.
   */
  private atJoin(s: State): boolean {
    const stackKey = s.frames[s.frames.length - 1].key;
    let here = this.joins.get(stackKey);
    if (!here) this.joins.set(stackKey, (here = new Map()));
    // Recording a state costs in proportion to its size: charged to the budget, so hostile programs
    // with huge states end as "unknown" instead of exhausting memory.
    for (const f of s.frames) this.steps += f.stack.size;
    const seen = here.get(s.pc);
    if (!seen) {
      here.set(s.pc, { count: 1, joined: copyState(s) });
      return true;
    }
    if (seen.count >= this.widenAfter) widen(s, seen.joined);
    if (sameState(s, seen.joined)) return false;
    seen.count++;
    seen.joined = copyState(s);
    return true;
  }

  private callback(fn: BpfProgram, entry: number): void {
    const key = `${fn.sectionIndex}.${fn.insnOffset}:${entry}`;
    if (this.callbacks.has(key)) return;
    this.callbacks.add(key);
    this.enter(fn, entry);
  }

  /** A call: false ends the path (a poisoned call the verifier rejects, or an unresolvable target). */
  private call(s: State, frame: Frame, pc: number, src: number, imm: number): boolean {
    const r = s.regs;
    if (src === BPF_PSEUDO_CALL) {
      const ref = callTarget(this.obj, frame.fn, pc, imm);
      // Before 5.6 libbpf makes global functions static (the kernel cannot verify them on their own).
      if (ref.kind === 'subprogram' && ref.callee.global && this.model.globalFunctions) {
        this.callback(ref.callee, ref.entry); // verified on its own; the caller sees an unknown r0
      } else if (ref.kind === 'subprogram') {
        if (s.frames.length >= this.model.maxFrames) return false;
        s.frames.push(this.frame(ref.callee, frame, pc + 1, r.slice(6, 10)));
        r[10] = { frame: s.frames.length - 1, off: 0 };
        s.pc = ref.entry;
        return this.atJoin(s);
      } else if (ref.kind === 'unresolved') {
        return false;
      } else if (ref.kind === 'extern' && this.missingWeak.has(ref.symbol.name)) {
        return false; // libbpf poisons calls of a missing weak kfunc: the verifier stops here
      }
      // a global function or an extern (a kfunc): like a helper below
    } else if (src !== BPF_PSEUDO_KFUNC_CALL && imm === POISON_IMM) {
      return false; // "invalid func unknown#195896080": the verifier stops here
    }
    // A helper, kfunc or global function may write wherever its arguments point: those stacks are forgotten.
    for (let i = 1; i <= 5; i++) {
      const a = r[i];
      if (isPtr(a) && s.frames[a.frame]) forgetStack(s.frames[a.frame]);
    }
    for (let i = 0; i <= 5; i++) r[i] = null;
    s.pc = pc + 1;
    return true;
  }

  /** `exit`: back to the caller with r0, or the end of the path in the outermost frame. */
  private ret(s: State): boolean {
    if (s.frames.length === 1) return false;
    const done = s.frames.pop()!;
    const r = s.regs;
    for (let i = 1; i <= 5; i++) r[i] = null;
    for (let i = 0; i < 4; i++) r[6 + i] = done.saved[i];
    r[10] = { frame: s.frames.length - 1, off: 0 };
    s.pc = done.ret;
    return true;
  }

  private slotOwner(s: State, ptr: Val): Frame | undefined {
    return isPtr(ptr) ? s.frames[ptr.frame] : undefined;
  }

  /**
   * A fill: the spilled constant when the read is aligned on a spill of at least its size
   * (little-endian: the low bytes). Before 6.9 (`narrowFill`), only a fill of the spill's own size.
   */
  private load(s: State, ptr: Val, off: number, size: number): Val {
    if (isFrozen(ptr)) return this.frozenLoad(ptr, off, size, false);
    const f = this.slotOwner(s, ptr);
    if (!f || !isPtr(ptr)) return null;
    const slot = f.stack.get(ptr.off + off);
    if (!slot || slot.size < size || (size < slot.size && (!this.obj.littleEndian || !this.model.spills.narrowFill))) return null;
    if (size === 8) return slot.v;
    const c = constOf(slot.v);
    return c === undefined ? null : { c: c & ((1n << BigInt(size * 8)) - 1n) };
  }

  /** A load from a frozen map at a constant offset: the constant there, when the model reads frozen maps and it is known. */
  private frozenLoad(ptr: Val, off: number, size: number, signed: boolean): Val {
    if (!isFrozen(ptr) || !this.known || !this.model.frozenMapReads) return null;
    const c = this.known.read({ region: ptr.region, off: ptr.off + off }, size, signed);
    return c === undefined ? null : { c };
  }

  /** A spill of a constant at an offset aligned to its size is kept (as the verifier keeps it); any other write forgets what it overlaps. */
  private forgetStacks(s: State): void {
    for (const f of s.frames) forgetStack(f);
  }

  /**
   * What the model's spill rules keep: constants spilled at offsets aligned to their size (8 bytes
   * from 5.3, 1-4 bytes from 5.16, immediates stored by BPF_ST from 6.3), and 8-byte stack pointers.
   */
  private store(s: State, ptr: Val, off: number, size: number, value: Val, immediate: boolean): void {
    if (ptr === null) return this.forgetStacks(s); // an unknown pointer may point into any stack
    const f = this.slotOwner(s, ptr);
    if (!f || !isPtr(ptr)) return; // memory known to be outside the stacks is not tracked
    const at = ptr.off + off;
    // Stacks are shared with queued states only through copies, so this frame's map is ours.
    for (const [k, slot] of f.stack) if (k < at + size && at < k + slot.size) writableStack(f).delete(k); // iterates the map it read first
    if (at % size !== 0 || value === null) return;
    const c = constOf(value);
    const rules = this.model.spills;
    if (c !== undefined) {
      if (!rules.constants || (size < 8 && !rules.narrow) || (immediate && !rules.immediateStores)) return;
      writableStack(f).set(at, { size, v: { c: size === 8 ? c : c & ((1n << BigInt(size * 8)) - 1n) } });
    } else if (size === 8) writableStack(f).set(at, { size, v: value });
  }
}

/** The immediate of the instruction at `pc` as a value (sign-extended to 64 bits), made once per instruction. */
function immVal(frame: Frame, pc: number, imm: number): Val {
  return (frame.imms[pc] ??= { c: u64(BigInt(imm)) });
}

/** ALU on known constants (and frame pointer plus or minus a constant); anything else is unknown. */
function alu(op: number, is64: boolean, a: Val, b: Val, off: number, model: WalkRules): Val {
  const aop = opAluOp(op);
  if (aop === AluOp.MOV) {
    // mov (with off 8/16/32: movsx)
    if (off !== 0 && off !== 8 && off !== 16 && off !== 32) return null; // addr_space_cast and the like
    const v = constOf(b);
    if (v === undefined) return is64 && off === 0 ? b : null;
    const ext = off === 8 ? BigInt.asIntN(8, v) : off === 16 ? BigInt.asIntN(16, v) : off === 32 ? s32(v) : v;
    return { c: is64 ? u64(ext) : u64(ext) & MASK32 };
  }
  if (is64 && isMem(a) && (aop === AluOp.ADD || aop === AluOp.SUB)) return MEM;
  // const + fp, const + frozen map address
  if (is64 && aop === AluOp.ADD && (isPtr(b) || isFrozen(b)) && constOf(a) !== undefined) return alu(op, is64, b, a, off, model);
  if (is64 && (isPtr(a) || isFrozen(a)) && (aop === AluOp.ADD || aop === AluOp.SUB)) {
    const d = constOf(b);
    if (d === undefined || d > 0x7fffffffn && d < MASK64 - 0x7fffffffn) return isFrozen(a) ? MEM : null; // still no stack pointer
    const delta = Number(s64(d)) * (aop === AluOp.ADD ? 1 : -1);
    return isPtr(a) ? { frame: a.frame, off: a.off + delta } : { region: a.region, off: a.off + delta };
  }
  const x = constOf(a);
  if (aop === AluOp.NEG) return x === undefined ? null : { c: is64 ? u64(-x) : u64(-x) & MASK32 };
  if (aop === AluOp.END) return null; // byte swaps
  const y = constOf(b);
  if (x === undefined || y === undefined) return null;
  // off != 0 is sdiv/smod (cpu v4): signed, never folded either
  const r = foldAlu(aop, is64, x, y, model.divisions && off === 0);
  return r === undefined ? null : { c: r };
}

/**
 * Whether a conditional jump is taken when both operands are known constants and the verifier folds
 * that comparison (`folding`), else undefined.
 */
function decide(jop: number, is32: boolean, a: Val, b: Val, source: number, folding: BranchFolding): boolean | undefined {
  if (source === BpfSource.X && folding !== 'reg') return undefined;
  if (folding === 'eq-imm' && jop !== JmpOp.JEQ && jop !== JmpOp.JNE) return undefined;
  const x = constOf(a);
  const y = constOf(b);
  if (x === undefined || y === undefined) return undefined;
  return foldJump(jop, is32, x, y);
}

/** New frames sharing the stacks of `frames`, which stop owning them too. */
function cloneFrames(frames: Frame[]): Frame[] {
  return frames.map((f) => {
    f.owned = false;
    // spelled out rather than spread: one object shape for every frame keeps V8's accesses fast
    return { fn: f.fn, code: f.code, key: f.key, marks: f.marks, imms: f.imms, ret: f.ret, saved: f.saved, stack: f.stack, owned: false };
  });
}

/** The frame's stack, copied first if another state shares it. */
function writableStack(f: Frame): Map<number, Slot> {
  if (!f.owned) {
    f.stack = new Map(f.stack);
    f.owned = true;
  }
  return f.stack;
}

/** Forgets every slot of the frame's stack (a fresh map: a shared one stays as the others see it). */
function forgetStack(f: Frame): void {
  if (f.stack.size === 0) return;
  f.stack = new Map();
  f.owned = true;
}

function copyState(s: State): State {
  return { pc: s.pc, regs: s.regs.slice(), frames: cloneFrames(s.frames) };
}

function sameVal(a: Val, b: Val): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (isPtr(a) || isPtr(b)) return isPtr(a) && isPtr(b) && a.frame === b.frame && a.off === b.off;
  if (isFrozen(a) || isFrozen(b)) return isFrozen(a) && isFrozen(b) && a.region === b.region && a.off === b.off;
  return constOf(a) === constOf(b);
}

const sameSlot = (a: Slot, b: Slot | undefined): boolean => b !== undefined && a.size === b.size && sameVal(a.v, b.v);

function sameState(a: State, b: State): boolean {
  if (a.pc !== b.pc || a.frames.length !== b.frames.length) return false;
  for (let i = 0; i < 11; i++) if (!sameVal(a.regs[i], b.regs[i])) return false;
  for (let i = 0; i < a.frames.length; i++) {
    const x = a.frames[i].stack;
    const y = b.frames[i].stack;
    if (x.size !== y.size) return false;
    for (const [k, v] of x) if (!sameSlot(v, y.get(k))) return false;
    const sx = a.frames[i].saved;
    const sy = b.frames[i].saved;
    for (let j = 0; j < sx.length; j++) if (!sameVal(sx[j], sy[j])) return false;
  }
  return true;
}

/** Turns into unknown every value of `s` that differs from `seen` (same call stack). */
function widen(s: State, seen: State): void {
  for (let i = 0; i < 11; i++) if (!sameVal(s.regs[i], seen.regs[i])) s.regs[i] = null;
  for (let i = 0; i < s.frames.length; i++) {
    const f = s.frames[i];
    const was = seen.frames[i];
    for (const [k, v] of f.stack) if (!sameSlot(v, was.stack.get(k))) writableStack(f).delete(k);
    if (f.saved.some((v, j) => !sameVal(v, was.saved[j]))) {
      s.frames[i] = {
        fn: f.fn, code: f.code, key: f.key, marks: f.marks, imms: f.imms, ret: f.ret, stack: f.stack, owned: f.owned,
        saved: f.saved.map((v, j) => (sameVal(v, was.saved[j]) ? v : null)),
      };
    }
  }
}
