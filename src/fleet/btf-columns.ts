import { HOST_LITTLE_ENDIAN } from '../common/bytes.js';
import { fail } from '../common/errors.js';
import { RecencyRanks } from './recency.js';
import { VarintReader, VarintWriter, countVarints, decodeVarints } from './varint.js';

/**
 * The transform that makes kernels compress against each other. A raw BTF's type section is a run
 * of u32 words in which two kinds of numbers change between otherwise equal kernels: type ids (one
 * type added early shifts every later id) and string offsets (one name added shifts every later
 * name). Written as they are, two 6.1 kernels differ every few bytes and a compressor finds short matches
 * only; split into columns, with names as ids in the group's string pool and type ids as recency
 * ranks, much of a kernel's columns equal its sibling's byte for byte.
 *
 * Columns (all varints):
 * - `info`: each type's info word (kind, kind_flag, vlen);
 * - `names`: every name offset (type, member, enumerator, parameter): 0 as 0, otherwise the pool
 *   id of the string at that offset + 1 (string-pool.ts);
 * - `refs`: every type id: 0 (void) as 0; a first reference as 1, with zigzag(own id - referenced
 *   id) in `newRefs`; a reference by name as 2, with the name's pool id in `namedRefs` (RECENT);
 *   otherwise 3 + its recency rank (recency.ts);
 * - `vals`: everything else (sizes, bit offsets, enum values, counts, linkage).
 * Measured on two 6.1 x86_64 kernels (xz of both kernels' column / of the first's alone): names
 * as offset deltas 631/330 KB, as pool ids 268/235 KB; refs relative to the own id 530/270 KB,
 * as ranks 315/179 KB. On the block of the five 6.1 x86_64 kernels, references by name as well
 * bring 1.79 MB to 1.73 MB (refs stay the largest column: anonymous types still differ).
 *
 * `splitBtf` and `joinBtf` walk records with the same table (`LAYOUT`), so a layout change cannot
 * make the two sides disagree; the encoder still checks every kernel round-trips before storing it.
 */

export interface BtfColumns extends ColumnViews {
  readonly littleEndian: boolean;
  readonly typeLen: number;
}

const N = 1; // name offset
const R = 2; // type id
const V = 3; // other value

/**
 * Per kind: the class of the size/type word, then the words of each of the `vlen` trailing
 * entries (`each`), then fixed trailing words (`extra`). Kinds 1..19 as in include/uapi/linux/btf.h.
 */
const LAYOUT: ReadonlyArray<{ sizeType: number; extra: readonly number[]; each: readonly number[] } | undefined> = [
  undefined,
  { sizeType: V, extra: [V], each: [] }, // 1 INT: encoding word
  { sizeType: R, extra: [], each: [] }, // 2 PTR
  { sizeType: V, extra: [R, R, V], each: [] }, // 3 ARRAY: type, index_type, nelems
  { sizeType: V, extra: [], each: [N, R, V] }, // 4 STRUCT: members name, type, offset
  { sizeType: V, extra: [], each: [N, R, V] }, // 5 UNION
  { sizeType: V, extra: [], each: [N, V] }, // 6 ENUM: name, val
  { sizeType: V, extra: [], each: [] }, // 7 FWD
  { sizeType: R, extra: [], each: [] }, // 8 TYPEDEF
  { sizeType: R, extra: [], each: [] }, // 9 VOLATILE
  { sizeType: R, extra: [], each: [] }, // 10 CONST
  { sizeType: R, extra: [], each: [] }, // 11 RESTRICT
  { sizeType: R, extra: [], each: [] }, // 12 FUNC (vlen is linkage, no entries)
  { sizeType: R, extra: [], each: [N, R] }, // 13 FUNC_PROTO: params name, type
  { sizeType: R, extra: [V], each: [] }, // 14 VAR: linkage
  { sizeType: V, extra: [], each: [R, V, V] }, // 15 DATASEC: var type, offset, size
  { sizeType: V, extra: [], each: [] }, // 16 FLOAT
  { sizeType: R, extra: [V], each: [] }, // 17 DECL_TAG: component_idx
  { sizeType: R, extra: [], each: [] }, // 18 TYPE_TAG
  { sizeType: V, extra: [], each: [N, V, V] }, // 19 ENUM64: name, val_lo32, val_hi32
];

