import { fail } from '../common/errors.js';
import { findCpioMember } from './cpio.js';
import type { Compression } from './decompress.js';
import { normalizeArch, type KernelInfo } from './kernel-info.js';
import { inPayload, payloadReader } from './package-payload.js';

/**
 * RPM packages (`kernel-core-*.rpm`, RPM v3/v4 file format): a 96-byte lead (magic ed ab ee db),
 * the signature header padded to 8 bytes, the main header, then the payload, a cpio archive
 * compressed as the PAYLOADCOMPRESSOR tag says. Both headers are an index of 16-byte entries
 * (tag, type, offset, count; big-endian) followed by the data store they point into. No file
 * system access.
 */

export const RPM_LEAD_MAGIC = [0xed, 0xab, 0xee, 0xdb];
const LEAD = 96;
const HEADER_MAGIC = [0x8e, 0xad, 0xe8, 0x01];

const TAG = {
  NAME: 1000, VERSION: 1001, RELEASE: 1002, ARCH: 1022,
  PAYLOADFORMAT: 1124, PAYLOADCOMPRESSOR: 1125,
  DIRINDEXES: 1116, BASENAMES: 1117, DIRNAMES: 1118,
} as const;
const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;

export interface RpmHeader {
  readonly name: string;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
  readonly payloadCompressor: string;
  readonly payloadFormat: string;
  /** Every file path of the package (DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]). */
  readonly files: readonly string[];
  /** Where the payload starts: the end of the main header. */
  readonly payloadOffset: number;
}

export function isRpm(head: Uint8Array): boolean {
  return RPM_LEAD_MAGIC.every((x, i) => head[i] === x);
}

interface HeaderSpan {
  readonly at: number;
  readonly entries: number;
  readonly storeSize: number;
  readonly end: number;
}

/** The header structure at `at` (its 16-byte preamble must lie in `b`). */
function headerSpan(b: Uint8Array, at: number, what: string): HeaderSpan {
  if (at + 16 > b.length) fail('TRUNCATED', what, at, `needs 16 bytes, only ${Math.max(0, b.length - at)} left`);
  if (!HEADER_MAGIC.every((x, i) => b[at + i] === x)) fail('BAD_MAGIC', what, at, 'no header magic 8e ad e8 01');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const entries = dv.getUint32(at + 8);
  const storeSize = dv.getUint32(at + 12);
  // rpm itself refuses more than 64 Ki entries or a 256 MiB store.
  if (entries > 0x10000 || storeSize > 0x10000000) fail('MALFORMED', what, at + 8, `${entries} index entries and a ${storeSize}-byte store are beyond rpm's limits`);
  return { at, entries, storeSize, end: at + 16 + entries * 16 + storeSize };
}

/**
 * How many bytes of the file the lead and both headers take (from the file's first bytes, which
 * must hold the lead and the signature header): what to read to list a package without its payload.
 */
export function rpmHeadersLength(head: Uint8Array): number {
  return mainHeaderSpan(head).end;
}

function mainHeaderSpan(b: Uint8Array): HeaderSpan {
  if (b.length < LEAD) fail('TRUNCATED', 'RPM lead', 0, `needs ${LEAD} bytes, only ${b.length} in the file`);
  if (!isRpm(b)) fail('BAD_MAGIC', 'RPM lead', 0, 'not an RPM package (magic ed ab ee db)');
  if (b[4] < 3 || b[4] > 4) fail('UNSUPPORTED', 'RPM lead', 4, `RPM file format ${b[4]}; corecheck reads 3 and 4`);
  const sig = headerSpan(b, LEAD, 'RPM signature header');
  if (sig.end > b.length) fail('TRUNCATED', 'RPM signature header', LEAD, `declares ${sig.end - LEAD} bytes, the data ends at ${b.length}`);
  return headerSpan(b, (sig.end + 7) & ~7, 'RPM header');
}

