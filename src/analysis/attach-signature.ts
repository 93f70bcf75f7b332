import type { Btf } from '../btf/btf.js';
import { Kind } from '../btf/kinds.js';
import { protoToC, prototypeOf, typeToC, type Prototype } from '../btf/prototype.js';
import { emptyFields, type InsnBuffer } from '../insn/buffer.js';
import { MASK32, MASK64, foldAlu, foldJump } from '../insn/fold.js';
import { BPF_PSEUDO_CALL } from '../insn/insn.js';
import { AluOp, AtomicOp, BpfClass, BpfMode, BpfSource, JmpOp, Opcode, opAluOp, opClass, opJmpOp, opMode, opSizeBytes, opSource } from '../insn/opcode.js';
import { callTarget, ldImm64Target } from '../object/calls.js';
import { structOpsSlot } from '../object/struct-ops.js';
import type { StructType } from '../btf/types.js';
import type { BpfObject, BpfProgram } from '../object/object.js';
import { autoloadFix } from './explain.js';
import { KnownValues, type FrozenAddress } from './known-values.js';
import type { CodeOf, Reachability } from './reach.js';
import { perWalk } from './object-context.js';
import type { Reason, ReasonVerdict, SignatureProblem } from './reason.js';
import { mapPartSize, stackReads, type StackRead } from './helper-stack-reads.js';
import type { HelperStackReads } from './verifier-model.js';
import { HELPER_NAMES } from './helper-names.js';
import { returnCodeReasons, tracepointContextReasons } from './context-rules.js';

/**
 * ATTACH_SIGNATURE_MISMATCH: the program's context reads against the attach target's prototype in
 * the kernel's BTF, as the kernel's `btf_ctx_access` (kernel/bpf/btf.c) judges them.
 *
 * For BTF-typed programs (tp_btf, fentry/fexit/fmod_ret, lsm, iter) the context is an array of
 * u64 arguments. The verifier refuses:
 * - a read of argument n when the prototype has fewer than n+1 arguments (`func 'x' doesn't have
 *   n-th argument`); fexit, fmod_ret and lsm may read the return value at n = nr_args;
 * - a read through a context pointer moved by a constant (`dereference of modified ctx ptr`);
 * - a memory access through a loaded argument that the prototype does not type as a pointer to a
 *   struct or union: integers, enums, `void *` and pointers to integers load as scalars (`R1
 *   invalid mem access 'scalar'`).
 * A raw tracepoint's (raw_tp) arguments are all u64: a read beyond the tracepoint's arguments loads,
 * but attaching fails (`bpf_probe_register` checks the largest context offset): warn.
 *
 * The reads are found by a small constant-propagating pass over the instructions the reachability
 * walk reached, in the program and in the static functions it passes the context or an argument
 * to (global functions are verified on their own): the context pointer (r1 at entry, its copies
 * and 8-byte spills), arguments loaded from it, and the values of frozen maps that `KnownValues`
 * knows (`known-values.ts`: `.rodata*`, and the `__kconfig` value LINUX_KERNEL_VERSION when the
 * kernel's release is known; the verifier folds them: libbpf freezes those maps). A read
 * reachable only through a branch on an unknown `__kconfig` value is `unknown`, not `fails`.
 *
 * A struct_ops program's context is the arguments of the struct_ops type's member that points at
 * it, as the kernel declares the member (`structOpsPrototype`).
 *
 * Not modelled: helper and kfunc arguments that need a pointer (only memory accesses count as a
 * dereference), reads at offsets that are not a multiple of 8 or of a pointer with a size other
 * than 8, and reads of pointers to types other than structs, unions, void and integers.
 */

/** Where a program's target prototype comes from, by section kind. */
type TargetKind = 'tp_btf' | 'raw_tp' | 'fentry' | 'fexit' | 'fmod_ret' | 'lsm' | 'iter' | 'struct_ops';

const KINDS: Readonly<Record<string, TargetKind>> = {
  tp_btf: 'tp_btf', raw_tp: 'raw_tp', raw_tracepoint: 'raw_tp', 'raw_tp.w': 'raw_tp', 'raw_tracepoint.w': 'raw_tp',
  fentry: 'fentry', 'fentry.s': 'fentry', fexit: 'fexit', 'fexit.s': 'fexit', fmod_ret: 'fmod_ret', 'fmod_ret.s': 'fmod_ret',
  lsm: 'lsm', 'lsm.s': 'lsm', iter: 'iter', 'iter.s': 'iter', struct_ops: 'struct_ops', 'struct_ops.s': 'struct_ops',
};

