import type { ObjectVerdict } from '../analysis/check.js';
import { describeSubject, verdictRank, type Reason, type ReasonVerdict } from '../analysis/reason.js';
import type { Successor } from '../analysis/successor.js';
import { compareKernelVersions, majorMinor } from './kernel-version.js';
import type {
  CauseChange, Gate, KernelGroup, KernelMeta, ObjectArchReport, ObjectOnKernel, ObjectReport, ProgramRow, Report, RootCause, SourceSite,
} from './model.js';
import { SCHEMA_VERSION } from './model.js';

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
export type CauseOf = (reason: Reason, kernel: string) => { key: string; reason: Reason };

/** The report of one check run, built from each object's verdicts: root causes first. */
export function buildReport(version: string, kernels: readonly KernelMeta[], runs: readonly ObjectRun[], hints: SuccessorHints, causeOf: CauseOf, gate: Gate): Report {
  const meta = new Map(kernels.map((k) => [k.label, k]));
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'corecheck', version },
    kernels,
    objects: runs.map((run) => buildObject(run, meta, hints, causeOf)),
    gate,
  };
}

function buildObject(run: ObjectRun, meta: ReadonlyMap<string, KernelMeta>, hints: SuccessorHints, causeOf: CauseOf): ObjectReport {
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

const siteOf = (r: Reason): SourceSite | null => (r.source ? { file: r.source.file, line: r.source.line, column: r.source.column, text: r.source.text } : null);

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
    ? distros.map((d) => `${d} ${span(kernels.filter((k) => (k.distro ?? '?') === d).map((k) => k.release ?? '').filter((r) => r !== ''), compareKernelVersions)}`.trim()).join(', ')
    : `${distros.length} distros`;
  const versions = kernels.length === 1 ? kernels[0].version! : span(known.map((k) => majorMinor(k.version!)), compareKernelVersions);
  const arches = span(kernels.map((k) => k.arch ?? '?'));
  return [distroPart, versions, arches].filter((p) => p !== '').join(' · ');
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface CauseAccumulator {
  readonly reason: Reason;
  verdict: ReasonVerdict;
  readonly programs: Set<string>;
  readonly kernels: Set<string>;
  readonly failing: Set<string>;
  readonly warning: Set<string>;
  readonly sites: Map<string, SourceSite>;
  fixes: readonly string[];
}

function rootCauses(run: ObjectRun, details: readonly ObjectOnKernel[], meta: ReadonlyMap<string, KernelMeta>, hints: SuccessorHints, causeOf: CauseOf): RootCause[] {
  const causes = new Map<string, CauseAccumulator>();
  for (const { kernel, verdict } of run.results) {
    for (const p of verdict.programs) {
      for (const original of p.reasons) {
        const { key, reason } = causeOf(original, kernel);
        let c = causes.get(key);
        if (!c) {
          c = { reason, verdict: reason.verdict, programs: new Set(), kernels: new Set(), failing: new Set(), warning: new Set(), sites: new Map(), fixes: reason.fixes };
          causes.set(key, c);
        }
        if (verdictRank(reason.verdict) < verdictRank(c.verdict)) c.verdict = reason.verdict;
        if (c.fixes.length === 0) c.fixes = reason.fixes;
        c.programs.add(p.name);
        c.kernels.add(kernel);
        const pair = `${p.name}\0${kernel}`;
        if (reason.verdict === 'fails') c.failing.add(pair);
        else if (reason.verdict !== 'info') c.warning.add(pair);
        const site = siteOf(reason);
        if (site) c.sites.set(`${site.file}:${site.line}`, site);
      }
    }
  }
  const checked = details.map((d) => d.kernel).filter((k) => meta.get(k)!.btf);
  return [...causes.entries()]
    .map(([key, c]): RootCause => {
      const presentOn = checked.filter((k) => !c.kernels.has(k));
      return {
        key, class: c.reason.class, verdict: c.verdict, subject: c.reason.subject, title: describeSubject(c.reason.subject),
        message: c.reason.message, programs: [...c.programs], kernels: [...c.kernels], presentOn,
        failingPairs: c.failing.size, warningPairs: c.warning.size, sites: [...c.sites.values()], fixes: c.fixes,
        change: changeOf(key, [...c.kernels], presentOn, meta, hints),
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
