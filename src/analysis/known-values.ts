import type { Btf } from '../btf/btf.js';
import { IntEncoding, Kind } from '../btf/kinds.js';
import { CorecheckError } from '../common/errors.js';
import { SHT, STT } from '../elf/elf.js';
import { MASK64 } from '../insn/fold.js';
import type { CodeRef } from '../object/calls.js';
import type { BpfObject } from '../object/object.js';
import { oncePer } from '../common/memo.js';

/**
 * The constants a program reads from maps libbpf freezes, for one object on one kernel: the one
 * source of such values for the reachability walk (`reach.ts`) and the context-read pass
 * (`attach-signature.ts`).
 *
 * libbpf 1.5 (`bpf_object__init_internal_map`, `bpf_object__populate_internal_map`) creates the
 * maps of `.rodata`, of every `.rodata.*` section and of `.kconfig` with BPF_F_RDONLY_PROG, writes
 * their initial value and freezes them (`bpf_map_freeze`); `.data` and `.bss` stay writable. The
 * verifier then reads a 1, 2, 4 or 8-byte load at a constant offset into such a map as a known
 * scalar (`bpf_map_direct_read` in `check_mem_access`, sign-extended for BPF_MEMSX), so a branch
 * on it goes one way. The value is the map's bytes as the loader wrote them, in the object's byte
 * order (libbpf refuses objects of the other order).
 *
 * - `.rodata*`: the section's bytes from the object, with the variables user space sets before load
 *   (`skel->rodata->x = ...`) replaced (`rodata`).
 * - `.kconfig` externs: LINUX_KERNEL_VERSION from the kernel's release, as libbpf derives it, and
 *   the CONFIG_* values given (`kconfig`: y = 1, n = 0, m = 2, or a number). Any other is unknown
 *   (the kernel's config is not in its BTF): a load of it gives no constant, and a branch on it
 *   goes both ways.
 */

/** An address in a frozen map: a `.rodata*` section, or one `.kconfig` extern, and a byte offset into it. */
export interface FrozenAddress {
  /** The section name (`.rodata`, `.rodata.str1.1`), or `.kconfig/<extern name>`. */
  readonly region: string;
  readonly off: number;
}

export interface KnownValueOptions {
  /** The kernel's release (`uname -r`): libbpf derives LINUX_KERNEL_VERSION from it. */
  readonly kernelRelease?: string;
  /** `.rodata` variables by name, as user space sets them before load (the others keep their initial value). */
  readonly rodata?: ReadonlyMap<string, bigint>;
  /** `__kconfig` CONFIG_* values by name (y = 1, n = 0, m = 2); the others are unknown. */
  readonly kconfig?: ReadonlyMap<string, bigint>;
}

/** A `.rodata` variable: where it is and how a value of it is checked. */
export interface RodataVariable {
  readonly name: string;
  readonly section: string;
  readonly offset: number;
  readonly size: number;
  /** From the variable's BTF type: true signed, false unsigned, undefined when no BTF says. */
  readonly signed?: boolean;
  /** Whether its type is an integer (or enum, bool, pointer); undefined when no BTF says. */
  readonly integer?: boolean;
}

const KCONFIG = '.kconfig';
const KCONFIG_PREFIX = `${KCONFIG}/`;

/** Sections libbpf freezes read-only: `.rodata` and `.rodata.*` (`.kconfig` holds externs, not section bytes). */
export function isFrozenSection(name: string): boolean {
  return name === '.rodata' || name.startsWith('.rodata.');
}

/** LINUX_KERNEL_VERSION as libbpf 1.5 computes it from the release (`uname -r`): KERNEL_VERSION(a, b, min(c, 255)). */
export function kernelVersionCode(release: string): number | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  if (!m) return undefined;
  return (Number(m[1]) << 16) + (Number(m[2]) << 8) + Math.min(Number(m[3] ?? 0), 255);
}

/**
 * The object's `__kconfig` externs by name, with their size (from the `.kconfig` DATASEC). Without
 * BTF, libbpf's naming rule decides (LINUX_* and CONFIG_*), with no size known.
 */
const kconfigExterns: (obj: BpfObject) => ReadonlyMap<string, number | undefined> = oncePer(readKconfigExterns);