/** The section's kind as libbpf's section definitions name it: `tp_btf`, `fentry.s`, `tracepoint`, ... */
const sectionKind = (prog: BpfProgram): string => prog.section.replace(/^\?/, '').split('/')[0];

/** The attach target's prototype in the kernel, with the name it is declared by (none when it is missing, which ATTACH_TARGET_MISSING reports). */
export interface AttachPrototype {
  readonly kind: TargetKind;
  /** The BTF name looked up: `btf_trace_<tp>`, the function, `bpf_lsm_<hook>`, `bpf_iter_<name>`. */
  readonly declaredBy: string;
  readonly proto: Prototype;
  /** The FUNC_PROTO's id in `proto.btf`: the prototype's identity, as the kernel compares it (`attach_func_proto`). */
  readonly protoId: number;
  /** The arguments the context holds: a tracepoint's prototype without its leading `void *`. */
  readonly args: Prototype['params'];
  /** The prototype as C, as the kernel declares it. */
  readonly c: string;
}

/**
 * libbpf's rule for each section kind (libbpf.c, section_defs): where the target's prototype is.
 * A struct_ops program's is the kernel's type of the member of the struct_ops type that points at
 * it (`structOpsSlot`): `struct tcp_congestion_ops`'s `ssthresh`.
 */
export function attachPrototype(prog: BpfProgram, kernel: readonly Btf[], obj?: BpfObject): AttachPrototype | undefined {
  if (KINDS[sectionKind(prog)] === 'struct_ops') return obj && structOpsPrototype(obj, prog, kernel);
  const t = prog.attachTarget;
  if (!t || t.includes(':')) return undefined;
  const kind = KINDS[sectionKind(prog)];
  if (!kind) return undefined;
  const traced = kind === 'tp_btf' || kind === 'raw_tp';
  const declaredBy = traced ? `btf_trace_${t}` : kind === 'lsm' ? `bpf_lsm_${t}` : kind === 'iter' ? `bpf_iter_${t}` : t;
  for (const btf of kernel) {
    const id = btf.find(declaredBy, traced ? Kind.TYPEDEF : Kind.FUNC);
    if (id === undefined) continue;
    const proto = prototypeOf(btf, id);
    if (!proto) return undefined;
    const protoId = traced ? btf.skipModsAndTypedefs(btf.sizeOrType(btf.skipModsAndTypedefs(id))) : btf.sizeOrType(id);
    const c = traced ? `typedef ${protoToC(btf, protoId, `(*${declaredBy})`)};` : `${protoToC(btf, protoId, declaredBy)};`;
    return { kind, declaredBy, proto, protoId, args: traced ? proto.params.slice(1) : proto.params, c };
  }
  return undefined;
}

function structOpsPrototype(obj: BpfObject, prog: BpfProgram, kernel: readonly Btf[]): AttachPrototype | undefined {
  const slot = structOpsSlot(obj, prog);
  if (!slot) return undefined;
  for (const btf of kernel) {
    const id = btf.find(slot.struct, Kind.STRUCT);
    if (id === undefined) continue;
    const member = (btf.type(id) as StructType).members.find((m) => m.name === slot.member);
    const proto = member && prototypeOf(btf, member.type);
    // a kernel without the type or member: libbpf's struct_ops setup fails, which is not a signature's matter
    if (!member || !proto) return undefined;
    const protoId = btf.skipModsAndTypedefs(btf.sizeOrType(btf.skipModsAndTypedefs(member.type)));
    const declaredBy = `${slot.struct}.${slot.member}`;
    return { kind: 'struct_ops', declaredBy, proto, protoId, args: proto.params, c: `struct ${slot.struct} { ${protoToC(btf, protoId, `(*${slot.member})`)}; }` };
  }
  return undefined;
}

/** One context read of the program, and what it does with the value. */
export interface CtxRead {
  /** The function the load is in: the program, or a static function it calls with the context. */
  readonly fn: BpfProgram;
  /** Function-relative instruction of the load. */
  readonly insn: number;
  /** Byte offset in the context (the read's start). */
  readonly offset: number;
  readonly size: number;
  /** The constant the context pointer had been moved by before the load (0: unmodified). */
  readonly moved: number;
  /** The register the load reads through (the verifier's `R1` in its messages). */
  readonly reg: number;
  /** The register of the first reached memory access through the loaded value (none: not dereferenced). */
  readonly derefReg?: number;
  /** Every path to it goes through a branch on a `__kconfig` value corecheck does not know. */
  readonly uncertain: boolean;
  /** Every path to it goes through a branch that a known `__kconfig` value (LINUX_KERNEL_VERSION) decided. */
  readonly chosen: boolean;
}

