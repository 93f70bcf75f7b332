import { verdictRank, type Verdict } from '../analysis/reason.js';
import type { KernelGroup, ObjectReport, ProgramRow, Report } from './model.js';
import { plural, siteLine, verdictPhrase } from './phrases.js';
import { programCauses, type ProgramCause } from './program-causes.js';
import { escapeXmlAttr, escapeXmlText } from './xml.js';

/**
 * JUnit XML: a test suite per object, a test case per program × kernel group. A case fails when
 * the program's verdict there meets the gate's bar (`fails`, or worse than `--fail-on`). It is
 * skipped instead when that failure cannot fail the gate, so that a CI that fails on JUnit failures
 * agrees with the exit status:
 * - the program's autoload is off: libbpf does not load it with the object, whose verdict it does
 *   not decide (the case still says what would break, should someone turn it on);
 * - none of the group's kernels is required by `--require`.
 * Below the bar (a warning under `--fail-on fails`), the case passes and its system-out says why
 * it is not clean.
 */
export function renderJunit(report: Report): string {
  const required = requiredKernels(report);
  const suites = report.objects.map((obj) => suiteOf(obj, report, required));
  const total = (key: 'tests' | 'failures' | 'skipped'): number => suites.reduce((n, s) => n + s[key], 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="corecheck" tests="${total('tests')}" failures="${total('failures')}" errors="0" skipped="${total('skipped')}">`,
    ...suites.flatMap((s) => s.lines),
    '</testsuites>',
    '',
  ].join('\n');
}

/** The kernels the gate judges. */
const requiredKernels = (report: Report): ReadonlySet<string> => new Set(report.gate.requiredKernels);

const meetsBar = (v: Verdict, failOn: Report['gate']['failOn']): boolean => v !== 'loads' && verdictRank(v) <= verdictRank(failOn);

type Outcome =
  | { readonly kind: 'passed'; readonly notes: readonly ProgramCause[] }
  | { readonly kind: 'failure'; readonly headline: ProgramCause | undefined; readonly causes: readonly ProgramCause[] }
  | { readonly kind: 'skipped'; readonly why: string; readonly causes: readonly ProgramCause[] };

function outcomeOf(obj: ObjectReport, program: ProgramRow, group: KernelGroup, verdict: Verdict, report: Report, required: ReadonlySet<string>): Outcome {
  if (verdict === 'loads') return { kind: 'passed', notes: [] };
  const causes = programCauses(obj, program.name, group.kernels);
  if (!meetsBar(verdict, report.gate.failOn)) return { kind: 'passed', notes: causes };
  if (!program.autoload) return { kind: 'skipped', why: `autoload is off: libbpf does not load ${program.name} with the object; loaded on its own it ${verdictPhrase(verdict)} here`, causes };
  if (!group.kernels.some((k) => required.has(k))) {
    return { kind: 'skipped', why: `no kernel of group ${group.id} is required by the gate (--require ${report.gate.require.join(' / ')}); ${program.name} ${verdictPhrase(verdict)} here`, causes };
  }
  // The cause that gives the program its verdict: the first (most failing pairs) of that verdict.
  return { kind: 'failure', headline: causes.find((c) => c.verdict === verdict) ?? causes[0], causes };
}

function suiteOf(obj: ObjectReport, report: Report, required: ReadonlySet<string>): { lines: string[]; tests: number; failures: number; skipped: number } {
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  for (const program of obj.programs) {
    obj.groups.forEach((group, gi) => {
      const verdict = program.verdicts[gi];
      const outcome = outcomeOf(obj, program, group, verdict, report, required);
      const open = `    <testcase classname="${escapeXmlAttr(obj.name)}" name="${escapeXmlAttr(`${program.name} on ${group.id}: ${group.title}`)}">`;
      if (outcome.kind === 'failure') {
        failures++;
        const message = outcome.headline?.cause.title ?? `${program.name} ${verdictPhrase(verdict)}`;
        const type = outcome.headline?.cause.class ?? verdict;
        cases.push(open, `      <failure message="${escapeXmlAttr(message)}" type="${escapeXmlAttr(type)}">${escapeXmlText(bodyOf(program, group, verdict, outcome.causes))}</failure>`, '    </testcase>');
      } else if (outcome.kind === 'skipped') {
        skipped++;
        cases.push(open, `      <skipped message="${escapeXmlAttr(outcome.why)}">${escapeXmlText(bodyOf(program, group, verdict, outcome.causes))}</skipped>`, '    </testcase>');
      } else if (outcome.notes.length > 0) {
        cases.push(open, `      <system-out>${escapeXmlText(bodyOf(program, group, verdict, outcome.notes))}</system-out>`, '    </testcase>');
      } else {
        cases.push(open.replace(/>$/, ' />'));
      }
    });
  }
  const tests = obj.programs.length * obj.groups.length;
  const properties = [
    ['built-for', obj.arch.builtFor ?? 'unknown'],
    ['kernels', String(obj.kernels.length)],
    ['left-out-kernels', String(obj.arch.leftOut.length)],
    ['fail-on', report.gate.failOn],
  ].map(([name, value]) => `      <property name="${escapeXmlAttr(name)}" value="${escapeXmlAttr(value)}" />`);
  return {
    lines: [
      `  <testsuite name="${escapeXmlAttr(obj.name)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">`,
      '    <properties>', ...properties, '    </properties>',
      ...cases,
      '  </testsuite>',
    ],
    tests, failures, skipped,
  };
}

/** The group's kernels, then each cause: title, libbpf's line, where in the source, the fix. */
function bodyOf(program: ProgramRow, group: KernelGroup, verdict: Verdict, causes: readonly ProgramCause[]): string {
  const out = [`Group ${group.id} (${group.title}), ${plural(group.kernels.length, 'kernel')}: ${program.name} ${verdictPhrase(verdict)}.`];
  for (const k of group.kernels) out.push(`  ${k}`);
  causes.forEach((c, i) => {
    out.push('', `${i + 1}. ${c.cause.title} [${c.cause.class}, ${c.verdict}]`, `   ${c.message}`);
    for (const s of c.sites) out.push(`   ${siteLine(s)}`);
    c.fixes.forEach((f, j) => out.push(j === 0 ? `   fix: ${f.replace(/^or /, '')}` : `        ${f}`));
    if (c.kernels.length < group.kernels.length) out.push(`   on ${c.kernels.length} of the group's ${group.kernels.length} kernels: ${c.kernels.join(', ')}`);
  });
  return out.join('\n') + '\n';
}
