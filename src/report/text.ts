import Table from 'cli-table3';
import pc from 'picocolors';
import type { ReasonVerdict, Verdict } from '../analysis/reason.js';
import { plainColumns, tableText } from './table-style.js';
import { minimizedNote, plural, siteLine } from './phrases.js';
import type { KernelGroup, ObjectOnKernel, ObjectReport, ProgramRow, Report, RootCause } from './model.js';

export interface TextOptions {
  /** Everything: every cause with all its sites and fixes, every program and reason per kernel group. */
  readonly verbose: boolean;
  readonly color: boolean;
}

/** The default view of one object fits a screen: at most this many lines, every failing program named. */
export const SCREEN_LINES = 60;
/** And this many columns. */
export const SCREEN_WIDTH = 100;
const SITES_SHOWN = 3;

type Paint = ReturnType<typeof pc.createColors>;

export const VERDICT_MARK: Record<Verdict | ReasonVerdict, string> = { loads: '✓', fails: '✗', warn: '!', unknown: '?', info: 'i' };
export const LEGEND = '✓ loads  ✗ fails  ! warn (loads; act on it)  ? unknown (undecided)';

/** The terminal view: per object, the verdict per kernel group, the root causes, the matrix. */
export function renderText(report: Report, opts: TextOptions): string {
  const paint = pc.createColors(opts.color);
  const out: string[] = [];
  for (const obj of report.objects) out.push(...(opts.verbose ? verboseObject(obj, paint) : screenObject(obj, paint)), '');
  out.push(...minimizedLines(report, paint), gateLine(report, paint));
  return out.join('\n') + '\n';
}

function mark(v: Verdict | ReasonVerdict, paint: Paint): string {
  const m = VERDICT_MARK[v];
  return v === 'fails' ? paint.red(m) : v === 'loads' ? paint.green(m) : v === 'warn' ? paint.yellow(m) : paint.dim(m);
}

/** `openat2.bpf.o — built for x86_64 (…); 28 kernels checked, 8 of other architectures left out`. */
function headline(obj: ObjectReport, paint: Paint): string[] {
  const arch = obj.arch.builtFor === null ? 'built for any architecture (nothing in it names one)'
    : `built for ${obj.arch.builtFor}${obj.arch.evidence.length > 0 ? ` (${obj.arch.evidence[0]}${obj.arch.evidence.length > 1 ? `, +${obj.arch.evidence.length - 1}` : ''})` : ''}`;
  const left = obj.arch.leftOut.length > 0 ? `; ${plural(obj.arch.leftOut.length, 'kernel')} of other architectures left out (--arch all checks them)` : '';
  const byVerdict = (['fails', 'unknown', 'warn', 'loads'] as const).map((v) => {
    const gs = obj.groups.filter((g) => g.verdict === v);
    const n = gs.reduce((s, g) => s + g.kernels.length, 0);
    return gs.length === 0 ? '' : `${mark(v, paint)} ${v === 'fails' ? paint.bold(paint.red('FAILS')) : v} on ${gs.map((g) => g.id).join(', ')} (${plural(n, 'kernel')})`;
  }).filter((s) => s !== '');
  return [
    `${paint.bold(obj.name)} — ${arch}; ${plural(obj.kernels.length, 'kernel')} checked${left}`,
    `  ${byVerdict.length > 0 ? byVerdict.join(' · ') : 'no kernel checked'}`,
  ];
}