function readKconfigExterns(obj: BpfObject): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  const btf = obj.btf;
  const sec = btf?.find(KCONFIG, Kind.DATASEC);
  if (btf && sec !== undefined) {
    const t = btf.type(sec);
    if (t.kind === Kind.DATASEC) for (const v of t.vars) out.set(btf.name(v.type), v.size);
    return out;
  }
  for (const s of obj.elf.symbols()) if (s.sectionIndex === 0 && /^(LINUX|CONFIG)_/.test(s.name)) out.set(s.name, undefined);
  return out;
}

/** The bytes of the object's frozen sections by name (never written: `KnownValues` copies before it sets values). */
const frozenSections = oncePer((obj: BpfObject): ReadonlyMap<string, Uint8Array> =>
  new Map(obj.elf.sections.filter((s) => isFrozenSection(s.name) && s.type !== SHT.NOBITS).map((s) => [s.name, obj.elf.data(s)])));

/** Whether `name` is one of the object's `__kconfig` externs. */
export function isKconfigExtern(obj: BpfObject, name: string): boolean {
  return kconfigExterns(obj).has(name);
}

/** A `.rodata*` variable of the object by name: its symbol places it, its BTF type tells what values fit. */
export function rodataVariable(obj: BpfObject, name: string): RodataVariable | undefined {
  const sym = obj.elf.symbols().find((s) => s.name === name && s.type === STT.OBJECT && s.sectionIndex > 0 &&
    isFrozenSection(obj.elf.sections[s.sectionIndex]?.name ?? ''));
  if (!sym) return undefined;
  const section = obj.elf.sections[sym.sectionIndex].name;
  const type = obj.btf ? varType(obj.btf, section, name) : undefined;
  return { name, section, offset: sym.value, size: sym.size, ...type };
}

/** Signedness and integer-ness of a DATASEC variable's type. */
function varType(btf: Btf, section: string, name: string): { signed?: boolean; integer?: boolean } | undefined {
  const sec = btf.find(section, Kind.DATASEC);
  if (sec === undefined) return undefined;
  const t = btf.type(sec);
  if (t.kind !== Kind.DATASEC) return undefined;
  const v = t.vars.find((x) => btf.name(x.type) === name);
  if (!v) return undefined;
  const vt = btf.type(v.type);
  const id = btf.skipModsAndTypedefs(vt.kind === Kind.VAR ? vt.type : v.type);
  const ty = btf.type(id);
  switch (ty.kind) {
    case Kind.INT: return { integer: true, signed: (ty.encoding & IntEncoding.SIGNED) !== 0 };
    case Kind.ENUM: case Kind.ENUM64: return { integer: true, signed: ty.signed };
    case Kind.PTR: return { integer: true, signed: false };
    default: return { integer: false };
  }
}

/** The values of `size` bytes a variable takes: signed, unsigned, or either when its type is not known. */
function fits(value: bigint, size: number, signed: boolean | undefined): boolean {
  const bits = BigInt(size * 8);
  const min = signed === false ? 0n : -(1n << (bits - 1n));
  const max = signed === true ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  return value >= min && value <= max;
}

/**
 * Why a value cannot be set on the object's variable `name` (undefined: it can, or the object has
 * no such variable). `.rodata` variables take integers that fit their size and signedness;
 * `__kconfig` CONFIG_* externs take integers that fit their size.
 */
export function settingProblem(obj: BpfObject, name: string, value: bigint): string | undefined {
  const v = rodataVariable(obj, name);
  if (v) {
    if (v.integer === false || ![1, 2, 4, 8].includes(v.size)) return `${name} is not an integer variable (${v.size} bytes in ${v.section})`;
    if (!fits(value, v.size, v.signed)) {
      const kind = v.signed === true ? 'signed ' : v.signed === false ? 'unsigned ' : '';
      return `${value} does not fit ${name}, ${kind === 'unsigned ' ? 'an' : 'a'} ${kind}${v.size}-byte variable`;
    }
    return undefined;
  }
  const externs = kconfigExterns(obj);
  if (!externs.has(name)) return undefined;
  const size = externs.get(name);
  if (size !== undefined && (![1, 2, 4, 8].includes(size) || !fits(value, size, undefined))) return `${value} does not fit __kconfig ${name} (${size} bytes)`;
  return undefined;
}

/** Whether the object has a variable or `__kconfig` extern of this name that `--set` may give. */
export function hasSettable(obj: BpfObject, name: string): boolean {
  return rodataVariable(obj, name) !== undefined || (name.startsWith('CONFIG_') && isKconfigExtern(obj, name));
}

