import type { Btf } from '../btf/btf.js';
import { memberNameOff, memberType } from '../btf/entries.js';
import { Kind } from '../btf/kinds.js';
import type { InsnBuffer } from '../insn/buffer.js';
import { Opcode } from '../insn/opcode.js';
import { ldImm64Target } from '../object/calls.js';
import type { BpfMap } from '../object/maps.js';
import type { BpfObject, BpfProgram } from '../object/object.js';
import { attachPrototype } from './attach-signature.js';
import { linkedFunctions } from './functions.js';
import type { KernelContext } from './kernel-facts.js';
import type { Reason, ReasonVerdict } from './reason.js';
import { member, type EvidenceRow } from './verifier-model.js';
import { oncePer } from '../common/memo.js';

/**
 * TAIL_CALL_INCOMPATIBLE: prog-array ownership, a rule the kernel applies after verification
 * (kernel/bpf/core.c, `bpf_check_tail_call` from `bpf_prog_select_runtime`; Linux 6.12 quoted).
 *
 * Every map that holds programs (`map_type_contains_progs`: PROG_ARRAY, and DEVMAP and CPUMAP once
 * the owner moved into `struct bpf_map`) among the program's used maps — each map an ld_imm64 of the
 * program or of a subprogram linked into it refers to, whether or not a path calls
 * `bpf_tail_call` — is checked by `__bpf_prog_map_compatible`: the first program loaded that uses
 * the map becomes its owner, and each later one must match the owner in what the kernel records
 * (`OWNER_FIELDS`), or its load fails with EINVAL after a clean verification. Inserting a program
 * into the map (`bpf_map_update_elem`, libbpf's static `.values` initialisation) checks the same.
 *
 * libbpf loads the autoload programs in object order (`cmp_progs`: section, then offset), so the
 * first of them that loads decides each owner. A program that fails for another reason takes no
 * ownership: libbpf stops there (and load-verdicts, the goldens' loader, turns it off and loads
 * the rest). A program whose autoload is off is judged as if loaded on its own: it owns the maps
 * it uses and meets no owner (`checkObject`'s rule for such programs).
 *
 * Not modelled: `kprobe_override` (a kprobe calling bpf_override_return never matches any owner),
 * cgroup storage cookies, programs put into the map by `.values` initialisation, and freplace
 * (EXT) programs, whose type and prototype are those of a target program known only at run time.
 */

/** What the kernel records of the owner and compares with each later program, by its `bpf_map_owner` member name. */
export type OwnerField = 'type' | 'jited' | 'xdp_has_frags' | 'sleepable' | 'expected_attach_type' | 'attach_func_proto';

export interface OwnerFieldRow extends EvidenceRow {
  readonly field: OwnerField;
}

/**
 * The owner's fields and where each arrived. The evidence is the member that records it, read from
 * wherever the kernel keeps the owner (`ownerMembers`): Debian's 6.1 and 6.12 have the backported
 * `struct bpf_map_owner` with every field below but `sleepable` (7.2 has it); 5.10 and Kylin's
 * 4.19 keep only `type` and `jited` in `struct bpf_array_aux`, el8's 4.18 and the other 4.19s as
 * `owner_prog_type` and `owner_jited` of `struct bpf_array`.
 */
export const OWNER_FIELDS: readonly OwnerFieldRow[] = [
  { field: 'type', since: '4.2', commit: 'bpf: allow bpf programs to tail-call other bpf programs (commit id not checked here)', evidence: [] },
  // every kernel compares it, but all programs of one kernel are JITed alike (Debian: CONFIG_BPF_JIT_ALWAYS_ON)
  { field: 'jited', since: '4.2', commit: 'bpf: reject tail calls between JITed and interpreted programs (commit id not checked here)', evidence: [] },
  { field: 'xdp_has_frags', since: '5.18 (release not checked here)', commit: 'bpf: introduce BPF_F_XDP_HAS_FRAGS flag in prog_flags loading the ebpf program (commit id not checked here)', evidence: [member('bpf_map_owner', 'xdp_has_frags')] },
  { field: 'attach_func_proto', since: '6.11-6.13 (release not checked here)', commit: 'bpf: Prevent tail call between progs attached to different hooks (commit id not checked here; backported to Debian 6.1 and 6.12)', evidence: [member('bpf_map_owner', 'attach_func_proto')] },
  { field: 'expected_attach_type', since: '6.17-6.18 (release not checked here)', commit: 'bpf: Enforce expected_attach_type for tailcall compatibility (commit id not checked here; backported to Debian 6.1 and 6.12)', evidence: [member('bpf_map_owner', 'expected_attach_type')] },
  { field: 'sleepable', since: 'after 6.18 (release not checked here)', commit: 'sleepable compared with the owner (release and commit id not checked here; Debian 7.2 has it)', evidence: [member('bpf_map_owner', 'sleepable')] },
];

