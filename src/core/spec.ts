import type { Btf } from '../btf/btf.js';
import { Kind, KIND_NAMES_LIBBPF, isComposite, isEnum } from '../btf/kinds.js';
import { isSizeError, resolveSize } from '../btf/size.js';
import type { ArrayType, CompositeType, EnumType, Enum64Type } from '../btf/types.js';
import { isEnumvalBased, isFieldBased, isTypeBased, reloKindName } from './relo-kind.js';

/** libbpf's `BPF_CORE_SPEC_MAX_LEN`. */
export const CORE_SPEC_MAX_LEN = 64;

/** One step of a spec: a named member, an array index, or (for enum kinds) an enumerator. */
export interface Accessor {
  /** Struct/union id for members; element type id for array indices; enum id for enumerators. */
  readonly typeId: number;
  readonly idx: number;
  /** Member or enumerator name; null for an array index. */
  readonly name: string | null;
}

/** libbpf's `struct bpf_core_spec`: a relocation's access path resolved against one BTF. */
export interface CoreSpec {
  readonly btf: Btf;
  readonly rootTypeId: number;
  readonly kind: number;
  /** High-level accessors: the root, named members and array indices (anonymous members skipped). */
  readonly spec: Accessor[];
  /** Low-level access string components, anonymous members included. */
  readonly raw: number[];
  /** Bit offset of the accessed field from the root (u32, wraps like libbpf's). */
  bitOffset: number;
}

export type Errno = 'EINVAL' | 'E2BIG' | 'EOPNOTSUPP' | 'ERANGE' | 'ESRCH' | 'EUCLEAN';

export const ERRNO: Record<Errno, number> = { EINVAL: 22, E2BIG: 7, EOPNOTSUPP: 95, ERANGE: 34, ESRCH: 3, EUCLEAN: 117 };

export interface SpecError {
  readonly errno: Errno;
  /** A warning libbpf prints while parsing, if any (without the `prog '%s': ` prefix's program). */
  readonly warning?: { readonly index: number; readonly id: number; readonly kindName: string };
}

/**
 * Parses a `.BTF.ext` access string the way libbpf's `sscanf("%d%n")` loop does: components split
 * by single ':'; each a C integer (leading blanks and a sign accepted). Negative components are
 * rejected (libbpf ≥1.8 rejects them; older versions read out of bounds).
 */
export function parseAccessString(s: string): number[] | Errno {
  if (s.length === 0 || s[0] === ':') return 'EINVAL';
  const out: number[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === ':') i++;
    const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s.slice(i));
    if (!m) return 'EINVAL';
    const n = Number(m[1]);
    if (!Number.isSafeInteger(n) || n > 0x7fffffff || n < 0) return 'EINVAL';
    if (out.length === CORE_SPEC_MAX_LEN) return 'E2BIG';
    out.push(n);
    i += m[0].length;
  }
  return out.length === 0 ? 'EINVAL' : out;
}

/** libbpf's `btf_member_bit_offset`. */
export function memberBitOffset(t: CompositeType<typeof Kind.STRUCT | typeof Kind.UNION>, idx: number): number {
  return t.members[idx].bitOffset;
}

/** libbpf's `is_flex_arr`: a zero-length array that is the last named member of its struct. */
export function isFlexArray(btf: Btf, prev: Accessor | undefined, nelems: number): boolean {
  if (!prev || prev.name === null || nelems > 0) return false;
  return prev.idx === btf.vlen(prev.typeId) - 1;
}

/**
 * libbpf's `bpf_core_parse_spec`: turns (root type, access string, kind) into a spec over the local
 * BTF, computing the bit offset. Errors mirror libbpf's errno values.
 */