/**
 * An access through the context or a loaded argument that was spilled to the stack and reloaded
 * after a helper read its slot: what `HelperStackReads` decides (a scalar on generations that
 * clobber the slot).
 */
export interface SpillReread {
  readonly fn: BpfProgram;
  /** Function-relative instruction of the access through the reloaded value. */
  readonly insn: number;
  /** The register the access goes through. */
  readonly reg: number;
  /** What was spilled: the context, or the value of a context read (`CtxRead`, by its offset). */
  readonly spilled: { readonly kind: 'ctx' } | { readonly kind: 'arg'; readonly offset: number };
  /** The frame offset of the slot (negative). */
  readonly slot: number;
  /** The helper that read it (`enum bpf_func_id`), and its call instruction. */
  readonly helper: number;
  readonly call: number;
}

/** A reached `exit` of the program itself (not of a function it calls), with what R0 holds there. */
export interface ProgramExit {
  readonly insn: number;
  /** R0 when the pass knows it; undefined when it is computed at run time. */
  readonly r0?: bigint;
}

/** What one pass finds: the context reads, accesses through spills a helper read, and the program's exits. */
export interface ContextUse {
  readonly reads: readonly CtxRead[];
  readonly rereads: readonly SpillReread[];
  readonly exits: readonly ProgramExit[];
}

// ---------- the pass ----------

/** A register or 8-byte stack slot. */
type V =
  | { readonly t: 'ctx'; readonly off: number }
  | { readonly t: 'arg'; readonly read: string } // the value of a context read (`readKey`)
  | { readonly t: 'c'; readonly v: bigint; /** computed from a __kconfig value */ readonly kc?: true }
  | { readonly t: 'fp'; readonly off: number } // this frame's stack
  | { readonly t: 'frozen'; readonly at: FrozenAddress } // an address in a frozen map (.rodata*, a __kconfig extern)
  | { readonly t: 'kval' } // a __kconfig value corecheck does not know
  | { readonly t: 'map'; readonly name: string } // a map's address (a helper's argument 1)
  // the context or an argument, spilled at `slot`, after helper `helper` read that slot (call at `call`)
  | { readonly t: 'helper-read'; readonly of: V; readonly slot: number; readonly helper: number; readonly call: number }
  | null;

interface St {
  readonly regs: V[];
  /** Spills by frame offset, shared between states until one writes (`writable`). */
  stack: Map<number, V>;
  owned: boolean;
  /** Reached only through branches on unknown __kconfig values. */
  uncertain: boolean;
  /** Reached only through branches that known __kconfig values (LINUX_KERNEL_VERSION) decided. */
  chosen: boolean;
}

/** Static calls followed with the context, as deep as the kernel's MAX_CALL_FRAMES. */
const MAX_DEPTH = 8;

const big = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

function sameV(a: V, b: V): boolean {
  if (a === b) return true;
  if (a === null || b === null || a.t !== b.t) return false;
  switch (a.t) {
    case 'ctx': case 'fp': return a.off === (b as typeof a).off;
    case 'arg': return a.read === (b as typeof a).read;
    case 'c': return a.v === (b as typeof a).v && a.kc === (b as typeof a).kc;
    case 'map': return a.name === (b as typeof a).name;
    case 'frozen': return a.at.region === (b as typeof a).at.region && a.at.off === (b as typeof a).at.off;
    case 'kval': return true;
    case 'helper-read': {
      const h = b as typeof a;
      return a.slot === h.slot && a.helper === h.helper && a.call === h.call && sameV(a.of, h.of);
    }
  }
}

/** The state's stack, copied first if another state shares it. */
function writable(s: St): Map<number, V> {
  if (!s.owned) {
    s.stack = new Map(s.stack);
    s.owned = true;
  }
  return s.stack;
}

/** Merges `b` into `a`: values that differ become unknown; a point is uncertain only if every way in is. */
function merge(a: St, b: St): boolean {
  let changed = false;
  for (let i = 0; i < 11; i++) {
    if (a.regs[i] !== null && !sameV(a.regs[i], b.regs[i])) {
      a.regs[i] = null;
      changed = true;
    }
  }
  if (a.stack !== b.stack) {
    for (const [k, v] of a.stack) {
      if (!sameV(v, b.stack.get(k) ?? null)) {
        writable(a).delete(k);
        changed = true;
      }
    }
  }
  if (a.uncertain && !b.uncertain) {
    a.uncertain = false;
    changed = true;
  }
  if (a.chosen && !b.chosen) {
    a.chosen = false;
    changed = true;
  }
  return changed;
}

