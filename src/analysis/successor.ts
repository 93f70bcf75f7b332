import type { Btf } from '../btf/btf.js';
import { arrayElemType, enumValueBits, enumValueNameOff, memberBitOffset, memberNameOff, memberType } from '../btf/entries.js';
import { KIND_NAMES_LIBBPF, Kind, isComposite, isEnum } from '../btf/kinds.js';
import { fieldsAreCompat, kindsCoreCompat } from '../core/compat.js';
import { essentialName } from '../btf/essential.js';
import { Closeness, closest, isStrong } from './close-names.js';
import { oncePer } from '../common/memo.js';

/**
 * "What changed" hints: when a relocation or an attach target fails on a kernel because something is
 * missing from its BTF, name the thing that most likely took its place in that same BTF. A hint is
 * given only when one candidate clearly stands out; no hint is better than a wrong one.
 */

/** What a kernel lacks, as a structured subject (no spec text). */
export type MissingThing =
  | { readonly kind: 'type'; readonly typeKind: string /* 'struct'|'union'|'enum'|'typedef'|'int'|... as libbpf prints kinds */; readonly name: string }
  | { readonly kind: 'field'; readonly typeKind: string; readonly type: string /* root type name, essential (no ___flavor) */; readonly path: readonly string[] /* member names from the root, e.g. ['state'] or ['thread_info','cpu']; array indices dropped */ }
  | { readonly kind: 'enumerator'; readonly typeKind: string; readonly type: string; readonly name: string; readonly value?: string /* local value, decimal, when known */ }
  | { readonly kind: 'function'; readonly name: string };

export type SuccessorHow = 'field-renamed' | 'field-moved' | 'type-renamed' | 'enumerator-renamed' | 'enumerator-renumbered' | 'function-renamed' | 'gone';

export interface Successor {
  readonly how: SuccessorHow;
  /** The successor as a C-ish path: `task_struct.__state`, `struct mempool`, `enum kvm_reg::VCPU_REG_RIP`, `foo.isra.0`; absent for 'gone'. */
  readonly name?: string;
  /** One short sentence for a person, e.g. "renamed to __state (compatible type)" or "moved into task_struct.thread_info.cpu". */
  readonly note: string;
}

/** `local` optionally gives the object's BTF and the local root type id, so a field's local type/offset can be compared. */
export function findSuccessor(kernel: Btf, missing: MissingThing, local?: { readonly btf: Btf; readonly rootTypeId: number }): Successor | undefined {
  switch (missing.kind) {
    case 'type': return typeSuccessor(kernel, missing.typeKind, essentialName(missing.name));
    case 'field': return fieldSuccessor(kernel, missing, local);
    case 'enumerator': return enumeratorSuccessor(kernel, missing, local);
    case 'function': return functionSuccessor(kernel, missing.name);
  }
}

/** The kernel's first type named `name` of a kind CO-RE accepts for `typeKind` (ENUM ≈ ENUM64). */
function kernelType(kernel: Btf, typeKind: string, name: string): number | undefined {
  const kind = KIND_NAMES_LIBBPF.indexOf(typeKind);
  if (kind <= 0) return undefined;
  return kernel.idsByName(name).find((id) => kindsCoreCompat(kind, kernel.kind(id)));
}

// ---- types ----

function typeSuccessor(kernel: Btf, typeKind: string, name: string): Successor | undefined {
  const kind = KIND_NAMES_LIBBPF.indexOf(typeKind);
  if (kind <= 0 || kernelType(kernel, typeKind, name) !== undefined) return undefined;
  const found = closest(name, namesOfKind(kernel, kind), (n) => n, { accept: (c) => TYPE_RENAMES.has(c) });
  if (!found) return undefined;
  const now = `${typeKind} ${found.item}`;
  return { how: 'type-renamed', name: now, note: `renamed to ${now}` };
}

/**
 * A kernel has tens of thousands of type names, so most short names are a small edit or one removed
 * word away from some unrelated type (`struct bio_issue` → `bio`, `bpf_tramp_links` → `bpf_tramp_link`,
 * `pfn_t` → `pn_t` between 6.12 and 7.2). Types take only the changes that rarely land on another
 * existing type.
 */
