import { ByteView, HOST_LITTLE_ENDIAN, cString } from '../common/bytes.js';
import { CorecheckError, fail } from '../common/errors.js';
import { Kind, KIND_MAX, isModOrTypedef, kindName, trailerSize } from './kinds.js';
import type { BtfType, Member, EnumValue, Enum64Value, Param, VarSecinfo } from './types.js';
import { findValueCycle } from './cycles.js';
import { essentialName } from './essential.js';
import { NameIndex, type NameIndexParts } from './name-index.js';

export const BTF_MAGIC = 0xeb9f;
/** The only BTF version there is. */
export const BTF_VERSION = 1;
/** `sizeof(struct btf_header)`: the least `hdr_len`, and what every producer writes. */
export const BTF_HEADER_SIZE = 24;
const TYPE_HEADER_SIZE = 12;

export interface BtfHeader {
  readonly littleEndian: boolean;
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
  readonly typeOff: number;
  readonly typeLen: number;
  readonly strOff: number;
  readonly strLen: number;
}

export interface BtfParseOptions {
  /** Base BTF for split BTF (a module's BTF on its vmlinux). */
  readonly base?: Btf;
}

/**
 * What parsing a base BTF computes that does not depend on anything but its bytes: each type's
 * record offset and the two name indexes. `kernel-index.ts` stores it so that a kernel parsed
 * again (a warm fleet run) skips the scans; it is only ever taken for the bytes it was made from.
 */
export interface BtfIndex {
  /** Per type (id 1 on), the index of its record's first word in the type section. */
  readonly offsets: Uint32Array;
  /** The index of types by essential name (`Btf.ownTypesByEssentialName`). */
  readonly typeNames: NameIndexParts;
  /** The index of functions, variables, sections and declaration tags by name. */
  readonly dataNames: NameIndexParts;
}

/** Reads and checks a BTF header; `view` starts at the header. */
export function parseBtfHeader(view: ByteView): BtfHeader {
  view.need(0, BTF_HEADER_SIZE, 'BTF header');
  const b = view.bytes;
  let littleEndian: boolean;
  if (b[0] === 0x9f && b[1] === 0xeb) littleEndian = true;
  else if (b[0] === 0xeb && b[1] === 0x9f) littleEndian = false;
  else fail('BAD_MAGIC', 'BTF header', view.base, `bad BTF magic 0x${(b[0] | (b[1] << 8)).toString(16)} (expected 0xeb9f)`);
  view.littleEndian = littleEndian;
  const h: BtfHeader = {
    littleEndian,
    version: b[2],
    flags: b[3],
    hdrLen: view.u32(4, 'BTF header'),
    typeOff: view.u32(8, 'BTF header'),
    typeLen: view.u32(12, 'BTF header'),
    strOff: view.u32(16, 'BTF header'),
    strLen: view.u32(20, 'BTF header'),
  };
  if (h.version !== BTF_VERSION) fail('UNSUPPORTED', 'BTF header', view.base + 2, `unsupported BTF version ${h.version}`);
  if (h.hdrLen < BTF_HEADER_SIZE) fail('MALFORMED', 'BTF header', view.base + 4, `hdr_len ${h.hdrLen} is smaller than ${BTF_HEADER_SIZE}`);
  if (h.hdrLen > view.length) fail('TRUNCATED', 'BTF header', view.base + 4, `hdr_len ${h.hdrLen} runs past the end of the data (${view.length} bytes)`);
  const meta = view.length - h.hdrLen;
  if (h.strOff + h.strLen > meta) fail('TRUNCATED', 'BTF string section', view.base + h.hdrLen + Math.min(h.strOff, meta), `str_off ${h.strOff} + str_len ${h.strLen} runs past the end of the data (${meta} bytes after the header)`);
  if (h.typeOff + h.typeLen > meta) fail('TRUNCATED', 'BTF type section', view.base + h.hdrLen + Math.min(h.typeOff, meta), `type_off ${h.typeOff} + type_len ${h.typeLen} runs past the end of the data`);
  // libbpf's btf_parse_hdr: the type section must end before the string section starts.
  if (h.typeOff + h.typeLen > h.strOff) fail('MALFORMED', 'BTF header', view.base + 8, `type section (${h.typeOff} + ${h.typeLen}) runs into the string section at ${h.strOff}`);
  if (h.typeOff % 4 !== 0) fail('MALFORMED', 'BTF header', view.base + 8, `type section offset ${h.typeOff} is not 4-byte aligned`);
  return h;
}

/**
 * A parsed BTF blob. Types are indexed (one offset per id) in a single pass and materialized into
 * `BtfType` values only when asked for; names are indexed on first lookup. Ids are global across a
 * split BTF and its base, as in libbpf: a split BTF's first id is its base's type count.
 */
