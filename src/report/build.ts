import type { ObjectVerdict } from '../analysis/check.js';
import { describeSubject, verdictRank, type Reason, type ReasonVerdict } from '../analysis/reason.js';
import type { Successor } from '../analysis/successor.js';
import { compareKernelVersions, majorMinor } from './kernel-version.js';
import type {
  CauseChange, Gate, KernelGroup, KernelMeta, ObjectArchReport, ObjectOnKernel, ObjectReport, ProgramRow, Report, RootCause, SourceSite,
} from './model.js';
import { SCHEMA_VERSION } from './model.js';
import { autoloadFix } from '../analysis/explain.js';

/** One object's verdicts over the kernels it was checked against. */
export interface ObjectRun {
  readonly name: string;
  readonly arch: ObjectArchReport;
  /** Per checked kernel (by label), the object's verdict there. */
  readonly results: readonly { readonly kernel: string; readonly verdict: ObjectVerdict }[];
}

/** Per kernel label, per subject key: the likely successor of what that kernel lacks. */
export type SuccessorHints = ReadonlyMap<string, ReadonlyMap<string, Successor>>;

/**
 * Groups a reason under its root cause. On a kernel of another architecture than the object was
 * built for, what the architecture explains (its `pt_regs` fields, its syscall entry points) is
 * one cause, "built for X", not one failure per access.
 */
export type CauseOf = (reason: Reason, kernel: string, object: number) => { key: string; reason: Reason };

/** The report of one check run, built from each object's verdicts: root causes first. */
export function buildReport(version: string, kernels: readonly KernelMeta[], runs: readonly ObjectRun[], hints: SuccessorHints, causeOf: CauseOf, gate: Gate): Report {
  const meta = new Map(kernels.map((k) => [k.label, k]));
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'corecheck', version },
    kernels,
    objects: runs.map((run, i) => buildObject(run, meta, hints, (r, k) => causeOf(r, k, i))),
    gate,
  };
}

type ObjectCauseOf = (reason: Reason, kernel: string) => { key: string; reason: Reason };

function buildObject(run: ObjectRun, meta: ReadonlyMap<string, KernelMeta>, hints: SuccessorHints, causeOf: ObjectCauseOf): ObjectReport {
  const details: ObjectOnKernel[] = run.results.map(({ kernel, verdict }) => ({
    kernel,
    verdict: verdict.verdict,
    programs: verdict.programs.map((p) => ({
      name: p.name,
      verdict: p.verdict,
      reasons: p.reasons.map((r) => {
        const { key, reason } = causeOf(r, kernel);
        return {
          cause: key, class: reason.class, verdict: reason.verdict, message: reason.message, source: siteOf(reason),
          function: reason.function ?? null, insn: reason.insn ?? null, fixes: reason.fixes,
          ...(r.verifier ? { verifier: r.verifier } : {}),
        };
      }),
    })),
  }));
  const groups = groupKernels(details, meta);
  const first = run.results[0]?.verdict.programs ?? [];
  const programs: ProgramRow[] = first.map((p, i) => ({
    name: p.name, section: p.section, autoload: p.autoload,
    verdicts: groups.map((g) => details.find((d) => d.kernel === g.kernels[0])!.programs[i].verdict),
  }));
  return {
    name: run.name, arch: run.arch, kernels: run.results.map((r) => r.kernel), groups, causes: rootCauses(run, details, meta, hints, causeOf), programs, details,
  };
}

/** A reason's source line; line 0 is line info's "no line" (compiler-generated code), not a place to show. */
const siteOf = (r: Reason): SourceSite | null =>
  (r.source && r.source.line > 0 ? { file: r.source.file, line: r.source.line, column: r.source.column, text: r.source.text } : null);