/** How one kernel checks owners, from its BTF. */
export interface OwnerRules {
  /** Where the owner lives: in the map itself (every map holding programs has one) or in the prog array only. */
  readonly where: 'map' | 'prog-array';
  readonly compares: ReadonlySet<OwnerField>;
  /**
   * Whether a tp_btf program's `attach_func_proto` is its tracepoint template's prototype (the
   * `__bpf_trace_<template>` function, with argument names, so two templates never share it)
   * rather than the `btf_trace_<tp>` typedef's (one for every tracepoint of one argument list).
   * 8aeaed21befc "bpf: Support __nullable argument suffix for tp_btf" (the id as its revert quotes
   * it); evidence, a proxy from the same series: the `skb__nullable` argument of tcp_send_reset's.
   */
  readonly templateProtos: boolean;
}

/** BPF_MAP_TYPE_PROG_ARRAY, DEVMAP and CPUMAP. */
const PROG_ARRAY = 3;
const HOLDS_PROGS: ReadonlySet<number> = new Set([PROG_ARRAY, 14, 16]);

/** The owner rules of the kernel whose vmlinux BTF is `btf` (read once per kernel). */
export const ownerRules = oncePer((btf: Btf): OwnerRules => {
  const { where, members } = ownerMembers(btf);
  const compares = new Set(OWNER_FIELDS.filter((f) => f.evidence.length === 0 || f.evidence.some((e) => e.kind === 'member' && members.has(e.member)))
    .map((f) => f.field));
  return { where, compares, templateProtos: hasNullableTemplate(btf) };
});

/**
 * The owner's members, by their `bpf_map_owner` names: `struct bpf_map_owner` (backported to
 * Debian's 6.1 and 6.12); the anonymous `owner` struct of `struct bpf_map` (upstream 5.17 to 6.16)
 * or of `struct bpf_array_aux` (5.10); `type` and `jited` members of `bpf_array_aux` (Kylin's
 * 4.19); `owner_prog_type` and `owner_jited` of `struct bpf_array` (4.18, 4.19). None found: type
 * and jited in the prog array, which every kernel compares.
 */
function ownerMembers(btf: Btf): { where: OwnerRules['where']; members: Set<string> } {
  const struct = (name: string): number | undefined => btf.find(name, Kind.STRUCT);
  const owner = struct('bpf_map_owner');
  if (owner !== undefined) return { where: 'map', members: memberNames(btf, owner) };
  const nested = (outer: string): Set<string> | undefined => {
    const id = struct(outer);
    if (id === undefined) return undefined;
    for (let i = 0, n = btf.vlen(id); i < n; i++) {
      if (btf.str(memberNameOff(btf, id, i)) !== 'owner') continue;
      const t = btf.skipModsAndTypedefs(memberType(btf, id, i));
      if (btf.kind(t) === Kind.STRUCT) return memberNames(btf, t);
    }
    return undefined;
  };
  const inMap = nested('bpf_map');
  if (inMap) return { where: 'map', members: inMap };
  return { where: 'prog-array', members: nested('bpf_array_aux') ?? new Set(['type', 'jited']) };
}

function memberNames(btf: Btf, id: number): Set<string> {
  const out = new Set<string>();
  for (let i = 0, n = btf.vlen(id); i < n; i++) out.add(btf.str(memberNameOff(btf, id, i)));
  return out;
}

function hasNullableTemplate(btf: Btf): boolean {
  const fn = btf.find('__bpf_trace_tcp_send_reset', Kind.FUNC);
  if (fn === undefined) return false;
  const proto = btf.sizeOrType(fn);
  if (btf.kind(proto) !== Kind.FUNC_PROTO) return false;
  const t = btf.type(proto);
  return t.kind === Kind.FUNC_PROTO && t.params.some((p) => p.name.endsWith('__nullable'));
}