export class Btf {
  readonly header: BtfHeader;
  readonly littleEndian: boolean;
  /** First id stored in this blob: 1 for a base BTF, base.typeCount for split BTF. */
  readonly firstId: number;
  /** Number of ids including void and the base's types (libbpf's `btf__type_cnt`). */
  readonly typeCount: number;
  /** First string offset owned by this blob (base's total string length for split BTF). */
  readonly firstStrOff: number;
  /** Total string length of base and this blob. */
  readonly strEnd: number;
  private readonly view: ByteView;
  /** Per local type, the index in `words` where its record starts. */
  private readonly typeWords: Uint32Array;
  private readonly strStart: number;
  /** Byte offset of the type section within the blob. */
  private readonly typeStart: number;
  /** The type section as u32 words in host order (swapped or copied once if needed). */
  private readonly words: Uint32Array;
  private readonly nameCache = new Map<number, string>();
  private readonly typeCache: (BtfType | undefined)[] = [];
  /**
   * Names are indexed in two halves, each built on first lookup in it: types (structs, enums,
   * typedefs, ...) by essential name, CO-RE's candidate key (`task_struct___v2` is found under
   * `task_struct`), and data (functions, variables, sections, declaration tags: most of a
   * kernel's names) by exact name. A check against a kernel then indexes each type once: CO-RE's
   * candidate search and exact lookups of types share the first half, and the second is built
   * only when a function or variable is looked up.
   */
  private typeIndex?: NameIndex;
  private dataIndex?: NameIndex;
  /** Exact-name lookups answered by a scan so far, per half; its index is built after `SCANS`. */
  private typeScans = 0;
  private dataScans = 0;
  /**
   * What `firstNamed` answered for one kind (`kind:name` → id, or null for none), so that `find`
   * and `hasOwn` need no scan or index for a name a batch lookup already found: a check's prefetch
   * looks up its attach targets, which the attach-signature rule then asks for one by one.
   */
  private readonly firstFound = new Map<string, number | null>();

  private constructor(readonly bytes: Uint8Array, readonly base: Btf | undefined, fileOffset: number, index?: BtfIndex, checkIndex = true) {
    const view = new ByteView(bytes, true, fileOffset);
    this.view = view;
    this.header = parseBtfHeader(view);
    this.littleEndian = this.header.littleEndian;
    const h = this.header;
    if (base && base.littleEndian !== this.littleEndian) {
      fail('MALFORMED', 'BTF header', fileOffset, 'split BTF and its base BTF have different byte orders');
    }
    this.firstId = base ? base.typeCount : 1;
    this.firstStrOff = base ? base.strEnd : 0;
    this.strStart = h.hdrLen + h.strOff;
    this.strEnd = this.firstStrOff + h.strLen;
    this.checkStrings();
    this.typeStart = h.hdrLen + h.typeOff;
    this.words = hostOrderWords(bytes, this.typeStart, h.typeLen, this.littleEndian);
    if (index) {
      // The index was made from these bytes after they passed the checks below (its maker checks
      // that they are the same bytes); what is cheap to check of it is checked here all the same.
      this.typeWords = checkIndex ? this.checkedOffsets(index.offsets) : index.offsets;
      this.typeCount = this.firstId + this.typeWords.length;
      if (!index.typeNames.slotLen || index.dataNames.slotLen) fail('MALFORMED', 'kernel index', -1, 'types must be indexed by essential name, data by whole name');
      this.typeIndex = this.indexFromParts(index.typeNames, checkIndex);
      this.dataIndex = this.indexFromParts(index.dataNames, checkIndex);
      return;
    }
    const scan = this.indexTypes();
    this.typeWords = scan.offsets;
    this.typeCount = this.firstId + this.typeWords.length;
    if (scan.maxTypeRef >= this.typeCount || scan.maxNameOff >= this.strEnd || !this.funcProtosValid()) this.validateTypes();
    this.checkNoValueCycles();
  }

  static parse(bytes: Uint8Array, options: BtfParseOptions & { fileOffset?: number } = {}): Btf {
    return new Btf(bytes, options.base, options.fileOffset ?? 0);
  }

  /**
   * A base BTF parsed with an index `index()` gave for the same bytes (see `kernel-index.ts`, which
   * checks that they are): no scan of the types, no validation, no name index to build. The
   * index's offsets and name tables are checked against the bytes (a linear pass over each) unless
   * `checkIndex` is false, for an index whose bytes are known to be what `index()` gave.
   */
  static parseIndexed(bytes: Uint8Array, index: BtfIndex, checkIndex = true): Btf {
    return new Btf(bytes, undefined, 0, index, checkIndex);
  }

  /** This BTF's offsets and name indexes (built now if they are not yet), for `parseIndexed`. */
  index(): BtfIndex {
    this.indexNames();
    return { offsets: this.typeWords, typeNames: this.typeIndex!.parts(), dataNames: this.dataIndex!.parts() };
  }

  /** Given offsets if each record starts where the one before it ends, from the first word to the last. */
  private checkedOffsets(offsets: Uint32Array): Uint32Array {
    const w = this.words;
    let at = 0;
    for (let i = 0; i < offsets.length; i++) {
      if (offsets[i] !== at || at + 3 > w.length) fail('MALFORMED', 'kernel index', -1, `type [${i + this.firstId}] does not start at word ${offsets[i]}`);
      const info = w[at + 1];
      const kind = (info >>> 24) & 0x1f;
      if (kind === Kind.UNKN || kind > KIND_MAX) fail('MALFORMED', 'kernel index', -1, `type [${i + this.firstId}] has unknown kind ${kind}`);
      at += 3 + (trailerSize(kind, info & 0xffff) >>> 2);
    }
    if (at !== w.length) fail('MALFORMED', 'kernel index', -1, `the index's ${offsets.length} types end at word ${at}, the type section at ${w.length}`);
    return offsets;
  }

