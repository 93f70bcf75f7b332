/** `enum bpf_core_relo_kind` (uapi) and libbpf's short names for it (`core_relo_kind_str`). */
export const ReloKind = {
  FIELD_BYTE_OFFSET: 0,
  FIELD_BYTE_SIZE: 1,
  FIELD_EXISTS: 2,
  FIELD_SIGNED: 3,
  FIELD_LSHIFT_U64: 4,
  FIELD_RSHIFT_U64: 5,
  TYPE_ID_LOCAL: 6,
  TYPE_ID_TARGET: 7,
  TYPE_EXISTS: 8,
  TYPE_SIZE: 9,
  ENUMVAL_EXISTS: 10,
  ENUMVAL_VALUE: 11,
  TYPE_MATCHES: 12,
} as const;
export type ReloKind = (typeof ReloKind)[keyof typeof ReloKind];

const NAMES = [
  'byte_off', 'byte_sz', 'field_exists', 'signed', 'lshift_u64', 'rshift_u64', 'local_type_id',
  'target_type_id', 'type_exists', 'type_size', 'enumval_exists', 'enumval_value', 'type_matches',
] as const;
export type ReloKindName = (typeof NAMES)[number] | 'unknown';

export function reloKindName(kind: number): ReloKindName {
  return NAMES[kind] ?? 'unknown';
}

export function isFieldBased(kind: number): boolean {
  return kind >= ReloKind.FIELD_BYTE_OFFSET && kind <= ReloKind.FIELD_RSHIFT_U64;
}
export function isTypeBased(kind: number): boolean {
  return kind === ReloKind.TYPE_ID_LOCAL || kind === ReloKind.TYPE_ID_TARGET || kind === ReloKind.TYPE_EXISTS ||
    kind === ReloKind.TYPE_SIZE || kind === ReloKind.TYPE_MATCHES;
}
export function isEnumvalBased(kind: number): boolean {
  return kind === ReloKind.ENUMVAL_EXISTS || kind === ReloKind.ENUMVAL_VALUE;
}
