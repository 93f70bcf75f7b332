import type { Btf } from '../btf/btf.js';
import { Kind } from '../btf/kinds.js';
import { kindsCoreCompat } from './compat.js';
import { essentialName } from '../btf/essential.js';
import type { CoreLog } from './log.js';
import { libbpfKindName, type Errno } from './spec.js';

/** The kernel BTF that relocations resolve against: vmlinux, and module BTFs (split on vmlinux). */
export interface CoreTarget {
  readonly vmlinux: Btf;
  readonly modules?: readonly { readonly name: string; readonly btf: Btf }[];
}

export interface Candidate {
  readonly btf: Btf;
  readonly id: number;
  /** `vmlinux` or the module's name, as libbpf prints it. */
  readonly btfName: string;
}

/**
 * Ids of a BTF's own types of `kind`'s index group with essential name `name`, ascending. Local
 * roots are types (clang never emits a relocation on a function or variable); for one that is
 * not, libbpf's own way: every type of the blob, in id order.
 */
function idsByEssentialName(btf: Btf, name: string, kind: number): readonly number[] {
  if (!isDataKind(kind)) return btf.ownTypesByEssentialName(name);
  const out: number[] = [];
  const first = btf.base ? btf.base.typeCount : 1;
  for (let id = first; id < btf.typeCount; id++) {
    if (!isDataKind(btf.kind(id))) continue;
    const n = btf.name(id);
    if (n.length >= name.length && n.startsWith(name) && essentialName(n) === name) out.push(id);
  }
  return out;
}

/** Kinds that name data, never a type a relocation is about: functions, variables, sections, declaration tags. */
const isDataKind = (kind: number): boolean => kind === Kind.FUNC || kind === Kind.VAR || kind === Kind.DATASEC || kind === Kind.DECL_TAG;

/**
 * libbpf's `bpf_core_find_cands` + `bpf_core_add_cands`: target types of a core-compatible kind
 * (ENUM ≈ ENUM64; the kind of the local root, typedefs not stripped) with the same essential name,
 * in ascending id order. Module BTFs are searched only when vmlinux has no candidate. libbpf scans
 * every type; an index gives the same list in the same order.
 */
export function findCandidates(localBtf: Btf, localId: number, target: CoreTarget, log: CoreLog): Candidate[] | Errno {
  if (!localBtf.hasType(localId)) return 'EINVAL';
  const localName = localBtf.name(localId);
  if (localName === '') return 'EINVAL';
  const localKind = localBtf.kind(localId);
  const ess = essentialName(localName);
  const found: Candidate[] = [];
  const scan = (btf: Btf, btfName: string): void => {
    for (const id of idsByEssentialName(btf, ess, localKind)) {
      if (!kindsCoreCompat(btf.kind(id), localKind)) continue;
      if (log.enabled) log.debug(`CO-RE relocating [${localId}] ${libbpfKindName(localBtf, localId)} ${localName}: found target candidate [${id}] ${libbpfKindName(btf, id)} ${btf.name(id)} in [${btfName}]`);
      found.push({ btf, id, btfName });
    }
  };
  scan(target.vmlinux, 'vmlinux');
  if (found.length > 0) return found;
  for (const m of target.modules ?? []) scan(m.btf, m.name);
  return found;
}