/** Lines of one cause: the title, libbpf's line, sites, what changed, fixes (`full`: all of them). */
function causeLines(c: RootCause, n: number, obj: ObjectReport, paint: Paint, full: boolean): string[] {
  const groupsOf = (labels: readonly string[]): string => obj.groups.filter((g) => g.kernels.some((k) => labels.includes(k))).map((g) => g.id).join(', ');
  const what = c.verdict === 'info' ? 'guarded in' : c.verdict === 'fails' ? 'breaks' : c.verdict === 'warn' ? 'warns for' : 'leaves undecided';
  const programs = c.programs.length <= 3 ? c.programs.join(', ') : `${c.programs.slice(0, 3).join(', ')} and ${c.programs.length - 3} more programs`;
  const present = c.presentOn.length > 0 ? ` · present on ${c.presentOn.length}` : '';
  const out = [`  ${n}. ${mark(c.verdict, paint)} ${paint.bold(title(c))} — ${what} ${programs} on ${plural(c.kernels.length, 'kernel')} (${groupsOf(c.kernels)})${present}`];
  const indent = '       ';
  out.push(`${indent}${paint.dim(c.class)}: ${c.message}`);
  const sites = full ? c.sites : c.sites.slice(0, SITES_SHOWN);
  for (const s of sites) out.push(`${indent}${siteLine(s, paint.cyan)}`);
  if (sites.length < c.sites.length) out.push(`${indent}and ${plural(c.sites.length - sites.length, 'more site')}`);
  const change = changeText(c);
  if (change) out.push(`${indent}${change}`);
  if (c.verifiers.length > 0) out.push(`${indent}${paint.dim(`judged by: ${judgedBy(c.verifiers)}`)}`);
  const fixes = full ? c.fixes : c.fixes.slice(0, 1);
  // A lone autoload fix reads "or turn autoload off …": no "or" before the first fix.
  fixes.forEach((f, i) => out.push(`${indent}${i === 0 ? paint.green('fix:') : '    '} ${i === 0 ? f.replace(/^or /, '') : f}`));
  return out;
}

/**
 * The verifier generations of a cause in one line: `Linux 5.10-, 5.16-class verifiers (from BTF)`,
 * saying once where the rules came from: the kernels' BTF, their release where the BTF had no
 * evidence, and the weakest rules where neither told.
 */
function judgedBy(verifiers: readonly string[]): string {
  const bases = [...new Set(verifiers.map((v) => v.split(';')[0].replace(/ \(from [^)]*\)$/, '')))];
  const classes = bases.map((b) => /^Linux (\S+)-class verifier$/.exec(b)?.[1]);
  const named = classes.every((x) => x !== undefined) ? `Linux ${classes.map((x, i) => (i === classes.length - 1 ? `${x}-class` : `${x}-`)).join(', ')} verifier${bases.length > 1 ? 's' : ''}` : bases.join(', ');
  const sources = [
    verifiers.some((v) => v.includes('(from BTF)')) && 'from BTF',
    verifiers.some((v) => v.includes('(from release ')) && `from the kernel release where BTF has no evidence`,
    verifiers.some((v) => v.includes('; no BTF evidence')) && 'the weakest rules where there is no evidence',
  ].filter((x) => x !== false);
  return sources.length > 0 ? `${named} (${sources.join('; ')})` : named;
}

/** A cause as a headline: what is missing, or what else went wrong. */
function title(c: RootCause): string {
  switch (c.class) {
    case 'ARCH_MISMATCH': return `object built for ${c.subject.kind === 'arch' ? c.subject.arch : '?'}`;
    case 'WALK_INCOMPLETE': return 'path analysis incomplete';
    case 'ATTACH_SIGNATURE_MISMATCH': return `context read against the target's prototype: ${c.title}`;
    case 'INSN_UNSUPPORTED': return `${c.title}: not known to this verifier`;
    case 'VERIFIER_RULE': return `refused by this verifier: ${c.title}`;
    case 'OBJECT_REFUSED': return `object refused before verification: ${c.title}`;
    case 'TAIL_CALL_INCOMPATIBLE': return c.title;
    case 'CORE_AMBIGUOUS': return `${c.title}: ambiguous CO-RE relocation`;
    case 'CORE_ERROR': return `${c.title}: CO-RE relocation error`;
    default: return `${c.title} missing`;
  }
}