  private indexFromParts(parts: NameIndexParts, check: boolean): NameIndex {
    const index = NameIndex.fromParts(this.bytes, this.firstId, this.typeWords.length, parts, check);
    return typeof index === 'string' ? fail('MALFORMED', 'kernel index', -1, index) : index;
  }

  /** Offset of this blob within its file (for error messages). */
  get fileOffset(): number {
    return this.view.base;
  }

  private checkStrings(): void {
    const h = this.header;
    const b = this.bytes;
    const at = this.view.base + this.strStart;
    if (!this.base) {
      if (h.strLen === 0 || b[this.strStart] !== 0) fail('MALFORMED', 'BTF string section', at, 'string section must start with an empty string');
    }
    if (h.strLen > 0 && b[this.strStart + h.strLen - 1] !== 0) {
      fail('MALFORMED', 'BTF string section', at + h.strLen - 1, 'string section is not NUL-terminated');
    }
  }

  /**
   * One pass over the type section: the offset of each record with its size checked, and the largest
   * type id and name offset referenced, so the common (valid) case needs no second pass.
   */
  private indexTypes(): { offsets: Uint32Array; maxTypeRef: number; maxNameOff: number } {
    const w = this.words;
    const nWords = w.length;
    const base = this.view.base + this.typeStart;
    // Kernel records average about ten words; growing by doubling from an eighth of the words keeps
    // the unused tail of the view small.
    let offsets = new Uint32Array(Math.max(16, nWords >>> 3));
    let n = 0;
    let i = 0;
    let maxRef = 0;
    let maxName = 0;
    const remaining = this.header.typeLen;
    if (remaining % 4 !== 0) {
      fail('TRUNCATED', 'BTF type section', base + remaining - (remaining % 4), `type section length ${remaining} is not a multiple of 4`);
    }
    while (i < nWords) {
      if (i + 3 > nWords) {
        fail('TRUNCATED', `BTF type [${this.firstId + n}]`, base + i * 4, `type record needs ${TYPE_HEADER_SIZE} bytes, only ${(nWords - i) * 4} left in the type section`);
      }
      const nameOff = w[i];
      const info = w[i + 1];
      const st = w[i + 2];
      const kind = (info >>> 24) & 0x1f;
      const vlen = info & 0xffff;
      const extra = kind === Kind.UNKN || kind > KIND_MAX ? -1 : trailerSize(kind, vlen);
      if (extra < 0) fail('MALFORMED', `BTF type [${this.firstId + n}]`, base + i * 4 + 4, `unknown BTF kind ${kind}`);
      const words = 3 + (extra >>> 2);
      if (i + words > nWords) {
        fail('TRUNCATED', `BTF type [${this.firstId + n}] ${kindName(kind)} vlen=${vlen}`, base + i * 4, `type record of ${words * 4} bytes runs past the end of the type section (${(nWords - i) * 4} bytes left)`);
      }
      if (nameOff > maxName) maxName = nameOff;
      const p = i + 3;
      switch (kind) {
        case Kind.PTR: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT:
        case Kind.TYPE_TAG: case Kind.VAR: case Kind.DECL_TAG: case Kind.FUNC_PROTO: case Kind.FUNC:
          if (st > maxRef) maxRef = st;
          if (kind === Kind.FUNC_PROTO) {
            for (let j = p, e = p + 2 * vlen; j < e; j += 2) {
              if (w[j] > maxName) maxName = w[j];
              if (w[j + 1] > maxRef) maxRef = w[j + 1];
            }
          }
          break;
        case Kind.ARRAY:
          if (w[p] > maxRef) maxRef = w[p];
          if (w[p + 1] > maxRef) maxRef = w[p + 1];
          break;
        case Kind.STRUCT: case Kind.UNION:
          for (let j = p, e = p + 3 * vlen; j < e; j += 3) {
            if (w[j] > maxName) maxName = w[j];
            if (w[j + 1] > maxRef) maxRef = w[j + 1];
          }
          break;
        case Kind.ENUM:
          for (let j = p, e = p + 2 * vlen; j < e; j += 2) if (w[j] > maxName) maxName = w[j];
          break;
        case Kind.ENUM64:
          for (let j = p, e = p + 3 * vlen; j < e; j += 3) if (w[j] > maxName) maxName = w[j];
          break;
        case Kind.DATASEC:
          for (let j = p, e = p + 3 * vlen; j < e; j += 3) if (w[j] > maxRef) maxRef = w[j];
          break;
      }
      if (n === offsets.length) {
        const grown = new Uint32Array(offsets.length * 2);
        grown.set(offsets);
        offsets = grown;
      }
      offsets[n++] = i;
      i += words;
    }
    if (this.firstId + n > 0x7fffffff) fail('MALFORMED', 'BTF type section', base, 'too many types');
    // A view, not a copy: the unused tail is smaller than a second array would be.
    return { offsets: offsets.subarray(0, n), maxTypeRef: maxRef, maxNameOff: maxName };
  }

