import type { Verdict } from '../analysis/reason.js';
import type { KernelGroup, ObjectReport, Report, RootCause } from './model.js';
import { changePhrase, fixesPhrase, minimizedNote, plural, someOf } from './phrases.js';

/**
 * Markdown for a CI job summary ($GITHUB_STEP_SUMMARY): the gate, then per object a headline, the
 * root causes, and which programs load where. GitHub-flavoured tables; no HTML, so text that looks
 * like a tag (`<byte_off>` in libbpf's lines) is escaped rather than swallowed.
 */
export function renderMarkdown(report: Report): string {
  const note = minimizedNote(report.kernels);
  const out = ['# corecheck', '', gateLine(report), ...(note ? ['', `> ${mdText(note)}`] : [])];
  for (const obj of report.objects) out.push('', ...objectSection(obj));
  return out.join('\n') + '\n';
}

/** Backslash-escapes what Markdown would read as markup (CommonMark escapes any ASCII punctuation). */
export function mdText(s: string): string {
  return s.replace(/\r?\n|\r/g, ' ').replace(/[\\`*_[\]<>|~&$#]/g, '\\$&');
}

/** A code span whose fence no backtick run inside can close. `|` stays escaped: GFM splits cells before spans. */
export function mdCode(s: string): string {
  const text = s.replace(/\r?\n|\r/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

const MARK: Readonly<Record<Verdict, string>> = { loads: '✓', fails: '✗', warn: '!', unknown: '?' };
const ORDER: readonly Verdict[] = ['fails', 'unknown', 'warn', 'loads'];

function gateLine(report: Report): string {
  const g = report.gate;
  const scope = g.require.length === 0 ? 'every checked kernel' : `kernels matching ${g.require.map(mdCode).join(' or ')}`;
  const bar = `verdict \`${g.failOn}\`${g.failOn === 'fails' ? '' : ' or worse'}`;
  if (g.passed) return `**Gate: passed.** None of the ${plural(g.requiredPairs, 'required (object, kernel) pair')} (${scope}) has ${bar}.`;
  const shown = g.failing.slice(0, 5).map((f) => `${mdCode(f.object)} on ${mdCode(f.kernel)} (${f.verdict})`);
  const more = g.failing.length > shown.length ? ` and ${g.failing.length - shown.length} more` : '';
  return `**Gate: failed.** ${g.failing.length} of ${plural(g.requiredPairs, 'required (object, kernel) pair')} (${scope}) have ${bar}: ${shown.join(', ')}${more}.`;
}

function objectSection(obj: ObjectReport): string[] {
  const out = [`## ${mdCode(obj.name)}`, '', headline(obj)];
  const arch = obj.arch;
  if (arch.leftOut.length > 0) out.push('', `Built for ${arch.builtFor ?? 'an unknown architecture'}: ${plural(arch.leftOut.length, 'kernel')} of other architectures not checked (\`--arch all\` checks them).`);
  if (obj.groups.length === 0) return out;
  out.push('', '### Root causes', '', ...causeTable(obj));
  const guarded = obj.groups.filter((g) => g.guarded.sites > 0);
  if (guarded.length > 0) {
    out.push('', `CO-RE guards make dead code of what these kernels lack, and the programs load as designed: ${guarded
      .map((g) => `${plural(g.guarded.sites, 'site')} in ${plural(g.guarded.programs, 'program')} on ${g.id}`).join(', ')}.`);
  }
  out.push('', '### Where each program loads', '', ...matrix(obj), '', ...groupKey(obj.groups));
  return out;
}

/** `**fails** on A, B (3 kernels) · loads on C (25 kernels)` */
function headline(obj: ObjectReport): string {
  if (obj.groups.length === 0) return `Checked on no kernel${obj.arch.leftOut.length > 0 ? ' of its architecture' : ''}.`;
  return ORDER.flatMap((v) => {
    const groups = obj.groups.filter((g) => g.verdict === v);
    if (groups.length === 0) return [];
    const kernels = groups.reduce((n, g) => n + g.kernels.length, 0);
    return [`${v === 'loads' ? v : `**${v}**`} on ${groups.map((g) => g.id).join(', ')} (${plural(kernels, 'kernel')})`];
  }).join(' · ');
}

function causeTable(obj: ObjectReport): string[] {
  const causes = obj.causes.filter((c) => c.verdict !== 'info');
  if (causes.length === 0) return ['Nothing keeps a program from loading on the kernels checked.'];
  return [
    row(['#', 'cause', 'verdict', 'programs', 'kernels broken', 'where present', 'source', 'fix']),
    row(['--:', '---', '---', '---', '---', '---', '---', '---']),
    ...causes.map((c, i) => row([
      String(i + 1),
      `${mdCode(c.title)} (${mdText(c.class)})`,
      c.verdict === 'fails' ? '**fails**' : c.verdict,
      someOf(c.programs.map(mdCode)),
      brokenKernels(obj, c),
      wherePresent(c),
      c.sites.length === 0 ? '' : `${mdCode(`${c.sites[0].file}:${c.sites[0].line}`)}${c.sites.length > 1 ? ` (+${c.sites.length - 1})` : ''}`,
      c.fixes.length === 0 ? '' : mdText(fixesPhrase(c.fixes.slice(0, 1))),
    ])),
  ];
}

/** `3 (A, B 2/5)`: how many kernels some program breaks on, by group (partly: how many of the group). */
function brokenKernels(obj: ObjectReport, c: RootCause): string {
  const broken = new Set(c.kernels);
  const groups = obj.groups.flatMap((g) => {
    const n = g.kernels.filter((k) => broken.has(k)).length;
    return n === 0 ? [] : [n === g.kernels.length ? g.id : `${g.id} ${n}/${g.kernels.length}`];
  });
  return `${broken.size} (${groups.join(', ')})`;
}

function wherePresent(c: RootCause): string {
  const count = c.presentOn.length === 0 ? 'none of the kernels checked' : plural(c.presentOn.length, 'kernel');
  const change = changePhrase(c.change);
  return mdText(change ? `${count}; ${change}` : count);
}

/** Programs that do not load everywhere × groups, under a row for the object itself. */
function matrix(obj: ObjectReport): string[] {
  const rows = obj.programs.filter((p) => p.verdicts.some((v) => v !== 'loads'));
  const legend = `${MARK.loads} loads · ${MARK.fails} fails · ${MARK.warn} loads, with a problem to act on · ${MARK.unknown} undecided`;
  if (rows.length === 0) return [`Every program loads on every kernel group (${obj.programs.length} programs).`];
  return [
    row(['program', ...obj.groups.map((g) => g.id)]),
    row(['---', ...obj.groups.map(() => ':-:')]),
    row(['**object**', ...obj.groups.map((g) => MARK[g.verdict])]),
    ...rows.map((p) => row([`${mdCode(p.name)}${p.autoload ? '' : ' (autoload off)'}`, ...p.verdicts.map((v) => MARK[v])])),
    '',
    `${legend}.${rows.length < obj.programs.length ? ` ${plural(obj.programs.length - rows.length, 'other program')} ${obj.programs.length - rows.length === 1 ? 'loads' : 'load'} everywhere.` : ''}`,
  ];
}

function groupKey(groups: readonly KernelGroup[]): string[] {
  return ['Kernel groups:', '', ...groups.map((g) => `- **${g.id}** ${mdText(g.title)}: ${plural(g.kernels.length, 'kernel')} (${someOf(g.kernels.map(mdCode))})`)];
}
