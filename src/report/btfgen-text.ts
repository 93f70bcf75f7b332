import Table from 'cli-table3';
import pc from 'picocolors';
import type { BtfgenKernel, BtfgenReport, BtfgenUnresolved } from './model.js';
import { plainColumns, tableText } from './table-style.js';

type Paint = ReturnType<typeof pc.createColors>;

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** `812 B`, `14.2 KiB`: sizes of minimized BTFs, which are kilobytes. */
export function byteSize(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The terminal view of what `btfgen` wrote: one row per kernel (file, size, types kept, unresolved
 * relocations, how many break the load), then the unresolved relocations that break it (all of
 * them with `verbose`), each with the kernels where it does. Check's report follows it.
 */
export function renderBtfgenText(b: BtfgenReport, opts: { readonly verbose: boolean; readonly color: boolean }): string {
  const paint = pc.createColors(opts.color);
  const written = b.kernels.filter((k) => k.status === 'written').length;
  const out = [paint.bold(`minimized BTF (bpftool gen min_core_btf) in ${b.out}: ${written} of ${plural(b.kernels.length, 'kernel')} written` +
    `${b.compressed ? ', as .btf.tar.xz' : ''}${b.strict ? ' (--strict: none where an object fails)' : ''}`)];
  const table = new Table({ head: ['kernel', 'file', 'size', 'types', 'unresolved', 'break load'], ...plainColumns('  ', '  ') });
  for (const k of b.kernels) {
    const file = k.status === 'no-btf' ? paint.dim('— (no BTF)') : k.status === 'withheld' ? paint.yellow(`withheld: ${k.failingObjects.join(', ')} fail${k.failingObjects.length === 1 ? 's' : ''}`) : k.file!;
    table.push([k.kernel, file, k.bytes === null ? '' : byteSize(k.bytes), k.types === null ? '' : String(k.types), String(k.unresolved.length),
      k.breaking > 0 ? paint.red(String(k.breaking)) : '0']);
  }
  out.push(tableText(table));
  const listed = unresolvedLines(b.kernels, opts.verbose, paint);
  if (listed.length > 0) out.push('', ...listed);
  return out.join('\n') + '\n\n';
}

/** Unresolved relocations (only those that break the load unless `verbose`), one line per object, relocation and verdict. */
function unresolvedLines(kernels: readonly BtfgenKernel[], verbose: boolean, paint: Paint): string[] {
  const byKey = new Map<string, { u: BtfgenUnresolved; kernels: string[] }>();
  for (const k of kernels) {
    for (const u of k.unresolved) {
      if (!verbose && u.verdict !== 'fails') continue;
      const key = JSON.stringify([u.object, u.section, u.index, u.verdict]);
      const seen = byKey.get(key);
      if (seen) seen.kernels.push(k.kernel);
      else byKey.set(key, { u, kernels: [k.kernel] });
    }
  }
  if (byKey.size === 0) return [];
  const lines = [verbose ? 'unresolved relocations:' : 'unresolved relocations that break the load (--verbose lists all):'];
  for (const { u, kernels: ks } of byKey.values()) {
    const where = u.function === null ? u.section : `${u.function}+${u.insn}`;
    const verdict = u.verdict === 'fails' ? paint.red('fails') : u.verdict;
    const programs = u.programs.length > 0 ? ` in ${u.programs.join(', ')}` : '';
    lines.push(`  ${u.object} ${where}: ${u.outcome === 'error' ? 'CO-RE error at ' : ''}${u.spec ?? `${u.kind} relo #${u.index}`}${programs} — ${verdict} on ${plural(ks.length, 'kernel')}` +
      (verbose || ks.length <= 3 ? `: ${ks.join(', ')}` : ''));
  }
  return lines;
}
