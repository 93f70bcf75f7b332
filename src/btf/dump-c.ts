import type { Btf } from './btf.js';
import { Kind } from './kinds.js';
import { pointerSize, resolveSize, isSizeError } from './size.js';
import { CorecheckError } from '../common/errors.js';

/**
 * `bpftool btf dump file F format c` (a vmlinux.h), byte for byte as bpftool 7.1 with libbpf 1.1
 * prints it: bpftool's `dump_btf_c` wrapper around libbpf's BTF-to-C converter (`btf_dump.c`),
 * which is mirrored below function by function. bpftool calls `btf_dump__dump_type` for every id
 * from 1, so a split BTF (a module on its vmlinux) is dumped together with its base, as bpftool
 * does with `-B`.
 *
 * libbpf recurses freely; here the two walks over the type graph (ordering and emitting) keep
 * explicit stacks, so a long chain of typedefs or pointers cannot overflow the JS stack. Only the
 * printer of a single declaration recurses, once per level of nesting (an anonymous struct inside
 * a member, an array of function pointers), and that depth is capped.
 *
 * Pure TypeScript: no Node APIs, so it runs in a browser.
 */
export function dumpC(btf: Btf, write: (chunk: string) => void): void {
  const out = new Sink(write);
  out.put(HEADER);
  const dumper = new CDumper(btf, out);
  try {
    for (let id = 1; id < btf.typeCount; id++) dumper.dumpType(id);
  } catch (e) {
    // bpftool stops at the first failing type and prints no footer; what was emitted stays.
    out.flush();
    throw e;
  }
  out.put(FOOTER);
  out.flush();
}

/**
 * One type as C, as libbpf's `btf_dump__dump_type` emits it: the types it needs first (typedefs,
 * nested structs, forward declarations), then the type itself. No vmlinux.h preamble.
 */
export function dumpCType(btf: Btf, id: number): string {
  let text = '';
  const out = new Sink((chunk) => { text += chunk; });
  new CDumper(btf, out).dumpType(id);
  out.flush();
  return text;
}

/** bpftool 7.1's `dump_btf_c` preamble (7.1 has no `__ksym`/kfunc section yet). */
const HEADER =
  '#ifndef __VMLINUX_H__\n' +
  '#define __VMLINUX_H__\n' +
  '\n' +
  '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n' +
  '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n' +
  '#endif\n' +
  '\n';

const FOOTER =
  '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n' +
  '#pragma clang attribute pop\n' +
  '#endif\n' +
  '\n' +
  '#endif /* __VMLINUX_H__ */\n';

/** Collects output and hands it to `write` in chunks of about 64 KiB. */
class Sink {
  private buf = '';
  constructor(private readonly write: (chunk: string) => void) {}
  put(s: string): void {
    this.buf += s;
    if (this.buf.length > 1 << 16) this.flush();
  }
  flush(): void {
    if (this.buf) this.write(this.buf);
    this.buf = '';
  }
}

// btf_dump_type_order_state (NOT_ORDERED is 0, the initial value)
const ORDERING = 1;
const ORDERED = 2;
// btf_dump_type_emit_state
const NOT_EMITTED = 0;
const EMITTING = 1;
const EMITTED = 2;

/** libbpf indents with tabs and stops adding them after 13 levels (`pfx`). */
const MAX_INDENT = 13;
function pfx(lvl: number): string {
  return '\t'.repeat(Math.min(lvl, MAX_INDENT));
}

/**
 * How deeply one declaration may nest (anonymous structs in members, arrays of arrays, function
 * pointers taking function pointers) before we give up rather than overflow the JS stack. Kernels
 * nest at most 7 levels (host 6.18, the 561k-type CentOS 4.18); Node's default stack overflows
 * near 1,600. libbpf has no limit (it would crash on a loop instead).
 */
const MAX_DECL_NESTING = 256;

/** libbpf's `missing_base_types`: GCC's Arm SIMD `__PolyX_t` ints, aliased to standard types. */
const MISSING_BASE_TYPES: ReadonlyMap<string, string> = new Map([
  ['__Poly8_t', 'unsigned char'],
  ['__Poly16_t', 'unsigned short'],
  ['__Poly64_t', 'unsigned long long'],
  ['__Poly128_t', 'unsigned __int128'],
]);

/** A view on part of a declaration stack (libbpf's `struct id_stack`): `ids[0..cnt)`, top at the end. */
interface DeclStack {
  readonly ids: number[];
  cnt: number;
}

/** A pending step of `orderType`: a type whose children are being ordered. */
interface OrderFrame {
  readonly id: number;
  readonly kind: number;
  readonly throughPtr: boolean;
  /** Next child to visit. */
  next: number;
  /** FUNC_PROTO: whether any child so far formed a strong link. */
  strong: boolean;
}

/** A pending step of `emitType`: a type whose children are being emitted. */
interface EmitFrame {
  readonly id: number;
  readonly kind: number;
  /** The `cont_id` this type was reached with (0 at top level). */
  readonly contId: number;
  /** The `cont_id` its children are emitted with. */
  readonly childContId: number;
  next: number;
}

/**
 * Fast access to type records without materializing `BtfType` objects (a 561k-type kernel would
 * otherwise keep hundreds of megabytes of decoded members alive).
 */
class Records {
  constructor(private readonly btf: Btf) {}

  private owner(id: number): Btf {
    let b = this.btf;
    while (id < b.firstId && b.base) b = b.base;
    return b;
  }
  /** The u32 at `byte` bytes into the trailer (after the 12-byte header) of type `id`. */
  private trailer(id: number, byte: number): number {
    const b = this.owner(id);
    return b.readU32(b.recordOffset(id) + 12 + byte);
  }

