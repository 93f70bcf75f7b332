import Table from 'cli-table3';
import type { InspectedObject } from './inspect.js';
import { plainColumns, tableText } from './table-style.js';

/** Column layout without box drawing: reads well in a terminal and in CI logs. */
const table = (head: string[]): Table.Table => new Table({ head, ...plainColumns('  ', '  ') });

const dash = (v: string | number | null): string => (v === null || v === '' ? '-' : String(v));

export function renderInspect(o: InspectedObject): string {
  const lines: string[] = [];
  const nProg = o.programs.filter((p) => !p.subprogram).length;
  const nSub = o.programs.length - nProg;
  lines.push(`${o.name}: BPF object, ${o.endianness}-endian, license ${o.license ?? '(none)'}, ` +
    `${nProg} program${nProg === 1 ? '' : 's'}${nSub ? ` + ${nSub} subprogram${nSub === 1 ? '' : 's'}` : ''}, ` +
    `${o.maps.length} map${o.maps.length === 1 ? '' : 's'}, ${o.relocations.length} CO-RE relocation${o.relocations.length === 1 ? '' : 's'}`);
  if (o.btf_ext_error) lines.push(`  warning: .BTF.ext ignored (as libbpf does): ${o.btf_ext_error}`);

  if (o.programs.length) {
    const t = table(['PROGRAM', 'SECTION', 'TYPE', 'ATTACH TARGET', 'INSNS']);
    for (const p of o.programs) {
      const type = p.subprogram ? '(subprogram)' : `${dash(p.type)}${p.autoload ? '' : ' (no autoload)'}`;
      t.push([p.name, p.section, type, dash(p.attach_target), String(p.insns)]);
    }
    lines.push('', tableText(t));
  }
  if (o.maps.length) {
    const t = table(['MAP', 'TYPE', 'KEY', 'VALUE', 'MAX ENTRIES', 'FLAGS']);
    for (const m of o.maps) {
      t.push([m.name, m.type, dash(m.key_size), dash(m.value_size), dash(m.max_entries), m.flags ? `0x${m.flags.toString(16)}` : '-']);
    }
    lines.push('', tableText(t));
  }
  if (o.relocations.length) {
    lines.push('', '  CO-RE RELOCATIONS');
    for (const r of o.relocations) {
      const where = r.program !== null ? `${r.program} insn #${r.program_insn}` : `${r.section} insn #${r.insn} (no program)`;
      lines.push(`  ${where}: ${r.spec ?? `error: ${r.error}`}`);
      if (r.source) lines.push(`      ${r.source.file}:${r.source.line}${r.source.text ? `: ${r.source.text}` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}