const KIND_FUNC = 12;

/** Where a raw BTF's parts are, or undefined when the layout is one the columns cannot rebuild. */
export function btfSections(raw: Uint8Array): { le: boolean; hdrLen: number; typeLen: number; strLen: number } | undefined {
  if (raw.length < 24) return undefined;
  const le = raw[0] === 0x9f && raw[1] === 0xeb;
  if (!le && !(raw[0] === 0xeb && raw[1] === 0x9f)) return undefined;
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const hdrLen = dv.getUint32(4, le);
  const typeOff = dv.getUint32(8, le);
  const typeLen = dv.getUint32(12, le);
  const strOff = dv.getUint32(16, le);
  const strLen = dv.getUint32(20, le);
  // Only the layout every kernel has: header, types, strings, back to back, nothing after.
  if (hdrLen < 24 || typeOff !== 0 || strOff !== typeLen || typeLen % 4 !== 0) return undefined;
  if (hdrLen + typeLen + strLen !== raw.length) return undefined;
  if (strLen > 0 && raw[raw.length - 1] !== 0) return undefined;
  return { le, hdrLen, typeLen, strLen };
}

/**
 * The columns of a raw BTF, given each name offset's pool id (`idAt`), or undefined when it has a
 * layout, kind or name offset they cannot represent.
 */
export function splitBtf(raw: Uint8Array, idAt: ReadonlyMap<number, number>): BtfColumns | undefined {
  const s = btfSections(raw);
  if (!s) return undefined;
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const info = new VarintWriter();
  const names = new VarintWriter();
  const refs = new VarintWriter();
  const newRefs = new VarintWriter();
  const namedRefs = new VarintWriter();
  const vals = new VarintWriter();
  const byName = typesByName(dv, s.le, s.hdrLen, s.hdrLen + s.typeLen, (off) => (off === 0 ? -1 : idAt.get(off) ?? -1));
  const nameOf = byName.nameOf;
  const ranks = new RecencyRanks(Math.max(1, s.typeLen >>> 2), Math.floor(s.typeLen / 12));
  let id = 0;
  let ok = true;
  const put = (cls: number, w: number): void => {
    if (cls === N) {
      const pid = w === 0 ? -1 : idAt.get(w);
      if (pid === undefined) ok = false;
      else names.u32(pid + 1);
    } else if (cls === R) {
      if (w === 0) return refs.u32(0);
      const rank = ranks.rankOf(w);
      const name = w < nameOf.length ? nameOf[w] : -1;
      if (rank >= 0 && rank < RECENT) refs.u32(rank + 3);
      else if (name >= 0 && byName.idOf.get(name) === w) {
        refs.u32(2);
        namedRefs.u32(name);
      } else if (rank >= 0) refs.u32(rank + 3);
      else {
        refs.u32(1);
        newRefs.i32(id - w);
      }
      if (w > Math.floor(s.typeLen / 12)) ok = false;
      else ranks.touch(w, 'split');
    } else vals.u32(w);
  };
  let at = s.hdrLen;
  const end = s.hdrLen + s.typeLen;
  while (at < end && ok) {
    id++;
    if (at + 12 > end) return undefined;
    const infoWord = dv.getUint32(at + 4, s.le);
    const kind = (infoWord >>> 24) & 0x1f;
    const layout = LAYOUT[kind];
    if (!layout) return undefined;
    const vlen = kind === KIND_FUNC ? 0 : infoWord & 0xffff;
    const words = 3 + layout.extra.length + vlen * layout.each.length;
    if (at + 4 * words > end) return undefined;
    info.u32(infoWord);
    put(N, dv.getUint32(at, s.le));
    put(layout.sizeType, dv.getUint32(at + 8, s.le));
    let w = at + 12;
    for (const cls of layout.extra) { put(cls, dv.getUint32(w, s.le)); w += 4; }
    for (let i = 0; i < vlen; i++) for (const cls of layout.each) { put(cls, dv.getUint32(w, s.le)); w += 4; }
    at = w;
  }
  if (!ok) return undefined;
  return {
    header: raw.slice(0, s.hdrLen),
    littleEndian: s.le,
    typeLen: s.typeLen,
    info: info.finish(),
    names: names.finish(),
    refs: refs.finish(),
    newRefs: newRefs.finish(),
    namedRefs: namedRefs.finish(),
    vals: vals.finish(),
  };
}

