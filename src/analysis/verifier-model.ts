import { kernelVersionCode } from './known-values.js';

/**
 * The verifier's rules that decide which instructions a path reaches, and which instructions and
 * program shapes a kernel accepts at all, as data: one `VerifierModel` per kernel generation,
 * passed to the reachability walk (`reach.ts`) and to the instruction-set check (`insn-set.ts`).
 *
 * The rules are inferred from the kernel's own BTF (`inferVerifierModel`, `CAPABILITIES`), not from
 * its version string: vendor kernels (RHEL 8's 4.18, Kylin's 4.19) backport the verifier piecemeal.
 * Each capability is known by a type, a member of a verifier structure, or an enumerator that
 * arrived upstream in the same release (often the same series) as the rule. A capability is also
 * assumed when a capability that arrived later is evidenced (kernels gain verifier features in
 * order). Where the BTF holds no evidence either way, the kernel's release decides (the upstream
 * rules of that release), and where that is unknown too, the weakest rule is assumed and the model
 * says so (`assumed`).
 */

/** How far the verifier folds conditional jumps whose operands it knows (it then explores one side only). */
export type BranchFolding =
  /** Before 4.20: only `if rX == imm` / `if rX != imm` on a known constant. */
  | 'eq-imm'
  /** 4.20 (`is_branch_taken`): every comparison of a known register with an immediate. */
  | 'imm'
  /** 5.7 (`is_branch_taken` on a constant source register, with the 32-bit bounds series): also two known registers. */
  | 'reg';

/** How the verifier tracks constants written to the stack and read back (stack slots, spill/fill). */
export interface SpillRules {
  /** 5.3: an 8-byte spill of a known scalar at an 8-byte aligned slot keeps its value on fill. */
  readonly constants: boolean;
  /** 5.16: spills of 1, 2 or 4 bytes at offsets aligned to their size are kept too (filled by the same size). */
  readonly narrow: boolean;
  /** 6.9: a fill of fewer bytes than the spill at the same offset gives the spill's low bytes. */
  readonly narrowFill: boolean;
  /** 6.3: `*(u64 *)(r10 - 8) = imm` (BPF_ST) is tracked like a spill of the constant. */
  readonly immediateStores: boolean;
}

/** Instructions a kernel's verifier knows (each false one is an `INSN_UNSUPPORTED` failure). */
export interface InsnSetRules {
  /** 5.1: the JMP32 class. */
  readonly jmp32: boolean;
  /** 5.12: `BPF_ATOMIC` with `BPF_FETCH`, `xchg`, `cmpxchg`, and the `or`/`and`/`xor` atomics. */
  readonly atomicFetch: boolean;
  /** 6.6: cpu v4 (`ldsx`, `movsx`, `sdiv`/`smod`, unconditional `bswap`, `gotol`). */
  readonly cpuV4: boolean;
  /** 6.9: `may_goto`. */
  readonly mayGoto: boolean;
  /** 6.9: `addr_space_cast` (arena pointers). */
  readonly addrSpaceCast: boolean;
  /** 6.15: load-acquire and store-release. */
  readonly loadAcquire: boolean;
}

/**
 * What a helper that reads the stack (a map key, a value to store, data to output) leaves of the
 * pointers spilled in the slots it reads (`check_stack_range_initialized`, kernel/bpf/verifier.c):
 * - `clobber`: every spilled register becomes an unknown scalar (6.1 to 6.12, and the weakest rule);
 * - `keep-btf-id`: BTF pointers (`PTR_TO_BTF_ID`, what a tp_btf or fentry argument is) are kept,
 *   other pointers become scalars (5.10);
 * - `keep`: a read leaves them as they are; only helpers that write clobber (this host's 6.18).
 * A program that reloads a clobbered pointer and reads through it is refused (`R1 invalid mem
 * access 'scalar'`).
 */
export type HelperStackReads = 'clobber' | 'keep-btf-id' | 'keep';

