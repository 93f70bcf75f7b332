import { formatSpec, isSpecError, parseSpec } from '../core/spec.js';
import { reloKindName, type ReloKindName } from '../core/relo-kind.js';
import type { LocatedObject } from '../object/open.js';
import type { BpfObject, CoreRelocation } from '../object/object.js';
import { KIND_NAMES_LIBBPF } from '../btf/kinds.js';

/** What `corecheck inspect` reports for one object: plain, JSON-serializable data. */
export interface InspectedObject {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly endianness: 'little' | 'big';
  readonly license: string | null;
  readonly btf: { readonly types: number } | null;
  readonly btf_ext_error: string | null;
  readonly programs: InspectedProgram[];
  readonly maps: InspectedMap[];
  readonly relocations: InspectedRelocation[];
}

export interface InspectedProgram {
  readonly name: string;
  readonly section: string;
  /** libbpf's program type name (`kprobe`, `tracepoint`, `tracing`, …), null if libbpf knows no type for the section. */
  readonly type: string | null;
  readonly attach_type: string | null;
  readonly attach_target: string | null;
  readonly insns: number;
  /** BTF FUNC id of the function (from `.BTF.ext` func_info), null without BTF.ext. */
  readonly btf_func_id: number | null;
  readonly autoload: boolean;
  readonly subprogram: boolean;
}

export interface InspectedMap {
  readonly name: string;
  readonly origin: 'btf' | 'legacy' | 'data';
  readonly type: string;
  readonly key_size: number | null;
  readonly value_size: number | null;
  readonly max_entries: number | null;
  readonly flags: number | null;
}

export interface InspectedRelocation {
  readonly section: string;
  /** Instruction index within the section. */
  readonly insn: number;
  /** libbpf's `relo #N`: index of the record within its section's `.BTF.ext` block. */
  readonly index: number;
  readonly program: string | null;
  /** Instruction index within the program. */
  readonly program_insn: number | null;
  readonly kind: ReloKindName;
  readonly type_id: number;
  readonly access: string;
  /** libbpf's notation, e.g. `<byte_off> [15] struct open_how.flags (0:0 @ offset 0)`; null if libbpf could not parse it. */
  readonly spec: string | null;
  /** Why the spec does not parse (libbpf fails the relocation with this errno). */
  readonly error: string | null;
  readonly source: { readonly file: string; readonly line: number; readonly column: number; readonly text: string } | null;
}

export function inspectObject(located: LocatedObject): InspectedObject {
  const obj = located.object;
  return {
    name: located.name,
    offset: located.offset,
    size: located.size,
    endianness: obj.littleEndian ? 'little' : 'big',
    license: obj.license ?? null,
    btf: obj.btf ? { types: obj.btf.typeCount - 1 } : null,
    btf_ext_error: obj.extError ? obj.extError.format() : null,
    programs: obj.programs.map((p) => ({
      name: p.name,
      section: p.section,
      type: p.progType ? p.progType.toLowerCase() : null,
      attach_type: p.attachType ?? null,
      attach_target: p.attachTarget ?? null,
      insns: p.insnCount,
      btf_func_id: obj.funcInfo(p) ?? null,
      autoload: p.autoload,
      subprogram: p.isSubprogram,
    })),
    maps: obj.maps.map((m) => ({
      name: m.name, origin: m.origin, type: m.typeName, key_size: m.keySize ?? null, value_size: m.valueSize ?? null,
      max_entries: m.maxEntries ?? null, flags: m.flags ?? null,
    })),
    relocations: obj.coreRelocations().map((r) => inspectRelocation(obj, r)),
  };
}

function inspectRelocation(obj: BpfObject, r: CoreRelocation): InspectedRelocation {
  const btf = obj.btf!;
  const parsed = btf.hasType(r.record.typeId) ? parseSpec(btf, r.record.typeId, r.accessStr, r.record.kind) : { errno: 'EINVAL' as const };
  let spec: string | null = null;
  let error: string | null = null;
  if (isSpecError(parsed)) {
    // libbpf: "parsing [%u] %s %s + %s failed: %d"
    const root = btf.hasType(r.record.typeId) ? `${KIND_NAMES_LIBBPF[btf.kind(r.record.typeId)]} ${btf.name(r.record.typeId) || '<anon>'}` : '<invalid type>';
    error = `parsing [${r.record.typeId}] ${root} + ${r.accessStr} failed: -${parsed.errno}`;
  } else {
    spec = formatSpec(parsed);
  }
  const src = obj.sourceLine(r.section, r.insn);
  return {
    section: r.section,
    insn: r.insn,
    index: r.index,
    program: r.program?.name ?? null,
    program_insn: r.program ? r.insn - r.program.insnOffset : null,
    kind: reloKindName(r.record.kind),
    type_id: r.record.typeId,
    access: r.accessStr,
    spec,
    error,
    source: src ? { file: src.file, line: src.line, column: src.column, text: src.text.trim() } : null,
  };
}