/** `now task_struct.__state (renamed …); removed between 5.10.0-32-amd64 and 6.1.0-57-amd64`. */
export function changeText(c: RootCause): string | undefined {
  const parts: string[] = [];
  const s = c.change?.successor;
  if (s) parts.push(s.how === 'gone' ? `gone: ${s.note}` : `now ${s.name}: ${s.note}`);
  const b = c.change?.between;
  if (b && c.class === 'ATTACH_SIGNATURE_MISMATCH') parts.push(`the prototype changed between ${b.before} and ${b.after}`);
  else if (b) parts.push(`${b.change === 'removed' ? 'changed' : 'added'} between ${b.before} and ${b.after}`);
  return parts.length > 0 ? `what changed: ${parts.join('; ')}` : undefined;
}

/** Programs that do not load everywhere × kernel groups. Programs with identical rows share one. */
function matrixLines(obj: ObjectReport, paint: Paint): string[] {
  const rows = obj.programs.filter((p) => p.verdicts.some((v) => v !== 'loads'));
  if (rows.length === 0) return [];
  const byRow = new Map<string, ProgramRow[]>();
  for (const p of rows) {
    const key = p.verdicts.join(',');
    byRow.set(key, [...(byRow.get(key) ?? []), p]);
  }
  // Many groups (a fleet where nearly every kernel differs) get narrower columns to stay in 100.
  const gap = obj.groups.length > 20 ? ' ' : '  ';
  const nameWidth = Math.max(12, SCREEN_WIDTH - 2 - obj.groups.reduce((n, g) => n + g.id.length + gap.length, 0));
  const table = new Table({
    head: ['program', ...obj.groups.map((g) => g.id)],
    ...plainColumns(gap, '  '),
    colWidths: [Math.min(nameWidth, Math.max(7, ...[...byRow.values()].map((ps) => Math.min(nameWidth, rowName(ps).length)))), ...obj.groups.map((g) => g.id.length)],
    wordWrap: true, wrapOnWordBoundary: true,
  });
  for (const ps of byRow.values()) table.push([rowName(ps), ...ps[0].verdicts.map((v) => mark(v, paint))]);
  return tableText(table).split('\n');
}

const rowName = (ps: readonly ProgramRow[]): string => ps.map((p) => p.name + (p.autoload ? '' : ' (autoload off)')).join(', ');

function groupKeyLines(obj: ObjectReport, paint: Paint): string[] {
  return obj.groups.map((g) => `  ${paint.bold(g.id.padEnd(2))} ${g.title}${g.kernels.length > 1 ? ` (${g.kernels.length})` : ''}`);
}

/** One line per kernel group with guarded CO-RE misses (groups with the same counts share a line). */
function guardedLines(obj: ObjectReport, paint: Paint): string[] {
  const byCount = new Map<string, KernelGroup[]>();
  for (const g of obj.groups.filter((x) => x.guarded.sites > 0)) {
    const key = `${g.guarded.sites}/${g.guarded.programs}`;
    byCount.set(key, [...(byCount.get(key) ?? []), g]);
  }
  return [...byCount.values()].map((gs) => {
    const { sites, programs } = gs[0].guarded;
    return `  ${paint.dim('i')} ${gs.map((g) => g.id).join(', ')}: ${sites} guarded CO-RE ${sites === 1 ? 'miss' : 'misses'} in ${plural(programs, 'program')}: dead code, the programs load (--verbose lists them)`;
  });
}

/**
 * One screen: the headline, then the matrix and its key (every failing program is named there),
 * then as many causes as fit, the worst first, each in full while room lasts, then one line each.
 */