export function parseSpec(btf: Btf, rootTypeId: number, accessStr: string, kind: number): CoreSpec | SpecError {
  if (accessStr.length === 0 || accessStr[0] === ':') return { errno: 'EINVAL' };
  const spec: CoreSpec = { btf, rootTypeId, kind, spec: [], raw: [], bitOffset: 0 };
  // Type-based relocations have no field path; clang always emits "0".
  if (isTypeBased(kind)) return accessStr === '0' ? spec : { errno: 'EINVAL' };
  const raw = parseAccessString(accessStr);
  if (typeof raw === 'string') return { errno: raw };
  spec.raw.push(...raw);
  if (!btf.hasType(rootTypeId)) return { errno: 'EINVAL' };
  let id = btf.skipModsAndTypedefs(rootTypeId);
  let t = btf.type(id);
  spec.spec.push({ typeId: id, idx: raw[0], name: null });

  if (isEnumvalBased(kind)) {
    if (!isEnum(t.kind) || raw.length > 1 || raw[0] >= (t as EnumType).values.length) return { errno: 'EINVAL' };
    spec.spec[0] = { typeId: id, idx: raw[0], name: (t as EnumType | Enum64Type).values[raw[0]].name };
    return spec;
  }
  if (!isFieldBased(kind)) return { errno: 'EINVAL' };

  let sz = resolveSize(btf, id);
  if (isSizeError(sz)) return { errno: sz.error };
  spec.bitOffset = (raw[0] * sz * 8) >>> 0;
  for (let i = 1; i < raw.length; i++) {
    id = btf.skipModsAndTypedefs(id);
    t = btf.type(id);
    const idx = raw[i];
    if (isComposite(t.kind)) {
      const comp = t as CompositeType<typeof Kind.STRUCT>;
      if (idx >= comp.members.length) return { errno: 'EINVAL' };
      spec.bitOffset = (spec.bitOffset + memberBitOffset(comp, idx)) >>> 0;
      const m = comp.members[idx];
      // Anonymous members are transparent: they appear in the raw spec only.
      if (m.nameOff !== 0) {
        if (m.name === '') return { errno: 'EINVAL' };
        spec.spec.push({ typeId: id, idx, name: m.name });
      }
      id = m.type;
    } else if (t.kind === Kind.ARRAY) {
      const arr = t as ArrayType;
      id = btf.skipModsAndTypedefs(arr.type);
      const flex = isFlexArray(btf, spec.spec[spec.spec.length - 1], arr.nelems);
      if (!flex && idx >= arr.nelems) return { errno: 'EINVAL' };
      spec.spec.push({ typeId: id, idx, name: null });
      sz = resolveSize(btf, id);
      if (isSizeError(sz)) return { errno: sz.error };
      spec.bitOffset = (spec.bitOffset + idx * sz * 8) >>> 0;
    } else {
      return { errno: 'EINVAL', warning: { index: i, id, kindName: KIND_NAMES_LIBBPF[t.kind] ?? 'unknown' } };
    }
  }
  return spec;
}

export function isSpecError(v: CoreSpec | SpecError): v is SpecError {
  return (v as SpecError).errno !== undefined;
}

/** libbpf's `btf_kind_str` for a type id. */
export function libbpfKindName(btf: Btf, id: number): string {
  return KIND_NAMES_LIBBPF[btf.kind(id)] ?? 'unknown';
}

/** libbpf formats specs into a 256-byte buffer: everything past 255 characters is cut. */
const SPEC_BUF_MAX = 255;

/**
 * libbpf's `bpf_core_format_spec`, e.g. `<byte_off> [15] struct open_how.flags (0:0 @ offset 0)`.
 */
export function formatSpec(spec: CoreSpec): string {
  const { btf, rootTypeId, kind } = spec;
  const name = btf.name(rootTypeId);
  let s = `<${reloKindName(kind)}> [${rootTypeId}] ${libbpfKindName(btf, rootTypeId)} ${name === '' ? '<anon>' : name}`;
  if (isTypeBased(kind)) return s.slice(0, SPEC_BUF_MAX);
  if (isEnumvalBased(kind)) {
    const id = btf.skipModsAndTypedefs(rootTypeId);
    const t = btf.type(id);
    // A non-matching candidate's raw spec is empty: libbpf reads enumerator 0 (its zeroed slot).
    const idx = spec.raw[0] ?? 0;
    if (t.kind === Kind.ENUM && idx < t.values.length) {
      const e = t.values[idx];
      s += `::${e.name} = ${t.signed ? e.raw | 0 : e.raw >>> 0}`;
    } else {
      // libbpf reads anything that is not an ENUM as ENUM64 records following the type header
      // (for a non-enum candidate those bytes are really members or the next type).
      const at = btf.recordOffset(id) + 12 + idx * 12;
      const word = (k: number): number => btf.readU32(at + k * 4) ?? 0; // past the type section: nothing to read
      const value = (BigInt(word(2)) << 32n) | BigInt(word(1));
      s += `::${btf.strOrUndefined(word(0)) ?? ''} = ${btf.kflag(id) ? BigInt.asIntN(64, value) : value}`;
    }
    return s.slice(0, SPEC_BUF_MAX);
  }
  spec.spec.forEach((acc, i) => {
    if (acc.name !== null) s += `.${acc.name}`;
    else if (i > 0 || acc.idx > 0) s += `[${acc.idx}]`;
  });
  s += ` (${spec.raw.join(':')}`;
  const bytes = Math.floor(spec.bitOffset / 8);
  const bits = spec.bitOffset % 8;
  s += bits ? ` @ offset ${bytes}.${bits})` : ` @ offset ${bytes})`;
  return s.slice(0, SPEC_BUF_MAX);
}