  private checkNoValueCycles(): void {
    const cycle = findValueCycle({ words: this.words, wordIndex: this.typeWords, firstId: this.firstId });
    if (!cycle) return;
    const id = cycle[0];
    fail('MALFORMED', `BTF type [${id}] ${kindName(this.kind(id))}`, this.fileOffset + this.recordOffset(id),
      `type cycle: the type contains itself by value (${cycle.map((c) => `[${c}]`).join(' -> ')})`);
  }

  /** Whether every FUNC refers to a FUNC_PROTO (the one reference check that needs the kind of the target). */
  private funcProtosValid(): boolean {
    const w = this.words;
    const starts = this.typeWords;
    const first = this.firstId;
    for (let i = 0; i < starts.length; i++) {
      const at = starts[i];
      if (((w[at + 1] >>> 24) & 0x1f) !== Kind.FUNC) continue;
      const proto = w[at + 2];
      const local = proto - first;
      const kind = local >= 0 && local < starts.length ? (w[starts[local] + 1] >>> 24) & 0x1f : this.kind(proto);
      if (kind !== Kind.FUNC_PROTO) return false;
    }
    return true;
  }

  /**
   * Checks every name offset and referenced type id, as libbpf's `btf_validate_type` does, and fails on
   * the first bad one. Only run when the fast scan saw a reference out of range.
   */
  private validateTypes(): void {
    const count = this.typeCount;
    for (let id = this.firstId; id < count; id++) {
      const off = this.recordOffset(id);
      const kind = this.kind(id);
      const where = (detail: string, at = off): never =>
        fail('MALFORMED', `BTF type [${id}] ${kindName(kind)}`, this.view.base + at, detail);
      const checkName = (nameOff: number, at: number): void => {
        if (nameOff >= this.strEnd) where(`name offset ${nameOff} is outside the string section (${this.strEnd} bytes)`, at);
      };
      const checkId = (ref: number, at: number): void => {
        if (ref >= count) where(`references type id ${ref}, but the last type id is ${count - 1}`, at);
      };
      checkName(this.u32(off), off);
      const vlen = this.vlen(id);
      switch (kind) {
        case Kind.PTR: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT:
        case Kind.TYPE_TAG: case Kind.VAR: case Kind.DECL_TAG:
          checkId(this.u32(off + 8), off + 8);
          break;
        case Kind.FUNC: {
          const proto = this.u32(off + 8);
          checkId(proto, off + 8);
          if (this.kind(proto) !== Kind.FUNC_PROTO) where(`type id ${proto} is ${kindName(this.kind(proto))}, not FUNC_PROTO`, off + 8);
          break;
        }
        case Kind.ARRAY:
          checkId(this.u32(off + 12), off + 12);
          checkId(this.u32(off + 16), off + 16);
          break;
        case Kind.STRUCT: case Kind.UNION:
          for (let i = 0, m = off + 12; i < vlen; i++, m += 12) {
            checkName(this.u32(m), m);
            checkId(this.u32(m + 4), m + 4);
          }
          break;
        case Kind.ENUM:
          for (let i = 0, m = off + 12; i < vlen; i++, m += 8) checkName(this.u32(m), m);
          break;
        case Kind.ENUM64:
          for (let i = 0, m = off + 12; i < vlen; i++, m += 12) checkName(this.u32(m), m);
          break;
        case Kind.FUNC_PROTO:
          checkId(this.u32(off + 8), off + 8);
          for (let i = 0, m = off + 12; i < vlen; i++, m += 8) {
            checkName(this.u32(m), m);
            checkId(this.u32(m + 4), m + 4);
          }
          break;
        case Kind.DATASEC:
          for (let i = 0, m = off + 12; i < vlen; i++, m += 12) checkId(this.u32(m), m);
          break;
      }
    }
  }

  private u32(off: number): number {
    return this.words[(off - this.typeStart) >>> 2];
  }

  /** A u32 at a byte offset inside this blob, in its byte order (for walkers over raw records). */
  readU32(off: number): number {
    return this.u32(off);
  }

  /** Byte offset of a type record within this blob (for error messages and raw readers). */
  recordOffset(id: number): number {
    return this.typeStart + this.typeWords[id - this.firstId] * 4;
  }

  /** The Btf that stores `id` (this one or a base). */
  private owner(id: number): Btf {
    let btf: Btf = this;
    while (id < btf.firstId && btf.base) btf = btf.base;
    return btf;
  }

  hasType(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.typeCount;
  }

  private requireId(id: number): void {
    if (!this.hasType(id)) {
      throw new CorecheckError('MALFORMED', 'BTF type id', -1, `type id ${id} does not exist (last is ${this.typeCount - 1})`);
    }
  }