const TYPE_RENAMES: ReadonlySet<Closeness> = new Set([Closeness.UNDERSCORES, Closeness.CASE, Closeness.SUFFIX, Closeness.WORD_ADDED]);

/** Kinds a CO-RE type relocation can name; ENUM64 is filed under ENUM. */
const NAMED_KINDS: ReadonlySet<number> = new Set([Kind.INT, Kind.STRUCT, Kind.UNION, Kind.ENUM, Kind.FWD, Kind.TYPEDEF, Kind.FLOAT]);
const kindGroup = (kind: number): number => (kind === Kind.ENUM64 ? Kind.ENUM : kind);
const namesByKind = new WeakMap<Btf, Map<number, readonly string[]>>();

/**
 * The distinct names of a kernel's types of `kind`'s group. A rename can add a word anywhere in the
 * name, which no lookup by name can find, so the names are read in one pass over the types, the
 * first time a type is missing on that kernel, and kept for the next.
 */
function namesOfKind(btf: Btf, kind: number): readonly string[] {
  let byKind = namesByKind.get(btf);
  if (!byKind) {
    const sets = new Map<number, Set<string>>();
    for (let id = 1; id < btf.typeCount; id++) {
      const group = kindGroup(btf.kind(id));
      if (!NAMED_KINDS.has(group) || btf.nameOff(id) === 0) continue;
      let names = sets.get(group);
      if (!names) sets.set(group, (names = new Set()));
      names.add(btf.name(id));
    }
    byKind = new Map([...sets].map(([k, names]) => [k, [...names]]));
    namesByKind.set(btf, byKind);
  }
  return byKind.get(kindGroup(kind)) ?? [];
}

// ---- fields ----

/** A named member reached from a composite: its names from there, its type, its bit offset there. */
interface Field {
  readonly path: readonly string[];
  readonly typeId: number;
  readonly bitOffset: number;
  /** The struct or union it is a member of. */
  readonly holder: number;
}

/** How deep a moved field is looked for: `task_struct.cpu` → `task_struct.thread_info.cpu` is one level. */
const MOVED_MAX_DEPTH = 3;

/**
 * Named members of composite `id`, seen through anonymous members as C sees them; with `depth` > 0
 * also the members of named struct/union members, that many levels down.
 */
function fieldsOf(btf: Btf, id: number, depth = 0, prefix: readonly string[] = [], base = 0, out: Field[] = []): Field[] {
  for (let i = 0, n = btf.vlen(id); i < n; i++) {
    const name = btf.str(memberNameOff(btf, id, i));
    const typeId = memberType(btf, id, i);
    const bitOffset = base + memberBitOffset(btf, id, i);
    const inner = btf.skipModsAndTypedefs(typeId);
    const nested = isComposite(btf.kind(inner));
    if (name === '') {
      if (nested) fieldsOf(btf, inner, depth, prefix, bitOffset, out);
      continue;
    }
    const path = [...prefix, name];
    out.push({ path, typeId, bitOffset, holder: id });
    if (nested && depth > 0) fieldsOf(btf, inner, depth - 1, path, bitOffset, out);
  }
  return out;
}

function member(btf: Btf, id: number, name: string): Field | undefined {
  return fieldsOf(btf, id).find((f) => f.path[0] === name);
}

/** The struct/union a field of type `id` holds, through typedefs, modifiers and arrays (whose indices paths drop). */
function compositeOf(btf: Btf, id: number): number | undefined {
  id = elementOf(btf, id);
  return isComposite(btf.kind(id)) ? id : undefined;
}

/** The composite reached from `root` along `path`, or undefined where a name is missing. */
function follow(btf: Btf, root: number, path: readonly string[]): number | undefined {
  let at: number | undefined = compositeOf(btf, root);
  for (const name of path) {
    const f = at === undefined ? undefined : member(btf, at, name);
    at = f && compositeOf(btf, f.typeId);
  }
  return at;
}