export interface VerifierModel {
  /** The generation, for a person: `Linux 6.9+ verifier (from BTF)`, named in each reason that depends on it. */
  readonly generation: string;
  /** Capabilities assumed without evidence (weakest plausible), named in reasons. Empty when all were evidenced. */
  readonly assumed: readonly string[];
  /** 6.8: a global function is verified only if a reachable call needs it; before, every global function is. */
  readonly lazyGlobals: boolean;
  /** 5.6: global functions are verified on their own; before, libbpf makes them static and the caller's context is used. */
  readonly globalFunctions: boolean;
  readonly spills: SpillRules;
  /**
   * 5.5: a load at a constant offset from a frozen map that programs may only read (libbpf's
   * `.rodata*` and `.kconfig`) is a known constant (`bpf_map_direct_read`); before, it is unknown.
   */
  readonly frozenMapReads: boolean;
  /** Whether the verifier computes divisions and modulos of constants (no kernel does: the result is unknown). */
  readonly divisions: boolean;
  /** MAX_CALL_FRAMES: nested bpf-to-bpf calls (8 in every kernel that has them, 4.16+). */
  readonly maxFrames: number;
  readonly branchFolding: BranchFolding;
  /** 5.3: bounded loops (back-edges); before, `check_cfg` refuses any back-edge. */
  readonly boundedLoops: boolean;
  /** Instructions per program: 4096 (BPF_MAXINSNS) before 5.2, 1M (BPF_COMPLEXITY_LIMIT_INSNS) since. */
  readonly maxInsns: number;
  /** 5.10 (x86-64 JIT): tail calls in programs that also have bpf-to-bpf calls. */
  readonly tailCallsWithCalls: boolean;
  readonly helperStackReads: HelperStackReads;
  readonly insns: InsnSetRules;
}

/**
 * The rules of the verifier the goldens come from (this host's 6.18, and every kernel from 6.15):
 * the walk's behaviour before verifier models existed, which the 6.18 goldens pin.
 */
export const HOST_VERIFIER: VerifierModel = {
  generation: 'Linux 6.15+ verifier',
  assumed: [],
  lazyGlobals: true,
  globalFunctions: true,
  spills: { constants: true, narrow: true, narrowFill: true, immediateStores: true },
  frozenMapReads: true,
  divisions: false,
  maxFrames: 8,
  branchFolding: 'reg',
  boundedLoops: true,
  maxInsns: 1_000_000,
  tailCallsWithCalls: true,
  helperStackReads: 'keep',
  insns: { jmp32: true, atomicFetch: true, cpuV4: true, mayGoto: true, addrSpaceCast: true, loadAcquire: true },
};

/** What BTF evidence a capability is read from. */
export type Evidence =
  | { readonly kind: 'member'; readonly struct: string; readonly member: string }
  | { readonly kind: 'type'; readonly struct: string }
  | { readonly kind: 'enumerator'; readonly enum: string; readonly name: string }
  /** A parameter of a (static) verifier function has a type of that name. */
  | { readonly kind: 'param'; readonly func: string; readonly param: string; readonly typeName: string };

/** The BTF a model is inferred from: which of the `CAPABILITIES`' evidence a kernel holds. */
export interface VerifierEvidence {
  /** Member names of the structs named in `CAPABILITIES`; undefined when the struct is absent. */
  readonly members: ReadonlyMap<string, ReadonlySet<string> | undefined>;
  /** Enumerator names of the enums named in `CAPABILITIES`; undefined when the enum is absent. */
  readonly enumerators: ReadonlyMap<string, ReadonlySet<string> | undefined>;
  /** Parameter type names (after modifiers and typedefs) of the functions named in `CAPABILITIES`, by parameter; undefined when BTF has no FUNC of that name. */
  readonly params?: ReadonlyMap<string, ReadonlyMap<string, string> | undefined>;
}

export type Capability =
  | 'bpfToBpfCalls' | 'branchFoldingImm' | 'jmp32' | 'bigPrograms' | 'boundedLoops' | 'spillConstants'
  | 'frozenMapReads' | 'globalFunctions' | 'branchFoldingReg' | 'tailCallsWithCalls' | 'atomicFetch' | 'narrowSpills'
  | 'immediateStores' | 'cpuV4' | 'lazyGlobals' | 'mayGoto' | 'addrSpaceCast' | 'narrowFill' | 'loadAcquire'
  | 'btfIdSpillsSurviveHelpers' | 'helperReadsKeepSpills';

