import type { ReasonVerdict, Verdict } from '../analysis/reason.js';
import type { CauseChange, KernelMeta, SourceSite } from './model.js';

/** `a, b, c and 12 more`: enough labels to recognize a set without printing a fleet. */
export function someOf(labels: readonly string[], shown = 3): string {
  if (labels.length <= shown + 1) return labels.join(', ');
  return `${labels.slice(0, shown).join(', ')} and ${labels.length - shown} more`;
}

export const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * What a check against minimized BTFs leaves out, for a run whose kernels include some:
 * `minimized BTF on 3 kernels: CO-RE is judged, …`; undefined when no kernel's BTF is minimized.
 */
export function minimizedNote(kernels: readonly KernelMeta[]): string | undefined {
  const minimized = kernels.filter((k) => k.minimized).length;
  if (minimized === 0) return undefined;
  return `minimized BTF on ${minimized === kernels.length ? 'all ' : ''}${plural(minimized, 'kernel')}: CO-RE is judged, and the verifier by each kernel's release; `
    + 'helpers, map and program types, attach targets, kfuncs and __ksym variables are not (libbpf finds them in the running kernel\'s own BTF): '
    + 'check against the full BTF for those';
}

/** What a verdict means for a program, as the rest of a sentence: `openat2_e fails to load`. */
export function verdictPhrase(v: Verdict | ReasonVerdict): string {
  switch (v) {
    case 'fails': return 'fails to load';
    case 'unknown': return 'may fail to load (the analysis could not decide)';
    case 'warn': return 'loads, with a problem to act on';
    case 'info': return 'loads (a CO-RE guard makes the access dead code)';
    case 'loads': return 'loads';
  }
}

/**
 * Where in the fleet's releases the cause's subject came or went, and what replaces it:
 * `present from 5.10.0-32-amd64 on (not in 4.18.0-147.el8)`; empty when the report cannot tell.
 */
export function changePhrase(change: CauseChange | null): string {
  const out: string[] = [];
  const between = change?.between;
  if (between) out.push(between.change === 'removed' ? `present up to ${between.before}, gone from ${between.after} on` : `present from ${between.after} on (not in ${between.before})`);
  const successor = change?.successor;
  if (successor) out.push(`on ${successor.kernel}: ${successor.note}`);
  return out.join('; ');
}

/** Fixes as one sentence: the first loses the `or` that joins it to the others in a list. */
export function fixesPhrase(fixes: readonly string[]): string {
  return fixes.map((f, i) => (i === 0 ? f.replace(/^or /, '') : f)).join('; ');
}

/**
 * A site as `at file:12:5  ev.flags = how.flags;`; only the place where the object's line info has
 * no text for the line (the kernel selftests' profiler objects have none). `code` paints the
 * source line.
 */
export function siteLine(site: SourceSite, code: (text: string) => string = (text) => text): string {
  const text = site.text.trim();
  return `at ${site.file}:${site.line}:${site.column}${text ? `  ${code(text)}` : ''}`;
}