/** A copy sharing `s`'s stack (which `s` no longer owns either). */
function copy(s: St): St {
  s.owned = false;
  return { regs: s.regs.slice(), stack: s.stack, owned: false, uncertain: s.uncertain, chosen: s.chosen };
}

/**
 * Every context read on `prog`'s reached instructions (its own, and those of static functions it
 * passes the context or a loaded argument to), with whether each loaded value is dereferenced.
 * `known` folds what the verifier folds; other `__kconfig` values are unknown. With
 * `helperStackReads` other than `keep`, a context or argument spilled to a slot a helper reads
 * (`stackReads`) is followed as such, and accesses through it after reloading are `rereads`.
 */
export function contextReads(
  obj: BpfObject, prog: BpfProgram, codeOf: CodeOf, reach: Reachability | undefined, known: KnownValues,
  helperStackReads: HelperStackReads = 'keep',
): ContextUse {
  const reads = new Map<string, { fn: BpfProgram; insn: number; offset: number; size: number; moved: number; reg: number; uncertain: boolean; chosen: boolean }>();
  const derefs = new Map<string, number>();
  const rereads = new Map<string, SpillReread>();
  const exits = new Map<number, ProgramExit>();
  const walked = new Map<string, boolean>();
  let budget = 500_000;
  const fields = emptyFields();

  const walk = (fn: BpfProgram, args: readonly V[], uncertainIn: boolean, chosenIn: boolean, depth: number): void => {
    const memo = `${fn.sectionIndex}.${fn.insnOffset}:${JSON.stringify(args, big)}`;
    const was = walked.get(memo);
    if (was === false || (was === true && uncertainIn)) return; // done already, as certain as now
    walked.set(memo, uncertainIn);
    const code = codeOf(fn);
    const marks = reach?.complete ? reach.reached.get(fn) : undefined;
    const reachable = (pc: number): boolean => pc >= 0 && pc < code.count && (marks === undefined || marks[pc] === 1);
    // States are kept at jump targets only: straight-line code passes its state along.
    const joins = jumpTargets(code);
    const states = new Map<number, St>();
    const work: { pc: number; s: St }[] = [];
    const flow = (pc: number, st: St): void => {
      if (!reachable(pc)) return;
      if (!joins.has(pc)) {
        work.push({ pc, s: st });
        return;
      }
      const seen = states.get(pc);
      if (!seen) states.set(pc, copy(st));
      else if (!merge(seen, st)) return;
      work.push({ pc, s: copy(states.get(pc)!) });
    };
    const entry: V[] = new Array(11).fill(null);
    for (let i = 1; i <= 5; i++) entry[i] = args[i - 1] ?? null;
    entry[10] = { t: 'fp', off: 0 };
    flow(0, { regs: entry, stack: new Map(), owned: true, uncertain: uncertainIn, chosen: chosenIn });
    const deref = (base: V, reg: number, pc: number): void => {
      if (base?.t === 'arg' && !derefs.has(base.read)) derefs.set(base.read, reg);
      if (base?.t === 'helper-read' && (base.of?.t === 'ctx' || base.of?.t === 'arg')) {
        const key = `${base.call}:${base.slot}`;
        const spilled = base.of.t === 'ctx' ? { kind: 'ctx' as const } : { kind: 'arg' as const, offset: reads.get(base.of.read)!.offset };
        if (!rereads.has(key)) rereads.set(key, { fn, insn: pc, reg, spilled, slot: base.slot, helper: base.helper, call: base.call });
      }
    };
    /** How many bytes a listed helper argument reads, when known. */
    const readBytes = (x: StackRead, r: readonly V[]): number | undefined => {
      if (typeof x.size === 'object') {
        const n = r[x.size.sizeArg];
        return n?.t === 'c' ? Number(n.v) : undefined;
      }
      const m = r[1];
      const map = m?.t === 'map' ? obj.maps.find((d) => d.name === m.name) : undefined;
      return map && mapPartSize(obj, map, x.size);
    };

    while (work.length > 0 && budget-- > 0) {
      const { pc, s } = work.pop()!;
      const r = s.regs;
      const { op, cls, dst, src, off, imm } = code.decode(pc, fields);
      if (dst > 10 || src > 10) continue;
      switch (cls) {
        case BpfClass.ALU64: case BpfClass.ALU: {
          const b: V = opSource(op) === BpfSource.X ? r[src] : { t: 'c', v: BigInt(imm) & MASK64 };
          r[dst] = alu(opAluOp(op), cls === BpfClass.ALU64, r[dst], b, off);
          flow(pc + 1, s);
          break;
        }
        case BpfClass.LD:
          if (op === Opcode.LD_IMM64) {
            const ref = ldImm64Target(obj, fn, pc, imm);
            const at = known.address(ref, imm);
            r[dst] = at ? { t: 'frozen', at }
              : ref?.kind === 'data' && obj.maps.some((m) => m.origin !== 'data' && m.name === ref.symbol.name) ? { t: 'map', name: ref.symbol.name }
              : ref || src !== 0 || pc + 1 >= code.count ? null
                : { t: 'c', v: ((BigInt(code.imm(pc + 1) >>> 0) << 32n) | BigInt(imm >>> 0)) & MASK64 };
            flow(pc + 2, s);
          } else {
            for (let i = 0; i <= 5; i++) r[i] = null;
            flow(pc + 1, s);
          }
          break;
        case BpfClass.LDX: {
          const base = r[src];
          const size = opSizeBytes(op);
          let v: V = null;
          if (opMode(op) === BpfMode.MEM) {
            if (base?.t === 'ctx') {
              const key = readKey(fn, pc);
              const prev = reads.get(key);
              reads.set(key, {
                fn, insn: pc, offset: base.off + off, size, moved: base.off, reg: src,
                uncertain: (prev?.uncertain ?? true) && s.uncertain, chosen: (prev?.chosen ?? true) && s.chosen,
              });
              v = { t: 'arg', read: key };
            } else if (base?.t === 'fp' && size === 8) {
              v = s.stack.get(base.off + off) ?? null;
            } else if (base?.t === 'frozen') {
              const c = known.read({ region: base.at.region, off: base.at.off + off }, size);
              const kconfig = KnownValues.kconfigName(base.at) !== undefined;
              v = c !== undefined ? (kconfig ? { t: 'c', v: c, kc: true } : { t: 'c', v: c }) : kconfig ? { t: 'kval' } : null;
            } else {
              deref(base, src, pc);
            }
          }
          r[dst] = v;
          flow(pc + 1, s);
          break;
        }
        case BpfClass.ST: case BpfClass.STX: {
          const base = r[dst];
          const size = opSizeBytes(op);
          deref(base, dst, pc);
          if (base?.t === 'fp') {
            const at = base.off + off;
            for (const k of [...s.stack.keys()]) if (k < at + size && at < k + 8) writable(s).delete(k);
            if (cls === BpfClass.STX && opMode(op) === BpfMode.MEM && size === 8 && r[src] !== null) writable(s).set(at, r[src]);
          }
          if (cls === BpfClass.STX && opMode(op) !== BpfMode.MEM) {
            // atomics that fetch write the old value back (cmpxchg to r0); load-acquire loads into dst
            if ((imm & AtomicOp.FETCH) !== 0) r[imm === AtomicOp.CMPXCHG ? 0 : src] = null;
            if (imm === AtomicOp.LOAD_ACQ) r[dst] = null;
          }
          flow(pc + 1, s);
          break;
        }
        case BpfClass.JMP: case BpfClass.JMP32: {
          const jop = opJmpOp(op);
          if (cls === BpfClass.JMP && jop === JmpOp.CALL) {
            if (src === BPF_PSEUDO_CALL) {
              const ref = callTarget(obj, fn, pc, imm);
              // a static function runs in the caller's context; a global one is verified on its own
              if (ref.kind === 'subprogram' && !ref.callee.global && ref.entry === 0 && depth < MAX_DEPTH) {
                walk(ref.callee, r.slice(1, 6).map((a) => (a?.t === 'fp' ? null : a)), s.uncertain, s.chosen, depth + 1);
              }
            }
            // a helper that only reads a slot leaves what the generation's rule leaves of it
            const known = new Set<number>();
            if (src === 0 && helperStackReads !== 'keep') {
              for (const x of stackReads(imm)) {
                const a = r[x.arg];
                const len = a?.t === 'fp' ? readBytes(x, r) : undefined;
                if (a?.t !== 'fp' || len === undefined) continue;
                known.add(x.arg);
                for (const [k, v] of [...s.stack]) {
                  if (k + 8 <= a.off || k >= a.off + len) continue;
                  if (v?.t === 'ctx' || v?.t === 'arg') writable(s).set(k, { t: 'helper-read', of: v, slot: k, helper: imm, call: pc });
                  else if (v?.t !== 'helper-read') writable(s).delete(k); // a constant is unknown once clobbered
                }
              }
            } else if (src === 0) {
              for (const x of stackReads(imm)) if (r[x.arg]?.t === 'fp' && readBytes(x, r) !== undefined) known.add(x.arg);
            }
            // whatever else a call is given a stack pointer to may be overwritten
            for (let i = 1; i <= 5; i++) {
              const a = r[i];
              if (a?.t !== 'fp' || known.has(i)) continue;
              const n = r[i + 1];
              const len = i < 5 && n?.t === 'c' ? Number(n.v) : Infinity;
              for (const k of [...s.stack.keys()]) if (k + 8 > a.off && k < a.off + len) writable(s).delete(k);
            }
            for (let i = 0; i <= 5; i++) r[i] = null;
            flow(pc + 1, s);
            break;
          }
          if (cls === BpfClass.JMP && jop === JmpOp.EXIT) {
            if (depth === 0) {
              const r0 = r[0]?.t === 'c' ? r[0].v : undefined;
              const was = exits.get(pc);
              // one exit reached with several values: the one that is not 0 decides
              if (!was || (was.r0 === 0n && r0 !== 0n)) exits.set(pc, { insn: pc, r0 });
            }
            break;
          }
          if (jop === JmpOp.JA) {
            flow(pc + 1 + (cls === BpfClass.JMP32 ? imm : off), s);
            break;
          }
          const a = r[dst];
          const b: V = opSource(op) === BpfSource.X ? r[src] : { t: 'c', v: BigInt(imm) & MASK64 };
          const taken = decide(jop, cls === BpfClass.JMP32, a, b);
          if (taken !== undefined) {
            if (a?.t === 'c' && a.kc || b?.t === 'c' && b.kc) s.chosen = true;
            flow(taken ? pc + 1 + off : pc + 1, s);
            break;
          }
          if (a?.t === 'kval' || b?.t === 'kval') s.uncertain = true;
          flow(pc + 1 + off, copy(s));
          flow(pc + 1, s);
          break;
        }
        default:
          break;
      }
    }
  };
  walk(prog, [{ t: 'ctx', off: 0 }], false, false, 0);
  const order = (p: { fn: BpfProgram; insn: number }, q: { fn: BpfProgram; insn: number }): number =>
    p.fn.sectionIndex - q.fn.sectionIndex || p.fn.insnOffset - q.fn.insnOffset || p.insn - q.insn;
  return {
    reads: [...reads].map(([key, x]) => ({ ...x, derefReg: derefs.get(key) })).sort(order),
    rereads: [...rereads.values()].sort(order),
    exits: [...exits.values()].sort((a, b) => a.insn - b.insn),
  };
}

