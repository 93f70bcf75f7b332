import type { Btf } from '../btf/btf.js';
import { IntEncoding, Kind, isComposite, isEnum } from '../btf/kinds.js';
import type { CoreLog } from './log.js';
import { libbpfKindName, type Errno } from './spec.js';
import { essentialNameLength } from './essential.js';

/** 1 = compatible/match, 0 = not, or an errno: libbpf's tri-state results. */
export type Tri = 0 | 1 | Errno;

/** libbpf's `btf_kind_core_compat`: same kind, or both enums (ENUM ≈ ENUM64). */
export function kindsCoreCompat(a: number, b: number): boolean {
  return a === b || (isEnum(a) && isEnum(b));
}

function intOffset(btf: Btf, id: number): number {
  return (btf.type(id) as { bitsOffset: number }).bitsOffset;
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
        return intOffset(localBtf, localId) === 0 && intOffset(targBtf, targId) === 0 ? 1 : 0;
      case Kind.PTR:
        localId = localBtf.sizeOrType(localId);
        targId = targBtf.sizeOrType(targId);
        continue;
      case Kind.ARRAY:
        localId = (localBtf.type(localId) as { type: number }).type;
        targId = (targBtf.type(targId) as { type: number }).type;
        continue;
      case Kind.FUNC_PROTO: {
        const lp = localBtf.type(localId) as { params: readonly { type: number }[]; returnType: number };
        const tp = targBtf.type(targId) as { params: readonly { type: number }[]; returnType: number };
        if (lp.params.length !== tp.params.length) return 0;
        for (let i = 0; i < lp.params.length; i++) {
          if (level <= 0) return 'EINVAL';
          const r = typesAreCompat(localBtf, localBtf.skipModsAndTypedefs(lp.params[i].type), targBtf,
            targBtf.skipModsAndTypedefs(tp.params[i].type), log, level - 1);
          if (r !== 1) return r;
        }
        localId = localBtf.skipModsAndTypedefs(lp.returnType);
        targId = targBtf.skipModsAndTypedefs(tp.returnType);
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
        return intOffset(localBtf, localId) === 0 && intOffset(targBtf, targId) === 0 ? 1 : 0;
      case Kind.ARRAY:
        localId = (localBtf.type(localId) as { type: number }).type;
        targId = (targBtf.type(targId) as { type: number }).type;
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
  const l = localBtf.type(localId) as { size: number; values: readonly { name: string }[] };
  const t = targBtf.type(targId) as { size: number; values: readonly { name: string }[] };
  if (l.size !== t.size || l.values.length > t.values.length) return 0;
  for (const lv of l.values) {
    if (!t.values.some((tv) => namesMatch(lv.name, tv.name))) return 0;
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
        const l = localBtf.type(localId) as { size: number; encoding: number };
        const t = targBtf.type(targId) as { size: number; encoding: number };
        return l.size === t.size && (l.encoding & IntEncoding.SIGNED) === (t.encoding & IntEncoding.SIGNED) ? 1 : 0;
      }
      case Kind.PTR:
        if (lk !== tk) return 0;
        behindPtr = true;
        localId = localBtf.sizeOrType(localId);
        targId = targBtf.sizeOrType(targId);
        continue;
      case Kind.ARRAY: {
        if (lk !== tk) return 0;
        const l = localBtf.type(localId) as { type: number; nelems: number };
        const t = targBtf.type(targId) as { type: number; nelems: number };
        if (l.nelems !== t.nelems) return 0;
        localId = l.type;
        targId = t.type;
        continue;
      }
      case Kind.FUNC_PROTO: {
        if (lk !== tk) return 0;
        const l = localBtf.type(localId) as { params: readonly { type: number }[]; returnType: number };
        const t = targBtf.type(targId) as { params: readonly { type: number }[]; returnType: number };
        if (l.params.length !== t.params.length) return 0;
        for (let i = 0; i < l.params.length; i++) {
          const r = typesMatch(localBtf, l.params[i].type, targBtf, t.params[i].type, log, behindPtr, level - 1);
          if (r !== 1) return r;
        }
        localId = l.returnType;
        targId = t.returnType;
        continue;
      }
      default:
        log.warn(`unexpected kind ${libbpfKindName(localBtf, localId)} relocated, local [${localId}], target [${targId}]`);
        return 0;
    }
  }
}

function compositesMatch(localBtf: Btf, localId: number, targBtf: Btf, targId: number, log: CoreLog, behindPtr: boolean, level: number): Tri {
  const l = localBtf.type(localId) as { members: readonly { name: string; type: number }[] };
  const t = targBtf.type(targId) as { members: readonly { name: string; type: number }[] };
  if (l.members.length > t.members.length) return 0;
  for (const lm of l.members) {
    let matched = false;
    for (const tm of t.members) {
      if (!namesMatch(lm.name, tm.name)) continue;
      const r = typesMatch(localBtf, lm.type, targBtf, tm.type, log, behindPtr, level - 1);
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
