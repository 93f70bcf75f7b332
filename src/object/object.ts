import { Btf } from '../btf/btf.js';
import { parseBtfExt, type BtfExt, type CoreReloRecord } from '../btf/ext.js';
import { CorecheckError, fail } from '../common/errors.js';
import { EM_BPF, ET_REL, ElfFile, SHF_EXECINSTR, SHT, STB, STT, type ElfSection, type ElfSymbol } from '../elf/elf.js';
import { INSN_SIZE } from '../insn/insn.js';
import { LineIndex, ProgramIndex, sectionRelocations } from './lookup.js';
import { isDataSection, mapTypeName, parseBtfMaps, parseLegacyMaps, type BpfMap } from './maps.js';
import { classifySection, type SectionDef } from './section-defs.js';

/** A function in a code section: a program libbpf loads, or a subprogram in `.text`. */
export interface BpfProgram {
  /** Function name (libbpf's program name). */
  readonly name: string;
  readonly section: string;
  readonly sectionIndex: number;
  /** Index of the first instruction within the section. */
  readonly insnOffset: number;
  readonly insnCount: number;
  /** `.text` functions are subprograms: linked into callers, never loaded alone. */
  readonly isSubprogram: boolean;
  /** Program type from the section name (`BPF_PROG_TYPE_*` without prefix), if libbpf knows it. */
  readonly progType?: string;
  readonly attachType?: string;
  readonly attachTarget?: string;
  readonly attachBtf: boolean;
  readonly sleepable: boolean;
  readonly autoload: boolean;
  readonly global: boolean;
}

/** A CO-RE relocation record resolved to its program and instruction. */
export interface CoreRelocation {
  /** ELF section of the instruction. */
  readonly section: string;
  /** Index of the record within its `.BTF.ext` section block (libbpf's `relo #N`). */
  readonly index: number;
  /** Instruction index within the section. */
  readonly insn: number;
  /** Program (or subprogram) owning the instruction; undefined if no function covers it. */
  readonly program?: BpfProgram;
  readonly record: CoreReloRecord;
  readonly accessStr: string;
}

export interface SourceLine {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

/**
 * A BPF ELF object (`e_machine` 247, relocatable, 64-bit, either byte order): its programs, maps,
 * license, BTF and BTF.ext, read the way libbpf's `bpf_object__open` reads them.
 */
export class BpfObject {
  readonly elf: ElfFile;
  readonly littleEndian: boolean;
  readonly programs: readonly BpfProgram[];
  readonly maps: readonly BpfMap[];
  readonly license?: string;
  readonly kernelVersion?: number;
  readonly btf?: Btf;
  readonly ext?: BtfExt;
  /** Why `.BTF.ext` could not be used, when it is present but broken (libbpf ignores it then). */
  readonly extError?: CorecheckError;
  // Built on first use and kept with the object: every check against every kernel asks the same
  // questions of it (a fleet run asks them once per kernel), and answering them by scanning all
  // programs or line records per relocation made large objects quadratic.
  private relocationCache?: readonly CoreRelocation[];
  private programIndex?: ProgramIndex<BpfProgram>;
  private lineIndex?: LineIndex;
  private funcInfoIndex?: Map<string, Map<number, number>>;
  private readonly codeRelocations = new Map<number, ReadonlyMap<number, ElfSymbol>>();

