import type { Btf } from '../btf/btf.js';
import { enumValueBits, enumValueNameOff, memberNameOff } from '../btf/entries.js';
import { Kind } from '../btf/kinds.js';
import { prototypeOf } from '../btf/prototype.js';
import type { CoreTarget } from '../core/candidates.js';
import { EVIDENCE_ENUMS, EVIDENCE_FUNCS, EVIDENCE_STRUCTS, describesVerifier, inferVerifierModel, type VerifierEvidence, type VerifierModel } from './verifier-model.js';

/**
 * What a kernel offers, read from its own BTF rather than guessed from its version: vendor kernels
 * (RHEL's 4.18, Kylin's 4.19) backport helpers, map and program types, and their BTF says so.
 * Each set is undefined when the kernel's BTF lacks the enum itself (then nothing is judged).
 */
export interface KernelFacts {
  /** `enum bpf_func_id` values: the helpers. */
  readonly helpers?: ReadonlySet<number>;
  /** `enum bpf_map_type` values. */
  readonly mapTypes?: ReadonlySet<number>;
  /** `enum bpf_prog_type` names without `BPF_PROG_TYPE_`. */
  readonly progTypes?: ReadonlySet<string>;
  /** `enum bpf_attach_type` names. */
  readonly attachTypes?: ReadonlySet<string>;
  /** Whether raw tracepoints have BTF (`btf_trace_<tp>` typedefs, 5.5+): a missing one is then missing. */
  readonly btfTracepoints: boolean;
  /**
   * Whether the BTF describes the kernel's functions (it has FUNC `schedule`, which every kernel
   * exports). Some vendor BTFs (Kylin's 4.19.90-52) and every minimized BTF have no FUNC at all:
   * a function missing from them says nothing of the kernel.
   */
  readonly btfFunctions: boolean;
  /**
   * Whether the BTF stands in for the kernel's own, as a minimized BTF does (it lacks the verifier's
   * structures, which every kernel's BTF has): it is good for CO-RE, but libbpf resolves attach
   * targets, kfuncs and `__ksym` variables in the running kernel's BTF, so those are not judged.
   */
  readonly standIn: boolean;
  /** What the kernel's BTF says of its verifier's generation (see `verifier-model.ts`). */
  readonly verifier: VerifierEvidence;
}

/** A name and kind a check asks the kernel about (an attach target, a kfunc, a `__ksym` variable). */
export interface KernelName {
  readonly name: string;
  readonly kind: number;
}

const ENUMS = [Kind.ENUM, Kind.ENUM64];
/** The types `KernelFacts` is read from, in its order. */
const FACT_TYPES = [
  { name: 'bpf_func_id', kinds: ENUMS }, { name: 'bpf_map_type', kinds: ENUMS }, { name: 'bpf_prog_type', kinds: ENUMS },
  { name: 'bpf_attach_type', kinds: ENUMS }, { name: 'btf_trace_sched_switch', kinds: [Kind.TYPEDEF] }, { name: 'schedule', kinds: [Kind.FUNC] },
  ...EVIDENCE_STRUCTS.map((name) => ({ name, kinds: [Kind.STRUCT] })),
  ...EVIDENCE_ENUMS.map((name) => ({ name, kinds: ENUMS })),
  ...EVIDENCE_FUNCS.map((name) => ({ name, kinds: [Kind.FUNC] })),
];

/** Lookups answered by one scan of the kernel's types each before they are left to its name index. */
const PREFETCH_SCANS = 3;

/**
 * One kernel as a check sees it beyond CO-RE: its BTFs (vmlinux, then modules), its facts, and
 * which names it has. A check of an object without CO-RE asks the kernel for a few names (attach
 * targets, syscall entry points, kfuncs) and five well-known enums: `prefetch` answers all of them
 * by one scan of vmlinux's types instead of building its name index, which costs several scans.
 * Shared by the objects checked against one kernel, it remembers every answer; after a few
 * scans, lookups go to the kernel's index (built then, once for the rest).
 */
export class KernelContext {
  readonly vmlinux: Btf;
  /** vmlinux, then the module BTFs. */
  readonly btfs: readonly Btf[];
  private factsRead?: KernelFacts;
  private modelRead?: VerifierModel;
  /** Answers so far, by `kind:name`. */
  private readonly present = new Map<string, boolean>();
  private scans = 0;

  /** `release`: the kernel's `uname -r`, which judges the verifier where its BTF has no evidence. */
  constructor(target: CoreTarget, private readonly release?: string) {
    this.vmlinux = target.vmlinux;
    this.btfs = [target.vmlinux, ...(target.modules ?? []).map((m) => m.btf)];
  }

  get facts(): KernelFacts {
    this.factsRead ??= readFacts(this.vmlinux, this.vmlinux.firstNamed(FACT_TYPES));
    return this.factsRead;
  }

  /** The kernel's verifier, as its BTF evidences it (or else its release). */
  get verifier(): VerifierModel {
    this.modelRead ??= inferVerifierModel(this.facts.verifier, this.release);
    return this.modelRead;
  }