/** Where jumps land: the join points, where states from several paths merge. */
function jumpTargets(code: InsnBuffer): Set<number> {
  const out = new Set<number>();
  for (let pc = 0; pc < code.count; pc++) {
    const op = code.code(pc);
    if (op === Opcode.LD_IMM64) {
      pc++;
      continue;
    }
    const cls = opClass(op);
    if (cls !== BpfClass.JMP && cls !== BpfClass.JMP32) continue;
    const jop = opJmpOp(op);
    if (cls === BpfClass.JMP && (jop === JmpOp.CALL || jop === JmpOp.EXIT)) continue;
    out.add(pc + 1 + (cls === BpfClass.JMP32 && jop === JmpOp.JA ? code.imm(pc) : code.off(pc)));
  }
  return out;
}

const readKey = (fn: BpfProgram, pc: number): string => `${fn.sectionIndex}.${fn.insnOffset}+${pc}`;

function alu(aop: number, is64: boolean, a: V, b: V, off: number): V {
  if (aop === AluOp.MOV) return off !== 0 ? null : is64 || b?.t === 'c' ? (b?.t === 'c' && !is64 ? { t: 'c', v: b.v & MASK32 } : b) : null;
  if (a?.t === 'kval' || b?.t === 'kval') return { t: 'kval' };
  if (is64 && (aop === AluOp.ADD || aop === AluOp.SUB) && b?.t === 'c') {
    const d = Number(BigInt.asIntN(64, b.v)) * (aop === AluOp.SUB ? -1 : 1);
    if (a?.t === 'ctx') return { t: 'ctx', off: a.off + d };
    if (a?.t === 'fp') return { t: 'fp', off: a.off + d };
    if (a?.t === 'arg' || a?.t === 'helper-read') return a; // pointer arithmetic keeps what it points into
  }
  if (is64 && aop === AluOp.ADD && a?.t === 'c' && b !== null && b.t !== 'c') return alu(aop, is64, b, a, off);
  if (a?.t !== 'c' || b?.t !== 'c') return null;
  const v = foldAlu(aop, is64, a.v, b.v);
  if (v === undefined) return null;
  return a.kc || b.kc ? { t: 'c', v, kc: true } : { t: 'c', v };
}