/** What the kernel records of one program, as the owner compares it. */
interface Loaded {
  readonly prog: BpfProgram;
  readonly type: string | undefined;
  readonly expectedAttachType: string;
  readonly xdpHasFrags: boolean;
  readonly sleepable: boolean;
  /**
   * `attach_func_proto` for tracing, LSM, EXT and struct_ops programs: the prototype's BTF and id,
   * `unknown` when corecheck cannot tell; undefined for other types, where the kernel ignores it.
   */
  readonly proto?: { readonly key: string; readonly name: string } | 'unknown';
}

const PROTO_TYPES: ReadonlySet<string> = new Set(['TRACING', 'LSM', 'EXT', 'STRUCT_OPS']);

/** What `__bpf_prog_map_compatible` compares of `prog` on this kernel. */
function loaded(prog: BpfProgram, kernel: KernelContext, rules: OwnerRules): Loaded {
  const section = prog.section.replace(/^\?/, '');
  const base = {
    prog, type: prog.progType, expectedAttachType: prog.attachType ?? '0',
    // libbpf's SEC_XDP_FRAGS: BPF_F_XDP_HAS_FRAGS in prog_flags
    xdpHasFrags: /^xdp\.frags(\/|$)/.test(section), sleepable: prog.sleepable,
  };
  if (!prog.progType || !PROTO_TYPES.has(prog.progType)) return base;
  return { ...base, proto: attachProto(prog, kernel, rules) };
}

/** The identity of a tracing or LSM program's `attach_func_proto` in the kernel's BTF (bpf_check_attach_target). */
function attachProto(prog: BpfProgram, kernel: KernelContext, rules: OwnerRules): Loaded['proto'] {
  if (prog.progType !== 'TRACING' && prog.progType !== 'LSM') return 'unknown';
  const target = attachPrototype(prog, kernel.btfs);
  if (!target) return 'unknown';
  const at = kernel.btfs.indexOf(target.proto.btf);
  if (target.kind !== 'tp_btf' || !rules.templateProtos) return { key: `${at}:${target.protoId}`, name: target.declaredBy };
  // the template's function: a TRACE_EVENT's is named after the event; a DEFINE_EVENT's after its
  // class, which the BTF does not name, but its __probestub_<event> has the class's prototype
  for (const name of [`__bpf_trace_${prog.attachTarget}`, `__probestub_${prog.attachTarget}`]) {
    for (const [i, btf] of kernel.btfs.entries()) {
      const fn = btf.find(name, Kind.FUNC);
      if (fn !== undefined) return { key: `${i}:${btf.sizeOrType(fn)}`, name };
    }
  }
  return 'unknown';
}

const FIELD_TEXT: Readonly<Record<OwnerField, string>> = {
  type: 'program type', jited: 'JIT', xdp_has_frags: 'XDP frags flag (xdp.frags)', sleepable: 'sleepable flag',
  expected_attach_type: 'expected attach type', attach_func_proto: 'attach function prototype',
};

/** The first field in which `p` differs from `owner`, `unknown` when it cannot be told, or undefined when they match. */
function mismatch(owner: Loaded, p: Loaded, map: BpfMap, rules: OwnerRules): { field: OwnerField; verdict: ReasonVerdict; was: string; is: string } | undefined {
  const c = rules.compares;
  if (owner.type !== p.type) return { field: 'type', verdict: 'fails', was: `BPF_PROG_TYPE_${owner.type}`, is: `BPF_PROG_TYPE_${p.type}` };
  if (c.has('xdp_has_frags') && owner.xdpHasFrags !== p.xdpHasFrags) {
    return { field: 'xdp_has_frags', verdict: 'fails', was: owner.xdpHasFrags ? 'frags' : 'no frags', is: p.xdpHasFrags ? 'frags' : 'no frags' };
  }
  if (c.has('sleepable') && owner.sleepable !== p.sleepable) {
    return { field: 'sleepable', verdict: 'fails', was: owner.sleepable ? 'sleepable' : 'not sleepable', is: p.sleepable ? 'sleepable' : 'not sleepable' };
  }
  if (c.has('expected_attach_type') && map.type === PROG_ARRAY && owner.expectedAttachType !== p.expectedAttachType) {
    return { field: 'expected_attach_type', verdict: 'fails', was: owner.expectedAttachType, is: p.expectedAttachType };
  }
  if (c.has('attach_func_proto') && owner.proto !== undefined && p.proto !== undefined) {
    if (owner.proto === 'unknown' || p.proto === 'unknown') {
      return { field: 'attach_func_proto', verdict: 'unknown', was: owner.proto === 'unknown' ? 'not known' : owner.proto.name, is: p.proto === 'unknown' ? 'not known' : p.proto.name };
    }
    if (owner.proto.key !== p.proto.key) return { field: 'attach_func_proto', verdict: 'fails', was: owner.proto.name, is: p.proto.name };
  }
  return undefined;
}