/** A rule a kernel may have, where it arrived, and what in its BTF shows it. */
export interface EvidenceRow {
  /** The upstream release it arrived in. */
  readonly since: string;
  /** The upstream commit (short id and subject). */
  readonly commit: string;
  /** Evidence: any one present is enough. Empty: every kernel with BTF (4.18+) has it. */
  readonly evidence: readonly Evidence[];
  /**
   * False for a rule whose release is not pinned, or that later kernels dropped: it is judged from
   * its own evidence only, neither implied by later capabilities nor implying earlier ones.
   */
  readonly ordered?: false;
}

export interface CapabilityRow extends EvidenceRow {
  readonly capability: Capability;
}

export const member = (struct: string, m: string): Evidence => ({ kind: 'member', struct, member: m });
const enumerator = (e: string, name: string): Evidence => ({ kind: 'enumerator', enum: e, name });

/**
 * Each capability, the BTF evidence used, and where it arrived upstream, oldest first. The evidence
 * was checked against the corpus kernels (4.18 el8, 4.19 Kylin and BC-Linux, Debian 5.10, 6.1,
 * 6.12, 7.2); where it is a proxy (a release-mate, not the rule's own commit) the comment says so.
 */
export const CAPABILITIES: readonly CapabilityRow[] = [
  // Every kernel with BTF (4.18+) has bpf-to-bpf calls (MAX_CALL_FRAMES 8).
  { capability: 'bpfToBpfCalls', since: '4.16', commit: 'cc8b0b92a169 bpf: introduce function calls (function boundaries)', evidence: [] },
  // proxy: bpf_sk_lookup_tcp (BPF_FUNC 84) arrived in 4.20 beside is_branch_taken
  { capability: 'branchFoldingImm', since: '4.20', commit: 'bpf: improve verifier branch analysis (is_branch_taken; commit id not checked here)', evidence: [enumerator('bpf_func_id', 'BPF_FUNC_sk_lookup_tcp')] },
  // proxy: bpf_spin_lock (BPF_FUNC 93), the same 5.1 merge window as JMP32
  { capability: 'jmp32', since: '5.1', commit: 'series "bpf: propose new jmp32 instructions" (Jiong Wang, 2019; commit ids not checked here)', evidence: [enumerator('bpf_func_id', 'BPF_FUNC_spin_lock')] },
  // proxy: the cgroup sysctl helpers (BPF_FUNC 101), 5.2 like the 1M-instruction limit
  { capability: 'bigPrograms', since: '5.2', commit: 'c04c0d2b968a bpf: increase complexity limit and maximum program size', evidence: [enumerator('bpf_func_id', 'BPF_FUNC_sysctl_get_name')] },
  // bpf_reg_state.precise: precision tracking, the series bounded loops and constant spills build on (5.3)
  { capability: 'boundedLoops', since: '5.3', commit: '2589726d12a1 bpf: introduce bounded loops', evidence: [member('bpf_reg_state', 'precise')] },
  { capability: 'spillConstants', since: '5.3', commit: 'f7cf25b2026d bpf: track spill/fill of constants', evidence: [member('bpf_reg_state', 'precise')] },
  // proxy: bpf_func_info_aux.linkage (5.6, the release after). 5.5's own additions make poor evidence:
  // BC-Linux's 4.19 has 5.5's helpers without 5.3's precision tracking, so without a 5.6 sign the
  // loads are taken as unknown (more paths, never fewer)
  { capability: 'frozenMapReads', since: '5.5', commit: 'a23740ec43ba bpf: Track contents of read-only maps as scalars (commit id not checked here)', evidence: [member('bpf_func_info_aux', 'linkage')] },
  // bpf_func_info_aux.linkage arrived with function-by-function verification
  { capability: 'globalFunctions', since: '5.6', commit: '51c39bb1d5d1 bpf: Introduce function-by-function verification', evidence: [member('bpf_func_info_aux', 'linkage')] },
  // proxy: bpf_reg_state.s32_min_value (5.7, explicit 32-bit bounds; renamed in later kernels, then later evidence decides)
  { capability: 'branchFoldingReg', since: '5.7', commit: '3f50f132d840 bpf: Verifier, do explicit ALU32 bounds tracking (that constant source registers are folded since this release is uncertain)', evidence: [member('bpf_reg_state', 's32_min_value')] },
  { capability: 'tailCallsWithCalls', since: '5.10', commit: 'e411901c0b77 bpf: allow for tailcalls in BPF subprograms for x64 JIT', evidence: [member('bpf_subprog_info', 'tail_call_reachable')] },
  // proxy: bpf_check_mtu (BPF_FUNC 163), 5.12 like the atomics
  { capability: 'atomicFetch', since: '5.12', commit: '5ffa25502b5a bpf: Add instructions for atomic_[cmp]xchg (series "Atomics for eBPF")', evidence: [enumerator('bpf_func_id', 'BPF_FUNC_check_mtu')] },
  // proxy: bpf_get_branch_snapshot (BPF_FUNC 176), 5.16
  { capability: 'narrowSpills', since: '5.16', commit: '354e8f1970f8 bpf: Support <8-byte scalar spill and refill', evidence: [enumerator('bpf_func_id', 'BPF_FUNC_get_branch_snapshot')] },
  // proxy: skb dynptrs (enum bpf_dynptr_type), 6.3
  { capability: 'immediateStores', since: '6.3', commit: 'ecdf985d7615 bpf: track immediate values written to stack by BPF_ST instruction', evidence: [enumerator('bpf_dynptr_type', 'BPF_DYNPTR_TYPE_SKB')] },
  // proxy: tcx attach types, 6.6 like cpu v4
  { capability: 'cpuV4', since: '6.6', commit: '1f9a1ea821ff bpf: Support new sign-extension load insns (series "bpf: Support new insns from cpu v4")', evidence: [enumerator('bpf_attach_type', 'BPF_TCX_INGRESS')] },
  // bpf_func_info_aux.called: set when a reachable call needs the global function
  { capability: 'lazyGlobals', since: '6.8', commit: '2afae08c9dcb bpf: Validate global subprogs lazily', evidence: [member('bpf_func_info_aux', 'called')] },
  { capability: 'mayGoto', since: '6.9', commit: '011832b97b31 bpf: Introduce may_goto instruction', evidence: [member('bpf_verifier_state', 'may_goto_depth')] },
  { capability: 'addrSpaceCast', since: '6.9', commit: 'series "bpf: Introduce BPF arena" (BPF_ADDR_SPACE_CAST; commit ids not checked here)', evidence: [enumerator('bpf_map_type', 'BPF_MAP_TYPE_ARENA')] },
  // proxy: may_goto_depth, the same 6.9 release
  { capability: 'narrowFill', since: '6.9', commit: 'bpf: Preserve boundaries and track scalars on narrowing fill (release uncertain: 6.9 by the series date; commit id not checked here)', evidence: [member('bpf_verifier_state', 'may_goto_depth')] },
  // proxy: struct bpf_res_spin_lock (resilient spin locks), 6.15
  { capability: 'loadAcquire', since: '6.15', commit: 'bpf: Introduce load-acquire and store-release instructions (commit id not checked here)', evidence: [{ kind: 'type', struct: 'bpf_res_spin_lock' }] },
  // A window, not a feature: 5.10's check_stack_range_initialized (whose access-source enum was
  // then `stack_access_src`) skips spilled PTR_TO_BTF_ID slots before clobbering; 6.1's (enum
  // `bpf_access_src`) clobbers them too. Live: Debian 5.10.0-32 loads libbpf-tools biosnoop's
  // block_rq_complete, 6.1.0-57 refuses it. The enum is a proxy: the release between 5.10 and 6.1
  // that dropped the exemption is not pinned here, so a 5.11-6.0 kernel may be judged by the other rule.
  { capability: 'btfIdSpillsSurviveHelpers', since: '5.10 (until 6.1)', commit: 'bpf: Handle spilled PTR_TO_BTF_ID properly when checking stack_boundary (commit id and the removal not checked here)', evidence: [enumerator('stack_access_src', 'ACCESS_HELPER')], ordered: false },
  // check_stack_range_initialized takes the access type (BPF_READ/BPF_WRITE) instead of the access
  // source, and clobbers only for writes: Debian 6.12.118 still has the source, 7.2 and this host's
  // 6.18 the type. Release between 6.13 and 6.18, not pinned here.
  { capability: 'helperReadsKeepSpills', since: '6.13-6.18', commit: 'check_stack_range_initialized clobbers spilled registers only for helper writes (commit id not checked here)', evidence: [{ kind: 'param', func: 'check_stack_range_initialized', param: 'type', typeName: 'bpf_access_type' }], ordered: false },
];