function decide(jop: number, is32: boolean, a: V, b: V): boolean | undefined {
  return a?.t === 'c' && b?.t === 'c' ? foldJump(jop, is32, a.v, b.v) : undefined;
}

// ---------- the comparison ----------

/** Whether the kernel's `btf_ctx_access` gives a loaded argument of this type a pointer it may dereference. */
function derefable(btf: Btf, id: number): boolean {
  const t = btf.skipModsAndTypedefs(id);
  if (btf.kind(t) !== Kind.PTR) return false;
  const to = btf.sizeOrType(t);
  if (to === 0) return false; // void *: a scalar
  const k = btf.kind(btf.skipModsAndTypedefs(to));
  return k === Kind.STRUCT || k === Kind.UNION;
}

const versionText = (v: number): string => `${v >> 16}.${(v >> 8) & 0xff}.${v & 0xff}`;

const ordinal = (n: number): string => `argument ${n + 1} (ctx[${n}])`;

/**
 * ATTACH_SIGNATURE_MISMATCH reasons of one program on one kernel (none when its target is missing),
 * and the VERIFIER_RULE reasons the same pass decides: accesses through spills a helper read
 * (`spillRereadReasons`), a tracepoint's context reads and an fentry/fexit's return value
 * (`context-rules.ts`).
 */