/**
 * A reference to a type not referenced lately is written by the type's name when no other type
 * of the kernel has that name: the name's pool id is the same in every kernel of the group, where
 * the type's id and its recency rank are not. Types referenced among the last `RECENT` stay ranks
 * (1-byte codes, and stable, since they are local). On the 6.1 x86_64 block, RECENT 0, 4 and 16
 * give 1.729, 1.730 and 1.743 MB; 4 keeps the unpacked block (decode time) smaller than 0.
 */
const RECENT = 4;

/** Per type id, its name's pool id (-1 if anonymous); and by pool id, the one type of that name. */
function typesByName(dv: DataView, le: boolean, start: number, end: number, poolIdAt: (off: number) => number): { nameOf: Int32Array; idOf: Map<number, number> } {
  const ids: number[] = [];
  let at = start;
  while (at + 12 <= end) {
    const infoWord = dv.getUint32(at + 4, le);
    const kind = (infoWord >>> 24) & 0x1f;
    const layout = LAYOUT[kind];
    if (!layout) break;
    ids.push(poolIdAt(dv.getUint32(at, le)));
    const vlen = kind === KIND_FUNC ? 0 : infoWord & 0xffff;
    at += 4 * (3 + layout.extra.length + vlen * layout.each.length);
  }
  const nameOf = new Int32Array(ids.length + 1).fill(-1);
  const idOf = new Map<number, number>();
  const dup = new Set<number>();
  ids.forEach((name, i) => {
    nameOf[i + 1] = name;
    if (name < 0) return;
    if (idOf.has(name)) dup.add(name);
    else idOf.set(name, i + 1);
  });
  for (const name of dup) idOf.delete(name);
  return { nameOf, idOf };
}

/** Per kind, the name words in each trailing entry: what `namedTypes` skips per member. */
const NAMES_PER_ENTRY = Uint8Array.from(LAYOUT, (l) => (l ? l.each.filter((c) => c === N).length : 0));

/**
 * `LAYOUT` flattened for the rebuild loop, which indexes these instead of reading a per-kind
 * object: at `kind * 8`, the classes of the words after a record's name and info (its size/type
 * word, then `extra`), and at `kind * 8 + 4` those of one trailing entry.
 */
const CLASSES = new Uint8Array(LAYOUT.length * 8);
const HEAD_WORDS = new Uint8Array(LAYOUT.length);
const ENTRY_WORDS = new Uint8Array(LAYOUT.length);
LAYOUT.forEach((l, kind) => {
  if (!l) return;
  CLASSES.set([l.sizeType, ...l.extra], kind * 8);
  CLASSES.set(l.each, kind * 8 + 4);
  HEAD_WORDS[kind] = 1 + l.extra.length;
  ENTRY_WORDS[kind] = l.each.length;
});

/** The info word's kind, or a CorecheckError naming type [id] if no layout has it. */
function kindOf(infoWord: number, id: number, what: string): number {
  const kind = (infoWord >>> 24) & 0x1f;
  if (!LAYOUT[kind]) fail('MALFORMED', `${what} info column`, -1, `type [${id}] has unknown kind ${kind}`);
  return kind;
}

/** A type's member count: its info word's vlen, except a FUNC's, which is its linkage. */
function vlenOf(infoWord: number, kind: number): number {
  return kind === KIND_FUNC ? 0 : infoWord & 0xffff;
}

/**
 * The decoder's side of `typesByName`: walks the info and names columns once, before the types
 * are rebuilt (a reference may name a later type), and gives by pool id the one type of that name
 * (0 if none or several). `names` holds pool ids + 1, as stored.
 */