/** Reads the main header from `b`, the file's first bytes (at least `rpmHeadersLength`). */
export function readRpmHeader(b: Uint8Array): RpmHeader {
  const h = mainHeaderSpan(b);
  if (h.end > b.length) fail('TRUNCATED', 'RPM header', h.at, `declares ${h.end - h.at} bytes, the file ends ${b.length - h.at} bytes after its start`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const store = h.at + 16 + h.entries * 16;
  const values = new Map<number, string[] | number[]>();
  for (let i = 0; i < h.entries; i++) {
    const e = h.at + 16 + i * 16;
    const tag = dv.getUint32(e);
    if (!(Object.values(TAG) as number[]).includes(tag)) continue;
    const type = dv.getUint32(e + 4);
    const offset = dv.getUint32(e + 8);
    const count = dv.getUint32(e + 12);
    const where = `RPM header index entry ${i}`;
    if (offset >= h.storeSize || count > h.storeSize) fail('MALFORMED', where, e, `tag ${tag}: offset ${offset} or count ${count} outside the ${h.storeSize}-byte store`);
    if (type === TYPE_INT32) {
      if (offset % 4 !== 0 || offset + count * 4 > h.storeSize) fail('MALFORMED', where, e, `tag ${tag}: ${count} INT32 values at ${offset} do not fit the store`);
      values.set(tag, Array.from({ length: count }, (_, k) => dv.getUint32(store + offset + k * 4)));
    } else if (type === TYPE_STRING || type === TYPE_STRING_ARRAY || type === TYPE_I18NSTRING) {
      const strings: string[] = [];
      let p = store + offset;
      for (let k = 0; k < (type === TYPE_STRING ? 1 : count); k++) {
        const nul = b.indexOf(0, p);
        if (nul < 0 || nul >= h.end) fail('MALFORMED', where, e, `tag ${tag}: string ${k} has no terminating NUL inside the store`);
        strings.push(new TextDecoder().decode(b.subarray(p, nul)));
        p = nul + 1;
      }
      values.set(tag, strings);
    } else {
      fail('MALFORMED', where, e, `tag ${tag} has type ${type}, expected a string or INT32`);
    }
  }
  const str = (tag: number, name: string, fallback?: string): string => {
    const v = values.get(tag)?.[0];
    if (typeof v === 'string') return v;
    if (fallback !== undefined) return fallback;
    return fail('NOT_FOUND', 'RPM header', h.at, `no ${name} tag (${tag})`);
  };
  const basenames = (values.get(TAG.BASENAMES) ?? []) as string[];
  const dirnames = (values.get(TAG.DIRNAMES) ?? []) as string[];
  const dirindexes = (values.get(TAG.DIRINDEXES) ?? []) as number[];
  if (dirindexes.length !== basenames.length || dirindexes.some((d) => typeof d !== 'number' || d >= dirnames.length)) {
    fail('MALFORMED', 'RPM header', h.at, `file list: ${basenames.length} BASENAMES, ${dirindexes.length} DIRINDEXES into ${dirnames.length} DIRNAMES do not agree`);
  }
  return {
    name: str(TAG.NAME, 'NAME'),
    version: str(TAG.VERSION, 'VERSION'),
    release: str(TAG.RELEASE, 'RELEASE'),
    arch: str(TAG.ARCH, 'ARCH'),
    // rpm's default when the tag is absent (packages built before it existed) is gzip.
    payloadCompressor: str(TAG.PAYLOADCOMPRESSOR, 'PAYLOADCOMPRESSOR', 'gzip'),
    payloadFormat: str(TAG.PAYLOADFORMAT, 'PAYLOADFORMAT', 'cpio'),
    files: basenames.map((base, i) => dirnames[dirindexes[i]] + base),
    payloadOffset: h.end,
  };
}

/**
 * Kernel info from the header: kernel (`uname -r`) = VERSION-RELEASE.ARCH, arch = ARCH through
 * normalizeArch (x86_64, aarch64 → arm64, ppc64le, s390x), distro and release from the dist tag in
 * RELEASE, named as BTFHub names its directories:
 * - `.elN` (and `.elN_M`) → `rhel` N (RHEL, CentOS, Rocky, Alma, Oracle's RHCK all use it;
 *   the tag cannot tell them apart, and they share kernels);
 * - `.fcN` → `fedora` N;
 * - `.amznN` → `amzn` N (2, 2023).
 * Other dist tags give no distro (the label is then the path).
 */
export function rpmKernelInfo(h: RpmHeader): KernelInfo {
  const kernel = `${h.version}-${h.release}.${h.arch}`;
  const tag = /\.(el|fc|amzn)(\d+)(?:[._]|$)/.exec(h.release);
  const distro = tag ? { el: 'rhel', fc: 'fedora', amzn: 'amzn' }[tag[1]] : undefined;
  return { ...(distro ? { distro, release: tag![2] } : {}), arch: normalizeArch(h.arch), kernel };
}

const PAYLOAD_COMPRESSIONS: Readonly<Record<string, Compression>> = { xz: 'xz', zstd: 'zstd', gzip: 'gzip' };

/** The kernel image's path in the file list: `/lib/modules/<release>/vmlinuz` (RHEL 8+, Fedora), else `/boot/vmlinuz-<release>`. */
function imagePath(h: RpmHeader): string | undefined {
  return h.files.find((f) => /^\/(usr\/)?lib\/modules\/[^/]+\/vmlinu[xz]$/.test(f)) ?? h.files.find((f) => /^\/boot\/vmlinu[xz]-[^/]+$/.test(f));
}

/**
 * The kernel image in a whole .rpm: located in the header's file list first (a package without one
 * fails before any decompression), then the cpio payload is decompressed piece by piece up to it.
 */
export async function rpmKernelImage(file: Uint8Array, h: RpmHeader): Promise<{ path: string; bytes: Uint8Array; method: string }> {
  const path = imagePath(h);
  if (!path) fail('NOT_FOUND', 'RPM header file list', h.payloadOffset, `${h.name}-${h.version}-${h.release} has no /lib/modules/<release>/vmlinuz or /boot/vmlinuz-<release>: not a kernel package`);
  if (h.payloadFormat !== 'cpio') fail('UNSUPPORTED', 'RPM header', h.payloadOffset, `payload format "${h.payloadFormat}", corecheck reads cpio`);
  const kind = PAYLOAD_COMPRESSIONS[h.payloadCompressor];
  if (!kind) fail('UNSUPPORTED', 'RPM payload', h.payloadOffset, `${h.payloadCompressor}-compressed; corecheck reads xz, zstd and gzip payloads`);
  const what = `RPM ${kind} payload`;
  const bytes = file.subarray(h.payloadOffset);
  const want = path.slice(1);
  const found = await inPayload(what, kind, async () => findCpioMember(payloadReader(kind, bytes, h.payloadOffset, what), (name) => name === want));
  if (!found) fail('NOT_FOUND', what, h.payloadOffset, `the file list has ${path}, the cpio archive does not`);
  return { path, bytes: found.data, method: `${what} > cpio entry ${found.index} ${path}` };
}

