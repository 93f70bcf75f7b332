import { ByteView } from '../common/bytes.js';
import { fail } from '../common/errors.js';
import { BTF_MAGIC } from './btf.js';

/** One `.BTF.ext` record group: the records of one ELF section. */
export interface ExtSection<R> {
  /** Offset of the section name in the object's .BTF string table. */
  readonly secNameOff: number;
  readonly records: readonly R[];
}

export interface FuncInfoRecord {
  /** Byte offset of the function's first instruction in its ELF section. */
  readonly insnOff: number;
  /** BTF FUNC type id. */
  readonly typeId: number;
}

export interface LineInfoRecord {
  readonly insnOff: number;
  readonly fileNameOff: number;
  readonly lineOff: number;
  readonly line: number;
  readonly column: number;
}

/** `struct bpf_core_relo`, as clang emits it. */
export interface CoreReloRecord {
  readonly insnOff: number;
  /** Local (object BTF) id of the root type, typedefs and modifiers not stripped. */
  readonly typeId: number;
  readonly accessStrOff: number;
  readonly kind: number;
  /** Absolute file offset of the record, for error messages. */
  readonly fileOffset: number;
}

export interface BtfExt {
  readonly littleEndian: boolean;
  readonly hdrLen: number;
  readonly funcInfo: readonly ExtSection<FuncInfoRecord>[];
  readonly lineInfo: readonly ExtSection<LineInfoRecord>[];
  readonly coreRelos: readonly ExtSection<CoreReloRecord>[];
}

const MIN_REC_SIZE = { func_info: 8, line_info: 16, core_relo: 16 } as const;

/**
 * Parses `.BTF.ext` following libbpf's `btf_ext_parse` rules (core-spec §1): offsets are relative to
 * the end of the header; each info block is `rec_size` then per-section `{sec_name_off, num_info,
 * records}`; records are read with the file's `rec_size` stride so newer, larger records still parse.
 */
export function parseBtfExt(bytes: Uint8Array, fileOffset = 0): BtfExt {
  const v = new ByteView(bytes, true, fileOffset);
  v.need(0, 8, 'BTF.ext header');
  let littleEndian: boolean;
  if (bytes[0] === 0x9f && bytes[1] === 0xeb) littleEndian = true;
  else if (bytes[0] === 0xeb && bytes[1] === 0x9f) littleEndian = false;
  else fail('BAD_MAGIC', 'BTF.ext header', fileOffset, `invalid BTF.ext magic 0x${(bytes[0] | (bytes[1] << 8)).toString(16)} (expected 0x${BTF_MAGIC.toString(16)})`);
  v.littleEndian = littleEndian;
  const h = 'BTF.ext header';
  if (bytes[2] !== 1) fail('UNSUPPORTED', h, fileOffset + 2, `unsupported BTF.ext version ${bytes[2]}`);
  if (bytes[3] !== 0) fail('UNSUPPORTED', h, fileOffset + 3, `unsupported BTF.ext flags 0x${bytes[3].toString(16)}`);
  const hdrLen = v.u32(4, h);
  if (hdrLen < 24) fail('MALFORMED', h, fileOffset + 4, `hdr_len ${hdrLen} is smaller than 24`);
  if (hdrLen > bytes.length) fail('TRUNCATED', h, fileOffset + 4, `hdr_len ${hdrLen} runs past the end of the section (${bytes.length} bytes)`);
  if (hdrLen === bytes.length) fail('MALFORMED', h, fileOffset + 4, 'BTF.ext has no data after its header');
  const data = v.slice(hdrLen, bytes.length - hdrLen, 'BTF.ext data');
  const funcInfo = parseInfo(data, v.u32(8, h), v.u32(12, h), fileOffset + 8, 'func_info', (r, o) => ({ insnOff: r.u32(o, 'func_info record'), typeId: r.u32(o + 4, 'func_info record') }));
  // Line info is most of a large object's .BTF.ext (a record per source line) and is read only
  // for reports: its records are materialized on first use, after the same bounds checks.
  const lineInfo = parseInfo(data, v.u32(16, h), v.u32(20, h), fileOffset + 16, 'line_info', (r, o) => {
    const col = r.u32(o + 12, 'line_info record');
    return { insnOff: r.u32(o, 'line_info record'), fileNameOff: r.u32(o + 4, 'line_info record'), lineOff: r.u32(o + 8, 'line_info record'), line: col >>> 10, column: col & 0x3ff };
  }, true);
  // CO-RE records exist only with a 32-byte header; a shorter header means "no CO-RE info".
  const coreRelos = hdrLen >= 32
    ? parseInfo(data, v.u32(24, h), v.u32(28, h), fileOffset + 24, 'core_relo', (r, o) => ({
      insnOff: r.u32(o, 'core_relo record'), typeId: r.u32(o + 4, 'core_relo record'),
      accessStrOff: r.u32(o + 8, 'core_relo record'), kind: r.u32(o + 12, 'core_relo record'), fileOffset: r.base + o,
    }))
    : [];
  return { littleEndian, hdrLen, funcInfo, lineInfo, coreRelos };
}

function parseInfo<R>(
  data: ByteView,
  off: number,
  len: number,
  /** Absolute offset of the header's `<what>_off` field, where a bad offset or length is reported. */
  headerField: number,
  what: keyof typeof MIN_REC_SIZE,
  read: (v: ByteView, off: number) => R,
  /** Read the records on first access of `records` (every bound is checked here, so reading them cannot fail). */
  lazy = false,
): ExtSection<R>[] {
  if (len === 0) return [];
  const st = `BTF.ext ${what}`;
  const hst = `BTF.ext header ${what}_off`;
  if (off % 4 !== 0) fail('MALFORMED', hst, headerField, `${what} offset ${off} is not 4-byte aligned`);
  if (off + len > data.length) fail('TRUNCATED', hst, headerField, `${what} (offset ${off} + length ${len}) runs past the end of the section (${data.length} bytes after the header)`);
  if (len < 4) fail('MALFORMED', hst, headerField, `${what} length ${len} is too short to hold its record size`);
  const v = data.slice(off, len, st);
  const recSize = v.u32(0, `${st} rec_size`);
  const min = MIN_REC_SIZE[what];
  if (recSize < min || recSize % 4 !== 0) fail('MALFORMED', `${st} rec_size`, v.base, `record size ${recSize} is invalid (at least ${min}, a multiple of 4)`);
  if (len <= 4) fail('MALFORMED', st, v.base, `${what} has no records`);
  const out: ExtSection<R>[] = [];
  let p = 4;
  while (p < len) {
    const secNameOff = v.u32(p, `${st} section header`);
    const num = v.u32(p + 4, `${st} section header`);
    if (num === 0) fail('MALFORMED', `${st} section header`, v.base + p + 4, 'section has zero records');
    const bytesNeeded = num * recSize;
    if (p + 8 + bytesNeeded > len) fail('TRUNCATED', `${st} section header`, v.base + p, `${num} records of ${recSize} bytes run past the end of ${what} (${len - p - 8} bytes left)`);
    const first = p + 8;
    const readAll = (): R[] => {
      const records: R[] = new Array(num);
      for (let i = 0; i < num; i++) records[i] = read(v, first + i * recSize);
      return records;
    };
    if (!lazy) {
      out.push({ secNameOff, records: readAll() });
    } else {
      let records: R[] | undefined;
      out.push({ secNameOff, get records() { return (records ??= readAll()); } });
    }
    p += 8 + bytesNeeded;
  }
  return out;
}