/** Kernels with identical verdict vectors, worst verdict first, then the largest group. */
function groupKernels(details: readonly ObjectOnKernel[], meta: ReadonlyMap<string, KernelMeta>): KernelGroup[] {
  const bySignature = new Map<string, ObjectOnKernel[]>();
  for (const d of details) {
    const sig = d.programs.map((p) => p.verdict).join(',');
    const g = bySignature.get(sig);
    if (g) g.push(d);
    else bySignature.set(sig, [d]);
  }
  const ordered = [...bySignature.values()].sort((a, b) =>
    verdictRank(a[0].verdict) - verdictRank(b[0].verdict) || failingPrograms(b[0]) - failingPrograms(a[0]) || b.length - a.length);
  return ordered.map((members, i) => {
    const guardedPrograms = members[0].programs.filter((p) => p.reasons.some((r) => r.verdict === 'info'));
    return {
      id: groupId(i),
      title: groupTitle(members.map((m) => meta.get(m.kernel)!)),
      kernels: members.map((m) => m.kernel),
      verdict: members[0].verdict,
      guarded: { sites: guardedPrograms.reduce((n, p) => n + p.reasons.filter((r) => r.verdict === 'info').length, 0), programs: guardedPrograms.length },
    };
  });
}

const failingPrograms = (d: ObjectOnKernel): number => d.programs.filter((p) => p.verdict !== 'loads').length;