/** The structs and enums `CAPABILITIES` reads, for one lookup of each in a kernel's BTF. */
export const EVIDENCE_STRUCTS: readonly string[] = [...new Set(CAPABILITIES.flatMap((c) => c.evidence.flatMap((e) => (e.kind === 'member' || e.kind === 'type' ? [e.struct] : []))))];
export const EVIDENCE_ENUMS: readonly string[] = [...new Set(CAPABILITIES.flatMap((c) => c.evidence.flatMap((e) => (e.kind === 'enumerator' ? [e.enum] : []))))];
export const EVIDENCE_FUNCS: readonly string[] = [...new Set(CAPABILITIES.flatMap((c) => c.evidence.flatMap((e) => (e.kind === 'param' ? [e.func] : []))))];

/**
 * Whether a kernel's BTF shows one piece of evidence. A struct or enum the BTF lacks is absent from
 * that kernel when the BTF carries the verifier's own structures (`bpf_reg_state`, in the BTF of
 * every corpus kernel, Kylin's FUNC-less 4.19 included); a BTF without them says nothing either way.
 */
function holds(ev: Evidence, have: VerifierEvidence): boolean | undefined {
  if (ev.kind === 'param') {
    // a static function may be inlined everywhere, and then BTF has no FUNC: no evidence either way
    const params = have.params?.get(ev.func);
    return params === undefined ? undefined : params.get(ev.param) === ev.typeName;
  }
  const complete = describesVerifier(have);
  const names = ev.kind === 'enumerator' ? have.enumerators.get(ev.enum) : have.members.get(ev.struct);
  if (names === undefined) return complete ? false : undefined;
  return ev.kind === 'enumerator' ? names.has(ev.name) : ev.kind === 'type' ? true : names.has(ev.member);
}