/** Writes `value` as `size` bytes in the given byte order. */
function writeInt(bytes: Uint8Array, off: number, size: number, value: bigint, littleEndian: boolean): void {
  let v = BigInt.asUintN(size * 8, value);
  for (let i = 0; i < size; i++) {
    bytes[littleEndian ? off + i : off + size - 1 - i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

export class KnownValues {
  /** Equal for two instances of one object exactly when they answer every read alike: part of the walk cache key. */
  readonly key: string;
  /** LINUX_KERNEL_VERSION when the release is known. */
  readonly kernelVersion?: number;
  /** Bytes of each frozen region whose content is known (unknown `.kconfig` externs have none). */
  private readonly regions = new Map<string, Uint8Array>();
  private readonly externs: ReadonlyMap<string, number | undefined>;

  constructor(private readonly obj: BpfObject, opts: KnownValueOptions = {}) {
    const elf = obj.elf;
    this.externs = kconfigExterns(obj);
    // the object's own bytes, shared by every kernel's instance; a section given values is copied first
    for (const [name, bytes] of frozenSections(obj)) this.regions.set(name, bytes);
    const written = new Set<string>();
    const keyParts: string[] = [];
    for (const [name, value] of [...(opts.rodata ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const v = rodataVariable(obj, name);
      if (!v) continue;
      const problem = settingProblem(obj, name, value);
      if (problem) throw new CorecheckError('USAGE', `.rodata variable ${name}`, -1, problem);
      let bytes = this.regions.get(v.section);
      if (!bytes || v.offset + v.size > bytes.length) continue;
      if (!written.has(v.section)) {
        written.add(v.section);
        this.regions.set(v.section, (bytes = bytes.slice()));
      }
      writeInt(bytes, v.offset, v.size, value, obj.littleEndian);
      keyParts.push(`${name}=${value}`);
    }
    const version = opts.kernelRelease === undefined ? undefined : kernelVersionCode(opts.kernelRelease);
    this.kernelVersion = version;
    for (const [name, size] of this.externs) {
      const value = name === 'LINUX_KERNEL_VERSION' ? (version === undefined ? undefined : BigInt(version)) : opts.kconfig?.get(name);
      if (value === undefined) continue;
      const problem = settingProblem(obj, name, value);
      if (problem) throw new CorecheckError('USAGE', `__kconfig ${name}`, -1, problem);
      // without BTF the extern's size is not known: little-endian reads of its low bytes are still right
      const n = size ?? (obj.littleEndian ? 8 : 0);
      if (n === 0) continue;
      const bytes = new Uint8Array(n);
      writeInt(bytes, 0, n, value, obj.littleEndian);
      this.regions.set(KCONFIG_PREFIX + name, bytes);
      keyParts.push(`${name}=${value}`);
    }
    this.key = keyParts.join(',');
  }

  /**
   * Where an ld_imm64 points when it loads the address of frozen data: libbpf makes it
   * BPF_PSEUDO_MAP_VALUE with offset `symbol value + imm` into a `.rodata*` map, or the extern's
   * place in the `.kconfig` map (`imm` ignored).
   */
  address(ref: CodeRef | undefined, imm: number): FrozenAddress | undefined {
    if (ref?.kind === 'extern') return this.externs.has(ref.symbol.name) ? { region: KCONFIG_PREFIX + ref.symbol.name, off: 0 } : undefined;
    if (ref?.kind !== 'data') return undefined;
    const section = this.obj.elf.sections[ref.symbol.sectionIndex]?.name ?? '';
    return isFrozenSection(section) ? { region: section, off: ref.symbol.value + imm } : undefined;
  }

  /** The `__kconfig` extern an address is in, if any. */
  static kconfigName(at: FrozenAddress): string | undefined {
    return at.region.startsWith(KCONFIG_PREFIX) ? at.region.slice(KCONFIG_PREFIX.length) : undefined;
  }

  /**
   * The constant (u64) a `size`-byte load at `at` gives, sign-extended for BPF_MEMSX (`signed`), as
   * `bpf_map_direct_read` does; undefined when the region's content is unknown or the read leaves it.
   */
  read(at: FrozenAddress, size: number, signed = false): bigint | undefined {
    const bytes = this.regions.get(at.region);
    if (!bytes || ![1, 2, 4, 8].includes(size) || !Number.isInteger(at.off) || at.off < 0 || at.off + size > bytes.length) return undefined;
    const le = this.obj.littleEndian;
    let v = 0n;
    for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(bytes[le ? at.off + size - 1 - i : at.off + i]);
    return signed ? BigInt.asIntN(size * 8, v) & MASK64 : v;
  }
}
