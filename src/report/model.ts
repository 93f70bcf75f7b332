import type { ReasonClass, ReasonVerdict, Subject, Verdict } from '../analysis/reason.js';
import type { Successor } from '../analysis/successor.js';
import type { UnresolvedRelocation } from '../analysis/btfgen-kernel.js';

/**
 * The result of `corecheck check` as plain data: every output format (text, JSON, SARIF, JUnit,
 * Markdown, HTML) renders from this one value, and `--format json` prints it as it is. Its JSON
 * Schema is `schema/report.schema.json`; `schemaVersion` changes when a field changes meaning.
 */
/** corecheck's version, as reports name the tool. */
export const CORECHECK_VERSION = '0.1.0';

export const SCHEMA_VERSION = 1;

export interface Report {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly tool: { readonly name: 'corecheck'; readonly version: string };
  /** Every kernel checked, in fleet order. */
  readonly kernels: readonly KernelMeta[];
  readonly objects: readonly ObjectReport[];
  readonly gate: Gate;
  /** `corecheck btfgen` only: the minimized BTF written per kernel, and what it could not resolve. */
  readonly btfgen?: BtfgenReport;
}

/** What `corecheck btfgen` wrote (`bpftool gen min_core_btf` per kernel of the fleet). */
export interface BtfgenReport {
  /** The output directory, as given. */
  readonly out: string;
  /** `--compress`: BTFHub archives (`.btf.tar.xz`) instead of raw BTF. */
  readonly compressed: boolean;
  /** `--strict`: nothing is written for a kernel where some object fails. */
  readonly strict: boolean;
  /** Every kernel checked, in fleet order. */
  readonly kernels: readonly BtfgenKernel[];
}

export interface BtfgenKernel {
  readonly kernel: string;
  /** `written`; `withheld` (`--strict`: some object fails here); `no-btf` (nothing to minimize). */
  readonly status: 'written' | 'withheld' | 'no-btf';
  /** The file written (or withheld), below the output directory; null without BTF. */
  readonly file: string | null;
  /** Its size in bytes (null when not written). */
  readonly bytes: number | null;
  /** Types the minimized BTF holds (null without BTF). */
  readonly types: number | null;
  /** Every relocation that could not be resolved here, with the check's verdict for it. */
  readonly unresolved: readonly BtfgenUnresolved[];
  /** How many of them break the load (verdict `fails`). */
  readonly breaking: number;
  /** Objects that fail on this kernel, for any reason (what `--strict` withholds a file for). */
  readonly failingObjects: readonly string[];
}

export interface BtfgenUnresolved extends UnresolvedRelocation {
  readonly object: string;
}

/** One kernel, as the fleet knows it. Unknown parts are null (a bare raw BTF file has no distro). */
export interface KernelMeta {
  /** `distro/release/arch/version` for BTFHub archives, else the path. */
  readonly label: string;
  readonly distro: string | null;
  readonly release: string | null;
  readonly arch: string | null;
  /** The kernel release as `uname -r` prints it (`4.18.0-147.5.1.el8_1.aarch64`). */
  readonly version: string | null;
  /** False for a kernel without BTF (built without CONFIG_DEBUG_INFO_BTF). */
  readonly btf: boolean;
  /**
   * True when the BTF given stands in for the kernel's own: a minimized BTF (`corecheck btfgen`,
   * `bpftool gen min_core_btf`), without the verifier's structures. CO-RE is judged against it,
   * and the verifier by the kernel's release; what libbpf resolves in the running kernel's own BTF
   * (attach targets, kfuncs, `__ksym` variables) and the helpers, map and program types that only
   * the full BTF lists are not judged. Absent otherwise.
   */
  readonly minimized?: true;
}

export interface ObjectReport {
  readonly name: string;
  readonly arch: ObjectArchReport;
  /** Labels of the kernels this object was checked against (the fleet minus kernels left out by architecture). */
  readonly kernels: readonly string[];
  /** Kernels with identical verdict vectors (one verdict per program), worst first. */
  readonly groups: readonly KernelGroup[];
  /** What breaks, one entry per missing or changed thing, most failing (program, kernel) pairs first. */
  readonly causes: readonly RootCause[];
  /** Every program, with its verdict per group (`groups` order). */
  readonly programs: readonly ProgramRow[];
  /** Per kernel, every program and every reason: what `--verbose` prints. */
  readonly details: readonly ObjectOnKernel[];
}

