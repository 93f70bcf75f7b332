import type { Btf } from '../btf/btf.js';
import { Kind } from '../btf/kinds.js';
import { remapTypeRefs } from '../btf/type-data.js';
import type { BtfType, VoidType } from '../btf/types.js';
import { BtfWriter } from '../btf/writer.js';
import type { RelocationResult } from './relocate.js';

/**
 * What a set of objects' CO-RE relocations use of one kernel's BTF, and that part of it as a BTF
 * of its own: `bpftool gen min_core_btf` (bpftool's `gen.c`, "btfgen"), rule by rule.
 *
 * Each relocation is recorded through the spec of its first matching candidate (libbpf's target
 * spec, `RelocationResult.target`); one that matched nothing records nothing:
 * - field relocations keep the root type and, along the access path, each struct or union member
 *   taken and that member's type (`recordField`);
 * - type relocations (exists, size, target id) keep the type, following pointers;
 * - enumerator relocations keep the enum whole;
 * - type-match relocations keep the type with every member, stopping at composites behind pointers.
 * A type is kept "as reached": structs and unions without members unless a member was taken, a
 * pointer to a type not kept points to void. The kept types are written in their kernel order.
 *
 * Where bpftool gives up (a FWD, FUNC or tag reached by `btfgen_mark_type`: "unsupported kind"),
 * the type is kept as it is instead.
 */
export class KernelBtfUse {
  /** The kept type ids, in the order they were first kept (a few hundred of a kernel's ~100k). */
  private readonly kept = new Set<number>();
  /** Per kept struct or union: the indexes of the members taken. */
  private readonly members = new Map<number, Set<number>>();
  /** (id, mode) pairs already walked, so a cycle through pointers ends. */
  private readonly walked = new Set<string>();

  constructor(readonly kernel: Btf) {}

  /** How many types are kept so far. */
  get typeCount(): number {
    return this.kept.size;
  }

  /** Records what one relocation resolved against this kernel's vmlinux uses (`btfgen_record_reloc`). */
  record(r: RelocationResult): void {
    const t = r.target;
    if (!t || t.btf !== 'vmlinux') return;
    switch (r.kind) {
      case 'byte_off': case 'byte_sz': case 'field_exists': case 'signed': case 'lshift_u64': case 'rshift_u64':
        return this.recordField(t.rootTypeId, t.raw);
      case 'target_type_id': case 'type_exists': case 'type_size':
        return this.markType(t.rootTypeId, true);
      case 'type_matches':
        return this.markTypeMatch(t.rootTypeId, false);
      case 'enumval_exists': case 'enumval_value':
        return this.markType(t.rootTypeId, false);
      default:
        return; // local type ids need no kernel BTF
    }
  }

  /**
   * `btfgen_record_field_relo`: the root, then per access past the first, through typedefs and
   * modifiers, the struct or union member taken and its type, or an array's element type.
   */
  private recordField(rootTypeId: number, raw: readonly number[]): void {
    const btf = this.kernel;
    let id = rootTypeId;
    this.markType(id, false);
    for (let i = 1; i < raw.length; i++) {
      id = btf.skipModsAndTypedefs(id);
      const t = btf.type(id);
      if (t.kind === Kind.STRUCT || t.kind === Kind.UNION) {
        const member = t.members[raw[i]];
        if (!member) return;
        this.keepMember(id, raw[i]);
        id = member.type;
        this.markType(id, false);
      } else if (t.kind === Kind.ARRAY) {
        id = t.type;
      } else {
        return;
      }
    }
  }

  /** `btfgen_mark_type`: the type and what it holds; composites without their members, pointers' targets only when `followPointers`. */
  private markType(id: number, followPointers: boolean): void {
    if (id === 0 || !this.firstWalk(id, followPointers ? 'p' : 't')) return;
    this.kept.add(id);
    const t = this.kernel.type(id);
    switch (t.kind) {
      case Kind.PTR:
        if (followPointers) this.markType(t.type, followPointers);
        return;
      case Kind.CONST: case Kind.VOLATILE: case Kind.RESTRICT: case Kind.TYPEDEF: case Kind.TYPE_TAG:
        return this.markType(t.type, followPointers);
      case Kind.ARRAY:
        this.markType(t.type, followPointers);
        return this.markType(t.indexType, followPointers);
      case Kind.FUNC_PROTO:
        this.markType(t.returnType, followPointers);
        for (const p of t.params) this.markType(p.type, followPointers);
        return;
      default:
        return; // ints, floats, enums, composites (no members), forward declarations
    }
  }

  /** `btfgen_mark_type_match`: like `markType`, composites with every member unless reached through a pointer. */
  private markTypeMatch(id: number, behindPointer: boolean): void {
    if (id === 0 || !this.firstWalk(id, behindPointer ? 'mp' : 'm')) return;
    this.kept.add(id);
    const t = this.kernel.type(id);
    switch (t.kind) {
      case Kind.STRUCT: case Kind.UNION:
        if (behindPointer) return;
        t.members.forEach((m, i) => {
          this.keepMember(id, i);
          this.markTypeMatch(m.type, false);
        });
        return;
      case Kind.CONST: case Kind.VOLATILE: case Kind.RESTRICT: case Kind.TYPEDEF: case Kind.TYPE_TAG:
        return this.markTypeMatch(t.type, behindPointer);
      case Kind.PTR:
        return this.markTypeMatch(t.type, true);
      case Kind.ARRAY:
        this.markTypeMatch(t.type, false);
        return this.markTypeMatch(t.indexType, false);
      case Kind.FUNC_PROTO:
        this.markTypeMatch(t.returnType, false);
        for (const p of t.params) this.markTypeMatch(p.type, false);
        return;
      default:
        return;
    }
  }

  private keepMember(id: number, index: number): void {
    let taken = this.members.get(id);
    if (!taken) this.members.set(id, (taken = new Set()));
    taken.add(index);
  }

  /** True the first time a type is walked in a mode: marking again would add nothing. */
  private firstWalk(id: number, mode: string): boolean {
    const key = `${mode}${id}`;
    if (this.walked.has(key)) return false;
    this.walked.add(key);
    return true;
  }

  /**
   * The kept types as a BTF of their own (`btfgen_get_btf`), in the kernel's byte order unless
   * told otherwise: kernel order, new ids from 1, references to types not kept turned into void,
   * structs and unions with the members taken only (their size kept), names in a fresh string
   * table.
   */
  minimized(littleEndian = this.kernel.littleEndian): Uint8Array {
    const ids = [...this.kept].sort((a, b) => a - b);
    const newId = new Map(ids.map((id, i) => [id, i + 1]));
    const writer = new BtfWriter({ littleEndian });
    for (const id of ids) writer.add(remapTypeRefs(this.keptPart(this.kernel.type(id) as Exclude<BtfType, VoidType>), (ref) => newId.get(ref) ?? 0));
    return writer.encode();
  }

  /** A kept type as written: a struct or union with the members taken only (kflag when one of them is a bitfield, as `btf__add_field` sets it). */
  private keptPart(t: Exclude<BtfType, VoidType>): Exclude<BtfType, VoidType> {
    if (t.kind !== Kind.STRUCT && t.kind !== Kind.UNION) return t;
    const taken = this.members.get(t.id);
    const members = taken ? t.members.filter((_, i) => taken.has(i)) : [];
    return { ...t, members, kflag: members.some((m) => m.bitfieldSize > 0) };
  }
}