/** The verifier structure whose presence says the BTF carries the verifier's types. */
const VERIFIER_STRUCT = 'bpf_reg_state';

/**
 * Whether the BTF carries the verifier's own structures, as every kernel's own BTF does; a
 * minimized BTF (btfgen's, BTFHub's) holds only the types some objects' CO-RE relocations touch.
 */
export function describesVerifier(have: VerifierEvidence): boolean {
  return have.members.get(VERIFIER_STRUCT) !== undefined;
}

/** What each capability is judged from a kernel's BTF: true, false, or undefined (no evidence either way). */
export function inferCapabilities(have: VerifierEvidence): Map<Capability, boolean | undefined> {
  const out = new Map<Capability, boolean | undefined>();
  for (const row of CAPABILITIES) {
    if (row.evidence.length === 0) { out.set(row.capability, true); continue; }
    const seen = row.evidence.map((e) => holds(e, have));
    out.set(row.capability, seen.includes(true) ? true : seen.includes(false) ? false : undefined);
  }
  // Kernels gain verifier features in order: evidence of a later one implies the earlier ones.
  let later = false;
  for (let i = CAPABILITIES.length - 1; i >= 0; i--) {
    if (CAPABILITIES[i].ordered === false) continue;
    const c = CAPABILITIES[i].capability;
    if (out.get(c) === true) later = true;
    else if (later) out.set(c, true);
  }
  return out;
}

