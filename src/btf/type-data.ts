import { Kind } from './kinds.js';
import type { BtfType, VoidType } from './types.js';

/**
 * A type as plain data for the BTF writer: a decoded `BtfType` whose id, name offsets and raw
 * member offsets are optional, because a writer derives them (ids from the order types are added
 * in, offsets from names in its own string table), as is a FWD's unused word (0 unless given). A
 * type decoded from one `Btf` is already a
 * `TypeData`; copying it into another BTF is a spread with its references remapped
 * (`remapTypeRefs`).
 */
export type TypeData = Loosened<Exclude<BtfType, VoidType>>;

/** What a writer derives, or defaults, rather than requires. */
type Derived = 'id' | 'nameOff' | 'rawOffset' | 'unusedWord';

type Loosened<T> = T extends unknown ? Loosen<T> : never;
type Loosen<T> = T extends readonly (infer E)[]
  ? readonly Loosen<E>[]
  : T extends object
    ? { readonly [K in keyof T as Exclude<K, Derived>]: Loosen<T[K]> } & { readonly [K in keyof T as Extract<K, Derived>]?: T[K] }
    : T;

/** Every type id `t` refers to, in record order (duplicates kept; 0 is void). */
export function typeRefs(t: TypeData): number[] {
  switch (t.kind) {
    case Kind.INT: case Kind.FWD: case Kind.FLOAT: case Kind.ENUM: case Kind.ENUM64:
      return [];
    case Kind.PTR: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT:
    case Kind.TYPE_TAG: case Kind.FUNC: case Kind.VAR: case Kind.DECL_TAG:
      return [t.type];
    case Kind.ARRAY:
      return [t.type, t.indexType];
    case Kind.STRUCT: case Kind.UNION:
      return t.members.map((m) => m.type);
    case Kind.FUNC_PROTO:
      return [t.returnType, ...t.params.map((p) => p.type)];
    case Kind.DATASEC:
      return t.vars.map((v) => v.type);
  }
}

/**
 * `t` with every type id it refers to replaced by `map(id)`: how a type moves into a BTF whose
 * ids differ (a minimized kernel BTF). The result keeps no id or name offsets of the source.
 */
export function remapTypeRefs(t: TypeData, map: (id: number) => number): TypeData {
  const { id: _id, nameOff: _nameOff, ...rest } = t;
  const r = rest as TypeData;
  switch (r.kind) {
    case Kind.INT: case Kind.FWD: case Kind.FLOAT:
      return r;
    case Kind.ENUM:
      return { ...r, values: r.values.map(({ name, raw }) => ({ name, raw })) };
    case Kind.ENUM64:
      return { ...r, values: r.values.map(({ name, raw }) => ({ name, raw })) };
    case Kind.PTR: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT:
    case Kind.TYPE_TAG: case Kind.FUNC: case Kind.VAR: case Kind.DECL_TAG:
      return { ...r, type: map(r.type) };
    case Kind.ARRAY:
      return { ...r, type: map(r.type), indexType: map(r.indexType) };
    case Kind.STRUCT: case Kind.UNION:
      return { ...r, members: r.members.map(({ name, type, bitOffset, bitfieldSize }) => ({ name, type: map(type), bitOffset, bitfieldSize })) };
    case Kind.FUNC_PROTO:
      return { ...r, returnType: map(r.returnType), params: r.params.map(({ name, type }) => ({ name, type: map(type) })) };
    case Kind.DATASEC:
      return { ...r, vars: r.vars.map((v) => ({ ...v, type: map(v.type) })) };
  }
}
