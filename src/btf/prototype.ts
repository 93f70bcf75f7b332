import type { Btf } from './btf.js';
import { Kind } from './kinds.js';
import type { FuncProtoType, Param } from './types.js';

/** A function prototype as the kernel's BTF declares it: parameter types by id, in order. */
export interface Prototype {
  readonly btf: Btf;
  readonly returnType: number;
  readonly params: readonly Param[];
}

/** The FUNC_PROTO `id` (after typedefs, modifiers and one pointer) stands for, if it is one. */
export function prototypeOf(btf: Btf, id: number): Prototype | undefined {
  let t = btf.skipModsAndTypedefs(id);
  if (btf.kind(t) === Kind.PTR) t = btf.skipModsAndTypedefs(btf.sizeOrType(t));
  if (btf.kind(t) === Kind.FUNC) t = btf.sizeOrType(t);
  if (btf.kind(t) !== Kind.FUNC_PROTO) return undefined;
  const p = btf.type(t) as FuncProtoType;
  return { btf, returnType: p.returnType, params: p.params };
}

/** A type as C spells it in a declaration without a name: `struct request *`, `unsigned int`, `blk_status_t`. */
export function typeToC(btf: Btf, id: number, depth = 0): string {
  if (id === 0) return 'void';
  if (depth > 16) return '...';
  const name = btf.name(id);
  switch (btf.kind(id)) {
    case Kind.PTR: {
      const to = btf.sizeOrType(id);
      if (btf.kind(to) === Kind.FUNC_PROTO) return protoToC(btf, to, '(*)', depth + 1);
      const inner = typeToC(btf, to, depth + 1);
      return inner.endsWith('*') ? `${inner}*` : `${inner} *`;
    }
    case Kind.CONST: return `const ${typeToC(btf, btf.sizeOrType(id), depth + 1)}`;
    case Kind.VOLATILE: return `volatile ${typeToC(btf, btf.sizeOrType(id), depth + 1)}`;
    case Kind.RESTRICT: case Kind.TYPE_TAG: return typeToC(btf, btf.sizeOrType(id), depth + 1);
    case Kind.STRUCT: return `struct ${name || '{...}'}`;
    case Kind.UNION: return `union ${name || '{...}'}`;
    case Kind.ENUM: case Kind.ENUM64: return `enum ${name || '{...}'}`;
    case Kind.FWD: return `${btf.kflag(id) ? 'union' : 'struct'} ${name}`;
    case Kind.FUNC_PROTO: return protoToC(btf, id, '', depth + 1);
    case Kind.ARRAY: return `${name || 'array'}[]`;
    default: return name || '?';
  }
}

/** A FUNC_PROTO as a C declaration of `name`: `void name(void *, struct request *rq)`. */
export function protoToC(btf: Btf, protoId: number, name: string, depth = 0): string {
  const p = btf.type(protoId) as FuncProtoType;
  const decl = (type: string, n: string): string => (n === '' ? type : type.endsWith('*') ? `${type}${n}` : `${type} ${n}`);
  const params = p.params.map((x) => (x.type === 0 ? '...' : decl(typeToC(btf, x.type, depth + 1), x.name)));
  return decl(typeToC(btf, p.returnType, depth + 1), `${name}(${params.length === 0 ? 'void' : params.join(', ')})`);
}