function namedTypes(info: Uint32Array, names: Uint32Array, poolSize: number, what: string): Int32Array {
  const byName = new Int32Array(poolSize);
  let n = 0;
  for (let t = 0; t < info.length && n < names.length; t++) {
    const kind = kindOf(info[t], t + 1, what);
    const z = names[n];
    if (z > 0 && z - 1 < poolSize) byName[z - 1] = byName[z - 1] === 0 ? t + 1 : -1;
    n += 1 + vlenOf(info[t], kind) * NAMES_PER_ENTRY[kind];
  }
  for (let i = 0; i < poolSize; i++) if (byName[i] < 0) byName[i] = 0;
  return byName;
}

/** Turns the names column's pool ids + 1 into the string section offsets they stand for, in place. */
function toNameOffsets(names: Uint32Array, offsetOf: Int32Array, what: string): void {
  for (let i = 0; i < names.length; i++) {
    const z = names[i];
    if (z === 0) continue;
    const off = z - 1 < offsetOf.length ? offsetOf[z - 1] : -1;
    if (off < 0) fail('MALFORMED', `${what} names column`, -1, `name ${i} is pool string ${z - 1}, which the kernel's string section lacks`);
    names[i] = off;
  }
}

/** Column data located in a decoded store block, for `joinBtf`. */
export interface ColumnViews {
  readonly header: Uint8Array;
  readonly info: Uint8Array;
  readonly names: Uint8Array;
  readonly refs: Uint8Array;
  readonly newRefs: Uint8Array;
  readonly namedRefs: Uint8Array;
  readonly vals: Uint8Array;
}

/**
 * Rebuilds the raw BTF (`rawLen` bytes) from its columns. `writeStrings` fills the string section
 * (`out[from..)`) first, and returns where it ended and the section offset of each pool id, which
 * the names column refers to. Every read and write is bounds-checked, so a corrupt store gives a
 * CorecheckError naming `what`, never a wrong-sized result. `alloc` gives the result's `rawLen`
 * bytes; they need not be zeroed: every byte is written.
 */
export function joinBtf(
  c: ColumnViews, rawLen: number, what: string, writeStrings: (out: Uint8Array, from: number) => { end: number; offsetOf: Int32Array },
  alloc: (length: number) => Uint8Array = (length) => new Uint8Array(length),
): Uint8Array {
  const hdrLen = c.header.length;
  if (hdrLen < 24 || hdrLen > rawLen) fail('MALFORMED', what, -1, `BTF header of ${hdrLen} bytes does not fit a ${rawLen}-byte BTF`);
  const out = alloc(rawLen);
  out.set(c.header);
  const le = out[0] === 0x9f && out[1] === 0xeb;
  const typeLen = new DataView(out.buffer).getUint32(12, le);
  const end = hdrLen + typeLen;
  if (end > rawLen || typeLen % 4 !== 0) fail('MALFORMED', what, -1, `type section of ${typeLen} bytes does not fit a ${rawLen}-byte BTF`);
  const strings = writeStrings(out, end);
  if (strings.end !== rawLen) fail('MALFORMED', what, -1, `string section ends at ${strings.end}, not at the BTF's end ${rawLen}`);
  const info = decodeVarints(c.info, `${what} info column`);
  const names = decodeVarints(c.names, `${what} names column`);
  const refs = new RefReader(c, typeLen, namedTypes(info, names, strings.offsetOf.length, what), what);
  toNameOffsets(names, strings.offsetOf, what);
  const vals = new VarintReader(c.vals, 0, c.vals.length, `${what} values column`);
  const words = typeWords(out, hdrLen, typeLen, le);
  writeTypes(words, info, names, vals, refs, what);
  if (words.buffer !== out.buffer) placeWords(words, out, hdrLen, le);
  return out;
}

/**
 * Where the type section's words are written: in `out` itself when the BTF's byte order is the
 * host's (word stores, no DataView call per word), else in a host-order copy for `placeWords`.
 */
