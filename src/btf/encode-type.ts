import { fail } from '../common/errors.js';
import { Kind, kindName, trailerSize } from './kinds.js';
import type { TypeData } from './type-data.js';

/** Something with a name in a type record: the type itself, a member, enumerator or parameter. */
export interface Named {
  readonly name: string;
  readonly nameOff?: number;
}

/** Gives the string offset a name is written with (interned in a fresh table, or kept as decoded). */
export type NameOffsets = (named: Named) => number;

/** Type section words in host order, growing as records are appended. */
export class WordBuffer {
  private words = new Uint32Array(1024);
  length = 0;

  push(...ws: number[]): void {
    if (this.length + ws.length > this.words.length) {
      const grown = new Uint32Array(this.words.length * 2 + ws.length);
      grown.set(this.words);
      this.words = grown;
    }
    for (const w of ws) this.words[this.length++] = w;
  }

  view(): Uint32Array {
    return this.words.subarray(0, this.length);
  }
}

/**
 * Appends the record of `t` (the 12-byte `struct btf_type` and the entries that follow it, as
 * `Btf.decode` reads them back) to `out`. Values a record cannot hold fail here, not in whatever
 * later reads the BTF; `what` names the type in those errors.
 */
export function encodeTypeRecord(t: TypeData, nameOf: NameOffsets, out: WordBuffer, what: string): void {
  const where = (detail: string): never => fail('MALFORMED', `${what} ${kindName(t.kind)}`, -1, detail);
  const u32 = (v: number, field: string): number => {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0xffffffff) where(`${field} ${v} does not fit in 32 bits`);
    return v >>> 0;
  };
  const bits = (v: number, max: number, field: string): number => {
    if (!Number.isInteger(v) || v < 0 || v > max) where(`${field} ${v} is outside 0..${max}`);
    return v;
  };
  // Type ids as `Btf.parse` takes them (it refuses more than 2^31 - 1 types).
  const ref = (v: number, field: string): number => bits(v, 0x7fffffff, field);
  const start = out.length;
  const head = (vlen: number, kflag: boolean, sizeOrType: number): void => {
    bits(vlen, 0xffff, 'vlen');
    out.push(u32(nameOf(t), 'name offset'));
    out.push(((kflag ? 0x80000000 : 0) | (t.kind << 24) | vlen) >>> 0);
    out.push(u32(sizeOrType, 'size'));
  };
  switch (t.kind) {
    case Kind.INT:
      head(0, false, t.size);
      out.push(((bits(t.encoding, 0x0f, 'encoding') << 24) | (bits(t.bitsOffset, 0xff, 'bits offset') << 16) | bits(t.bits, 0xff, 'bits')) >>> 0);
      break;
    case Kind.PTR: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT:
      head(0, false, ref(t.type, 'type'));
      break;
    case Kind.TYPE_TAG:
      head(0, t.attribute, ref(t.type, 'type'));
      break;
    case Kind.ARRAY:
      head(0, false, 0);
      out.push(ref(t.type, 'element type'), ref(t.indexType, 'index type'), u32(t.nelems, 'nelems'));
      break;
    case Kind.STRUCT: case Kind.UNION:
      head(t.members.length, t.kflag, t.size);
      for (const m of t.members) {
        out.push(u32(nameOf(m), 'member name offset'), ref(m.type, 'member type'));
        // With kflag the offset word holds the bitfield size in its top byte (BTF_MEMBER_BITFIELD_SIZE).
        if (t.kflag) out.push(((bits(m.bitfieldSize, 0xff, 'bitfield size') << 24) | bits(m.bitOffset, 0xffffff, 'bit offset')) >>> 0);
        else if (m.bitfieldSize !== 0) where(`member ${m.name} has a bitfield size but the struct has no kflag`);
        else out.push(u32(m.bitOffset, 'bit offset'));
      }
      break;
    case Kind.ENUM:
      head(t.values.length, t.signed, t.size);
      for (const v of t.values) out.push(u32(nameOf(v), 'enumerator name offset'), u32(v.raw, 'enumerator value'));
      break;
    case Kind.ENUM64:
      head(t.values.length, t.signed, t.size);
      for (const v of t.values) {
        const raw = BigInt.asUintN(64, v.raw);
        out.push(u32(nameOf(v), 'enumerator name offset'), Number(raw & 0xffffffffn), Number(raw >> 32n));
      }
      break;
    case Kind.FWD:
      head(0, t.union, t.unusedWord ?? 0);
      break;
    case Kind.FUNC:
      head(t.linkage, false, ref(t.type, 'type'));
      break;
    case Kind.FUNC_PROTO:
      head(t.params.length, false, ref(t.returnType, 'return type'));
      for (const p of t.params) out.push(u32(nameOf(p), 'parameter name offset'), ref(p.type, 'parameter type'));
      break;
    case Kind.VAR:
      head(0, false, ref(t.type, 'type'));
      out.push(u32(t.linkage, 'linkage'));
      break;
    case Kind.DATASEC:
      head(t.vars.length, false, t.size);
      for (const v of t.vars) out.push(ref(v.type, 'variable type'), u32(v.offset, 'variable offset'), u32(v.size, 'variable size'));
      break;
    case Kind.FLOAT:
      head(0, false, t.size);
      break;
    case Kind.DECL_TAG:
      head(0, t.attribute, ref(t.type, 'type'));
      out.push(u32(t.componentIdx, 'component index'));
      break;
    default:
      fail('MALFORMED', what, -1, `unknown BTF kind ${(t as { kind: number }).kind}`);
  }
  // The layout the parser reads back (kinds.ts): a record that disagrees is a bug here.
  const vlen = out.view()[start + 1] & 0xffff;
  if (out.length - start !== 3 + trailerSize(t.kind, vlen) / 4) where(`encoded ${out.length - start} words, the kind's layout has ${3 + trailerSize(t.kind, vlen) / 4}`);
}
