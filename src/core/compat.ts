import type { Btf } from '../btf/btf.js';
import { arrayElemType, arrayNelems, enumValueNameOff, intBitsOffset, intEncoding, memberNameOff, memberType, paramType } from '../btf/entries.js';
import { IntEncoding, Kind, isComposite, isEnum } from '../btf/kinds.js';
import type { CoreLog } from './log.js';
import { libbpfKindName, type Errno } from './spec.js';
import { essentialNameLength } from '../btf/essential.js';

/** 1 = compatible/match, 0 = not, or an errno: libbpf's tri-state results. */
export type Tri = 0 | 1 | Errno;

/** libbpf's `btf_kind_core_compat`: same kind, or both enums (ENUM ≈ ENUM64). */
export function kindsCoreCompat(a: number, b: number): boolean {
  return a === b || (isEnum(a) && isEnum(b));
}

function essentialNamesEqual(a: string, b: string): boolean {
  const la = essentialNameLength(a);
  return la === essentialNameLength(b) && a.slice(0, la) === b.slice(0, la);
}

/**
 * libbpf's `__bpf_core_types_are_compat` (type-based relocations except TYPE_MATCHES): names and sizes
 * are ignored; ints must not be old-style bitfields; pointers and arrays compare what they point to;
 * function prototypes compare arity, parameters (down to `level`) and return types.
 */
export function typesAreCompat(localBtf: Btf, localId: number, targBtf: Btf, targId: number, log: CoreLog, level = 32): Tri {
  if (!kindsCoreCompat(localBtf.kind(localId), targBtf.kind(targId))) return 0;
  for (let depth = 32; ; ) {
    if (--depth < 0) return 'EINVAL';
    localId = localBtf.skipModsAndTypedefs(localId);
    targId = targBtf.skipModsAndTypedefs(targId);
    const lk = localBtf.kind(localId);
    if (!kindsCoreCompat(lk, targBtf.kind(targId))) return 0;
    switch (lk) {
      case Kind.UNKN: case Kind.STRUCT: case Kind.UNION: case Kind.ENUM: case Kind.FWD: case Kind.ENUM64:
        return 1;
      case Kind.INT:
        return intBitsOffset(localBtf, localId) === 0 && intBitsOffset(targBtf, targId) === 0 ? 1 : 0;
      case Kind.PTR:
        localId = localBtf.sizeOrType(localId);
        targId = targBtf.sizeOrType(targId);
        continue;
      case Kind.ARRAY:
        localId = arrayElemType(localBtf, localId);
        targId = arrayElemType(targBtf, targId);
        continue;
      case Kind.FUNC_PROTO: {
        const n = localBtf.vlen(localId);
        if (n !== targBtf.vlen(targId)) return 0;
        for (let i = 0; i < n; i++) {
          if (level <= 0) return 'EINVAL';
          const r = typesAreCompat(localBtf, localBtf.skipModsAndTypedefs(paramType(localBtf, localId, i)), targBtf,
            targBtf.skipModsAndTypedefs(paramType(targBtf, targId, i)), log, level - 1);
          if (r !== 1) return r;
        }
        localId = localBtf.skipModsAndTypedefs(localBtf.sizeOrType(localId));
        targId = targBtf.skipModsAndTypedefs(targBtf.sizeOrType(targId));
        continue;
      }
      default:
        log.warn(`unexpected kind ${libbpfKindName(localBtf, localId)} relocated, local [${localId}], target [${targId}]`);
        return 0;
    }
  }
}

/**
 * libbpf's `bpf_core_fields_are_compat` (field relocations): any struct/union pair; pointers and
 * floats always; enums and forward declarations by essential name (or either anonymous); ints unless
 * old-style bitfields; arrays by element type.
 */
export function fieldsAreCompat(localBtf: Btf, localId: number, targBtf: Btf, targId: number): Tri {
  for (;;) {
    localId = localBtf.skipModsAndTypedefs(localId);
    targId = targBtf.skipModsAndTypedefs(targId);
    const lk = localBtf.kind(localId);
    const tk = targBtf.kind(targId);
    if (isComposite(lk) && isComposite(tk)) return 1;
    if (!kindsCoreCompat(lk, tk)) return 0;
    switch (lk) {
      case Kind.PTR: case Kind.FLOAT:
        return 1;
      case Kind.FWD: case Kind.ENUM64: case Kind.ENUM: {
        const ln = localBtf.name(localId);
        const tn = targBtf.name(targId);
        return essentialNameLength(ln) === 0 || essentialNameLength(tn) === 0 || essentialNamesEqual(ln, tn) ? 1 : 0;
      }
      case Kind.INT:
        return intBitsOffset(localBtf, localId) === 0 && intBitsOffset(targBtf, targId) === 0 ? 1 : 0;
      case Kind.ARRAY:
        localId = arrayElemType(localBtf, localId);
        targId = arrayElemType(targBtf, targId);
        continue;
      default:
        return 0;
    }
  }
}

/** libbpf's `bpf_core_names_match`: an anonymous target matches only an anonymous local. */
function namesMatch(localName: string, targName: string): boolean {
  if (targName === '') return localName === '';
  return essentialNamesEqual(localName, targName);
}