  private info(id: number): number {
    if (id === 0) return 0;
    if (id < this.firstId) return this.owner(id).info(id);
    return this.words[this.typeWords[id - this.firstId] + 1];
  }

  kind(id: number): number {
    return (this.info(id) >>> 24) & 0x1f;
  }
  vlen(id: number): number {
    return this.info(id) & 0xffff;
  }
  kflag(id: number): boolean {
    return this.info(id) >>> 31 === 1;
  }
  nameOff(id: number): number {
    if (id === 0) return 0;
    if (id < this.firstId) return this.owner(id).nameOff(id);
    return this.words[this.typeWords[id - this.firstId]];
  }
  /** The `size` / `type` union word of a type record. */
  sizeOrType(id: number): number {
    if (id === 0) return 0;
    if (id < this.firstId) return this.owner(id).sizeOrType(id);
    return this.words[this.typeWords[id - this.firstId] + 2];
  }
  name(id: number): string {
    return this.str(this.nameOff(id));
  }
  /**
   * Word `k` after a record's three header words (members, enumerators, parameters, array and int
   * data), read in place: hot paths over big kernels read entries without decoding whole types.
   * `k` must lie inside the record (callers bound it by `vlen`).
   */
  entryWord(id: number, k: number): number {
    if (id < this.firstId && this.base) return this.base.entryWord(id, k);
    return this.words[this.typeWords[id - this.firstId] + 3 + k];
  }

