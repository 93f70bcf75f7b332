/** BTF kind numbers, as in `include/uapi/linux/btf.h`. */
export const Kind = {
  UNKN: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];
export const KIND_MAX = Kind.ENUM64;

/** Upper-case names, as bpftool and the kernel print them. */
export const KIND_NAMES: readonly string[] = [
  'UNKNOWN', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE', 'CONST',
  'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'ENUM64',
];

/** Lower-case names, as libbpf's `btf_kind_str()` prints them in CO-RE logs. */
export const KIND_NAMES_LIBBPF: readonly string[] = [
  'void', 'int', 'ptr', 'array', 'struct', 'union', 'enum', 'fwd', 'typedef', 'volatile', 'const',
  'restrict', 'func', 'func_proto', 'var', 'datasec', 'float', 'decl_tag', 'type_tag', 'enum64',
];

export function kindName(kind: number): string {
  return KIND_NAMES[kind] ?? 'UNKNOWN';
}

/** Bytes that follow the 12-byte `struct btf_type` for each kind (per vlen entry where noted). */
export function trailerSize(kind: number, vlen: number): number {
  switch (kind) {
    case Kind.INT: return 4;
    case Kind.PTR: case Kind.FWD: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST:
    case Kind.RESTRICT: case Kind.FUNC: case Kind.FLOAT: case Kind.TYPE_TAG: return 0;
    case Kind.ARRAY: return 12;
    case Kind.STRUCT: case Kind.UNION: return 12 * vlen;
    case Kind.ENUM: return 8 * vlen;
    case Kind.ENUM64: return 12 * vlen;
    case Kind.FUNC_PROTO: return 8 * vlen;
    case Kind.VAR: return 4;
    case Kind.DATASEC: return 12 * vlen;
    case Kind.DECL_TAG: return 4;
    default: return -1;
  }
}

/** Int encoding bits (`BTF_INT_ENCODING`). */
export const IntEncoding = { SIGNED: 1, CHAR: 2, BOOL: 4 } as const;

/** Modifier and typedef kinds that `skip_mods_and_typedefs` walks through. */
export function isModOrTypedef(kind: number): boolean {
  return kind === Kind.TYPEDEF || kind === Kind.VOLATILE || kind === Kind.CONST || kind === Kind.RESTRICT || kind === Kind.TYPE_TAG;
}

export function isComposite(kind: number): boolean {
  return kind === Kind.STRUCT || kind === Kind.UNION;
}

export function isEnum(kind: number): boolean {
  return kind === Kind.ENUM || kind === Kind.ENUM64;
}