export function attachSignatureReasons(
  obj: BpfObject, prog: BpfProgram, kernel: readonly Btf[], codeOf: CodeOf, reach: Reachability, known: KnownValues,
  helperStackReads: HelperStackReads = 'keep',
): Reason[] {
  const section = sectionKind(prog);
  if (section === 'tracepoint' || section === 'tp') {
    return perWalk(reach, 'tracepoint-context', () => tracepointContextReasons(obj, prog, contextReads(obj, prog, codeOf, reach, known).reads));
  }
  const target = attachPrototype(prog, kernel, obj);
  if (!target) return [];
  // the pass depends on what the walk does, and on the helper-read rule
  const use = perWalk(reach, `context:${helperStackReads}`, () => contextReads(obj, prog, codeOf, reach, known, helperStackReads));
  const { reads, rereads } = use;
  const version = known.kernelVersion;
  const { kind, args, proto, c, declaredBy } = target;
  const nr = args.length;
  const retAllowed = kind === 'fexit' || kind === 'fmod_ret' || kind === 'lsm';
  const out: Reason[] = [];
  const seen = new Set<string>();
  const typeOfArg = (n: number): number | undefined => (n < nr ? args[n].type : n === nr && retAllowed ? proto.returnType : undefined);
  const traced = kind === 'tp_btf' || kind === 'raw_tp';
  // CO-RE can test a tracepoint's prototype (its btf_trace_ typedef is a type); a function's
  // prototype is no type CO-RE can match by name, so the choice moves to user space.
  const fixes = traced
    ? [
      `declare each kernel's prototype as a ___flavor of the typedef (e.g. typedef void (*${declaredBy}___old)(void *, <the older arguments>);) and read the argument under if (bpf_core_type_matches(${declaredBy}___old)), instead of a kernel version check`,
      autoloadFix(prog.name),
    ]
    : [
      `write one program per prototype and let user space pick which to load: read ${declaredBy}'s prototype from the kernel's BTF (btf__find_by_name_kind, btf_vlen of its FUNC_PROTO) and turn autoload off for the others (bpf_program__set_autoload)`,
      `or guard each layout with a CO-RE check on a type or field that changed in the same release (bpf_core_type_exists, bpf_core_field_exists), instead of a kernel version check`,
      autoloadFix(prog.name),
    ];
  for (const x of reads) {
    const n = Math.floor(x.offset / 8);
    const doubt = x.uncertain ? ': only on a path behind a __kconfig value (LINUX_KERNEL_VERSION) corecheck does not know for this kernel'
      : x.chosen && version !== undefined ? `; a LINUX_KERNEL_VERSION check (${versionText(version)} here) chose this path: the version does not tell the prototype` : '';
    const push = (problem: SignatureProblem, expects: string, message: string): void => {
      const key = `${n}:${problem}`;
      if (seen.has(key)) return;
      seen.add(key);
      const verdict: ReasonVerdict = x.uncertain ? 'unknown' : problem === 'beyond' && kind === 'raw_tp' ? 'warn' : 'fails';
      out.push({
        class: 'ATTACH_SIGNATURE_MISMATCH', verdict,
        subject: { kind: 'attach-signature', via: kind, target: prog.attachTarget!, declaredBy, argument: n, prototype: c, expects, problem },
        message: message + doubt,
        source: obj.sourceLine(x.fn.section, x.fn.insnOffset + x.insn), function: x.fn.name, insn: x.insn,
        fixes,
      });
    };
    if (x.moved !== 0) {
      push('modified-ctx', `reads ${ordinal(n)} through the context pointer moved by ${x.moved}`,
        `the program reads ${ordinal(n)} through a context pointer moved by ${x.moved} (off=${x.moved}): the verifier refuses it ("dereference of modified ctx ptr R${x.reg} off=${x.moved} disallowed")${n >= nr ? `, and ${declaredBy} has ${nr} argument${nr === 1 ? '' : 's'} here (${c})` : ''}`);
      continue;
    }
    const type = typeOfArg(n);
    if (type === undefined) {
      push('beyond', `reads ${ordinal(n)} (${x.size} bytes at offset ${x.offset})`,
        kind === 'raw_tp'
          ? `the program reads ${ordinal(n)}, but tracepoint ${prog.attachTarget} has ${nr} argument${nr === 1 ? '' : 's'} in this kernel (${c}): it loads, and attaching fails`
          : `the program reads ${ordinal(n)}, but ${declaredBy} has ${nr} argument${nr === 1 ? '' : 's'} in this kernel (${c}): the verifier refuses the read ("func '${prog.attachTarget}' doesn't have ${n + 1}-th argument", or "invalid bpf_context access off=${x.offset} size=${x.size}")`);
      continue;
    }
    if (kind === 'raw_tp' || x.derefReg === undefined) continue;
    if (!derefable(proto.btf, type)) {
      push('scalar', `reads ${ordinal(n)} as a pointer and dereferences it`,
        `the program dereferences ${ordinal(n)}, which ${declaredBy} types as ${typeToC(proto.btf, type)} in this kernel (${c}): the verifier loads it as a scalar and refuses the access ("R${x.derefReg} invalid mem access 'scalar'")`);
    }
  }
  return [...out, ...spillRereadReasons(obj, prog, target, typeOfArg, rereads, helperStackReads), ...returnCodeReasons(obj, prog, section, use.exits)];
}