/**
 * Capabilities the BTF has no evidence of, judged by the kernel's release instead (`release` as
 * `uname -r` prints it): a BTF without the verifier's structures (a minimized BTF, as btfgen and
 * BTFHub's tools write) still belongs to a kernel of a known release, and upstream rules of that
 * release or older are what it has at least (vendors backport, they do not remove). Only ordered
 * rules are judged so, and none after one the BTF says is absent, so the order stays consistent.
 * Sets them in `caps`, and returns which.
 */
function judgeByRelease(caps: Map<Capability, boolean | undefined>, release: string | undefined): Set<Capability> {
  const judged = new Set<Capability>();
  const code = release === undefined ? undefined : kernelVersionCode(release);
  if (code === undefined) return judged;
  let absentBefore = false;
  for (const row of CAPABILITIES) {
    if (row.ordered === false) continue;
    const seen = caps.get(row.capability);
    if (seen === false) absentBefore = true;
    if (seen !== undefined) continue;
    caps.set(row.capability, !absentBefore && kernelVersionCode(row.since)! <= code);
    judged.add(row.capability);
  }
  return judged;
}

/**
 * The model of a kernel's verifier from its BTF evidence, and where the BTF has none, from its
 * release (`judgeByRelease`). A capability judged by neither gets the weakest plausible rule
 * (absent), and is listed in `assumed`.
 */
export function inferVerifierModel(have: VerifierEvidence, release?: string): VerifierModel {
  const caps = inferCapabilities(have);
  const byRelease = judgeByRelease(caps, release);
  const has = (c: Capability): boolean => caps.get(c) === true;
  const helperStackReads: HelperStackReads = has('helperReadsKeepSpills') ? 'keep' : has('btfIdSpillsSurviveHelpers') ? 'keep-btf-id' : 'clobber';
  // A rule decided by one window's evidence needs none of the other's.
  const decided = (c: Capability): boolean => (c === 'helperReadsKeepSpills' || c === 'btfIdSpillsSurviveHelpers') && helperStackReads !== 'clobber';
  const assumed = CAPABILITIES.filter((c) => caps.get(c.capability) === undefined && !decided(c.capability)).map((c) => c.capability);
  // the newest capability evidenced names the generation
  const newest = [...CAPABILITIES].reverse().find((c) => c.ordered !== false && has(c.capability));
  const generation = !newest ? 'pre-4.20 verifier' : newest.capability === 'loadAcquire' ? HOST_VERIFIER.generation
    : `Linux ${newest.since}-class verifier`;
  const source = byRelease.size > 0 ? `from release ${release}` : 'from BTF';
  if (has('loadAcquire') && helperStackReads === HOST_VERIFIER.helperStackReads && assumed.length === 0) return HOST_VERIFIER;
  return {
    generation: `${generation} (${source})`,
    assumed,
    lazyGlobals: has('lazyGlobals'),
    globalFunctions: has('globalFunctions'),
    spills: { constants: has('spillConstants'), narrow: has('narrowSpills'), narrowFill: has('narrowFill'), immediateStores: has('immediateStores') },
    frozenMapReads: has('frozenMapReads'),
    divisions: false,
    maxFrames: 8,
    branchFolding: has('branchFoldingReg') ? 'reg' : has('branchFoldingImm') ? 'imm' : 'eq-imm',
    boundedLoops: has('boundedLoops'),
    maxInsns: has('bigPrograms') ? 1_000_000 : 4096,
    tailCallsWithCalls: has('tailCallsWithCalls'),
    helperStackReads,
    insns: {
      jmp32: has('jmp32'), atomicFetch: has('atomicFetch'), cpuV4: has('cpuV4'),
      mayGoto: has('mayGoto'), addrSpaceCast: has('addrSpaceCast'), loadAcquire: has('loadAcquire'),
    },
  };
}

/** How a reason names the model it assumed: `Linux 6.3-class verifier (from BTF)`, plus what was assumed. */
export function describeModel(m: VerifierModel): string {
  return m.assumed.length === 0 ? m.generation
    : `${m.generation}; no BTF evidence for ${m.assumed.join(', ')}, so the weakest rules were assumed`;
}
