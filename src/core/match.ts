import type { Btf } from '../btf/btf.js';
import { Kind, isComposite, isEnum } from '../btf/kinds.js';
import { isSizeError, resolveSize } from '../btf/size.js';
import type { ArrayType, CompositeType, EnumType, Enum64Type } from '../btf/types.js';
import { fieldsAreCompat, typesAreCompat, typesMatch, type Tri } from './compat.js';
import { essentialNameLength } from './essential.js';
import type { CoreLog } from './log.js';
import { isEnumvalBased, isFieldBased, isTypeBased, ReloKind } from './relo-kind.js';
import { CORE_SPEC_MAX_LEN, isFlexArray, type CoreSpec } from './spec.js';

/** Low 32 bits of `idx * size * 8`, as libbpf's u32 `bit_offset` arithmetic keeps them. */
export function bitsOf(idx: number, size: number): number {
  return Math.imul(Math.imul(idx, size), 8) >>> 0;
}

/**
 * libbpf's `bpf_core_spec_match`: fills `targ` (a spec over the candidate) step by step and returns
 * 1 (match), 0 (no match) or an errno. The target spec is left as far as matching got, because
 * libbpf prints it for non-matching candidates too.
 */
export function specMatch(local: CoreSpec, targBtf: Btf, targId: number, log: CoreLog): { result: Tri; spec: CoreSpec } {
  const targ: CoreSpec = { btf: targBtf, rootTypeId: targId, kind: local.kind, spec: [], raw: [], bitOffset: 0 };
  const done = (result: Tri): { result: Tri; spec: CoreSpec } => ({ result, spec: targ });
  if (isTypeBased(local.kind)) {
    return done(local.kind === ReloKind.TYPE_MATCHES
      ? typesMatch(local.btf, local.rootTypeId, targBtf, targId, log)
      : typesAreCompat(local.btf, local.rootTypeId, targBtf, targId, log));
  }
  if (isEnumvalBased(local.kind)) {
    // Enumerators match by essential name, so `VAL___v2` finds `VAL`.
    targId = targBtf.skipModsAndTypedefs(targId);
    if (!isEnum(targBtf.kind(targId))) return done(0);
    const localName = local.spec[0].name!;
    const len = essentialNameLength(localName);
    const values = (targBtf.type(targId) as EnumType | Enum64Type).values;
    for (let i = 0; i < values.length; i++) {
      const name = values[i].name;
      if (essentialNameLength(name) !== len || name.slice(0, len) !== localName.slice(0, len)) continue;
      targ.spec.push({ typeId: targId, idx: i, name });
      targ.raw.push(i);
      return done(1);
    }
    return done(0);
  }
  if (!isFieldBased(local.kind)) return done('EINVAL');

  for (let i = 0; i < local.spec.length; i++) {
    targId = targBtf.skipModsAndTypedefs(targId);
    const la = local.spec[i];
    if (la.name !== null) {
      const r = matchMember(local.btf, la, targBtf, targId, targ);
      if (typeof r.result === 'string' || r.result <= 0) return done(r.result);
      targId = r.next;
    } else {
      // i == 0 indexes the root as if through a pointer; deeper indices need a target array.
      if (i > 0) {
        if (targBtf.kind(targId) !== Kind.ARRAY) return done(0);
        const a = targBtf.type(targId) as ArrayType;
        const flex = isFlexArray(targBtf, targ.spec[i - 1], a);
        if (!flex && la.idx >= a.nelems) return done(0);
        targId = targBtf.skipModsAndTypedefs(a.type);
      }
      if (targ.raw.length === CORE_SPEC_MAX_LEN) return done('E2BIG');
      targ.spec.push({ typeId: targId, idx: la.idx, name: null });
      targ.raw.push(la.idx);
      const sz = resolveSize(targBtf, targId);
      if (isSizeError(sz)) return done(sz.error);
      targ.bitOffset = (targ.bitOffset + bitsOf(la.idx, sz)) >>> 0;
    }
  }
  return done(1);
}

/**
 * libbpf's `bpf_core_match_member`: finds the local member's name among the target struct's members,
 * descending into anonymous members depth-first. Entries are pushed speculatively and popped on a
 * miss exactly as libbpf does — including its quirk of not popping the raw entry and offset of a
 * same-named but incompatible member, which then shows in printed non-matching specs.
 */
function matchMember(localBtf: Btf, la: { typeId: number; idx: number }, targBtf: Btf, targId: number, spec: CoreSpec): { result: Tri; next: number } {
  targId = targBtf.skipModsAndTypedefs(targId);
  if (!isComposite(targBtf.kind(targId))) return { result: 0, next: targId };
  const localMember = (localBtf.type(la.typeId) as CompositeType<typeof Kind.STRUCT>).members[la.idx];
  const members = (targBtf.type(targId) as CompositeType<typeof Kind.STRUCT>).members;
  for (let i = 0; i < members.length; i++) {
    const m = members[i];
    if (spec.raw.length === CORE_SPEC_MAX_LEN) return { result: 'E2BIG', next: targId };
    spec.bitOffset = (spec.bitOffset + m.bitOffset) >>> 0;
    spec.raw.push(i);
    if (m.name === '') {
      const found = matchMember(localBtf, la, targBtf, m.type, spec);
      if (found.result !== 0) return found;
    } else if (m.name === localMember.name) {
      spec.spec.push({ typeId: targId, idx: i, name: m.name });
      const found = fieldsAreCompat(localBtf, localMember.type, targBtf, m.type);
      if (found === 0) spec.spec.pop();
      return { result: found, next: m.type };
    }
    spec.bitOffset = (spec.bitOffset - m.bitOffset) >>> 0;
    spec.raw.pop();
  }
  return { result: 0, next: targId };
}