/** The maps holding programs that the linked code of `prog` refers to by ld_imm64, in order of first use. */
function usedProgMaps(obj: BpfObject, prog: BpfProgram, codeOf: (fn: BpfProgram) => InsnBuffer, holds: ReadonlySet<number>): BpfMap[] {
  const out: BpfMap[] = [];
  for (const fn of linkedFunctions(obj, prog, codeOf)) {
    const code = codeOf(fn);
    for (let pc = 0; pc < code.count; pc++) {
      if (code.code(pc) !== Opcode.LD_IMM64) continue;
      const ref = ldImm64Target(obj, fn, pc, code.imm(pc));
      pc++;
      if (ref?.kind !== 'data') continue;
      const map = obj.maps.find((m) => m.origin !== 'data' && m.name === ref.symbol.name);
      if (map && holds.has(map.type) && !out.includes(map)) out.push(map);
    }
  }
  return out;
}

/**
 * The TAIL_CALL_INCOMPATIBLE reasons of each program of `obj` on one kernel, by program name.
 * `fails(p)` says whether the program fails for another reason (then it owns nothing).
 */
export function tailCallOwnerReasons(
  obj: BpfObject, kernel: KernelContext, codeOf: (fn: BpfProgram) => InsnBuffer, fails: (p: BpfProgram) => boolean,
): Map<BpfProgram, Reason[]> {
  const out = new Map<BpfProgram, Reason[]>();
  // libbpf's cmp_progs: the load order
  const progs = obj.programs.filter((p) => !p.isSubprogram && p.autoload)
    .sort((a, b) => a.sectionIndex - b.sectionIndex || a.insnOffset - b.insnOffset);
  if (!obj.maps.some((m) => HOLDS_PROGS.has(m.type))) return out;
  const used = progs.map((p) => usedProgMaps(obj, p, codeOf, HOLDS_PROGS));
  // one program alone meets no owner: spare the kernel lookups
  const users = new Map<BpfMap, number>();
  for (const maps of used) for (const m of maps) users.set(m, (users.get(m) ?? 0) + 1);
  if (![...users.values()].some((n) => n > 1)) return out;
  const rules = ownerRules(kernel.vmlinux);
  const owners = new Map<BpfMap, Loaded>();
  progs.forEach((prog, i) => {
    if (fails(prog)) return;
    const maps = used[i].filter((m) => rules.where === 'map' || m.type === PROG_ARRAY);
    const me = loaded(prog, kernel, rules);
    const reasons: Reason[] = [];
    for (const map of maps) {
      const owner = owners.get(map);
      const diff = owner && mismatch(owner, me, map, rules);
      if (!owner || !diff) continue;
      const what = FIELD_TEXT[diff.field];
      const mapKind = `BPF_MAP_TYPE_${map.typeName}`;
      reasons.push({
        class: 'TAIL_CALL_INCOMPATIBLE', verdict: diff.verdict,
        subject: { kind: 'tail-call-owner', map: map.name, owner: owner.prog.name, field: diff.field },
        message: diff.verdict === 'unknown'
          ? `${map.name} (${mapKind}) is owned by ${owner.prog.name} ('${owner.prog.section}'), loaded first; this kernel compares the ${what}, which corecheck cannot tell here (${diff.was} / ${diff.is}): the load may fail with EINVAL after verification`
          : `${map.name} (${mapKind}) is owned by ${owner.prog.name} ('${owner.prog.section}'), loaded first; ${prog.name}'s ${what} differs (${diff.is}; the owner's: ${diff.was}): the kernel refuses the load with EINVAL after verification (bpf_check_tail_call)`,
        function: prog.name,
        fixes: [
          `give programs of different ${what}s their own ${map.name}: one prog array per program type, attach type and attach prototype`,
          `share ${map.name} only between programs of one program type and attach point (${owner.prog.section} and ${prog.section} differ)`,
        ],
      });
    }
    if (reasons.length > 0) {
      out.set(prog, reasons);
      return;
    }
    for (const map of maps) if (!owners.has(map)) owners.set(map, me);
  });
  return out;
}
