import type { Btf } from './btf.js';
import { Kind } from './kinds.js';

/** The kinds a reader looks up by name, as C spells them (a typedef's name stands alone). */
const KEYWORDS: ReadonlyMap<number, string> = new Map([[Kind.STRUCT, 'struct'], [Kind.UNION, 'union'], [Kind.ENUM, 'enum'], [Kind.ENUM64, 'enum'], [Kind.TYPEDEF, 'typedef']]);

/** `struct open_how`, `enum bpf_func_id`, `u64` (a typedef): a named type as C names it. */
export function cTypeName(btf: Btf, id: number): string {
  const k = btf.kind(id);
  return k === Kind.TYPEDEF ? btf.name(id) : `${KEYWORDS.get(k)} ${btf.name(id)}`;
}

/**
 * Named structs, unions, enums and typedefs whose name contains `query` (a leading `struct `,
 * `union `, `enum ` narrows the kind): exact names first, then by length and name, at most `limit`.
 */
export function searchTypes(btf: Btf, query: string, limit = 50): string[] {
  const { keyword, name } = splitQuery(query);
  if (name === '') return [];
  const found = new Set<string>();
  for (let id = 1; id < btf.typeCount; id++) {
    const kw = KEYWORDS.get(btf.kind(id));
    if (kw === undefined || (keyword !== undefined && kw !== keyword)) continue;
    const n = btf.name(id);
    if (n !== '' && n.includes(name)) found.add(cTypeName(btf, id));
  }
  const bare = (c: string): string => c.replace(/^(struct|union|enum) /, '');
  return [...found]
    .sort((a, b) => Number(bare(b) === name) - Number(bare(a) === name) || bare(a).length - bare(b).length || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, limit);
}

/** The id of the type a C name names (`struct open_how`, or a bare name: a typedef, else any tagged type), or undefined. */
export function findCType(btf: Btf, cName: string): number | undefined {
  const { keyword, name } = splitQuery(cName);
  for (const [kind, kw] of KEYWORDS) {
    if (keyword === undefined ? true : kw === keyword) {
      const id = btf.find(name, kind);
      if (id !== undefined && (keyword !== undefined || kind === Kind.TYPEDEF)) return id;
    }
  }
  if (keyword !== undefined) return undefined;
  for (const kind of KEYWORDS.keys()) {
    const id = btf.find(name, kind);
    if (id !== undefined) return id;
  }
  return undefined;
}

function splitQuery(query: string): { keyword?: string; name: string } {
  const m = /^\s*(struct|union|enum|typedef)\s+(\S*)\s*$/.exec(query);
  return m ? { keyword: m[1], name: m[2] } : { name: query.trim() };
}
