import type { Btf } from './btf.js';
import { Kind, kindName } from './kinds.js';

/**
 * `bpftool btf dump file F format raw`, byte for byte (bpftool's `dump_btf_type`). Output is
 * produced in chunks through `write` so a 500k-type kernel never sits in memory as one string.
 */
export function dumpRaw(btf: Btf, write: (chunk: string) => void): void {
  let out = '';
  for (let id = btf.firstId; id < btf.typeCount; id++) {
    out += rawTypeLine(btf, id);
    if (out.length > 1 << 16) {
      write(out);
      out = '';
    }
  }
  if (out) write(out);
}

const INT_ENCODINGS: Record<number, string> = { 0: '(none)', 1: 'SIGNED', 2: 'CHAR', 4: 'BOOL' };
const FUNC_LINKAGE = ['static', 'global', 'extern'];
const VAR_LINKAGE = ['static', 'global', 'extern'];

function quoted(btf: Btf, nameOff: number): string {
  if (nameOff === 0) return "'(anon)'";
  return `'${btf.strOrUndefined(nameOff) ?? '(invalid)'}'`;
}

/** One type as bpftool prints it, including the trailing newline. */
export function rawTypeLine(btf: Btf, id: number): string {
  const t = btf.decode(id);
  let s = `[${id}] ${kindName(t.kind)} ${quoted(btf, t.nameOff)}`;
  switch (t.kind) {
    case Kind.INT:
      s += ` size=${t.size} bits_offset=${t.bitsOffset} nr_bits=${t.bits} encoding=${INT_ENCODINGS[t.encoding] ?? 'UNKN'}`;
      break;
    case Kind.PTR: case Kind.CONST: case Kind.VOLATILE: case Kind.RESTRICT: case Kind.TYPEDEF: case Kind.TYPE_TAG:
      s += ` type_id=${t.type}`;
      break;
    case Kind.ARRAY:
      s += ` type_id=${t.type} index_type_id=${t.indexType} nr_elems=${t.nelems}`;
      break;
    case Kind.STRUCT: case Kind.UNION:
      s += ` size=${t.size} vlen=${t.members.length}`;
      for (const m of t.members) {
        s += `\n\t${quoted(btf, m.nameOff)} type_id=${m.type} bits_offset=${m.bitOffset}`;
        if (m.bitfieldSize) s += ` bitfield_size=${m.bitfieldSize}`;
      }
      break;
    case Kind.ENUM:
      s += ` encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}`;
      for (const v of t.values) s += `\n\t${quoted(btf, v.nameOff)} val=${t.signed ? v.raw | 0 : v.raw}`;
      break;
    case Kind.ENUM64:
      s += ` encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values.length}`;
      for (const v of t.values) {
        s += `\n\t${quoted(btf, v.nameOff)} val=${t.signed ? `${BigInt.asIntN(64, v.raw)}LL` : `${v.raw}ULL`}`;
      }
      break;
    case Kind.FWD:
      s += ` fwd_kind=${t.union ? 'union' : 'struct'}`;
      break;
    case Kind.FUNC:
      s += ` type_id=${t.type} linkage=${FUNC_LINKAGE[t.linkage] ?? '(unknown)'}`;
      break;
    case Kind.FUNC_PROTO:
      s += ` ret_type_id=${t.returnType} vlen=${t.params.length}`;
      for (const p of t.params) s += `\n\t${quoted(btf, p.nameOff)} type_id=${p.type}`;
      break;
    case Kind.VAR:
      s += ` type_id=${t.type}, linkage=${VAR_LINKAGE[t.linkage] ?? '(unknown)'}`;
      break;
    case Kind.DATASEC:
      s += ` size=${t.size} vlen=${t.vars.length}`;
      for (const v of t.vars) {
        s += `\n\ttype_id=${v.type} offset=${v.offset} size=${v.size}`;
        if (v.type < btf.typeCount) s += ` (${kindName(btf.kind(v.type))} ${quoted(btf, btf.nameOff(v.type))})`;
      }
      break;
    case Kind.FLOAT:
      s += ` size=${t.size}`;
      break;
    case Kind.DECL_TAG:
      s += ` type_id=${t.type} component_idx=${t.componentIdx}`;
      break;
  }
  return s + '\n';
}
