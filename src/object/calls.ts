import { INSN_SIZE } from '../insn/insn.js';
import type { ElfSymbol } from '../elf/elf.js';
import type { BpfObject, BpfProgram } from './object.js';

/** Where control goes at a `call` with src_reg BPF_PSEUDO_CALL, or what an ld_imm64 refers to. */
export type CodeRef =
  | { readonly kind: 'subprogram'; readonly callee: BpfProgram; /** entry, relative to the callee */ readonly entry: number }
  | { readonly kind: 'extern'; readonly symbol: ElfSymbol } // a kfunc (call) or a __ksym (ld_imm64)
  | { readonly kind: 'data'; readonly symbol: ElfSymbol } // a map, global data: an address, not a constant
  | { readonly kind: 'unresolved' };

/** The symbol an ELF relocation attaches to instruction `idx` of `prog` (program-relative), if any. */
export function relocatedSymbol(obj: BpfObject, prog: BpfProgram, idx: number): ElfSymbol | undefined {
  return obj.relocationsIn(prog.sectionIndex).get(prog.insnOffset + idx);
}

/**
 * libbpf's `bpf_object__reloc_code` for a call at instruction `idx` of `prog` with immediate `imm`:
 * with a relocation, the target is `symbol value / 8 + imm + 1` in the symbol's section (libbpf
 * only allows `.text`); without one, `idx + imm + 1` in the caller's own section. An undefined
 * symbol is an extern: a kfunc.
 */
export function callTarget(obj: BpfObject, prog: BpfProgram, idx: number, imm: number): CodeRef {
  const sym = relocatedSymbol(obj, prog, idx);
  if (sym && sym.sectionIndex <= 0) return { kind: 'extern', symbol: sym };
  const section = sym ? sym.sectionIndex : prog.sectionIndex;
  const target = sym ? sym.value / INSN_SIZE + imm + 1 : prog.insnOffset + idx + imm + 1;
  const callee = Number.isInteger(target) ? obj.programAt(section, target) : undefined;
  return callee ? { kind: 'subprogram', callee, entry: target - callee.insnOffset } : { kind: 'unresolved' };
}

/**
 * What an ld_imm64 at `idx` loads: nothing relocated (a constant), a subprogram's address (a
 * callback for bpf_loop and friends: libbpf's RELO_SUBPROG_ADDR, a function symbol or the section
 * symbol of an executable section), an extern, or the address of data (maps, global variables).
 */
export function ldImm64Target(obj: BpfObject, prog: BpfProgram, idx: number, imm: number): CodeRef | undefined {
  const sym = relocatedSymbol(obj, prog, idx);
  if (!sym) return undefined;
  if (sym.sectionIndex <= 0) return { kind: 'extern', symbol: sym };
  const section = obj.elf.sections[sym.sectionIndex];
  if (section && section.name === '.text') {
    // libbpf: (symbol value + imm) / 8 — a static function is the section symbol plus a byte
    // offset in imm, a global one its own symbol with imm 0.
    const target = (sym.value + imm) / INSN_SIZE;
    const callee = Number.isInteger(target) ? obj.programAt(sym.sectionIndex, target) : undefined;
    return callee ? { kind: 'subprogram', callee, entry: target - callee.insnOffset } : { kind: 'unresolved' };
  }
  return { kind: 'data', symbol: sym };
}