  memberNameOff(id: number, i: number): number {
    return this.trailer(id, i * 12);
  }
  memberType(id: number, i: number): number {
    return this.trailer(id, i * 12 + 4);
  }
  /** `btf_member_bit_offset`. */
  memberBitOffset(id: number, i: number): number {
    const raw = this.trailer(id, i * 12 + 8);
    return this.btf.kflag(id) ? raw & 0xffffff : raw;
  }
  /** `btf_member_bitfield_size`. */
  memberBitfieldSize(id: number, i: number): number {
    return this.btf.kflag(id) ? this.trailer(id, i * 12 + 8) >>> 24 : 0;
  }
  paramNameOff(id: number, i: number): number {
    return this.trailer(id, i * 8);
  }
  paramType(id: number, i: number): number {
    return this.trailer(id, i * 8 + 4);
  }
  arrayElem(id: number): number {
    return this.trailer(id, 0);
  }
  arrayIndexType(id: number): number {
    return this.trailer(id, 4);
  }
  arrayNelems(id: number): number {
    return this.trailer(id, 8);
  }
  enumNameOff(id: number, i: number): number {
    return this.trailer(id, i * 8);
  }
  enumVal(id: number, i: number): number {
    return this.trailer(id, i * 8 + 4);
  }
  enum64NameOff(id: number, i: number): number {
    return this.trailer(id, i * 12);
  }
  enum64Lo(id: number, i: number): number {
    return this.trailer(id, i * 12 + 4);
  }
  enum64Hi(id: number, i: number): number {
    return this.trailer(id, i * 12 + 8);
  }
  /** The type of DATASEC's i-th variable. */
  datasecVarType(id: number, i: number): number {
    return this.trailer(id, i * 12);
  }
}

function isComposite(kind: number): boolean {
  return kind === Kind.STRUCT || kind === Kind.UNION;
}

/** libbpf's `btf_is_mod`: the qualifiers (TYPE_TAG included) that `drop_mods` skips. */
function isMod(kind: number): boolean {
  return kind === Kind.VOLATILE || kind === Kind.CONST || kind === Kind.RESTRICT || kind === Kind.TYPE_TAG;
}

/** libbpf's `struct btf_dump` with the steps of `btf_dump.c` that `format c` uses. */
class CDumper {
  private readonly rec: Records;
  private readonly ptrSz: number;
  private readonly typeCount: number;
  // per-type auxiliary state (`struct btf_dump_type_aux_state`)
  private readonly orderState: Uint8Array;
  private readonly emitState: Uint8Array;
  private readonly fwdEmitted: Uint8Array;
  private readonly nameResolved: Uint8Array;
  private readonly referenced: Uint8Array;
  /** Catches pointer loops that libbpf would recurse on forever. */
  private readonly loops: LoopGuard;
  /** Unique names assigned to duplicates (`cached_names`): `name___N`. */
  private readonly cachedNames = new Map<number, string>();
  /** struct/union/enum name -> occurrences (`type_names`). */
  private readonly typeNames = new Map<string, number>();
  /** typedef and enumerator name -> occurrences (`ident_names`): they share C's ordinary namespace. */
  private readonly identNames = new Map<string, number>();
  /** `btf__align_of` results, -1 when not computed yet. */
  private readonly alignCache: Int32Array;
  private emitQueue: number[] = [];
  private declNesting = 0;

  constructor(private readonly btf: Btf, private readonly out: Sink) {
    this.rec = new Records(btf);
    // `btf__pointer_size(btf) ?: sizeof(void *)`: bpftool runs on a 64-bit host.
    this.ptrSz = pointerSize(btf);
    const n = btf.typeCount;
    this.typeCount = n;
    this.orderState = new Uint8Array(n);
    this.emitState = new Uint8Array(n);
    this.fwdEmitted = new Uint8Array(n);
    this.nameResolved = new Uint8Array(n);
    this.referenced = new Uint8Array(n);
    this.loops = new LoopGuard(n);
    this.alignCache = new Int32Array(n).fill(-1);
    // btf_dump_resize: VOID is always ordered and emitted.
    this.orderState[0] = ORDERED;
    this.emitState[0] = EMITTED;
    this.markReferenced();
  }

  private kind(id: number): number {
    return this.btf.kind(id);
  }
  private nameOf(nameOff: number): string {
    return nameOff === 0 ? '' : this.btf.str(nameOff);
  }
  private fail(id: number, detail: string): never {
    throw new CorecheckError('MALFORMED', `BTF type [${id}]`, -1, detail);
  }

  /**
   * `btf_dump_mark_referenced`: notes every type some other type refers to. An anonymous enum
   * that nothing refers to is a top-level declaration of constants and must be emitted on its own;
   * a referenced one is written inline where it is used.
   */
  private markReferenced(): void {
    const { btf, rec, referenced } = this;
    for (let id = 1; id < this.typeCount; id++) {
      const vlen = btf.vlen(id);
      switch (this.kind(id)) {
        case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.PTR: case Kind.TYPEDEF:
        case Kind.FUNC: case Kind.VAR: case Kind.DECL_TAG: case Kind.TYPE_TAG:
          referenced[btf.sizeOrType(id)] = 1;
          break;
        case Kind.ARRAY:
          referenced[rec.arrayIndexType(id)] = 1;
          referenced[rec.arrayElem(id)] = 1;
          break;
        case Kind.STRUCT: case Kind.UNION:
          for (let i = 0; i < vlen; i++) referenced[rec.memberType(id, i)] = 1;
          break;
        case Kind.FUNC_PROTO:
          for (let i = 0; i < vlen; i++) referenced[rec.paramType(id, i)] = 1;
          break;
        case Kind.DATASEC:
          for (let i = 0; i < vlen; i++) referenced[rec.datasecVarType(id, i)] = 1;
          break;
      }
    }
  }