function fieldSuccessor(kernel: Btf, missing: Extract<MissingThing, { kind: 'field' }>, local?: { readonly btf: Btf; readonly rootTypeId: number }): Successor | undefined {
  const type = essentialName(missing.type);
  const root = kernelType(kernel, missing.typeKind, type);
  if (root === undefined || !isComposite(kernel.kind(root))) return undefined;
  // The first name of the path the kernel lacks, and the struct/union that should hold it.
  let container = root;
  let i = 0;
  for (; i < missing.path.length; i++) {
    const f = member(kernel, container, missing.path[i]);
    if (!f) break;
    const next = compositeOf(kernel, f.typeId);
    if (next === undefined) return undefined;
    container = next;
  }
  if (i === missing.path.length) return undefined;
  const name = missing.path[i];
  const before = missing.path.slice(0, i);
  const show = (f: Field): string => [type, ...before, ...f.path].join('.');

  // The local side, when known. A successor must have a type the local field could relocate to, and
  // must not be a member the local type has too: a name the object knew beside the missing one is
  // another field, not where it went (unless that local field would not relocate to it: 5.10's
  // blk_mq_tags.bitmap_tags was a pointer to __bitmap_tags, 6.1's bitmap_tags is the struct itself).
  // Other local members the kernel lacks are rivals for a name.
  const localContainer = local && follow(local.btf, local.rootTypeId, before);
  const old = localContainer === undefined ? undefined : member(local!.btf, localContainer, name);
  const localFields = localContainer === undefined ? [] : fieldsOf(local!.btf, localContainer, MOVED_MAX_DEPTH);
  const knownLocally = new Map(localFields.map((f) => [f.path.join('.'), f.typeId]));
  const sameAsLocal = (f: Field): boolean => {
    const mine = knownLocally.get(f.path.join('.'));
    return mine !== undefined && fieldsAreCompat(local!.btf, mine, kernel, f.typeId) === 1;
  };
  const plausible = (f: Field): boolean => !sameAsLocal(f) &&
    (old === undefined || sameSortOfField(local!.btf, old.typeId, kernel, f.typeId)) &&
    !(local && f.path.length > 1 && localView(local.btf, kernel.name(f.holder), name) === 'had');
  const kernelFields = fieldsOf(kernel, container);
  const rivals = localFields.filter((f) => f.path.length === 1 && !kernelFields.some((k) => k.path[0] === f.path[0])).map((f) => f.path[0]);

  // Leading underscores are the kernel's usual way to say "do not touch directly" (task_struct.state
  // → __state): that beats a field of the same name nested elsewhere (task_struct.vtime.state).
  const renamed = closest(name, kernelFields.filter(plausible), (f) => f.path[0],
    { rivals, accept: (c) => old !== undefined || isStrong(c) });
  const renamedTo = (f: Field): Successor => {
    const checked = old === undefined ? '' : ` (${old.bitOffset === f.bitOffset ? 'same offset, ' : ''}compatible type)`;
    return { how: 'field-renamed', name: show(f), note: `renamed to ${f.path[0]}${checked}` };
  };
  if (renamed?.closeness === Closeness.UNDERSCORES) return renamedTo(renamed.item);

  // Moved: the same name inside a member struct/union, the shallowest one. Of several as shallow,
  // the one whose struct the object knows without that member, if only one: 6.1 has both
  // task_struct.thread_info.cpu and task_struct.vtime.cpu, and 5.10's thread_info had no cpu.
  // Only with the object's view: without it, every `dev.parent` of an embedded struct device
  // would read as the new home of a removed `parent`.
  const nested = old === undefined ? [] : fieldsOf(kernel, container, MOVED_MAX_DEPTH).filter((f) => f.path.length > 1 && f.path[f.path.length - 1] === name && plausible(f));
  if (nested.length > 0) {
    const depth = Math.min(...nested.map((f) => f.path.length));
    let shallowest = nested.filter((f) => f.path.length === depth);
    if (shallowest.length > 1) shallowest = shallowest.filter((f) => localView(local!.btf, kernel.name(f.holder), name) === 'lacked');
    if (shallowest.length !== 1) return undefined;
    return { how: 'field-moved', name: show(shallowest[0]), note: `moved into ${show(shallowest[0])}` };
  }
  return renamed && renamedTo(renamed.item);
}

