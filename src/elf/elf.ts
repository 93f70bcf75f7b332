import { ByteView, latin1 } from '../common/bytes.js';
import { fail } from '../common/errors.js';

export const EM_BPF = 247;
export const ET_REL = 1;
export const SHT = { NULL: 0, PROGBITS: 1, SYMTAB: 2, STRTAB: 3, RELA: 4, NOBITS: 8, REL: 9 } as const;
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const STT = { NOTYPE: 0, OBJECT: 1, FUNC: 2, SECTION: 3, FILE: 4 } as const;
export const STB = { LOCAL: 0, GLOBAL: 1, WEAK: 2 } as const;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_XINDEX = 0xffff;

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
}

export interface ElfSymbol {
  readonly index: number;
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** STT_* */
  readonly type: number;
  /** STB_* */
  readonly bind: number;
  /** st_other & 3: visibility */
  readonly visibility: number;
  readonly sectionIndex: number;
}

export interface ElfRelocation {
  /** Offset inside the section the relocations apply to. */
  readonly offset: number;
  readonly symbol: number;
  readonly type: number;
}

/**
 * An ELF file (32- or 64-bit, either byte order): header, section table and, on demand, symbols
 * and relocations. Every offset and size is checked against the file, so a truncated or hostile
 * file fails with the structure and byte offset instead of reading garbage.
 */
export class ElfFile {
  readonly class64: boolean;
  readonly littleEndian: boolean;
  readonly type: number;
  readonly machine: number;
  readonly sections: readonly ElfSection[];
  /** Bytes the file occupies according to its headers (for objects embedded in other files). */
  readonly extent: number;
  private symbolCache?: readonly ElfSymbol[];
  private sectionsByName?: Map<string, ElfSection>;
  private readonly view: ByteView;

