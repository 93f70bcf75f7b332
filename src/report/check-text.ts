import type { Verdict } from '../analysis/reason.js';
import type { CheckReport, ObjectOnKernel, ReportedReason } from './check.js';

const SHOWN_KERNELS = 4;

/** `a, b, c, d and 12 more`. */
function someOf(labels: readonly string[], shown = SHOWN_KERNELS): string {
  if (labels.length <= shown + 1) return labels.join(', ');
  return `${labels.slice(0, shown).join(', ')} and ${labels.length - shown} more`;
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Kernels on which the object behaves the same: same verdicts, same reasons. */
function groupKernels(kernels: readonly ObjectOnKernel[]): ObjectOnKernel[][] {
  const groups = new Map<string, ObjectOnKernel[]>();
  for (const k of kernels) {
    const sig = JSON.stringify(k.programs.map((p) => [p.name, p.verdict, p.reasons.map((r) => [r.class, r.verdict, r.message])]));
    const g = groups.get(sig);
    if (g) g.push(k);
    else groups.set(sig, [k]);
  }
  const rank: Record<Verdict, number> = { fails: 0, unknown: 1, warn: 2, loads: 3 };
  return [...groups.values()].sort((a, b) => rank[a[0].verdict] - rank[b[0].verdict] || b.length - a.length);
}

function reasonLines(r: ReportedReason, checked: number): string[] {
  const mark = r.verdict === 'fails' ? 'x' : r.verdict === 'warn' ? '!' : r.verdict === 'info' ? 'i' : '?';
  const out = [`      ${mark} ${r.class}: ${r.message}`];
  if (r.source) out.push(`          at ${r.source.file}:${r.source.line}:${r.source.column}  ${r.source.text.trim()}`);
  if (r.missing) {
    const where = r.present_on.length === 0 ? 'on none of the checked kernels'
      : `on ${r.present_on.length} of ${checked} checked kernels: ${someOf(r.present_on)}`;
    out.push(`          missing ${r.missing}; present ${where}`);
  }
  r.fixes.forEach((f, i) => out.push(`          ${i === 0 ? 'fix:' : '    '} ${f}`));
  return out;
}

/** The terminal view: per object, kernels grouped by outcome, failing programs explained. */
export function renderCheck(report: CheckReport): string {
  const out: string[] = [];
  const checked = report.kernels.filter((k) => k.btf).length;
  for (const obj of report.objects) {
    const count = (v: Verdict): number => obj.kernels.filter((k) => k.verdict === v).length;
    const tally = (['fails', 'unknown', 'warn', 'loads'] as const).filter((v) => count(v) > 0).map((v) => `${v} on ${count(v)}`).join(', ');
    out.push(`${obj.name}: ${tally} of ${plural(obj.kernels.length, 'kernel')}`);
    for (const group of groupKernels(obj.kernels)) {
      const v = group[0].verdict;
      out.push('', `  ${v === 'fails' ? 'FAILS' : v} on ${plural(group.length, 'kernel')}: ${someOf(group.map((k) => k.kernel), group[0].programs.every((p) => p.verdict === 'loads') ? SHOWN_KERNELS : 12)}`);
      if (group[0].programs.every((p) => p.verdict === 'loads' && p.reasons.length === 0)) continue;
      const width = Math.max(...group[0].programs.map((p) => p.name.length));
      for (const p of group[0].programs) {
        out.push(`    ${p.name.padEnd(width)}  ${p.verdict}${p.autoload ? '' : ' (autoload off: not part of the object verdict)'}`);
        for (const r of p.reasons) out.push(...reasonLines(r, checked));
      }
    }
    out.push('');
  }
  return out.join('\n');
}