  constructor(bytes: Uint8Array, fileOffset = 0) {
    const elf = new ElfFile(bytes, fileOffset);
    const h = 'ELF header';
    if (elf.machine !== EM_BPF) fail('UNSUPPORTED', `${h} e_machine`, fileOffset + 18, `not a BPF object: e_machine is ${elf.machine}, expected ${EM_BPF} (EM_BPF)`);
    if (!elf.class64) fail('UNSUPPORTED', `${h} e_ident[EI_CLASS]`, fileOffset + 4, 'BPF objects are 64-bit ELF');
    if (elf.type !== ET_REL) fail('UNSUPPORTED', `${h} e_type`, fileOffset + 16, `not a relocatable object: e_type is ${elf.type}, expected ${ET_REL} (ET_REL)`);
    this.elf = elf;
    this.littleEndian = elf.littleEndian;
    const btfSec = elf.section('.BTF');
    if (btfSec) this.btf = Btf.parse(elf.data(btfSec), { fileOffset: fileOffset + btfSec.offset });
    const extSec = elf.section('.BTF.ext');
    if (extSec && this.btf) {
      try {
        this.ext = parseBtfExt(elf.data(extSec), fileOffset + extSec.offset);
      } catch (e) {
        // libbpf: "Error loading ELF section .BTF.ext: ... Ignored and continue."
        if (!(e instanceof CorecheckError)) throw e;
        this.extError = e;
      }
    }
    this.programs = this.findPrograms();
    this.maps = this.findMaps();
    const lic = elf.section('license');
    if (lic) {
      const data = elf.data(lic);
      const end = data.indexOf(0);
      this.license = String.fromCharCode(...data.subarray(0, end < 0 ? data.length : end));
    }
    const ver = elf.section('version');
    if (ver && ver.size === 4) this.kernelVersion = elf.sectionView(ver).u32(0, 'version section');
  }

  /** libbpf's `bpf_object__add_programs`: every STT_FUNC symbol in an executable section. */
  private findPrograms(): BpfProgram[] {
    const elf = this.elf;
    const execSections = new Map<number, ElfSection>();
    for (const s of elf.sections) {
      if (s.type === SHT.PROGBITS && s.size > 0 && (s.flags & SHF_EXECINSTR) !== 0) execSections.set(s.index, s);
    }
    const out: BpfProgram[] = [];
    for (const sym of elf.symbols()) {
      const sec = execSections.get(sym.sectionIndex);
      if (!sec || sym.type !== STT.FUNC) continue;
      const st = (): string => `ELF symbol ${sym.index} ('${sym.name}')`;
      if (sym.value % INSN_SIZE !== 0 || sym.size % INSN_SIZE !== 0) {
        fail('MALFORMED', st(), elf.fileOffset + sec.offset, `program '${sym.name}' in section '${sec.name}' is not aligned to whole instructions (offset ${sym.value}, size ${sym.size})`);
      }
      if (sym.value + sym.size > sec.size) {
        fail('MALFORMED', st(), elf.fileOffset + sec.offset, `program '${sym.name}' (offset ${sym.value}, size ${sym.size}) runs past the end of section '${sec.name}' (${sec.size} bytes)`);
      }
      const isSubprogram = sec.name === '.text';
      const cls = classifySection(sec.name);
      const def: SectionDef | undefined = isSubprogram ? undefined : cls.def;
      out.push({
        name: sym.name, section: sec.name, sectionIndex: sec.index,
        insnOffset: sym.value / INSN_SIZE, insnCount: sym.size / INSN_SIZE, isSubprogram,
        progType: def?.progType, attachType: def?.attachType,
        attachTarget: isSubprogram ? undefined : cls.attachTarget,
        attachBtf: def?.attachBtf ?? false, sleepable: def?.sleepable ?? false,
        autoload: !isSubprogram && cls.autoload, global: sym.bind !== STB.LOCAL,
      });
    }
    // libbpf keeps programs sorted by section, then by offset (find_prog_by_sec_insn bisects).
    return out.sort((a, b) => a.sectionIndex - b.sectionIndex || a.insnOffset - b.insnOffset);
  }

  private findMaps(): BpfMap[] {
    const maps: BpfMap[] = [];
    if (this.btf && this.elf.section('.maps')) maps.push(...parseBtfMaps(this.btf));
    maps.push(...parseLegacyMaps(this.elf));
    for (const s of this.elf.sections) {
      if (!isDataSection(s.name) || (s.flags & SHF_EXECINSTR) !== 0) continue;
      maps.push({ name: s.name, origin: 'data', section: s.name, type: 2, typeName: mapTypeName(2), keySize: 4, valueSize: s.size, maxEntries: 1 });
    }
    return maps;
  }