  constructor(readonly bytes: Uint8Array, fileOffset = 0) {
    const view = new ByteView(bytes, true, fileOffset);
    this.view = view;
    view.need(0, 16, 'ELF identification');
    if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
      fail('BAD_MAGIC', 'ELF header', fileOffset, 'not an ELF file (no \\x7fELF magic)');
    }
    const cls = bytes[4];
    const data = bytes[5];
    if (cls !== 1 && cls !== 2) fail('MALFORMED', 'ELF header e_ident[EI_CLASS]', fileOffset + 4, `invalid ELF class ${cls}`);
    if (data !== 1 && data !== 2) fail('MALFORMED', 'ELF header e_ident[EI_DATA]', fileOffset + 5, `invalid ELF data encoding ${data}`);
    this.class64 = cls === 2;
    this.littleEndian = data === 1;
    view.littleEndian = this.littleEndian;
    const h = 'ELF header';
    this.type = view.u16(16, h);
    this.machine = view.u16(18, h);
    const shoff = this.class64 ? view.u64n(40, h) : view.u32(32, h);
    const shentsize = view.u16(this.class64 ? 58 : 46, h);
    let shnum = view.u16(this.class64 ? 60 : 48, h);
    let shstrndx = view.u16(this.class64 ? 62 : 50, h);
    const ehsize = view.u16(this.class64 ? 52 : 40, h);
    let extent = Math.max(ehsize, this.class64 ? 64 : 52);
    const wantEntsize = this.class64 ? 64 : 40;
    const sections: (ElfSection & { nameOff: number })[] = [];
    if (shoff !== 0) {
      if (shentsize !== wantEntsize) fail('MALFORMED', 'ELF header e_shentsize', fileOffset + (this.class64 ? 58 : 46), `section header size ${shentsize}, expected ${wantEntsize}`);
      // Extended numbering: the real counts live in section header 0.
      if (shnum === 0 || shstrndx === SHN_XINDEX) {
        const s0 = this.readSectionHeader(shoff, 0);
        if (shnum === 0) shnum = s0.size;
        if (shstrndx === SHN_XINDEX) shstrndx = s0.link;
      }
      view.need(shoff, shnum * shentsize, `ELF section header table (${shnum} entries)`);
      for (let i = 0; i < shnum; i++) sections.push(this.readSectionHeader(shoff + i * shentsize, i));
      extent = Math.max(extent, shoff + shnum * shentsize);
    }
    for (const s of sections) {
      if (s.type !== SHT.NOBITS && s.type !== SHT.NULL) {
        view.need(s.offset, s.size, `ELF section header ${s.index} (data of ${s.size} bytes at ${s.offset})`);
        extent = Math.max(extent, s.offset + s.size);
      }
    }
    // Names come from the section-name string table, once all headers are known.
    let named: ElfSection[] = sections;
    if (sections.length > 0) {
      if (shstrndx >= sections.length) fail('MALFORMED', 'ELF header e_shstrndx', fileOffset + (this.class64 ? 62 : 50), `section name table index ${shstrndx} is out of range (${sections.length} sections)`);
      const strtab = sections[shstrndx];
      // spelled out rather than spread: one object shape, made in one go
      named = sections.map((s) => ({
        index: s.index, name: this.stringAt(strtab, s.nameOff, () => `ELF section header ${s.index} sh_name`), type: s.type, flags: s.flags,
        offset: s.offset, size: s.size, link: s.link, info: s.info, addralign: s.addralign, entsize: s.entsize,
      }));
    }
    this.sections = named;
    this.extent = extent;
  }

  private readSectionHeader(off: number, index: number): ElfSection & { nameOff: number } {
    const v = this.view;
    const st = `ELF section header ${index}`;
    if (this.class64) {
      v.need(off, 64, st);
      return {
        index, name: '', nameOff: v.u32(off, st), type: v.u32(off + 4, st), flags: v.u64n(off + 8, st),
        offset: v.u64n(off + 24, st), size: v.u64n(off + 32, st), link: v.u32(off + 40, st), info: v.u32(off + 44, st),
        addralign: v.u64n(off + 48, st), entsize: v.u64n(off + 56, st),
      };
    }
    v.need(off, 40, st);
    return {
      index, name: '', nameOff: v.u32(off, st), type: v.u32(off + 4, st), flags: v.u32(off + 8, st),
      offset: v.u32(off + 16, st), size: v.u32(off + 20, st), link: v.u32(off + 24, st), info: v.u32(off + 28, st),
      addralign: v.u32(off + 32, st), entsize: v.u32(off + 36, st),
    };
  }

  /** Absolute offset of this ELF within its enclosing file. */
  get fileOffset(): number {
    return this.view.base;
  }

  /** The name at `off` of `strtab`; `structure` (made only on failure) names what refers to it. */
  private stringAt(strtab: ElfSection, off: number, structure: () => string): string {
    if (strtab.offset + strtab.size > this.bytes.length) {
      fail('TRUNCATED', `ELF section ${strtab.index} (string table)`, this.view.base + Math.min(strtab.offset, this.bytes.length),
        `section of ${strtab.size} bytes at offset ${strtab.offset} runs past the end of the ELF file (${this.bytes.length} bytes)`);
    }
    if (strtab.type === SHT.NOBITS || off >= strtab.size) {
      fail('MALFORMED', structure(), this.view.base + strtab.offset, `string offset ${off} is outside string table section ${strtab.index} (${strtab.size} bytes)`);
    }
    const b = this.bytes;
    const start = strtab.offset + off;
    const end = strtab.offset + strtab.size;
    let nul = start;
    while (nul < end && b[nul] !== 0) nul++;
    if (nul >= end) fail('MALFORMED', structure(), this.view.base + start, `string in section ${strtab.index} is not NUL-terminated`);
    return latin1(b, start, nul);
  }

  /** The first section of that name (libbpf's `elf_sec_by_name`). */
  section(name: string): ElfSection | undefined {
    if (!this.sectionsByName) {
      // built on first use: CO-RE and reports look sections up by name once per relocation
      this.sectionsByName = new Map();
      for (const s of this.sections) if (!this.sectionsByName.has(s.name)) this.sectionsByName.set(s.name, s);
    }
    return this.sectionsByName.get(name);
  }

  /** The bytes of a section (empty for NOBITS). */
  data(s: ElfSection): Uint8Array {
    if (s.type === SHT.NOBITS) return new Uint8Array(0);
    return this.bytes.subarray(s.offset, s.offset + s.size);
  }

  /** A bounds-checked view of a section's bytes, in the file's byte order, with absolute offsets. */
  sectionView(s: ElfSection): ByteView {
    return new ByteView(this.data(s), this.littleEndian, this.view.base + s.offset);
  }

  /** Symbols of the (single) SHT_SYMTAB, index 0 included. */
  symbols(): readonly ElfSymbol[] {
    if (this.symbolCache) return this.symbolCache;
    const symtab = this.sections.find((s) => s.type === SHT.SYMTAB);
    const out: ElfSymbol[] = [];
    if (symtab) {
      const entsize = this.class64 ? 24 : 16;
      if (symtab.link >= this.sections.length) fail('MALFORMED', `ELF section header ${symtab.index} sh_link`, this.view.base + symtab.offset, `symbol string table index ${symtab.link} is out of range`);
      const strtab = this.sections[symtab.link];
      const v = this.sectionView(symtab);
      const n = Math.floor(symtab.size / entsize);
      // every entry lies inside the section, which lies inside the file: the reads below cannot fail
      const d = v.view;
      const le = this.littleEndian;
      for (let i = 0; i < n; i++) {
        const o = i * entsize;
        const nameOff = d.getUint32(o, le);
        const info = v.bytes[this.class64 ? o + 4 : o + 12];
        const other = v.bytes[this.class64 ? o + 5 : o + 13];
        const shndx = d.getUint16(this.class64 ? o + 6 : o + 14, le);
        const st = (): string => `ELF symbol ${i}`;
        const value = this.class64 ? u64Exact(v, o + 8, st) : d.getUint32(o + 4, le);
        const size = this.class64 ? u64Exact(v, o + 16, st) : d.getUint32(o + 8, le);
        out.push({
          index: i, name: nameOff === 0 ? '' : this.stringAt(strtab, nameOff, st), value, size,
          type: info & 0xf, bind: info >>> 4, visibility: other & 3,
          sectionIndex: shndx === SHN_UNDEF || shndx >= SHN_LORESERVE ? -shndx : shndx,
        });
      }
    }
    this.symbolCache = out;
    return out;
  }

  /** Relocation sections (REL or RELA) that apply to section `target`. */
  relocationSectionsFor(target: ElfSection): ElfSection[] {
    return this.sections.filter((s) => (s.type === SHT.REL || s.type === SHT.RELA) && s.info === target.index);
  }

  relocations(s: ElfSection): ElfRelocation[] {
    const rela = s.type === SHT.RELA;
    const entsize = this.class64 ? (rela ? 24 : 16) : rela ? 12 : 8;
    const v = this.sectionView(s);
    const n = Math.floor(s.size / entsize);
    const out: ElfRelocation[] = [];
    for (let i = 0; i < n; i++) {
      const o = i * entsize;
      const st = `ELF relocation ${i} of section ${s.name}`;
      if (this.class64) {
        const info = v.u64(o + 8, st);
        out.push({ offset: v.u64n(o, st), symbol: Number(info >> 32n), type: Number(info & 0xffffffffn) });
      } else {
        const info = v.u32(o + 4, st);
        out.push({ offset: v.u32(o, st), symbol: info >>> 8, type: info & 0xff });
      }
    }
    return out;
  }
}

/** `v.u64n` of 8 bytes known to lie inside `v`, naming the structure only when the value is out of range. */
function u64Exact(v: ByteView, off: number, structure: () => string): number {
  const lo = v.view.getUint32(v.littleEndian ? off : off + 4, v.littleEndian);
  const hi = v.view.getUint32(v.littleEndian ? off + 4 : off, v.littleEndian);
  return hi < 0x200000 ? hi * 0x100000000 + lo : v.u64n(off, structure());
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}