/** A, B, ..., Z, AA, AB, ... */
function groupId(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** `centos 8 · 4.18 · arm64`, `debian 11–sid · 5.10–7.2 · x86_64`: what the kernels of a group share. */
export function groupTitle(kernels: readonly KernelMeta[]): string {
  const span = (values: readonly string[], order: (a: string, b: string) => number = compareText): string => {
    const distinct = [...new Set(values)].sort(order);
    return distinct.length <= 1 ? distinct[0] ?? '' : distinct.length === 2 ? distinct.join(', ') : `${distinct[0]}–${distinct[distinct.length - 1]}`;
  };
  const known = kernels.filter((k) => k.version !== null);
  if (known.length === 0) return kernels.length === 1 ? kernels[0].label : `${kernels.length} kernels`;
  const distros = [...new Set(kernels.map((k) => k.distro ?? '?'))].sort(compareText);
  const distroPart = distros.length <= 2
    ? distros.map((d) => `${d} ${span(kernels.filter((k) => (k.distro ?? '?') === d).map((k) => k.release ?? '').filter((r) => r !== ''), compareReleases)}`.trim()).join(', ')
    : `${distros.length} distros`;
  const versions = kernels.length === 1 ? kernels[0].version! : span(known.map((k) => majorMinor(k.version!)), compareKernelVersions);
  const archList = [...new Set(kernels.map((k) => k.arch ?? '?'))].sort(compareText);
  const arches = archList.length <= 2 ? archList.join(', ') : `${archList.length} architectures`;
  return [distroPart, versions, arches].filter((p) => p !== '').join(' · ');
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Distro releases: numbered ones in order, then named ones (`sid`, `rawhide`) as newer. */
const compareReleases = (a: string, b: string): number => {
  const na = /^\d/.test(a);
  const nb = /^\d/.test(b);
  return na && nb ? compareKernelVersions(a, b) : na ? -1 : nb ? 1 : compareText(a, b);
};

/** Where a cause occurs: programs, kernels and source lines, kept apart for acting and guarded occurrences. */
interface Occurrences {
  readonly programs: Set<string>;
  readonly kernels: Set<string>;
  readonly sites: Map<string, SourceSite>;
}

interface CauseAccumulator {
  reason: Reason;
  verdict: ReasonVerdict;
  /** Occurrences a person must act on (fails, warn, unknown). */
  readonly acting: Occurrences;
  /** Occurrences a CO-RE guard makes dead code (info). */
  readonly guarded: Occurrences;
  readonly failing: Set<string>;
  readonly warning: Set<string>;
  fixes: readonly string[];
  /** The program whose reason gave the fixes. */
  fixesProgram: string;
  /** The verifier generations its acting occurrences were judged by (`Reason.verifier`). */
  readonly verifiers: Set<string>;
}

const occurrences = (): Occurrences => ({ programs: new Set(), kernels: new Set(), sites: new Map() });

function rootCauses(run: ObjectRun, details: readonly ObjectOnKernel[], meta: ReadonlyMap<string, KernelMeta>, hints: SuccessorHints, causeOf: ObjectCauseOf): RootCause[] {
  const causes = new Map<string, CauseAccumulator>();
  for (const { kernel, verdict } of run.results) {
    for (const p of verdict.programs) {
      for (const original of p.reasons) {
        const { key, reason } = causeOf(original, kernel);
        let c = causes.get(key);
        if (!c) {
          c = { reason, verdict: reason.verdict, acting: occurrences(), guarded: occurrences(), failing: new Set(), warning: new Set(), fixes: reason.fixes, fixesProgram: p.name, verifiers: new Set() };
          causes.set(key, c);
        }
        // The worst occurrence speaks for the cause: libbpf's line and the fixes where it breaks.
        if (verdictRank(reason.verdict) < verdictRank(c.verdict)) {
          c.verdict = reason.verdict;
          c.reason = reason;
          if (reason.fixes.length > 0) {
            c.fixes = reason.fixes;
            c.fixesProgram = p.name;
          }
        }
        if (c.fixes.length === 0) {
          c.fixes = reason.fixes;
          c.fixesProgram = p.name;
        }
        const where = reason.verdict === 'info' ? c.guarded : c.acting;
        where.programs.add(p.name);
        where.kernels.add(kernel);
        const site = siteOf(reason);
        if (site) where.sites.set(`${site.file}:${site.line}`, site);
        if (reason.verifier && reason.verdict !== 'info') c.verifiers.add(reason.verifier);
        const pair = `${p.name}\0${kernel}`;
        if (reason.verdict === 'fails') c.failing.add(pair);
        else if (reason.verdict !== 'info') c.warning.add(pair);
      }
    }
  }
  const checked = details.map((d) => d.kernel).filter((k) => meta.get(k)!.btf);
  return [...causes.entries()]
    .map(([key, c]): RootCause => {
      const main = c.verdict === 'info' ? c.guarded : c.acting;
      // The reason's autoload advice names its own program; the cause's names every program it breaks.
      const own = autoloadFix(c.fixesProgram);
      const fixes = c.fixes.map((f) => (f === own ? autoloadFix([...main.programs]) : f));
      const lacking = new Set([...c.acting.kernels, ...c.guarded.kernels]);
      const presentOn = checked.filter((k) => !lacking.has(k));
      return {
        key, class: c.reason.class, verdict: c.verdict, subject: c.reason.subject, title: describeSubject(c.reason.subject),
        message: c.reason.message, programs: [...main.programs], kernels: [...main.kernels], guardedPrograms: [...c.guarded.programs], presentOn,
        failingPairs: c.failing.size, warningPairs: c.warning.size, sites: [...main.sites.values()], fixes,
        change: changeOf(key, [...lacking], presentOn, meta, hints), verifiers: [...c.verifiers].sort(),
      };
    })
    .sort((a, b) => b.failingPairs - a.failingPairs || b.warningPairs - a.warningPairs || verdictRank(a.verdict) - verdictRank(b.verdict) || b.programs.length - a.programs.length);
}

/** The successor some kernel that lacks it has, and where in the fleet's releases it went away. */
function changeOf(key: string, lacking: readonly string[], presentOn: readonly string[], meta: ReadonlyMap<string, KernelMeta>, hints: SuccessorHints): CauseChange | null {
  const byVersion = (labels: readonly string[]): KernelMeta[] =>
    labels.map((l) => meta.get(l)!).filter((k) => k.version !== null).sort((a, b) => compareKernelVersions(a.version!, b.version!));
  let successor: CauseChange['successor'] = null;
  for (const k of byVersion(lacking).reverse()) {
    const s = hints.get(k.label)?.get(key);
    if (s && (!successor || (successor.how === 'gone' && s.how !== 'gone'))) successor = { ...s, kernel: k.label };
  }
  const withIt = byVersion(presentOn);
  const without = byVersion(lacking);
  let between: CauseChange['between'] = null;
  const split = (older: readonly KernelMeta[], newer: readonly KernelMeta[]): { before: string; after: string } | undefined => {
    const before = older[older.length - 1].version!;
    const after = newer[0].version!;
    return compareKernelVersions(before, after) < 0 ? { before, after } : undefined;
  };
  if (withIt.length > 0 && without.length > 0) {
    const removed = split(withIt, without);
    const added = split(without, withIt);
    if (removed) between = { change: 'removed', ...removed };
    else if (added) between = { change: 'added', ...added };
  }
  return successor || between ? { successor, between } : null;
}