function typeWords(out: Uint8Array, hdrLen: number, typeLen: number, le: boolean): Uint32Array {
  if (le === HOST_LITTLE_ENDIAN && (out.byteOffset + hdrLen) % 4 === 0) return new Uint32Array(out.buffer, out.byteOffset + hdrLen, typeLen >>> 2);
  return new Uint32Array(typeLen >>> 2);
}

/**
 * Fills `words` (the type section, host order) with one record per info word. The names column,
 * read twice, comes decoded; a read past its end gives undefined, which the typed array stores as
 * 0, and the count checked at the end catches it. The columns read once are read as varints.
 */
function writeTypes(words: Uint32Array, info: Uint32Array, names: Uint32Array, vals: VarintReader, refs: RefReader, what: string): void {
  let w = 0;
  let n = 0;
  for (let t = 0; t < info.length; t++) {
    const id = t + 1;
    const infoWord = info[t];
    const kind = kindOf(infoWord, id, what);
    const vlen = vlenOf(infoWord, kind);
    const entryWords = ENTRY_WORDS[kind];
    if (w + 2 + HEAD_WORDS[kind] + vlen * entryWords > words.length) fail('MALFORMED', `${what} info column`, -1, `type [${id}] runs past the ${words.length * 4}-byte type section`);
    words[w++] = names[n++];
    words[w++] = infoWord;
    // The head's remaining words (e = -1), then each trailing entry's.
    for (let e = -1, classes = kind * 8, count = HEAD_WORDS[kind]; e < vlen; e++, classes = kind * 8 + 4, count = entryWords) {
      for (let j = 0; j < count; j++) {
        const cls = CLASSES[classes + j];
        words[w++] = cls === N ? names[n++] : cls === R ? refs.next(id) : vals.u32();
      }
    }
  }
  if (w !== words.length || n !== names.length || !vals.done || !refs.done) {
    fail('MALFORMED', what, -1, `columns do not rebuild the ${words.length * 4}-byte type section exactly`);
  }
}

/** Copies host-order `words` into `out` at `at` in the BTF's byte order. */
function placeWords(words: Uint32Array, out: Uint8Array, at: number, le: boolean): void {
  const dv = new DataView(out.buffer, out.byteOffset + at, words.length * 4);
  for (let i = 0; i < words.length; i++) dv.setUint32(i * 4, words[i], le);
}

/** The refs column and the two it points into, read back to type ids (see the column list above). */
class RefReader {
  private readonly refs: VarintReader;
  private readonly newRefs: VarintReader;
  private readonly namedRefs: VarintReader;
  private readonly ranks: RecencyRanks;
  private readonly maxId: number;
  private readonly what: string;

  constructor(c: ColumnViews, typeLen: number, private readonly named: Int32Array, what: string) {
    this.what = `${what} refs column`;
    this.refs = new VarintReader(c.refs, 0, c.refs.length, this.what);
    this.newRefs = new VarintReader(c.newRefs, 0, c.newRefs.length, `${what} new refs column`);
    this.namedRefs = new VarintReader(c.namedRefs, 0, c.namedRefs.length, `${what} named refs column`);
    this.maxId = Math.floor(typeLen / 12);
    // One varint per reference: sizing the ranks by the references there are, not by the type
    // section's words, keeps their arrays a third as large, and more of them in cache.
    this.ranks = new RecencyRanks(Math.max(1, countVarints(c.refs)), this.maxId);
  }

  /** The next type id referenced from type [id]. */
  next(id: number): number {
    const z = this.refs.u32();
    if (z === 0) return 0;
    // A rank gives a type already referenced, so already checked.
    if (z >= 3) return this.ranks.again(z - 3, this.what);
    let ref: number;
    if (z === 1) ref = id - this.newRefs.i32();
    else {
      const name = this.namedRefs.u32();
      ref = name < this.named.length ? this.named[name] : -1;
    }
    if (ref <= 0 || ref > this.maxId) fail('MALFORMED', this.what, this.refs.pos, `type [${id}] refers to type ${ref}, outside 1..${this.maxId}`);
    this.ranks.touch(ref, this.what);
    return ref;
  }

  get done(): boolean {
    return this.refs.done && this.newRefs.done && this.namedRefs.done;
  }
}