  /** The instructions of a program, as bytes. */
  code(p: BpfProgram): Uint8Array {
    const sec = this.elf.sections[p.sectionIndex];
    return this.elf.data(sec).subarray(p.insnOffset * INSN_SIZE, (p.insnOffset + p.insnCount) * INSN_SIZE);
  }

  /** The program covering instruction `insn` of section `sectionIndex` (libbpf's `find_prog_by_sec_insn`). */
  programAt(sectionIndex: number, insn: number): BpfProgram | undefined {
    this.programIndex ??= new ProgramIndex(this.programs);
    return this.programIndex.at(sectionIndex, insn);
  }

  /** ELF relocations of code section `sectionIndex`, by instruction index within the section. */
  relocationsIn(sectionIndex: number): ReadonlyMap<number, ElfSymbol> {
    let relocs = this.codeRelocations.get(sectionIndex);
    if (!relocs) {
      relocs = sectionRelocations(this.elf, sectionIndex);
      this.codeRelocations.set(sectionIndex, relocs);
    }
    return relocs;
  }

  /** Every CO-RE relocation, in `.BTF.ext` order (section block order, then record order). */
  coreRelocations(): readonly CoreRelocation[] {
    if (this.relocationCache) return this.relocationCache;
    const out: CoreRelocation[] = [];
    const btf = this.btf;
    if (btf && this.ext) {
      for (const block of this.ext.coreRelos) {
        const section = btf.str(block.secNameOff);
        const sec = this.elf.section(section);
        block.records.forEach((record, index) => {
          const insn = Math.floor(record.insnOff / INSN_SIZE);
          const accessStr = btf.strOrUndefined(record.accessStrOff);
          if (accessStr === undefined) {
            fail('MALFORMED', `BTF.ext core_relo record #${index} of '${section}'`, record.fileOffset + 8, `access string offset ${record.accessStrOff} is outside the .BTF string section`);
          }
          out.push({ section, index, insn, program: sec ? this.programAt(sec.index, insn) : undefined, record, accessStr });
        });
      }
    }
    this.relocationCache = out;
    return out;
  }

  /**
   * The BTF FUNC id `.BTF.ext` func_info gives the function starting at a program's first
   * instruction (libbpf passes it to the kernel as the program's prototype).
   */
  funcInfo(p: BpfProgram): number | undefined {
    const btf = this.btf;
    if (!btf || !this.ext) return undefined;
    if (!this.funcInfoIndex) {
      // by section name, then byte offset: the first record in file order, as a scan finds it
      const index = new Map<string, Map<number, number>>();
      for (const block of this.ext.funcInfo) {
        const name = btf.strOrUndefined(block.secNameOff);
        if (name === undefined) continue;
        let byOff = index.get(name);
        if (!byOff) index.set(name, (byOff = new Map()));
        for (const r of block.records) if (!byOff.has(r.insnOff)) byOff.set(r.insnOff, r.typeId);
      }
      this.funcInfoIndex = index;
    }
    return this.funcInfoIndex.get(p.section)?.get(p.insnOffset * INSN_SIZE);
  }

  /** The source line that covers instruction `insn` of `section`, from `.BTF.ext` line_info. */
  sourceLine(section: string, insn: number): SourceLine | undefined {
    const btf = this.btf;
    if (!btf || !this.ext) return undefined;
    this.lineIndex ??= new LineIndex(btf, this.ext.lineInfo);
    const best = this.lineIndex.at(section, insn * INSN_SIZE);
    if (!best) return undefined;
    return {
      file: btf.strOrUndefined(best.fileNameOff) ?? '',
      line: best.line,
      column: best.column,
      text: btf.strOrUndefined(best.lineOff) ?? '',
    };
  }
}
