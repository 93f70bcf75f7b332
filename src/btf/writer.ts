import { fail } from '../common/errors.js';
import { BTF_HEADER_SIZE, BTF_MAGIC, BTF_VERSION, Btf } from './btf.js';
import { encodeTypeRecord, WordBuffer, type NameOffsets } from './encode-type.js';
import { StringTable } from './string-table.js';
import type { TypeData } from './type-data.js';

/** The two sections of a BTF blob and how to lay them out. */
export interface BtfSections {
  readonly littleEndian: boolean;
  /** The header's flags byte (0 in every BTF the kernel accepts). */
  readonly flags?: number;
  /** The type section as u32 words in host order. */
  readonly types: Uint32Array;
  readonly strings: Uint8Array;
}

/**
 * A BTF blob in the layout every producer (pahole, clang, libbpf) writes: a 24-byte header, the
 * type section right after it, the string section right after that, nothing else.
 */
export function assembleBtf(s: BtfSections): Uint8Array {
  const typeLen = s.types.length * 4;
  const out = new Uint8Array(BTF_HEADER_SIZE + typeLen + s.strings.length);
  const dv = new DataView(out.buffer);
  const le = s.littleEndian;
  dv.setUint16(0, BTF_MAGIC, le);
  out[2] = BTF_VERSION;
  out[3] = s.flags ?? 0;
  dv.setUint32(4, BTF_HEADER_SIZE, le);
  dv.setUint32(8, 0, le); // type_off
  dv.setUint32(12, typeLen, le);
  dv.setUint32(16, typeLen, le); // str_off
  dv.setUint32(20, s.strings.length, le);
  for (let i = 0; i < s.types.length; i++) dv.setUint32(BTF_HEADER_SIZE + i * 4, s.types[i], le);
  out.set(s.strings, BTF_HEADER_SIZE + typeLen);
  return out;
}

export interface BtfWriterOptions {
  /** Byte order of the output; a split BTF's is its base's, else little-endian by default. */
  readonly littleEndian?: boolean;
  /** Writes split BTF on this base: ids continue after its types, string offsets after its strings. */
  readonly base?: Btf;
}

/**
 * Builds a BTF from types given as plain data, in the order they are added: the first gets id 1
 * (or the base's type count, for split BTF), each the next. References are ids of this output, so
 * a caller copying types from another BTF numbers them first (ids are handed out in sequence,
 * `nextId`) and remaps with `remapTypeRefs`. Names go into a fresh string table, each stored once
 * (for split BTF too: a name the base has is stored again, which is valid; libbpf would point into
 * the base's strings). A reference may point forward (a struct to a pointer added later), so the
 * graph is checked as a whole when it is encoded.
 */
export class BtfWriter {
  readonly littleEndian: boolean;
  /** The id the first added type gets. */
  readonly firstId: number;
  private readonly strings: StringTable;
  private readonly words = new WordBuffer();
  private readonly intern: NameOffsets = (n) => this.strings.add(n.name);
  private readonly base: Btf | undefined;
  private count = 0;

  constructor(options: BtfWriterOptions = {}) {
    const base = options.base;
    this.base = base;
    this.littleEndian = options.littleEndian ?? base?.littleEndian ?? true;
    if (base && base.littleEndian !== this.littleEndian) fail('USAGE', 'BTF writer', -1, 'split BTF must have its base BTF\'s byte order');
    this.firstId = base ? base.typeCount : 1;
    this.strings = new StringTable(base ? base.strEnd : 0);
  }

  /** The id the next added type gets. */
  get nextId(): number {
    return this.firstId + this.count;
  }

  /** Appends `t`; returns its id. */
  add(t: TypeData): number {
    const id = this.nextId;
    encodeTypeRecord(t, this.intern, this.words, `BTF type [${id}]`);
    this.count++;
    return id;
  }

  /**
   * The BTF blob of the types added so far. It is read back before it is returned, so that what
   * a single record cannot show fails here, as `Btf.parse` words it: a reference to an id the
   * output lacks, a FUNC whose type is no FUNC_PROTO, a type that holds itself by value.
   */
  encode(): Uint8Array {
    const bytes = assembleBtf({ littleEndian: this.littleEndian, types: this.words.view(), strings: this.strings.section() });
    Btf.parse(bytes, { base: this.base });
    return bytes;
  }
}

/**
 * Encodes a parsed BTF again, by encoding each decoded type with its name offsets as read and the
 * string section as stored. The string section is kept rather than rebuilt from names because its
 * layout is the producer's (string order, duplicates, names only some type uses, offsets into the
 * middle of a string): only the original bytes give the original offsets. In the BTF's own byte
 * order the result is its input byte for byte whenever the input is what `Btf` models: the usual
 * layout (`assembleBtf`: no `hdr_len` past 24, no gap between or after the sections), and no bits
 * in a record that its decoded type does not hold (a vlen or kflag on a kind that has none, spare
 * info or INT encoding bits; the kernel rejects each, no producer writes them). Split BTF encodes
 * its own types and strings, as stored. `littleEndian` writes the same BTF in the other byte order.
 */
export function encodeBtf(btf: Btf, options: { readonly littleEndian?: boolean } = {}): Uint8Array {
  const words = new WordBuffer();
  const asRead: NameOffsets = (n) => n.nameOff!;
  for (let id = btf.firstId; id < btf.typeCount; id++) encodeTypeRecord(btf.decode(id) as TypeData, asRead, words, `BTF type [${id}]`);
  const h = btf.header;
  const strStart = h.hdrLen + h.strOff;
  return assembleBtf({
    littleEndian: options.littleEndian ?? btf.littleEndian,
    flags: h.flags,
    types: words.view(),
    strings: btf.bytes.subarray(strStart, strStart + h.strLen),
  });
}