/**
 * What the object's BTF says of the kernel's `holder.name`: 'had' when its own struct/union `holder`
 * has member `name` (then it is no new home for a missing field: it was there all along), 'lacked'
 * when its `holder` has no such member (the kernel added it: evidence of a move), else undefined.
 */
function localView(btf: Btf, holder: string, name: string): 'had' | 'lacked' | undefined {
  if (holder === '') return undefined;
  const ids = btf.idsByName(holder).filter((id) => isComposite(btf.kind(id)));
  if (ids.length === 0) return undefined;
  return ids.some((id) => member(btf, id, name) !== undefined) ? 'had' : 'lacked';
}

/**
 * libbpf's field compatibility (`bpf_core_fields_are_compat`), and for structs and unions, held or
 * pointed to, the same essential name. libbpf lets any struct stand for any other, and any pointer
 * for any other, because the rest of the access path then checks what it reaches; a hint has no such
 * path: `tty_struct.ctrl_lock` (a spinlock) is not the struct `ctrl` that replaced it, and 5.10's
 * `mem_cgroup.vmstats_local` (a `struct memcg_vmstats_percpu *`) is not 6.1's `vmstats` (a
 * `struct memcg_vmstats *`).
 */
function sameSortOfField(localBtf: Btf, localId: number, kernel: Btf, kernelId: number): boolean {
  if (fieldsAreCompat(localBtf, localId, kernel, kernelId) !== 1) return false;
  const a = namedPart(localBtf, localId);
  const b = namedPart(kernel, kernelId);
  if (!isComposite(localBtf.kind(a)) || !isComposite(kernel.kind(b))) return true;
  return essentialName(localBtf.name(a)) === essentialName(kernel.name(b));
}

/** A type through typedefs, modifiers and arrays. */
function elementOf(btf: Btf, id: number): number {
  id = btf.skipModsAndTypedefs(id);
  while (btf.kind(id) === Kind.ARRAY) id = btf.skipModsAndTypedefs(arrayElemType(btf, id));
  return id;
}

/** The element type, or what it points to when it is a pointer. */
function namedPart(btf: Btf, id: number): number {
  id = elementOf(btf, id);
  return btf.kind(id) === Kind.PTR ? btf.skipModsAndTypedefs(btf.sizeOrType(id)) : id;
}

// ---- enumerators ----

interface Enumerator {
  readonly name: string;
  /** The value's bits at the enum's width, for comparing with a local value. */
  readonly bits: bigint;
  readonly text: string;
}

function enumeratorsOf(btf: Btf, id: number): Enumerator[] {
  const width = btf.kind(id) === Kind.ENUM ? 32 : 64;
  const out: Enumerator[] = [];
  for (let i = 0, n = btf.vlen(id); i < n; i++) {
    const bits = BigInt.asUintN(width, enumValueBits(btf, id, i));
    const text = String(btf.kflag(id) ? BigInt.asIntN(width, bits) : bits);
    out.push({ name: btf.str(enumValueNameOff(btf, id, i)), bits, text });
  }
  return out;
}