export interface ObjectArchReport {
  /** The architecture the object was built for, or null when nothing in it says. */
  readonly builtFor: string | null;
  readonly evidence: readonly string[];
  /** Kernels of other architectures not checked (`--arch all` checks them). */
  readonly leftOut: readonly string[];
}

export interface KernelGroup {
  /** A short label: A, B, C, ... */
  readonly id: string;
  /** A few words that tell the kernels apart: `centos 8 4.18 arm64`, `debian 11–13 5.10–6.12 x86_64`. */
  readonly title: string;
  readonly kernels: readonly string[];
  /** The object's verdict there: libbpf loading every autoload program. */
  readonly verdict: Verdict;
  /** How many poisoned instructions CO-RE guards make dead code there, in how many programs (`info`). */
  readonly guarded: { readonly sites: number; readonly programs: number };
}

export interface ProgramRow {
  readonly name: string;
  readonly section: string;
  readonly autoload: boolean;
  /** The program's verdict per kernel group. */
  readonly verdicts: readonly Verdict[];
}

export interface SourceSite {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

export interface RootCause {
  /** Identity across programs, sites and kernels (`core:struct open_how`, `helper:112`). */
  readonly key: string;
  readonly class: ReasonClass;
  /** The worst it does: fails, unknown, warn, or info (guarded: the programs load). */
  readonly verdict: ReasonVerdict;
  readonly subject: Subject;
  /** What is missing or changed, for a person: `struct open_how`, `helper bpf_probe_read_user`. */
  readonly title: string;
  /** The line libbpf (or the verifier's check) prints for it, from its worst occurrence. */
  readonly message: string;
  /** Programs it breaks (or warns for, or leaves undecided); for an `info` cause, the programs that guard it. */
  readonly programs: readonly string[];
  /** Kernels where some program has this problem (for an `info` cause: where some program guards it). */
  readonly kernels: readonly string[];
  /** Programs whose access to it is guarded (dead code, `info`) on some kernel. */
  readonly guardedPrograms: readonly string[];
  /** Checked kernels (with BTF) free of it. */
  readonly presentOn: readonly string[];
  readonly failingPairs: number;
  readonly warningPairs: number;
  /** Distinct source lines where it breaks (for an `info` cause: where it is guarded), in program order. */
  readonly sites: readonly SourceSite[];
  readonly fixes: readonly string[];
  /** What the kernels that lack it have instead, and between which releases of the fleet it changed. */
  /** The verifier generations it was judged by where it acts, for causes a generation decides (empty for the others). */
  readonly verifiers: readonly string[];
  readonly change: CauseChange | null;
}

export interface CauseChange {
  /** The likely successor in the kernels that lack it (from the first such kernel that has one). */
  readonly successor: (Successor & { readonly kernel: string }) | null;
  /**
   * Where in the fleet's releases it changed, when they split cleanly: `removed` when every kernel
   * with it is older than every kernel without it, `added` the other way round. `before` is the
   * newest kernel of the older side, `after` the oldest of the newer side.
   */
  readonly between: { readonly change: 'removed' | 'added'; readonly before: string; readonly after: string } | null;
}

export interface ObjectOnKernel {
  readonly kernel: string;
  readonly verdict: Verdict;
  readonly programs: readonly ProgramOnKernel[];
}

export interface ProgramOnKernel {
  readonly name: string;
  readonly verdict: Verdict;
  readonly reasons: readonly ReasonOnKernel[];
}

export interface ReasonOnKernel {
  /** The root cause it belongs to (`RootCause.key`). */
  readonly cause: string;
  readonly class: ReasonClass;
  readonly verdict: ReasonVerdict;
  readonly message: string;
  readonly source: SourceSite | null;
  readonly function: string | null;
  readonly insn: number | null;
  readonly fixes: readonly string[];
  /** The verifier generation the judgement assumed, on reasons that depend on it (`Reason.verifier`). */
  readonly verifier?: string;
}

/** The CI gate: which (object, kernel) pairs must meet which bar, and which do not. */
export interface Gate {
  /** The verdict that fails the gate, and every worse one (`fails` < `unknown` < `warn`). */
  readonly failOn: 'fails' | 'unknown' | 'warn';
  /** `--require` expressions (any may match); empty: every checked kernel is required. */
  readonly require: readonly string[];
  /** Labels of the kernels the gate judges: those some expression matches, or all. */
  readonly requiredKernels: readonly string[];
  readonly requiredPairs: number;
  readonly failing: readonly { readonly object: string; readonly kernel: string; readonly verdict: Verdict }[];
  readonly passed: boolean;
}