  /** `btf_dump__dump_type`: orders `id` and everything it needs, then emits them in that order. */
  dumpType(id: number): void {
    this.emitQueue = [];
    this.orderType(id, false);
    for (const queued of this.emitQueue) this.emitType(queued, 0);
  }

  // ---------------------------------------------------------------------------------------------
  // Ordering (btf_dump_order_type)
  // ---------------------------------------------------------------------------------------------

  /**
   * `btf_dump_order_type`: a depth-first topological sort that queues named definitions after the
   * definitions they embed. Returns 1 when the path to `id` is a strong link (the definition must
   * come first), 0 when a forward declaration will do (reached through a pointer to a named type).
   * Throws where libbpf fails with -ELOOP (an anonymous type that contains itself).
   */
  private orderType(rootId: number, rootThroughPtr: boolean): number {
    const stack: OrderFrame[] = [];
    let result = this.enterOrder(rootId, rootThroughPtr, stack);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      if (result !== undefined) {
        // A child just returned `result` to `frame`.
        result = this.orderChildReturned(frame, result);
        if (result !== undefined) {
          stack.pop();
          this.loops.leave();
          continue;
        }
      }
      const child = this.nextOrderChild(frame);
      result = this.enterOrder(child.id, child.throughPtr, stack);
    }
    return result!;
  }

  /**
   * The part of `btf_dump_order_type` before it recurses: returns the result when `id` needs no
   * children ordered, or pushes a frame and returns undefined. Modifiers and arrays just pass on
   * their target's result, so they are followed here in a loop.
   */
  private enterOrder(id: number, throughPtr: boolean, stack: OrderFrame[]): number | undefined {
    for (;;) {
      if (this.orderState[id] === ORDERED) return 1; // lets typedefs know they may be emitted
      const kind = this.kind(id);
      if (this.orderState[id] === ORDERING) {
        // A loop through a pointer to a named struct/union is broken by a forward declaration.
        if (isComposite(kind) && throughPtr && this.btf.nameOff(id) !== 0) return 0;
        this.fail(id, 'unsatisfiable type cycle');
      }
      switch (kind) {
        case Kind.INT: case Kind.FLOAT:
          this.orderState[id] = ORDERED;
          return 0;
        case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
          id = this.btf.sizeOrType(id);
          continue;
        case Kind.ARRAY:
          id = this.rec.arrayElem(id);
          throughPtr = false;
          continue;
        case Kind.STRUCT: case Kind.UNION:
          // Strong only when embedded (no pointer on the path) or anonymous (defined inline even
          // behind a pointer).
          if (throughPtr && this.btf.nameOff(id) !== 0) return 0;
          if (this.btf.vlen(id) === 0) return this.finishOrderComposite(id);
          this.orderState[id] = ORDERING;
          break;
        case Kind.ENUM: case Kind.ENUM64: case Kind.FWD:
          // Named enums, and anonymous ones nothing refers to, are top-level declarations.
          if (this.btf.nameOff(id) !== 0 || !this.referenced[id]) this.emitQueue.push(id);
          this.orderState[id] = ORDERED;
          return 1;
        case Kind.PTR: case Kind.TYPEDEF: case Kind.FUNC_PROTO:
          break;
        case Kind.FUNC: case Kind.VAR: case Kind.DATASEC: case Kind.DECL_TAG:
          this.orderState[id] = ORDERED;
          return 0;
        default:
          this.fail(id, `cannot order kind ${kind}`);
      }
      // PTR, TYPEDEF and FUNC_PROTO have no order state: only the guard sees them loop.
      if (!this.loops.enter(id, isComposite(kind))) this.fail(id, 'type loop through pointers');
      stack.push({ id, kind, throughPtr, next: 0, strong: false });
      return undefined;
    }
  }

  /** The next child of `frame` to order, with the `through_ptr` libbpf passes it. */
  private nextOrderChild(frame: OrderFrame): { id: number; throughPtr: boolean } {
    const { id, kind } = frame;
    const i = frame.next++;
    switch (kind) {
      case Kind.PTR:
        return { id: this.btf.sizeOrType(id), throughPtr: true };
      case Kind.STRUCT: case Kind.UNION:
        return { id: this.rec.memberType(id, i), throughPtr: false };
      case Kind.TYPEDEF:
        return { id: this.btf.sizeOrType(id), throughPtr: frame.throughPtr };
      default: // FUNC_PROTO: the return type, then each parameter
        return { id: i === 0 ? this.btf.sizeOrType(id) : this.rec.paramType(id, i - 1), throughPtr: frame.throughPtr };
    }
  }

  /** A struct/union whose members are ordered: named ones are queued for definition. */
  private finishOrderComposite(id: number): number {
    if (this.btf.nameOff(id) !== 0) this.emitQueue.push(id);
    this.orderState[id] = ORDERED;
    return 1;
  }

  /**
   * The part of `btf_dump_order_type` after a child returned `r`: the frame's own result when it
   * is finished, or undefined when more children remain.
   */
  private orderChildReturned(frame: OrderFrame, r: number): number | undefined {
    const { id, kind } = frame;
    switch (kind) {
      case Kind.PTR:
        this.orderState[id] = ORDERED;
        return r;
      case Kind.STRUCT: case Kind.UNION:
        if (frame.next < this.btf.vlen(id)) return undefined;
        return this.finishOrderComposite(id);
      case Kind.TYPEDEF:
        // Like a struct, a typedef behind a pointer can wait if its target can.
        if (frame.throughPtr && !r) return 0;
        this.emitQueue.push(id);
        this.orderState[id] = ORDERED;
        return 1;
      default: // FUNC_PROTO
        if (r > 0) frame.strong = true;
        if (frame.next <= this.btf.vlen(id)) return undefined;
        return frame.strong ? 1 : 0;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Emitting (btf_dump_emit_type)
  // ---------------------------------------------------------------------------------------------

  /**
   * `btf_dump_emit_type`: emits `id`'s definition with whatever forward declarations and typedefs
   * it needs first. `contId` is the struct/union being defined around it (0 at top level), so a
   * struct referring to itself needs no forward declaration.
   */
  private emitType(rootId: number, rootContId: number): void {
    const stack: EmitFrame[] = [];
    this.enterEmit(rootId, rootContId, stack);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const child = this.nextEmitChild(frame);
      if (child !== undefined) {
        this.enterEmit(child, frame.childContId, stack);
        continue;
      }
      stack.pop();
      this.loops.leave();
      this.leaveEmit(frame);
    }
  }

  /** The part of `btf_dump_emit_type` before it recurses; pushes a frame when children follow. */
  private enterEmit(id: number, contId: number, stack: EmitFrame[]): void {
    for (;;) {
      if (this.emitState[id] === EMITTED) return;
      const kind = this.kind(id);
      if (this.emitState[id] === EMITTING) {
        this.emitWhileEmitting(id, kind, contId);
        return;
      }
      switch (kind) {
        case Kind.INT:
          this.emitMissingAliases(id);
          this.emitState[id] = EMITTED;
          return;
        case Kind.ENUM: case Kind.ENUM64:
          if (contId === 0) {
            this.emitEnumDef(id, 0);
            this.out.put(';\n\n');
          }
          this.emitState[id] = EMITTED;
          return;
        case Kind.PTR: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
          id = this.btf.sizeOrType(id);
          continue;
        case Kind.ARRAY:
          id = this.rec.arrayElem(id);
          continue;
        case Kind.FWD:
          this.emitFwdDef(id);
          this.out.put(';\n\n');
          this.emitState[id] = EMITTED;
          return;
        case Kind.TYPEDEF:
          this.emitState[id] = EMITTING;
          this.pushEmit(stack, id, kind, contId, id);
          return;
        case Kind.STRUCT: case Kind.UNION:
          this.enterEmitComposite(id, kind, contId, stack);
          return;
        case Kind.FUNC_PROTO:
          this.pushEmit(stack, id, kind, contId, contId);
          return;
        default:
          return;
      }
    }
  }

  private pushEmit(stack: EmitFrame[], id: number, kind: number, contId: number, childContId: number): void {
    // TYPEDEF and STRUCT/UNION are EMITTING while open and stop a revisit; FUNC_PROTO is not.
    if (!this.loops.enter(id, kind !== Kind.FUNC_PROTO)) this.fail(id, 'type loop through pointers');
    stack.push({ id, kind, contId, childContId, next: 0 });
  }

  /**
   * A struct/union defined here (top level) or inline (anonymous) needs its members' types
   * declared first; a named one used from elsewhere only needs a forward declaration.
   */
  private enterEmitComposite(id: number, kind: number, contId: number, stack: EmitFrame[]): void {
    this.emitState[id] = EMITTING;
    const anonymous = this.btf.nameOff(id) === 0;
    if (contId === 0 || anonymous) {
      this.pushEmit(stack, id, kind, contId, anonymous ? contId : id);
      return;
    }
    if (!this.fwdEmitted[id] && id !== contId) {
      this.emitStructFwd(id);
      this.out.put(';\n\n');
      this.fwdEmitted[id] = 1;
    }
    this.emitState[id] = NOT_EMITTED;
  }

  /** Reaching a struct or typedef again while it is being emitted: a forward declaration breaks the loop. */
  private emitWhileEmitting(id: number, kind: number, contId: number): void {
    if (this.fwdEmitted[id]) return;
    if (isComposite(kind)) {
      // A struct referring to itself from inside needs no forward declaration.
      if (id === contId) return;
      if (this.btf.nameOff(id) === 0) return; // libbpf warns "anonymous struct/union loop"
      this.emitStructFwd(id);
      this.out.put(';\n\n');
      this.fwdEmitted[id] = 1;
    } else if (kind === Kind.TYPEDEF) {
      // The typedef is needed as a forward declaration (through a pointer): emit it now; its
      // fwd_emitted bit then means "definition already printed".
      if (!this.isBlacklisted(id)) {
        this.emitTypedefDef(id, 0);
        this.out.put(';\n\n');
      }
      this.fwdEmitted[id] = 1;
    }
  }

  private nextEmitChild(frame: EmitFrame): number | undefined {
    const { id, kind } = frame;
    const i = frame.next++;
    switch (kind) {
      case Kind.TYPEDEF:
        return i === 0 ? this.btf.sizeOrType(id) : undefined;
      case Kind.STRUCT: case Kind.UNION:
        return i < this.btf.vlen(id) ? this.rec.memberType(id, i) : undefined;
      default: // FUNC_PROTO: return type, then parameters
        if (i === 0) return this.btf.sizeOrType(id);
        return i <= this.btf.vlen(id) ? this.rec.paramType(id, i - 1) : undefined;
    }
  }

  /** The part of `btf_dump_emit_type` after the children are done. */
  private leaveEmit(frame: EmitFrame): void {
    const { id, kind } = frame;
    if (kind === Kind.TYPEDEF) {
      // Unless a pointer to it already forced it out, the typedef definition goes here.
      if (!this.fwdEmitted[id] && !this.isBlacklisted(id)) {
        this.emitTypedefDef(id, 0);
        this.out.put(';\n\n');
      }
      this.emitState[id] = EMITTED;
    } else if (isComposite(kind)) {
      if (frame.contId === 0) {
        this.emitStructDef(id, 0);
        this.out.put(';\n\n');
        this.emitState[id] = EMITTED;
      } else {
        this.emitState[id] = NOT_EMITTED;
      }
    }
  }

  /**
   * `btf_dump_is_blacklisted`: `__builtin_va_list` is a compiler built-in; redefining it breaks the
   * build with a compiler other than the one that built the kernel.
   */
  private isBlacklisted(id: number): boolean {
    const off = this.btf.nameOff(id);
    return off !== 0 && this.btf.str(off) === '__builtin_va_list';
  }

  // ---------------------------------------------------------------------------------------------
  // Definitions
  // ---------------------------------------------------------------------------------------------

  /** `btf_dump_emit_missing_aliases`. */
  private emitMissingAliases(id: number): void {
    const name = this.typeName(id);
    const alias = MISSING_BASE_TYPES.get(name);
    if (alias !== undefined) this.out.put(`typedef ${alias} ${name};\n\n`);
  }

  /** `btf_dump_emit_struct_fwd`. */
  private emitStructFwd(id: number): void {
    const kw = this.kind(id) === Kind.STRUCT ? 'struct' : 'union';
    const sep = this.btf.nameOff(id) !== 0 ? ' ' : '';
    this.out.put(`${kw}${sep}${this.typeName(id)}`);
  }

  /**
   * `btf_is_struct_packed`: a struct is written `__attribute__((packed))` when a non-bitfield member
   * sits off its natural alignment or the size is not a multiple of the largest alignment.
   */
  private isStructPacked(id: number): boolean {
    const rec = this.rec;
    let maxAlign = 1;
    const vlen = this.btf.vlen(id);
    for (let i = 0; i < vlen; i++) {
      const align = this.alignOf(rec.memberType(id, i));
      if (align && rec.memberBitfieldSize(id, i) === 0 && rec.memberBitOffset(id, i) % (8 * align) !== 0) return true;
      maxAlign = Math.max(align, maxAlign);
    }
    return this.btf.sizeOrType(id) % maxAlign !== 0;
  }

  /**
   * `btf_dump_emit_bit_padding`: fills the gap from `curOff` to `nextOff` (bits) with anonymous
   * bitfields (`long: 64;`, `int: 8;`, or a `long: 0;` alignment mark) so the compiler lays the
   * next member out where the BTF says. It picks the widest of long/int/short/char that reaches an
   * aligned offset inside the gap and relies on natural alignment where that is enough.
   */
  private emitBitPadding(curOff: number, nextOff: number, nextAlign: number, inBitfield: boolean, lvl: number): void {
    if (curOff >= nextOff) return; // no gap
    const pads: [string, number][] = [['long', this.ptrSz * 8], ['int', 32], ['short', 16], ['char', 8]];
    let newOff = 0;
    let padBits = 0;
    let padType = '';
    for (const [name, bits] of pads) {
      padBits = bits;
      padType = name;
      newOff = roundUp(curOff, padBits);
      if (newOff <= nextOff) break;
    }
    if (newOff > curOff && newOff <= nextOff) {
      // An explicit `<type>: 0` mark is needed when the next member's own alignment would not
      // reach newOff, or when a `<type>: X` would fit entirely into the hole and be ignored;
      // inside a run of bitfields the exact bit count is written instead.
      if (inBitfield ||
        (newOff === nextOff && roundUp(curOff, nextAlign * 8) !== newOff) ||
        (newOff !== nextOff && nextOff - newOff <= newOff - curOff)) {
        this.out.put(`\n${pfx(lvl)}${padType}: ${inBitfield ? newOff - curOff : 0};`);
      }
      curOff = newOff;
    }
    // From an aligned offset, fill with whole `<type>: bits;` and a smallest-fitting remainder.
    while (curOff !== nextOff) {
      const bits = Math.min(nextOff - curOff, padBits);
      if (bits === padBits) {
        this.out.put(`\n${pfx(lvl)}${padType}: ${padBits};`);
        curOff += bits;
        continue;
      }
      for (let i = pads.length - 1; i >= 0; i--) {
        padType = pads[i][0];
        padBits = pads[i][1];
        if (padBits < bits) continue;
        this.out.put(`\n${pfx(lvl)}${padType}: ${bits};`);
        curOff += bits;
        break;
      }
    }
  }

  /** `btf_dump_emit_struct_def`: the full `struct name { members }` at indent `lvl`. */
  private emitStructDef(id: number, lvl: number): void {
    const { btf, rec } = this;
    const isStruct = this.kind(id) === Kind.STRUCT;
    const vlen = btf.vlen(id);
    const size = btf.sizeOrType(id);
    const align = this.alignOf(id);
    const packed = isStruct ? this.isStructPacked(id) : false;
    const sep = btf.nameOff(id) !== 0 ? ' ' : '';
    this.out.put(`${isStruct ? 'struct' : 'union'}${sep}${this.typeName(id)} {`);

    let off = 0;
    let prevBitfield = false;
    for (let i = 0; i < vlen; i++) {
      const fname = this.nameOf(rec.memberNameOff(id, i));
      const mType = rec.memberType(id, i);
      let mSz = rec.memberBitfieldSize(id, i);
      const mOff = rec.memberBitOffset(id, i) | 0; // libbpf keeps offsets in an int
      const mAlign = packed ? 1 : this.alignOf(mType);
      const inBitfield = prevBitfield && mSz !== 0;
      this.emitBitPadding(off, mOff, mAlign, inBitfield, lvl + 1);
      this.out.put(`\n${pfx(lvl + 1)}`);
      this.emitTypeDecl(mType, fname, lvl + 1);
      if (mSz) {
        this.out.put(`: ${mSz}`);
        off = mOff + mSz;
        prevBitfield = true;
      } else {
        const sz = resolveSize(btf, mType, this.ptrSz);
        mSz = isSizeError(sz) ? 0 : sz | 0;
        off = (mOff + Math.imul(mSz, 8)) | 0;
        prevBitfield = false;
      }
      this.out.put(';');
    }
    // pad at the end, if necessary
    if (isStruct) this.emitBitPadding(off, Math.imul(size, 8) | 0, align, false, lvl + 1);
    // Keep `struct empty {}` on one line; break only when there are members or padding.
    if (vlen || size) this.out.put(`\n${pfx(lvl)}}`);
    else this.out.put('}');
    if (packed) this.out.put(' __attribute__((packed))');
  }

  /** `btf_dump_emit_enum_fwd`. */
  private emitEnumFwd(id: number): void {
    this.out.put(`enum ${this.typeName(id)}`);
  }

  /** `btf_dump_emit_enum32_val`: enumerators share the ordinary namespace with typedefs. */
  private emitEnum32Vals(id: number, lvl: number, vlen: number): void {
    const signed = this.btf.kflag(id);
    for (let i = 0; i < vlen; i++) {
      const name = this.nameOf(this.rec.enumNameOff(id, i));
      const dups = this.nameDups(this.identNames, name);
      const raw = this.rec.enumVal(id, i);
      const val = signed ? raw | 0 : raw >>> 0;
      this.out.put(`\n${pfx(lvl + 1)}${name}${dups > 1 ? `___${dups}` : ''} = ${val},`);
    }
  }

  /** `btf_dump_emit_enum64_val`. */
  private emitEnum64Vals(id: number, lvl: number, vlen: number): void {
    const signed = this.btf.kflag(id);
    for (let i = 0; i < vlen; i++) {
      const name = this.nameOf(this.rec.enum64NameOff(id, i));
      const dups = this.nameDups(this.identNames, name);
      const bits = (BigInt(this.rec.enum64Hi(id, i)) << 32n) | BigInt(this.rec.enum64Lo(id, i));
      const val = signed ? `${BigInt.asIntN(64, bits)}LL` : `${bits}ULL`;
      this.out.put(`\n${pfx(lvl + 1)}${name}${dups > 1 ? `___${dups}` : ''} = ${val},`);
    }
  }

  /** `btf_dump_emit_enum_def`. */
  private emitEnumDef(id: number, lvl: number): void {
    const btf = this.btf;
    const vlen = btf.vlen(id);
    const sep = btf.nameOff(id) !== 0 ? ' ' : '';
    this.out.put(`enum${sep}${this.typeName(id)}`);
    if (!vlen) return;
    this.out.put(' {');
    const is32 = this.kind(id) === Kind.ENUM;
    if (is32) this.emitEnum32Vals(id, lvl, vlen);
    else this.emitEnum64Vals(id, lvl, vlen);
    this.out.put(`\n${pfx(lvl)}}`);
    // Later libbpf (1.5 here in linux-source-6.12) appends __attribute__((mode(byte))) or
    // mode(word) to 1- and 8-byte enums; libbpf 1.1, the reference, does not (checked on a
    // 1-byte enum in the test).
  }

  /** `btf_dump_emit_fwd_def`. */
  private emitFwdDef(id: number): void {
    const name = this.typeName(id);
    this.out.put(`${this.btf.kflag(id) ? 'union' : 'struct'} ${name}`);
  }

  /** `btf_dump_emit_typedef_def`. */
  private emitTypedefDef(id: number, lvl: number): void {
    const name = this.identName(id);
    const target = this.btf.sizeOrType(id);
    // Old GCC emits `__gnuc_va_list` as a typedef of void; libbpf repairs it.
    if (target === 0 && name === '__gnuc_va_list') {
      this.out.put('typedef __builtin_va_list __gnuc_va_list');
      return;
    }
    this.out.put('typedef ');
    this.emitTypeDecl(target, name, lvl);
  }

  // ---------------------------------------------------------------------------------------------
  // Declarations (btf_dump_emit_type_decl / btf_dump_emit_type_chain)
  // ---------------------------------------------------------------------------------------------

  /**
   * `btf_dump_emit_type_decl`: declares `fname` of type `id` in C syntax. The chain of pointers,
   * qualifiers, arrays and function prototypes down to the first named type is collected on a
   * stack and printed innermost-first by `emitTypeChain`, which is how C's inside-out declarator
   * syntax comes out right (`int (*f[2])(void)`).
   */
  private emitTypeDecl(id: number, fname: string, lvl: number): void {
    const ids: number[] = [];
    for (;;) {
      ids.push(id);
      if (id === 0) break;
      const kind = this.kind(id);
      if (kind === Kind.PTR || kind === Kind.VOLATILE || kind === Kind.CONST || kind === Kind.RESTRICT ||
        kind === Kind.FUNC_PROTO || kind === Kind.TYPE_TAG) {
        id = this.btf.sizeOrType(id);
      } else if (kind === Kind.ARRAY) {
        id = this.rec.arrayElem(id);
      } else {
        break; // a named type ends the chain (anything else is "unexpected" to libbpf, and ends it too)
      }
      if (ids.length > this.typeCount) this.fail(ids[0], 'type loop through pointers');
    }
    this.emitTypeChain({ ids, cnt: ids.length }, fname, lvl);
  }

  /** `btf_dump_emit_mods`: prints the const/volatile/restrict that precede a base type. */
  private emitMods(decls: DeclStack): void {
    while (decls.cnt) {
      const kind = this.kind(decls.ids[decls.cnt - 1]);
      if (kind === Kind.VOLATILE) this.out.put('volatile ');
      else if (kind === Kind.CONST) this.out.put('const ');
      else if (kind === Kind.RESTRICT) this.out.put('restrict ');
      else return;
      decls.cnt--;
    }
  }

  /** `btf_dump_drop_mods`. */
  private dropMods(decls: DeclStack): void {
    while (decls.cnt && isMod(this.kind(decls.ids[decls.cnt - 1]))) decls.cnt--;
  }

  /** `btf_dump_emit_name`: no space between `*` and the name (`int *p`). */
  private emitName(name: string, lastWasPtr: boolean): void {
    this.out.put(name && !lastWasPtr ? ` ${name}` : name);
  }

  /**
   * `btf_dump_emit_type_chain`: pops the declaration stack from the base type outwards. Pointers
   * start true so that a lone pointer before a function prototype prints as `(*name)`.
   */
  private emitTypeChain(decls: DeclStack, fname: string, lvl: number): void {
    if (++this.declNesting > MAX_DECL_NESTING) {
      this.fail(decls.ids[0], `declaration nested more than ${MAX_DECL_NESTING} levels deep`);
    }
    let lastWasPtr = true;
    while (decls.cnt) {
      const id = decls.ids[--decls.cnt];
      if (id === 0) {
        this.emitMods(decls);
        this.out.put('void');
        lastWasPtr = false;
        continue;
      }
      const kind = this.kind(id);
      switch (kind) {
        case Kind.INT: case Kind.FLOAT:
          this.emitMods(decls);
          this.out.put(this.nameOf(this.btf.nameOff(id)));
          break;
        case Kind.STRUCT: case Kind.UNION:
          this.emitMods(decls);
          // anonymous structs/unions are defined inline
          if (this.btf.nameOff(id) === 0) this.emitStructDef(id, lvl);
          else this.emitStructFwd(id);
          break;
        case Kind.ENUM: case Kind.ENUM64:
          this.emitMods(decls);
          if (this.btf.nameOff(id) === 0) this.emitEnumDef(id, lvl);
          else this.emitEnumFwd(id);
          break;
        case Kind.FWD:
          this.emitMods(decls);
          this.emitFwdDef(id);
          break;
        case Kind.TYPEDEF:
          this.emitMods(decls);
          this.out.put(this.identName(id));
          break;
        case Kind.PTR:
          this.out.put(lastWasPtr ? '*' : ' *');
          break;
        case Kind.VOLATILE:
          this.out.put(' volatile');
          break;
        case Kind.CONST:
          this.out.put(' const');
          break;
        case Kind.RESTRICT:
          this.out.put(' restrict');
          break;
        case Kind.TYPE_TAG:
          this.emitMods(decls);
          this.out.put(` __attribute__((btf_type_tag("${this.nameOf(this.btf.nameOff(id))}")))`);
          break;
        case Kind.ARRAY:
          this.emitArrayChain(id, decls, fname, lastWasPtr, lvl);
          this.declNesting--;
          return;
        case Kind.FUNC_PROTO:
          this.emitFuncProtoChain(id, decls, fname, lastWasPtr, lvl);
          this.declNesting--;
          return;
        default:
          // libbpf warns "unexpected type in decl chain" and stops this declaration.
          this.declNesting--;
          return;
      }
      lastWasPtr = kind === Kind.PTR;
    }
    this.emitName(fname, lastWasPtr);
    this.declNesting--;
  }

  /**
   * The ARRAY step of `btf_dump_emit_type_chain`: what remains of the chain (pointers, outer
   * dimensions) goes inside parentheses before `[n]`, except for the next dimension of a
   * multi-dimensional array. Qualifiers on the array itself are dropped: GCC adds them from the
   * element type (GCC bug 8354), and they mean nothing.
   */
  private emitArrayChain(id: number, decls: DeclStack, fname: string, lastWasPtr: boolean, lvl: number): void {
    const nelems = this.rec.arrayNelems(id) >>> 0;
    this.dropMods(decls);
    if (decls.cnt === 0) {
      this.emitName(fname, lastWasPtr);
      this.out.put(`[${nelems}]`);
      return;
    }
    const multidim = this.kind(decls.ids[decls.cnt - 1]) === Kind.ARRAY;
    // we need space if we have named non-pointer
    if (fname && !lastWasPtr) this.out.put(' ');
    if (!multidim) this.out.put('(');
    this.emitTypeChain(decls, fname, lvl);
    if (!multidim) this.out.put(')');
    this.out.put(`[${nelems}]`);
  }

  /**
   * The FUNC_PROTO step of `btf_dump_emit_type_chain`: `ret (*name)(params)`. Qualifiers on the
   * prototype are dropped (GCC marks noreturn function pointers volatile). A prototype with no
   * parameters, or one void parameter (clang's encoding of `(void)`), prints `(void)`; a trailing
   * void parameter is `...`.
   */
  private emitFuncProtoChain(id: number, decls: DeclStack, fname: string, lastWasPtr: boolean, lvl: number): void {
    const vlen = this.btf.vlen(id);
    this.dropMods(decls);
    if (decls.cnt) {
      this.out.put(' (');
      this.emitTypeChain(decls, fname, lvl);
      this.out.put(')');
    } else {
      this.emitName(fname, lastWasPtr);
    }
    this.out.put('(');
    if (vlen === 0 || (vlen === 1 && this.rec.paramType(id, 0) === 0)) {
      this.out.put('void)');
      return;
    }
    for (let i = 0; i < vlen; i++) {
      if (i > 0) this.out.put(', ');
      const pType = this.rec.paramType(id, i);
      if (i === vlen - 1 && pType === 0) {
        this.out.put('...');
        break;
      }
      this.emitTypeDecl(pType, this.nameOf(this.rec.paramNameOff(id, i)), lvl);
    }
    this.out.put(')');
  }

  // ---------------------------------------------------------------------------------------------
  // Names (btf_dump_name_dups / btf_dump_resolve_name)
  // ---------------------------------------------------------------------------------------------

  /** `btf_dump_name_dups`: counts one more occurrence of `name` and returns the count. */
  private nameDups(map: Map<string, number>, name: string): number {
    const n = (map.get(name) ?? 0) + 1;
    map.set(name, n);
    return n;
  }

  /**
   * `btf_dump_resolve_name`: the name a type is printed with. The first type to claim a name keeps
   * it; later ones (a non-deduplicated BTF holds many `task_struct`s) become `name___2`, `name___3`
   * in the order they are first printed. Forward declarations and empty enums never claim a name:
   * they may legally repeat.
   */
  private resolveName(id: number, map: Map<string, number>): string {
    const nameOff = this.btf.nameOff(id);
    if (nameOff === 0) return '';
    const orig = this.btf.str(nameOff);
    if (this.nameResolved[id]) return this.cachedNames.get(id) ?? orig;
    const kind = this.kind(id);
    if (kind === Kind.FWD || (kind === Kind.ENUM && this.btf.vlen(id) === 0)) {
      this.nameResolved[id] = 1;
      return orig;
    }
    const dups = this.nameDups(map, orig);
    // libbpf formats into a 256-byte buffer: longer names are cut at 255 bytes.
    if (dups > 1) this.cachedNames.set(id, `${orig}___${dups}`.slice(0, 255));
    this.nameResolved[id] = 1;
    return this.cachedNames.get(id) ?? orig;
  }

  /** `btf_dump_type_name`: struct, union and enum tags. */
  private typeName(id: number): string {
    return this.resolveName(id, this.typeNames);
  }

  /** `btf_dump_ident_name`: typedef names. */
  private identName(id: number): string {
    return this.resolveName(id, this.identNames);
  }

  // ---------------------------------------------------------------------------------------------
  // Alignment (btf__align_of)
  // ---------------------------------------------------------------------------------------------

  /** Follows typedefs, qualifiers and arrays, which take their target's alignment. */
  private alignTarget(id: number): number {
    for (;;) {
      const kind = this.kind(id);
      if (kind === Kind.TYPEDEF || isMod(kind)) id = this.btf.sizeOrType(id);
      else if (kind === Kind.ARRAY) id = this.rec.arrayElem(id);
      else return id;
    }
  }

  /**
   * libbpf's `btf__align_of`: min(size, pointer size) for scalars, the largest member alignment
   * for structs and unions (1 when the layout shows the type was packed), 0 for what has none.
   */
  private alignOf(id: number): number {
    id = this.alignTarget(id);
    switch (this.kind(id)) {
      case Kind.INT: case Kind.ENUM: case Kind.ENUM64: case Kind.FLOAT:
        return Math.min(this.ptrSz, this.btf.sizeOrType(id));
      case Kind.PTR:
        return this.ptrSz;
      case Kind.STRUCT: case Kind.UNION:
        return this.compositeAlign(id);
      default:
        return 0; // libbpf warns "unsupported BTF_KIND"
    }
  }

  /**
   * Alignment of a struct/union, memoized. Members' struct types are computed first with an
   * explicit stack (a struct embeds structs by value, and the parser rejected value loops).
   */
  private compositeAlign(root: number): number {
    if (this.alignCache[root] >= 0) return this.alignCache[root];
    const stack: { id: number; next: number }[] = [{ id: root, next: 0 }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const vlen = this.btf.vlen(frame.id);
      let pushed = false;
      while (frame.next < vlen) {
        const m = this.alignTarget(this.rec.memberType(frame.id, frame.next++));
        if (isComposite(this.kind(m)) && this.alignCache[m] < 0) {
          stack.push({ id: m, next: 0 });
          pushed = true;
          break;
        }
      }
      if (pushed) continue;
      this.alignCache[frame.id] = this.compositeAlignFromMembers(frame.id);
      stack.pop();
    }
    return this.alignCache[root];
  }

  /** The body of `btf__align_of` for STRUCT/UNION, once every member's alignment is known. */
  private compositeAlignFromMembers(id: number): number {
    const rec = this.rec;
    const vlen = this.btf.vlen(id);
    let maxAlign = 1;
    for (let i = 0; i < vlen; i++) {
      const align = this.alignOf(rec.memberType(id, i));
      if (align <= 0) return align;
      maxAlign = Math.max(maxAlign, align);
      // a member off its natural alignment means the struct was packed
      if (rec.memberBitfieldSize(id, i) === 0 && rec.memberBitOffset(id, i) % (8 * align) !== 0) return 1;
    }
    // so does a size that is not a multiple of the alignment
    if (this.btf.sizeOrType(id) % maxAlign !== 0) return 1;
    return maxAlign;
  }
}