  /**
   * Whether the kernel has a BTF type of that name and kind (in vmlinux or a module's own types).
   * A stand-in BTF (`KernelFacts.standIn`) cannot say what the kernel lacks: everything counts as there.
   */
  has(name: string, kind: number): boolean {
    if (this.facts.standIn) return true;
    const key = `${kind}:${name}`;
    let found = this.present.get(key);
    if (found === undefined) {
      found = this.btfs.some((b) => b.hasOwn(name, kind));
      this.present.set(key, found);
    }
    return found;
  }

  /** Looks up `names` (and the facts, if not read yet) together: what `has` then answers at once. */
  prefetch(names: readonly KernelName[]): void {
    // a split vmlinux would answer from its base too, which `has` does not look at
    const todo = this.vmlinux.base ? [] : names.filter((n) => !this.present.has(`${n.kind}:${n.name}`));
    if (this.scans >= PREFETCH_SCANS || (todo.length === 0 && this.factsRead)) return;
    this.scans++;
    const facts = this.factsRead ? [] : FACT_TYPES;
    const ids = this.vmlinux.firstNamed([...facts, ...todo.map((n) => ({ name: n.name, kinds: [n.kind] }))]);
    if (!this.factsRead) this.factsRead = readFacts(this.vmlinux, ids);
    todo.forEach((n, i) => {
      // what vmlinux lacks, a module may have
      const found = ids[facts.length + i] !== undefined || this.btfs.slice(1).some((b) => b.hasOwn(n.name, n.kind));
      this.present.set(`${n.kind}:${n.name}`, found);
    });
  }
}

/** The facts from the ids of `FACT_TYPES` in `btf` (more ids may follow). */
function readFacts(btf: Btf, ids: readonly (number | undefined)[]): KernelFacts {
  const [funcs, maps, progs, attach, trace, schedule] = ids;
  const evidenceAt = FACT_TYPES.length - EVIDENCE_STRUCTS.length - EVIDENCE_ENUMS.length - EVIDENCE_FUNCS.length;
  const helpers = enumerators(btf, funcs, 'BPF_FUNC_');
  const mapTypes = enumerators(btf, maps, 'BPF_MAP_TYPE_');
  const progTypes = enumerators(btf, progs, 'BPF_PROG_TYPE_');
  const attachTypes = enumerators(btf, attach, '');
  const verifier = readVerifierEvidence(btf, ids, evidenceAt);
  return {
    helpers: helpers && new Set(helpers.values()),
    mapTypes: mapTypes && new Set(mapTypes.values()),
    progTypes: progTypes && new Set(progTypes.keys()),
    attachTypes: attachTypes && new Set(attachTypes.keys()),
    btfTracepoints: trace !== undefined,
    btfFunctions: schedule !== undefined,
    standIn: !describesVerifier(verifier),
    verifier,
  };
}

/** The verifier evidence among the ids of `FACT_TYPES`, from `evidenceAt` on. */
function readVerifierEvidence(btf: Btf, ids: readonly (number | undefined)[], evidenceAt: number): VerifierEvidence {
  return {
    members: new Map(EVIDENCE_STRUCTS.map((name, i) => [name, memberNames(btf, ids[evidenceAt + i])])),
    enumerators: new Map(EVIDENCE_ENUMS.map((name, i) => [name, enumNames(btf, ids[evidenceAt + EVIDENCE_STRUCTS.length + i])])),
    params: new Map(EVIDENCE_FUNCS.map((name, i) => [name, paramTypeNames(btf, ids[evidenceAt + EVIDENCE_STRUCTS.length + EVIDENCE_ENUMS.length + i])])),
  };
}

function memberNames(btf: Btf, id: number | undefined): Set<string> | undefined {
  if (id === undefined) return undefined;
  const out = new Set<string>();
  for (let i = 0, n = btf.vlen(id); i < n; i++) out.add(btf.str(memberNameOff(btf, id, i)));
  return out;
}

/** Each parameter's type name (after modifiers and typedefs) of FUNC `id`. */
function paramTypeNames(btf: Btf, id: number | undefined): Map<string, string> | undefined {
  const proto = id === undefined ? undefined : prototypeOf(btf, id);
  if (!proto) return undefined;
  return new Map(proto.params.map((p) => [p.name, btf.name(btf.skipModsAndTypedefs(p.type))]));
}

function enumNames(btf: Btf, id: number | undefined): Set<string> | undefined {
  if (id === undefined) return undefined;
  const out = new Set<string>();
  for (let i = 0, n = btf.vlen(id); i < n; i++) out.add(btf.str(enumValueNameOff(btf, id, i)));
  return out;
}

/** Enumerators of enum `id` whose names start with `prefix` (prefix removed), by value. */
function enumerators(btf: Btf, id: number | undefined, prefix: string): Map<string, number> | undefined {
  if (id === undefined) return undefined;
  const out = new Map<string, number>();
  for (let i = 0, n = btf.vlen(id); i < n; i++) {
    const e = btf.str(enumValueNameOff(btf, id, i));
    // skip the __MAX_* bookends
    if (e.startsWith(prefix) && !e.startsWith('__')) out.set(e.slice(prefix.length), Number(BigInt.asIntN(64, enumValueBits(btf, id, i))));
  }
  return out;
}
