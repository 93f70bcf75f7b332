import type { Btf } from '../btf/btf.js';
import { Kind, isComposite, isEnum } from '../btf/kinds.js';
import { isSizeError, resolveSize } from '../btf/size.js';
import { arrayElemType, arrayNelems, enumValueNameOff, memberBitOffset, memberNameOff, memberType } from '../btf/entries.js';
import { fieldsAreCompat, typesAreCompat, typesMatch, type Tri } from './compat.js';
import { essentialNameLength } from '../btf/essential.js';
import type { CoreLog } from './log.js';
import { isEnumvalBased, isFieldBased, isTypeBased, ReloKind } from './relo-kind.js';
import { CORE_SPEC_MAX_LEN, isFlexArray, type CoreSpec } from './spec.js';

/** Low 32 bits of `idx * size * 8`, as libbpf's u32 `bit_offset` arithmetic keeps them. */
/** The spec `specMatch` starts from: the candidate's root, nothing matched yet. */
export function emptySpec(btf: Btf, rootTypeId: number, kind: number): CoreSpec {
  return { btf, rootTypeId, kind, spec: [], raw: [], bitOffset: 0 };
}

export function bitsOf(idx: number, size: number): number {
  return Math.imul(Math.imul(idx, size), 8) >>> 0;
}

/**
 * libbpf's `bpf_core_spec_match`: fills `targ` (an empty spec over the candidate, see `emptySpec`)
 * step by step and returns 1 (match), 0 (no match) or an errno. The target spec is left as far as
 * matching got, because libbpf prints it for non-matching candidates too.
 */
export function specMatch(local: CoreSpec, targ: CoreSpec, log: CoreLog): Tri {
  const targBtf = targ.btf;
  let targId = targ.rootTypeId;
  if (isTypeBased(local.kind)) {
    return local.kind === ReloKind.TYPE_MATCHES
      ? typesMatch(local.btf, local.rootTypeId, targBtf, targId, log)
      : typesAreCompat(local.btf, local.rootTypeId, targBtf, targId, log);
  }
  if (isEnumvalBased(local.kind)) {
    // Enumerators match by essential name, so `VAL___v2` finds `VAL`.
    targId = targBtf.skipModsAndTypedefs(targId);
    if (!isEnum(targBtf.kind(targId))) return 0;
    const localName = local.spec[0].name!;
    const len = essentialNameLength(localName);
    for (let i = 0, n = targBtf.vlen(targId); i < n; i++) {
      const name = targBtf.str(enumValueNameOff(targBtf, targId, i));
      if (essentialNameLength(name) !== len || name.slice(0, len) !== localName.slice(0, len)) continue;
      targ.spec.push({ typeId: targId, idx: i, name });
      targ.raw.push(i);
      return 1;
    }
    return 0;
  }
  if (!isFieldBased(local.kind)) return 'EINVAL';

  const found = { type: 0 };
  for (let i = 0; i < local.spec.length; i++) {
    targId = targBtf.skipModsAndTypedefs(targId);
    const la = local.spec[i];
    if (la.name !== null) {
      const r = matchMember(local.btf, la, targBtf, targId, targ, found);
      if (r !== 1) return r;
      targId = found.type;
    } else {
      // i == 0 indexes the root as if through a pointer; deeper indices need a target array.
      if (i > 0) {
        if (targBtf.kind(targId) !== Kind.ARRAY) return 0;
        const nelems = arrayNelems(targBtf, targId);
        const flex = isFlexArray(targBtf, targ.spec[i - 1], nelems);
        if (!flex && la.idx >= nelems) return 0;
        targId = targBtf.skipModsAndTypedefs(arrayElemType(targBtf, targId));
      }
      if (targ.raw.length === CORE_SPEC_MAX_LEN) return 'E2BIG';
      targ.spec.push({ typeId: targId, idx: la.idx, name: null });
      targ.raw.push(la.idx);
      const sz = resolveSize(targBtf, targId);
      if (isSizeError(sz)) return sz.error;
      targ.bitOffset = (targ.bitOffset + bitsOf(la.idx, sz)) >>> 0;
    }
  }
  return 1;
}

/**
 * libbpf's `bpf_core_match_member`: finds the local member's name among the target struct's members,
 * descending into anonymous members depth-first. Entries are pushed speculatively and popped on a
 * miss exactly as libbpf does — including its quirk of not popping the raw entry and offset of a
 * same-named but incompatible member, which then shows in printed non-matching specs. On a match the
 * member's type id is left in `found.type`.
 */
function matchMember(localBtf: Btf, la: { typeId: number; idx: number }, targBtf: Btf, targId: number, spec: CoreSpec, found: { type: number }): Tri {
  targId = targBtf.skipModsAndTypedefs(targId);
  if (!isComposite(targBtf.kind(targId))) return 0;
  const localName = localBtf.str(memberNameOff(localBtf, la.typeId, la.idx));
  for (let i = 0, n = targBtf.vlen(targId); i < n; i++) {
    if (spec.raw.length === CORE_SPEC_MAX_LEN) return 'E2BIG';
    const bitOffset = memberBitOffset(targBtf, targId, i);
    const type = memberType(targBtf, targId, i);
    // names compared in place: most members of a big struct are passed over
    const nameOff = memberNameOff(targBtf, targId, i);
    spec.bitOffset = (spec.bitOffset + bitOffset) >>> 0;
    spec.raw.push(i);
    if (targBtf.strIs(nameOff, '')) {
      const r = matchMember(localBtf, la, targBtf, type, spec, found);
      if (r !== 0) return r;
    } else if (targBtf.strIs(nameOff, localName)) {
      spec.spec.push({ typeId: targId, idx: i, name: localName });
      const r = fieldsAreCompat(localBtf, memberType(localBtf, la.typeId, la.idx), targBtf, type);
      if (r === 0) spec.spec.pop();
      found.type = type;
      return r;
    }
    spec.bitOffset = (spec.bitOffset - bitOffset) >>> 0;
    spec.raw.pop();
  }
  return 0;
}