/**
 * Tells a legitimate revisit of a type from a loop that libbpf would follow until it crashes. The
 * walks revisit a pointer, typedef or prototype legitimately (`typedef struct S T; struct S { T *next; }`
 * orders T, S, the pointer, then T again), but only because a struct or typedef on the way was
 * marked ORDERING/EMITTING and ends the second lap. A revisit with no such "stateful" frame since
 * the previous visit would repeat forever.
 */
class LoopGuard {
  /** Per id: 1 + index of its topmost open frame, or 0. */
  private readonly top: Int32Array;
  private readonly ids: number[] = [];
  private readonly prevTop: number[] = [];
  /** Per open frame: how many stateful frames are at or below it. */
  private readonly stateful: number[] = [];

  constructor(typeCount: number) {
    this.top = new Int32Array(typeCount);
  }

  /** Opens a frame for `id`; false when that would loop forever. */
  enter(id: number, isStateful: boolean): boolean {
    const depth = this.ids.length;
    const below = depth > 0 ? this.stateful[depth - 1] : 0;
    const prev = this.top[id];
    if (prev > 0 && below === this.stateful[prev - 1]) return false;
    this.ids.push(id);
    this.prevTop.push(prev);
    this.stateful.push(below + (isStateful ? 1 : 0));
    this.top[id] = depth + 1;
    return true;
  }

  /** Closes the topmost frame. */
  leave(): void {
    const id = this.ids.pop()!;
    this.top[id] = this.prevTop.pop()!;
    this.stateful.pop();
  }
}

/** libbpf's `roundup` (for non-negative ints). */
function roundUp(x: number, y: number): number {
  return Math.ceil(x / y) * y;
}