/** The releases whose verifier keeps what each rule clobbers. */
const KEPT_BY: Readonly<Record<'ctx' | 'btf-id', string>> = { ctx: '6.13-6.18 and later', 'btf-id': '5.10, and 6.13-6.18 and later' };

/**
 * VERIFIER_RULE reasons: accesses through the context or a BTF-pointer argument reloaded from a
 * stack slot a helper read, on a generation whose helper reads turn the spilled pointer into a
 * scalar (`HelperStackReads`). Arguments the prototype types as scalars are the signature check's.
 */
function spillRereadReasons(
  obj: BpfObject, prog: BpfProgram, target: AttachPrototype, typeOfArg: (n: number) => number | undefined,
  rereads: readonly SpillReread[], rule: HelperStackReads,
): Reason[] {
  if (rule === 'keep') return [];
  const out: Reason[] = [];
  for (const x of rereads) {
    let what: string;
    if (x.spilled.kind === 'arg') {
      const n = Math.floor(x.spilled.offset / 8);
      const type = typeOfArg(n);
      // a BTF pointer: kept by 5.10's rule; anything else is a scalar either way
      if (rule === 'keep-btf-id' || type === undefined || !derefable(target.proto.btf, type)) continue;
      what = `argument ${n + 1} (ctx[${n}], ${typeToC(target.proto.btf, type)})`;
    } else {
      what = 'the context pointer';
    }
    const helper = `bpf_${HELPER_NAMES[x.helper] ?? x.helper}`;
    out.push({
      class: 'VERIFIER_RULE', verdict: 'fails',
      subject: {
        kind: 'verifier-rule', rule: 'helper-read-clobbers-spill', what: 'a helper reading the stack turns the pointers spilled there into scalars',
        relaxedIn: KEPT_BY[x.spilled.kind === 'arg' ? 'btf-id' : 'ctx'],
      },
      message: `the program spills ${what} to the stack (fp${x.slot}) and passes that slot to ${helper} (insn ${x.call}); this verifier turns a pointer spilled where a helper reads into a scalar, so the access through the reloaded value is refused ("R${x.reg} invalid mem access 'scalar'")`,
      source: obj.sourceLine(x.fn.section, x.fn.insnOffset + x.insn), function: x.fn.name, insn: x.insn,
      fixes: [
        `give ${helper} a copy of the pointer in a slot of its own (u64 key = (u64)ptr; ${helper}(&map, &key)), so the slot it reads is not the pointer's`,
        'or read what is needed through the pointer before the call',
        autoloadFix(prog.name),
      ],
    });
  }
  return out;
}
