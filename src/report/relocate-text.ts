import type { ObjectRelocation } from '../core/relocate.js';
import { insnHex } from '../insn/insn.js';

/** `relocate --json`: the result as data, each program's patched instructions as hex (8 bytes each). */
export function relocationJson(r: ObjectRelocation): object {
  return {
    ...r,
    programs: r.programs.map((p) => ({ name: p.name, section: p.section, insns: Array.from({ length: p.code.length >>> 3 }, (_, k) => insnHex(p.code, k)) })),
  };
}

/** The lines `--log` prints: those libbpf starts with `CO-RE relocating ` or `prog '<name>': relo #`. */
export function coreLogLines(r: ObjectRelocation): string[] {
  return r.log.map((l) => l.text).filter((t) => t.startsWith('CO-RE relocating ') || /^prog '[^']*': relo #/.test(t));
}

/** A terminal view: per program, each relocation with its spec, candidates, outcome and instruction. */
export function renderRelocation(objectName: string, kernelLabel: string, r: ObjectRelocation): string {
  const out: string[] = [];
  const counts = new Map<string, number>();
  for (const x of r.relocations) counts.set(x.outcome, (counts.get(x.outcome) ?? 0) + 1);
  const summary = [...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'no CO-RE relocations';
  out.push(`${objectName} on ${kernelLabel}: ${r.ok ? 'CO-RE succeeds' : 'CO-RE fails, the object does not load'} (${summary})`);
  if (r.error) out.push(`  error: ${r.error.message}`);
  let program: string | null | undefined;
  for (const x of r.relocations) {
    if (x.program !== program) {
      program = x.program;
      out.push('', `  ${program ?? '(no program)'}`);
    }
    out.push(`    relo #${x.index} insn #${x.programInsn ?? x.insn}: ${x.spec ?? `<${x.kind}> [${x.typeId}] + ${x.access}`}`);
    for (const c of x.candidates) out.push(`      ${c.matching ? 'match   ' : 'no match'} [${c.id}] in ${c.btf}: ${c.spec}`);
    const values = x.outcome === 'patched' && x.origVal !== null ? ` ${x.origVal} -> ${x.newVal}` : '';
    const insn = x.after.length ? `  ${x.before.join(' ')} -> ${x.after.join(' ')}` : '';
    const what = x.outcome === 'error' ? `error -${x.errno}` : x.outcome;
    out.push(`      ${what}${values}${insn}`);
  }
  return out.join('\n') + '\n';
}