function enumeratorSuccessor(kernel: Btf, missing: Extract<MissingThing, { kind: 'enumerator' }>, local?: { readonly btf: Btf; readonly rootTypeId: number }): Successor | undefined {
  const type = essentialName(missing.type);
  const id = kernelType(kernel, missing.typeKind, type);
  if (id === undefined || !isEnum(kernel.kind(id))) return undefined;
  const width = kernel.kind(id) === Kind.ENUM ? 32 : 64;
  const localBits = missing.value !== undefined && /^-?\d+$/.test(missing.value) ? BigInt.asUintN(width, BigInt(missing.value)) : undefined;
  const values = enumeratorsOf(kernel, id);
  const show = (e: Enumerator): string => `${KIND_NAMES_LIBBPF[kernel.kind(id)]} ${type}::${e.name}`;
  const valueNote = (e: Enumerator): string => localBits === undefined ? `value ${e.text}`
    : e.bits === localBits ? `same value ${e.text}` : `value ${e.text} here, ${missing.value} locally`;

  const same = values.find((e) => e.name === missing.name);
  if (same) {
    if (localBits === undefined || same.bits === localBits) return undefined;
    return { how: 'enumerator-renumbered', name: show(same), note: `${same.name} is ${same.text} here, ${missing.value} locally` };
  }
  // As for fields: an enumerator the local enum also has is another one, not the successor.
  const localEnum = local && local.btf.skipModsAndTypedefs(local.rootTypeId);
  const localNames = localEnum !== undefined && isEnum(local!.btf.kind(localEnum)) ? enumeratorsOf(local!.btf, localEnum).map((e) => e.name) : [];
  const knownLocally = new Set(localNames);
  const rivals = localNames.filter((n) => !values.some((e) => e.name === n));
  const sameValue = (e: Enumerator): boolean => e.bits === localBits;
  const renamed = closest(missing.name, values.filter((e) => !knownLocally.has(e.name)), (e) => e.name, {
    preferred: sameValue, rivals,
    accept: (c, e) => localNames.length > 0 || isStrong(c) || sameValue(e),
  });
  if (!renamed) return undefined;
  return { how: 'enumerator-renamed', name: show(renamed.item), note: `renamed to ${renamed.item.name} (${valueNote(renamed.item)})` };
}

// ---- functions ----

const GONE: Successor = { how: 'gone', note: "not in this kernel's BTF: removed, renamed or inlined" };
/**
 * Names with a compiler's clone suffix (`foo.isra.0`, `foo.constprop.0`, `foo.part.0`, `foo.cold`),
 * by the name before the first dot: candidates for FUNCs no lookup of `foo` finds. Collected the
 * first time a function is missing on a kernel, from the strings holding a dot (no type is read),
 * and kept for the next query; `clonesOf` keeps those that name a FUNC.
 */
const dottedNames = oncePer((btf: Btf): Map<string, string[]> => {
  const byBase = new Map<string, string[]>();
  for (const name of btf.stringsWithByte(0x2e /* . */)) {
    const dot = name.indexOf('.');
    if (dot <= 0) continue;
    const base = name.slice(0, dot);
    const list = byBase.get(base);
    if (list) list.push(name);
    else byBase.set(base, [name]);
  }
  return byBase;
});

/** The FUNCs that are clones of `name`, in type id order. */
function clonesOf(btf: Btf, name: string): string[] {
  const funcs: { name: string; id: number }[] = [];
  for (const n of new Set(dottedNames(btf).get(name))) {
    const id = btf.find(n, Kind.FUNC);
    if (id !== undefined) funcs.push({ name: n, id });
  }
  return funcs.sort((a, b) => a.id - b.id).map((f) => f.name);
}

/** Whether the kernel has a FUNC named `name` (a lookup in its index of functions, not of all names). */
const hasFunc = (btf: Btf, name: string): boolean => btf.find(name, Kind.FUNC) !== undefined;

function functionSuccessor(kernel: Btf, name: string): Successor | undefined {
  if (hasFunc(kernel, name)) return undefined;
  const clones = clonesOf(kernel, name);
  if (clones.length > 0) return { how: 'function-renamed', name: clones[0], note: `compiled as ${clones.join(', ')}` };
  // `foo` gone and `__foo` there (or the reverse): typically foo became an inline wrapper around the
  // out-of-line __foo, which is what can be attached to now.
  const bare = name.replace(/^_+/, '');
  const others = [bare, `_${bare}`, `__${bare}`, `___${bare}`].filter((n) => n !== name && hasFunc(kernel, n));
  if (others.length === 1) return { how: 'function-renamed', name: others[0], note: `not in this kernel's BTF; ${others[0]} (leading underscores changed) is` };
  // Memory allocation profiling (6.10) turned the allocators into macros around `foo_noprof`.
  if (hasFunc(kernel, `${name}_noprof`)) return { how: 'function-renamed', name: `${name}_noprof`, note: `now a macro around ${name}_noprof (memory allocation profiling, 6.10)` };
  return GONE;
}