function enumsMatch(localBtf: Btf, localId: number, targBtf: Btf, targId: number): Tri {
  const ln = localBtf.vlen(localId);
  const tn = targBtf.vlen(targId);
  if (localBtf.sizeOrType(localId) !== targBtf.sizeOrType(targId) || ln > tn) return 0;
  for (let i = 0; i < ln; i++) {
    const name = localBtf.str(enumValueNameOff(localBtf, localId, i));
    let found = false;
    for (let j = 0; j < tn && !found; j++) found = namesMatch(name, targBtf.str(enumValueNameOff(targBtf, targId, j)));
    if (!found) return 0;
  }
  return 1;
}

/**
 * libbpf's `__bpf_core_types_match` (TYPE_MATCHES): names must match after typedefs are stripped;
 * behind a pointer, structs and unions only need the same kind (or a matching forward declaration);
 * otherwise every local member must find a same-named target member of matching type.
 */
export function typesMatch(localBtf: Btf, localId: number, targBtf: Btf, targId: number, log: CoreLog, behindPtr = false, level = 32): Tri {
  if (level <= 0) return 'EINVAL';
  for (let depth = 32; ; ) {
    if (--depth < 0) return 'EINVAL';
    localId = localBtf.skipModsAndTypedefs(localId);
    targId = targBtf.skipModsAndTypedefs(targId);
    if (!namesMatch(localBtf.name(localId), targBtf.name(targId))) return 0;
    const lk = localBtf.kind(localId);
    const tk = targBtf.kind(targId);
    switch (lk) {
      case Kind.UNKN:
        return lk === tk ? 1 : 0;
      case Kind.FWD: {
        const lf = localBtf.kflag(localId);
        if (behindPtr) {
          if (lk === tk) return lf === targBtf.kflag(targId) ? 1 : 0;
          return (tk === Kind.STRUCT && !lf) || (tk === Kind.UNION && lf) ? 1 : 0;
        }
        if (lk !== tk) return 0;
        return lf === targBtf.kflag(targId) ? 1 : 0;
      }
      case Kind.ENUM: case Kind.ENUM64:
        if (!isEnum(tk)) return 0;
        return enumsMatch(localBtf, localId, targBtf, targId);
      case Kind.STRUCT: case Kind.UNION:
        if (behindPtr) {
          if (lk === tk) return 1;
          if (tk !== Kind.FWD) return 0;
          return (lk === Kind.UNION) === targBtf.kflag(targId) ? 1 : 0;
        }
        if (lk !== tk) return 0;
        return compositesMatch(localBtf, localId, targBtf, targId, log, behindPtr, level);
      case Kind.INT: {
        if (lk !== tk) return 0;
        return localBtf.sizeOrType(localId) === targBtf.sizeOrType(targId) &&
          (intEncoding(localBtf, localId) & IntEncoding.SIGNED) === (intEncoding(targBtf, targId) & IntEncoding.SIGNED) ? 1 : 0;
      }
      case Kind.PTR:
        if (lk !== tk) return 0;
        behindPtr = true;
        localId = localBtf.sizeOrType(localId);
        targId = targBtf.sizeOrType(targId);
        continue;
      case Kind.ARRAY: {
        if (lk !== tk) return 0;
        if (arrayNelems(localBtf, localId) !== arrayNelems(targBtf, targId)) return 0;
        localId = arrayElemType(localBtf, localId);
        targId = arrayElemType(targBtf, targId);
        continue;
      }
      case Kind.FUNC_PROTO: {
        if (lk !== tk) return 0;
        const n = localBtf.vlen(localId);
        if (n !== targBtf.vlen(targId)) return 0;
        for (let i = 0; i < n; i++) {
          const r = typesMatch(localBtf, paramType(localBtf, localId, i), targBtf, paramType(targBtf, targId, i), log, behindPtr, level - 1);
          if (r !== 1) return r;
        }
        localId = localBtf.sizeOrType(localId);
        targId = targBtf.sizeOrType(targId);
        continue;
      }
      default:
        log.warn(`unexpected kind ${libbpfKindName(localBtf, localId)} relocated, local [${localId}], target [${targId}]`);
        return 0;
    }
  }
}

function compositesMatch(localBtf: Btf, localId: number, targBtf: Btf, targId: number, log: CoreLog, behindPtr: boolean, level: number): Tri {
  const ln = localBtf.vlen(localId);
  const tn = targBtf.vlen(targId);
  if (ln > tn) return 0;
  for (let i = 0; i < ln; i++) {
    const name = localBtf.str(memberNameOff(localBtf, localId, i));
    let matched = false;
    for (let j = 0; j < tn; j++) {
      if (!namesMatch(name, targBtf.str(memberNameOff(targBtf, targId, j)))) continue;
      const r = typesMatch(localBtf, memberType(localBtf, localId, i), targBtf, memberType(targBtf, targId, j), log, behindPtr, level - 1);
      if (typeof r === 'string') return r;
      if (r > 0) {
        matched = true;
        break;
      }
    }
    if (!matched) return 0;
  }
  return 1;
}