function screenObject(obj: ObjectReport, paint: Paint): string[] {
  const head = headline(obj, paint);
  const matrix = matrixLines(obj, paint);
  const tail = [
    ...(matrix.length > 0 ? ['', ...matrix, `  ${paint.dim(LEGEND)}`] : []),
    ...groupKeyLines(obj, paint),
    ...guardedLines(obj, paint),
  ];
  const causes = obj.causes.filter((c) => c.verdict !== 'info');
  // The screen also holds the blank line after the object and the gate's line.
  let room = SCREEN_LINES - 2 - head.length - tail.length - (causes.length > 0 ? 2 : 0);
  const body: string[] = [];
  for (let i = 0; i < causes.length; i++) {
    const full = causeLines(causes[i], i + 1, obj, paint, false);
    const rest = causes.length - i - 1;
    // Keep one line for "and N more causes" unless this is the last one.
    const reserve = rest > 0 ? 1 : 0;
    if (full.length + reserve <= room) {
      body.push(...full);
      room -= full.length;
    } else if (1 + reserve <= room) {
      body.push(full[0]);
      room -= 1;
    } else {
      body.push(`  … and ${plural(rest + 1, 'more cause')}: --verbose lists them`);
      break;
    }
  }
  return [...head, ...(causes.length > 0 ? ['', '  Root causes'] : []), ...body, ...tail];
}

/** Everything, as before the root-cause view: all causes in full, then per kernel group every program and reason. */
function verboseObject(obj: ObjectReport, paint: Paint): string[] {
  const out = [...headline(obj, paint)];
  if (obj.causes.length > 0) out.push('', '  Root causes');
  obj.causes.forEach((c, i) => out.push(...causeLines(c, i + 1, obj, paint, true)));
  const matrix = matrixLines(obj, paint);
  if (matrix.length > 0) out.push('', ...matrix, `  ${paint.dim(LEGEND)}`);
  out.push(...groupKeyLines(obj, paint));
  // Kernels of one group may differ in what the programs guard: here kernels share a block only
  // when every program has the same reasons there.
  const blocks = new Map<string, ObjectOnKernel[]>();
  for (const d of obj.details) {
    const sig = JSON.stringify(d.programs.map((p) => [p.verdict, p.reasons.map((r) => [r.verdict, r.message, r.source?.line])]));
    blocks.set(sig, [...(blocks.get(sig) ?? []), d]);
  }
  for (const kernels of blocks.values()) {
    const detail = kernels[0];
    const ids = obj.groups.filter((g) => kernels.some((k) => g.kernels.includes(k.kernel))).map((g) => g.id).join(', ');
    out.push('', `  ${paint.bold(ids)} ${detail.verdict} on ${plural(kernels.length, 'kernel')}: ${kernels.map((k) => k.kernel).join(', ')}`);
    const width = Math.max(0, ...detail.programs.map((p) => p.name.length));
    for (const p of detail.programs) {
      out.push(`    ${p.name.padEnd(width)}  ${mark(p.verdict, paint)} ${p.verdict}`);
      for (const r of p.reasons) {
        out.push(`      ${mark(r.verdict, paint)} ${r.class}: ${r.message}`);
        if (r.source) out.push(`          ${siteLine(r.source)}`);
        r.fixes.forEach((f, i) => out.push(`          ${i === 0 ? 'fix:' : '    '} ${f}`));
      }
    }
  }
  return out;
}

/** What a check against minimized BTFs leaves out, said once for the run, in lines that fit the screen. */
function minimizedLines(report: Report, paint: Paint): string[] {
  const note = minimizedNote(report.kernels);
  if (!note) return [];
  const lines: string[] = [];
  for (const word of note.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= SCREEN_WIDTH) lines[last] += ` ${word}`;
    else lines.push(last < 0 ? `${paint.dim('i')} ${word}` : `  ${word}`);
  }
  return [...lines, ''];
}

function gateLine(report: Report, paint: Paint): string {
  const g = report.gate;
  const scope = g.require.length > 0 ? `kernels matching ${g.require.map((r) => `'${r}'`).join(' or ')}` : 'every checked kernel';
  if (g.passed) return `${paint.green('gate passed')}: ${plural(g.requiredPairs, 'required (object, kernel) pair')} on ${scope}, none ${g.failOn === 'fails' ? 'fails' : `at ${g.failOn} or worse`}`;
  return `${paint.red('gate failed')}: ${g.failing.length} of ${plural(g.requiredPairs, 'required (object, kernel) pair')} on ${scope} ${g.failOn === 'fails' ? 'fail' : `are at ${g.failOn} or worse`} (--fail-on ${g.failOn})`;
}