  /** String at `off` in the combined (base + split) string table; undefined if out of range. */
  strOrUndefined(off: number): string | undefined {
    if (off < this.firstStrOff) return this.base?.strOrUndefined(off);
    let s = this.nameCache.get(off);
    if (s !== undefined) return s;
    if (off >= this.strEnd) return undefined;
    s = cString(this.bytes.subarray(0, this.strStart + this.header.strLen), this.strStart + off - this.firstStrOff);
    if (s !== undefined) this.nameCache.set(off, s);
    return s;
  }
  /**
   * Whether the string at `off` is `s`: compared in place, without decoding or caching the string
   * (a member search compares one name with each member's). Out of range: `str`'s error.
   */
  strIs(off: number, s: string): boolean {
    if (off < this.firstStrOff) return this.base ? this.base.strIs(off, s) : this.str(off) === s;
    if (off >= this.strEnd) return this.str(off) === s;
    const b = this.bytes;
    const at = this.strStart + off - this.firstStrOff;
    const end = this.strStart + this.header.strLen;
    const n = s.length;
    if (at + n >= end) return this.str(off) === s;
    for (let i = 0; i < n; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
    return b[at + n] === 0;
  }
  str(off: number): string {
    const s = this.strOrUndefined(off);
    if (s === undefined) {
      throw new CorecheckError('MALFORMED', 'BTF string offset', -1, `string offset ${off} is outside the string section (${this.strEnd} bytes)`);
    }
    return s;
  }

  /** The decoded type with id `id` (cached). */
  type(id: number): BtfType {
    this.requireId(id);
    if (id < this.firstId && id !== 0) return this.owner(id).type(id);
    let t = this.typeCache[id];
    if (!t) {
      t = this.decode(id);
      this.typeCache[id] = t;
    }
    return t;
  }

  /** Decodes a type without caching it (for streaming over every type). */
  decode(id: number): BtfType {
    this.requireId(id);
    if (id === 0) return { id: 0, kind: Kind.UNKN, name: 'void', nameOff: 0 };
    if (id < this.firstId) return this.owner(id).decode(id);
    const off = this.recordOffset(id);
    const info = this.u32(off + 4);
    const kind = ((info >>> 24) & 0x1f) as Kind;
    const vlen = info & 0xffff;
    const kflag = info >>> 31 === 1;
    const nameOff = this.u32(off);
    const name = this.str(nameOff);
    const st = this.u32(off + 8);
    const p = off + 12;
    switch (kind) {
      case Kind.INT: {
        const enc = this.u32(p);
        return { id, kind, name, nameOff, size: st, encoding: (enc >>> 24) & 0x0f, bitsOffset: (enc >>> 16) & 0xff, bits: enc & 0xff };
      }
      case Kind.PTR: case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT:
        return { id, kind, name, nameOff, type: st } as BtfType;
      case Kind.TYPE_TAG:
        return { id, kind, name, nameOff, type: st, attribute: kflag };
      case Kind.ARRAY:
        return { id, kind, name, nameOff, type: this.u32(p), indexType: this.u32(p + 4), nelems: this.u32(p + 8) };
      case Kind.STRUCT: case Kind.UNION: {
        const members: Member[] = new Array(vlen);
        for (let i = 0, m = p; i < vlen; i++, m += 12) {
          const mNameOff = this.u32(m);
          const raw = this.u32(m + 8);
          members[i] = {
            name: this.str(mNameOff), nameOff: mNameOff, type: this.u32(m + 4), rawOffset: raw,
            bitOffset: kflag ? raw & 0xffffff : raw, bitfieldSize: kflag ? raw >>> 24 : 0,
          };
        }
        return { id, kind, name, nameOff, size: st, kflag, members } as BtfType;
      }
      case Kind.ENUM: {
        const values: EnumValue[] = new Array(vlen);
        for (let i = 0, m = p; i < vlen; i++, m += 8) {
          const vNameOff = this.u32(m);
          values[i] = { name: this.str(vNameOff), nameOff: vNameOff, raw: this.u32(m + 4) };
        }
        return { id, kind, name, nameOff, size: st, signed: kflag, values };
      }
      case Kind.ENUM64: {
        const values: Enum64Value[] = new Array(vlen);
        for (let i = 0, m = p; i < vlen; i++, m += 12) {
          const vNameOff = this.u32(m);
          const raw = (BigInt(this.u32(m + 8)) << 32n) | BigInt(this.u32(m + 4));
          values[i] = { name: this.str(vNameOff), nameOff: vNameOff, raw };
        }
        return { id, kind, name, nameOff, size: st, signed: kflag, values };
      }
      case Kind.FWD:
        return { id, kind, name, nameOff, union: kflag, unusedWord: st };
      case Kind.FUNC:
        return { id, kind, name, nameOff, type: st, linkage: vlen };
      case Kind.FUNC_PROTO: {
        const params: Param[] = new Array(vlen);
        for (let i = 0, m = p; i < vlen; i++, m += 8) {
          const pNameOff = this.u32(m);
          params[i] = { name: this.str(pNameOff), nameOff: pNameOff, type: this.u32(m + 4) };
        }
        return { id, kind, name, nameOff, returnType: st, params };
      }
      case Kind.VAR:
        return { id, kind, name, nameOff, type: st, linkage: this.u32(p) };
      case Kind.DATASEC: {
        const vars: VarSecinfo[] = new Array(vlen);
        for (let i = 0, m = p; i < vlen; i++, m += 12) {
          vars[i] = { type: this.u32(m), offset: this.u32(m + 4), size: this.u32(m + 8) };
        }
        return { id, kind, name, nameOff, size: st, vars };
      }
      case Kind.FLOAT:
        return { id, kind, name, nameOff, size: st };
      case Kind.DECL_TAG:
        return { id, kind, name, nameOff, type: st, componentIdx: this.u32(p) | 0, attribute: kflag };
      default:
        return fail('MALFORMED', `BTF type [${id}]`, this.view.base + off, `unknown BTF kind ${kind}`);
    }
  }

  /** Follows typedefs and modifiers (libbpf's `skip_mods_and_typedefs`); returns the final id. */
  skipModsAndTypedefs(id: number): number {
    // Value cycles were rejected at parse time, so the chain ends; the bound is a second guard.
    for (let depth = 0; depth < this.typeCount && isModOrTypedef(this.kind(id)); depth++) id = this.sizeOrType(id);
    return id;
  }

  /** All type ids whose name is exactly `name`, ascending (base BTF ids first). */
  idsByName(name: string): readonly number[] {
    const own = mergeAscending(this.ownTypesNamed(name), this.ownDataNamed(name));
    if (!this.base) return own;
    const inBase = this.base.idsByName(name);
    return inBase.length === 0 ? own : [...inBase, ...own];
  }

  /** The first type named `name` of the given kind, or undefined. */
  find(name: string, kind: number): number | undefined {
    const known = this.firstFound.get(`${kind}:${name}`);
    if (known !== undefined) return known ?? undefined;
    const inBase = this.base?.find(name, kind);
    if (inBase !== undefined) return inBase;
    const own = isDataKind(kind) ? this.ownDataNamed(name) : this.ownTypesNamed(name);
    return own.find((id) => this.kind(id) === kind);
  }

  /**
   * For each wanted name, the first type (ascending ids, base first) of that exact name whose kind
   * is one of `kinds`: what `find` answers per name, by one scan of the types instead of an index
   * (a kernel's handful of well-known enums need no index of its ~50k types).
   */
  firstNamed(wanted: readonly { readonly name: string; readonly kinds: readonly number[] }[]): (number | undefined)[] {
    const out = this.firstNamedNow(wanted);
    wanted.forEach((w, k) => {
      if (w.kinds.length === 1) this.firstFound.set(`${w.kinds[0]}:${w.name}`, out[k] ?? null);
    });
    return out;
  }

  private firstNamedNow(wanted: readonly { readonly name: string; readonly kinds: readonly number[] }[]): (number | undefined)[] {
    const out: (number | undefined)[] = this.base ? this.base.firstNamed(wanted) : wanted.map(() => undefined);
    // Indexed already (a kernel parsed with its cached index): lookups beat a scan.
    if (this.typeIndex && this.dataIndex) return out.map((id, k) => id ?? this.firstIndexed(wanted[k].name, wanted[k].kinds));
    let kinds = 0; // bit per kind
    for (const x of wanted) for (const k of x.kinds) kinds |= 1 << k;
    // the names still wanted, by first character: most types' names start like none of them
    const byFirst = new Map<number, number[]>();
    wanted.forEach((x, k) => {
      if (out[k] !== undefined) return;
      const first = firstCode(x.name);
      const ks = byFirst.get(first);
      if (ks) ks.push(k);
      else byFirst.set(first, [k]);
    });
    // the same by a hash of the first four bytes of a name in place (kernel names share "__" and
    // "bpf_" prefixes), for the names in this blob's own strings
    const buckets: number[][] = [];
    const byHead = new Int32Array(0x10000); // bucket index + 1
    wanted.forEach((x, k) => {
      if (out[k] !== undefined) return;
      const code = (j: number): number => (j < x.name.length ? x.name.charCodeAt(j) & 0xff : 0);
      const h = headHash(code(0), code(1), code(2), code(3));
      if (byHead[h] === 0) byHead[h] = buckets.push([]);
      buckets[byHead[h] - 1].push(k);
    });
    const w = this.words;
    const starts = this.typeWords;
    const b = this.bytes;
    let missing = out.filter((x) => x === undefined).length;
    for (let i = 0; i < starts.length && missing > 0; i++) {
      const off = w[starts[i]];
      const kind = (w[starts[i] + 1] >>> 24) & 0x1f;
      if (off === 0 || (kinds & (1 << kind)) === 0) continue;
      const at = off >= this.firstStrOff ? this.strStart + off - this.firstStrOff : -1;
      let ks: number[] | undefined;
      if (at < 0) ks = byFirst.get(firstCode(this.str(off)));
      else {
        // bytes after the name's NUL are the next name's: they count as 0
        const c0 = b[at];
        const c1 = c0 === 0 ? 0 : b[at + 1];
        const c2 = c1 === 0 ? 0 : b[at + 2];
        const c3 = c2 === 0 ? 0 : b[at + 3];
        const bucket = byHead[headHash(c0, c1, c2, c3)];
        ks = bucket === 0 ? undefined : buckets[bucket - 1];
      }
      if (!ks) continue;
      for (const k of ks) {
        if (out[k] !== undefined || !wanted[k].kinds.includes(kind)) continue;
        const name = wanted[k].name;
        if (at >= 0 ? latin1Equals(name, b, at) : this.str(off) === name) {
          out[k] = i + this.firstId;
          missing--;
        }
      }
    }
    return out;
  }

  /** The first own type of exact name `name` and one of `kinds`, by the name index (both halves built). */
  private firstIndexed(name: string, kinds: readonly number[]): number | undefined {
    let first: number | undefined;
    for (const data of [false, true]) {
      if (!kinds.some((k) => isDataKind(k) === data)) continue;
      const ids = data ? this.dataIndex!.lookup(name) : this.typeIndex!.lookup(essentialName(name));
      for (const id of ids) {
        if (kinds.includes(this.kind(id)) && (data || this.name(id) === name) && (first === undefined || id < first)) first = id;
      }
    }
    return first;
  }

  /** Whether this blob itself (not its base) has a type of that name and kind. */
  hasOwn(name: string, kind: number): boolean {
    // without a base, the first of a name and kind is an own type
    const known = this.base ? undefined : this.firstFound.get(`${kind}:${name}`);
    if (known !== undefined) return known !== null;
    const own = isDataKind(kind) ? this.ownDataNamed(name) : this.ownTypesNamed(name);
    return own.some((id) => this.kind(id) === kind);
  }

  /**
   * This blob's own types of a type kind (not a function, variable, section or declaration tag)
   * whose essential name is `name`, ascending: libbpf's candidate search (`bpf_core_add_cands`)
   * scans every type for these; the index gives the same ids in the same order.
   */
  ownTypesByEssentialName(name: string): number[] {
    if (!this.typeIndex) this.buildNameIndexes(true, false);
    return this.typeIndex!.lookup(name);
  }

  private ownTypesNamed(name: string): number[] {
    // An object without CO-RE asks for one or two types (a tracepoint's btf_trace_*): scans. With
    // CO-RE, the candidate search has built the index before any of these lookups.
    if (!this.typeIndex && this.typeScans < SCANS) {
      this.typeScans++;
      return this.scanNamed(name, false);
    }
    const ids = this.ownTypesByEssentialName(essentialName(name));
    return ids.length === 0 ? ids : ids.filter((id) => this.name(id) === name);
  }

  private ownDataNamed(name: string): number[] {
    // A check asks for a few functions (attach targets, kfuncs): a scan of the type words costs
    // a tenth of building the index over a kernel's ~60k functions, so the first few are scans.
    if (!this.dataIndex && this.dataScans < SCANS) {
      this.dataScans++;
      return this.scanNamed(name, true);
    }
    if (!this.dataIndex) this.buildNameIndexes(false, true);
    return this.dataIndex!.lookup(name);
  }

  /** What `ownDataNamed` (`data`) or `ownTypesNamed` answers, by a scan of every own type (ascending ids). */
  private scanNamed(name: string, data: boolean): number[] {
    const out: number[] = [];
    const w = this.words;
    const starts = this.typeWords;
    const first = name.length > 0 ? name.charCodeAt(0) : 0;
    for (let i = 0; i < starts.length; i++) {
      const off = w[starts[i]];
      if (off === 0 || isDataKind((w[starts[i] + 1] >>> 24) & 0x1f) !== data) continue;
      // names in this blob's own strings are compared in place; split BTF may name from the base's
      if (off >= this.firstStrOff) {
        const at = this.strStart + off - this.firstStrOff;
        if (this.bytes[at] !== first) continue;
        if (latin1Equals(name, this.bytes, at)) out.push(i + this.firstId);
      } else if (this.strOrUndefined(off) === name) {
        out.push(i + this.firstId);
      }
    }
    return out;
  }

  /**
   * Builds the asked-for halves of the name index (see `typeIndex`) in one pass over the types:
   * types by essential name (CO-RE's flavor rule), data by exact name.
   */
  private buildNameIndexes(types: boolean, data: boolean): void {
    const w = this.words;
    const starts = this.typeWords;
    // Split BTF names may live in the base's strings (pahole deduplicates against the base), so a
    // split blob is indexed over one copy of all strings; a base blob over its own bytes.
    const strings = this.base ? this.allStrings() : this.bytes;
    const delta = this.base ? 0 : this.strStart;
    const typeStarts = types ? new Int32Array(starts.length).fill(-1) : undefined;
    const dataStarts = data ? new Int32Array(starts.length).fill(-1) : undefined;
    let typeNamed = 0;
    let dataNamed = 0;
    for (let i = 0; i < starts.length; i++) {
      const at = starts[i];
      const off = w[at];
      if (off === 0) continue;
      if (isDataKind((w[at + 1] >>> 24) & 0x1f)) {
        if (dataStarts) {
          dataStarts[i] = delta + off;
          dataNamed++;
        }
      } else if (typeStarts) {
        typeStarts[i] = delta + off;
        typeNamed++;
      }
    }
    if (typeStarts) this.typeIndex = NameIndex.build(strings, this.firstId, typeStarts, typeNamed, true);
    if (dataStarts) this.dataIndex = NameIndex.build(strings, this.firstId, dataStarts, dataNamed, false);
  }

  /**
   * Every string of this blob and its bases that holds the byte `c`, in string-table order: for
   * the few names of a pattern no lookup can find (`foo.isra.0`). The string sections are searched
   * for `c` natively and only the strings holding it are decoded, so no type is read.
   */
  stringsWithByte(c: number): string[] {
    const out = this.base ? this.base.stringsWithByte(c) : [];
    const b = this.bytes;
    const end = this.strStart + this.header.strLen;
    for (let p = b.indexOf(c, this.strStart); p >= 0 && p < end; p = b.indexOf(c, p + 1)) {
      let start = p;
      while (start > this.strStart && b[start - 1] !== 0) start--;
      const nul = b.indexOf(0, p);
      out.push(this.str(start - this.strStart + this.firstStrOff));
      p = nul;
    }
    return out;
  }

  /** The combined string table (base strings, then this blob's), addressed by string offset. */
  private allStrings(): Uint8Array {
    const out = new Uint8Array(this.strEnd);
    for (let b: Btf | undefined = this; b; b = b.base) {
      out.set(b.bytes.subarray(b.strStart, b.strStart + b.header.strLen), b.firstStrOff);
    }
    return out;
  }

  /** Builds the name indexes now (they are otherwise built on first lookup). */
  indexNames(): void {
    if (!this.typeIndex || !this.dataIndex) this.buildNameIndexes(!this.typeIndex, !this.dataIndex);
  }
}

/** Exact-name lookups answered by a scan before a name index half is built. */
const SCANS = 3;

/** A 16-bit hash of a name's first four bytes (0 past its end). */
const headHash = (c0: number, c1: number, c2: number, c3: number): number => Math.imul(c0 | (c1 << 8) | (c2 << 16) | (c3 << 24), 0x9e3779b1) >>> 16;

/** A name's first character code, 0 for the empty name (as its NUL in the string section reads). */
const firstCode = (s: string): number => (s.length > 0 ? s.charCodeAt(0) : 0);

/** Whether the NUL-terminated name at `at` is `s` (a Latin-1 string). */
function latin1Equals(s: string, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== b[at + i]) return false;
  return b[at + s.length] === 0;
}

/** Kinds that name data rather than a type; see `Btf.typeIndex`. */
const isDataKind = (kind: number): boolean => kind === Kind.FUNC || kind === Kind.VAR || kind === Kind.DATASEC || kind === Kind.DECL_TAG;

/** The union of two ascending lists of distinct ids, ascending. */
function mergeAscending(a: number[], b: number[]): number[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...a, ...b].sort((x, y) => x - y);
}

/** The type section as host-order u32 words: a view when aligned and native, else a swapped copy. */
function hostOrderWords(bytes: Uint8Array, start: number, len: number, littleEndian: boolean): Uint32Array {
  const nWords = len >>> 2;
  const abs = bytes.byteOffset + start;
  if (littleEndian === HOST_LITTLE_ENDIAN && abs % 4 === 0) return new Uint32Array(bytes.buffer, abs, nWords);
  const out = new Uint32Array(nWords);
  const dv = new DataView(bytes.buffer, abs, nWords * 4);
  for (let i = 0; i < nWords; i++) out[i] = dv.getUint32(i * 4, littleEndian);
  return out;
}
