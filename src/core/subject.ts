import { libbpfKindName, type CoreSpec } from './spec.js';
import { essentialName } from '../btf/essential.js';
import { isEnumvalBased, isTypeBased } from './relo-kind.js';

/**
 * What a CO-RE relocation is about, as data: the local root type, the member path and the
 * enumerator of its spec. Reports, fixes and rename hints read this instead of parsing libbpf's
 * spec text back (which is cut at 255 characters and ambiguous around `.` and `::`).
 */
export interface CoreSubject {
  /** libbpf's kind name of the root: `struct`, `union`, `enum`, `typedef`, `int`, ... */
  readonly rootKind: string;
  /** The root's type id in the object's BTF. */
  readonly rootTypeId: number;
  /** The root's local name as written, flavor included (`task_struct___o`); `<anon>` if it has none. */
  readonly root: string;
  /** The root's essential name (libbpf's rule: no `___flavor`), what the kernel is searched for. */
  readonly essential: string;
  /** Named members and array indices (`[2]`) from the root, for field relocations. */
  readonly path: readonly string[];
  /** The enumerator, for enum value relocations. */
  readonly enumerator?: string;
  /** Which of type, field or enumerator the relocation asks about. */
  readonly aspect: 'type' | 'field' | 'enumerator';
}

/** The subject of a parsed local spec. */
export function coreSubjectOf(spec: CoreSpec): CoreSubject {
  const { btf, rootTypeId, kind } = spec;
  const name = btf.name(rootTypeId);
  const root = name === '' ? '<anon>' : name;
  const base = { rootTypeId, rootKind: libbpfKindName(btf, rootTypeId), root, essential: essentialName(root) };
  if (isTypeBased(kind)) return { ...base, path: [], aspect: 'type' };
  if (isEnumvalBased(kind)) {
    const t = btf.type(btf.skipModsAndTypedefs(rootTypeId));
    const enumerator = 'values' in t ? t.values[spec.raw[0] ?? 0]?.name : undefined;
    return { ...base, path: [], enumerator, aspect: 'enumerator' };
  }
  const path: string[] = [];
  spec.spec.forEach((acc, i) => {
    if (acc.name !== null) path.push(acc.name);
    else if (i > 0 || acc.idx > 0) path.push(`[${acc.idx}]`);
  });
  return { ...base, path, aspect: 'field' };
}

/** `struct open_how`, `struct task_struct.__state`, `enum bpf_func_id::BPF_FUNC_loop` (essential names). */
export function describeCoreSubject(s: CoreSubject, aspect: CoreSubject['aspect'] = s.aspect): string {
  const type = `${s.rootKind} ${s.essential}`;
  if (aspect === 'enumerator' && s.enumerator !== undefined) return `${type}::${s.enumerator}`;
  if (aspect === 'field' && s.path.length > 0) return `${type}${s.path.map((p) => (p.startsWith('[') ? p : `.${p}`)).join('')}`;
  return type;
}
