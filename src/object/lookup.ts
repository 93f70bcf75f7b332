import type { Btf } from '../btf/btf.js';
import type { ExtSection, LineInfoRecord } from '../btf/ext.js';
import type { ElfFile, ElfSymbol } from '../elf/elf.js';
import { INSN_SIZE } from '../insn/insn.js';

/**
 * Lookup tables an object builds once, on first use, so that per-relocation and per-instruction
 * questions (which function covers this instruction, which source line, which symbol is
 * relocated here) cost a lookup instead of a scan of every program or record. Each answers
 * exactly what the scan it replaces answered; the comments say which one.
 */

/** Programs in libbpf's order (section index, then offset): per code section, per instruction, the first program covering it. */
export class ProgramIndex<P extends { readonly sectionIndex: number; readonly insnOffset: number; readonly insnCount: number }> {
  private readonly bySection = new Map<number, Int32Array>();

  constructor(private readonly programs: readonly P[]) {
    for (let i = 0; i < programs.length; i++) {
      const p = programs[i];
      let cover = this.bySection.get(p.sectionIndex);
      const end = p.insnOffset + p.insnCount;
      if (!cover || cover.length < end) {
        const grown = new Int32Array(Math.max(end, cover?.length ?? 0)).fill(-1);
        if (cover) grown.set(cover);
        cover = grown;
        this.bySection.set(p.sectionIndex, cover);
      }
      // the first program in order wins, as Array.prototype.find over the sorted list returned it
      for (let k = p.insnOffset; k < end; k++) if (cover[k] < 0) cover[k] = i;
    }
  }

  at(sectionIndex: number, insn: number): P | undefined {
    const cover = this.bySection.get(sectionIndex);
    if (!cover || !(insn >= 0 && insn < cover.length)) return undefined;
    const i = cover[insn];
    return i >= 0 ? this.programs[i] : undefined;
  }
}

/**
 * `.BTF.ext` line_info by section name: the records of every block of that name, stably sorted by
 * instruction offset, so the line covering an instruction (the last record at or before it; of
 * records at the same offset, the last in file order) is a binary search.
 */
export class LineIndex {
  private readonly bySection = new Map<string, { offs: Int32Array; records: LineInfoRecord[] }>();

  constructor(btf: Btf, blocks: readonly ExtSection<LineInfoRecord>[]) {
    const gathered = new Map<string, LineInfoRecord[]>();
    for (const block of blocks) {
      const name = btf.strOrUndefined(block.secNameOff);
      if (name === undefined) continue;
      let rs = gathered.get(name);
      if (!rs) gathered.set(name, (rs = []));
      for (const r of block.records) rs.push(r);
    }
    for (const [name, rs] of gathered) {
      rs.sort((a, b) => a.insnOff - b.insnOff); // stable: file order among equal offsets
      this.bySection.set(name, { offs: Int32Array.from(rs, (r) => r.insnOff), records: rs });
    }
  }

  /** The record covering byte offset `byteOff` of `section`, if any. */
  at(section: string, byteOff: number): LineInfoRecord | undefined {
    const s = this.bySection.get(section);
    if (!s) return undefined;
    // last index with offs[i] <= byteOff
    let lo = 0;
    let hi = s.offs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s.offs[mid] <= byteOff) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? s.records[lo - 1] : undefined;
  }
}

/** ELF relocations of one code section, by instruction index (the last relocation of an instruction wins). */
export function sectionRelocations(elf: ElfFile, sectionIndex: number): Map<number, ElfSymbol> {
  const relocs = new Map<number, ElfSymbol>();
  const symbols = elf.symbols();
  for (const rs of elf.relocationSectionsFor(elf.sections[sectionIndex])) {
    for (const r of elf.relocations(rs)) {
      const sym = symbols[r.symbol];
      if (sym && r.offset % INSN_SIZE === 0) relocs.set(r.offset / INSN_SIZE, sym);
    }
  }
  return relocs;
}
