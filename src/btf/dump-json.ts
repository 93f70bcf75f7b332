import type { Btf } from './btf.js';
import { Kind, kindName } from './kinds.js';

const INT_ENCODINGS: Record<number, string> = { 0: '(none)', 1: 'SIGNED', 2: 'CHAR', 4: 'BOOL' };
const LINKAGE = ['static', 'global', 'extern'];

/**
 * The JSON bpftool prints for `bpftool -j btf dump file F format raw` (`{"types":[…]}`, one object per
 * type with the same fields as the raw text). Written by hand rather than with JSON.stringify so
 * 64-bit enum values keep every digit.
 */
export function dumpJson(btf: Btf, write: (chunk: string) => void): void {
  let out = '{"types":[';
  for (let id = btf.firstId; id < btf.typeCount; id++) {
    if (id !== btf.firstId) out += ',';
    out += jsonType(btf, id);
    if (out.length > 1 << 16) {
      write(out);
      out = '';
    }
  }
  write(out + ']}\n');
}

const str = (s: string): string => JSON.stringify(s);
const nameOf = (btf: Btf, off: number): string => (off === 0 ? '(anon)' : btf.strOrUndefined(off) ?? '(invalid)');

function jsonType(btf: Btf, id: number): string {
  const t = btf.decode(id);
  const f: string[] = [`"id":${id}`, `"kind":${str(kindName(t.kind))}`, `"name":${str(nameOf(btf, t.nameOff))}`];
  switch (t.kind) {
    case Kind.INT:
      f.push(`"size":${t.size}`, `"bits_offset":${t.bitsOffset}`, `"nr_bits":${t.bits}`, `"encoding":${str(INT_ENCODINGS[t.encoding] ?? 'UNKN')}`);
      break;
    case Kind.PTR: case Kind.CONST: case Kind.VOLATILE: case Kind.RESTRICT: case Kind.TYPEDEF: case Kind.TYPE_TAG:
      f.push(`"type_id":${t.type}`);
      break;
    case Kind.ARRAY:
      f.push(`"type_id":${t.type}`, `"index_type_id":${t.indexType}`, `"nr_elems":${t.nelems}`);
      break;
    case Kind.STRUCT: case Kind.UNION:
      f.push(`"size":${t.size}`, `"vlen":${t.members.length}`, `"members":[${t.members.map((m) =>
        `{"name":${str(nameOf(btf, m.nameOff))},"type_id":${m.type},"bits_offset":${m.bitOffset}${m.bitfieldSize ? `,"bitfield_size":${m.bitfieldSize}` : ''}}`).join(',')}]`);
      break;
    case Kind.ENUM:
      f.push(`"encoding":${str(t.signed ? 'SIGNED' : 'UNSIGNED')}`, `"size":${t.size}`, `"vlen":${t.values.length}`,
        `"values":[${t.values.map((v) => `{"name":${str(nameOf(btf, v.nameOff))},"val":${t.signed ? v.raw | 0 : v.raw}}`).join(',')}]`);
      break;
    case Kind.ENUM64:
      f.push(`"encoding":${str(t.signed ? 'SIGNED' : 'UNSIGNED')}`, `"size":${t.size}`, `"vlen":${t.values.length}`,
        `"values":[${t.values.map((v) => `{"name":${str(nameOf(btf, v.nameOff))},"val":${t.signed ? BigInt.asIntN(64, v.raw) : v.raw}}`).join(',')}]`);
      break;
    case Kind.FWD:
      f.push(`"fwd_kind":${str(t.union ? 'union' : 'struct')}`);
      break;
    case Kind.FUNC:
      f.push(`"type_id":${t.type}`, `"linkage":${str(LINKAGE[t.linkage] ?? '(unknown)')}`);
      break;
    case Kind.FUNC_PROTO:
      f.push(`"ret_type_id":${t.returnType}`, `"vlen":${t.params.length}`,
        `"params":[${t.params.map((p) => `{"name":${str(nameOf(btf, p.nameOff))},"type_id":${p.type}}`).join(',')}]`);
      break;
    case Kind.VAR:
      f.push(`"type_id":${t.type}`, `"linkage":${str(LINKAGE[t.linkage] ?? '(unknown)')}`);
      break;
    case Kind.DATASEC:
      f.push(`"size":${t.size}`, `"vlen":${t.vars.length}`,
        `"vars":[${t.vars.map((v) => `{"type_id":${v.type},"offset":${v.offset},"size":${v.size}}`).join(',')}]`);
      break;
    case Kind.FLOAT:
      f.push(`"size":${t.size}`);
      break;
    case Kind.DECL_TAG:
      f.push(`"type_id":${t.type}`, `"component_idx":${t.componentIdx}`);
      break;
  }
  return `{${f.join(',')}}`;
}
