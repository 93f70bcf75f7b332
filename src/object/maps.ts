import type { Btf } from '../btf/btf.js';
import { Kind } from '../btf/kinds.js';
import { isSizeError, resolveSize } from '../btf/size.js';
import { fail } from '../common/errors.js';
import type { ElfFile } from '../elf/elf.js';

/** `enum bpf_map_type` names without the `BPF_MAP_TYPE_` prefix, by value. */
export const MAP_TYPE_NAMES: readonly string[] = [
  'UNSPEC', 'HASH', 'ARRAY', 'PROG_ARRAY', 'PERF_EVENT_ARRAY', 'PERCPU_HASH', 'PERCPU_ARRAY', 'STACK_TRACE',
  'CGROUP_ARRAY', 'LRU_HASH', 'LRU_PERCPU_HASH', 'LPM_TRIE', 'ARRAY_OF_MAPS', 'HASH_OF_MAPS', 'DEVMAP', 'SOCKMAP',
  'CPUMAP', 'XSKMAP', 'SOCKHASH', 'CGROUP_STORAGE', 'REUSEPORT_SOCKARRAY', 'PERCPU_CGROUP_STORAGE', 'QUEUE', 'STACK',
  'SK_STORAGE', 'DEVMAP_HASH', 'STRUCT_OPS', 'RINGBUF', 'INODE_STORAGE', 'TASK_STORAGE', 'BLOOM_FILTER',
  'USER_RINGBUF', 'CGRP_STORAGE', 'ARENA',
];

export function mapTypeName(type: number): string {
  return MAP_TYPE_NAMES[type] ?? `UNKNOWN(${type})`;
}

export interface BpfMap {
  readonly name: string;
  /** Where it is defined: BTF `.maps`, legacy `maps` section, or a global-data section. */
  readonly origin: 'btf' | 'legacy' | 'data';
  readonly section: string;
  /** `enum bpf_map_type` value. */
  readonly type: number;
  readonly typeName: string;
  readonly keySize?: number;
  readonly valueSize?: number;
  readonly maxEntries?: number;
  readonly flags?: number;
  /** BTF ids of key and value types when the definition names them. */
  readonly keyTypeId?: number;
  readonly valueTypeId?: number;
  readonly pinning?: number;
  /** For map-in-map: the inner map definition. */
  readonly inner?: BpfMap;
}

/** Global-data sections that libbpf turns into internal ARRAY maps (`bpf_object__init_internal_map`). */
export function isDataSection(name: string): boolean {
  return name === '.data' || name === '.rodata' || name === '.bss' || name === '.kconfig' ||
    name.startsWith('.data.') || name.startsWith('.rodata.') || name.startsWith('.addr_space.');
}

/**
 * BTF-defined maps (libbpf's `parse_btf_map_def`): each VAR in the `.maps` DATASEC is a struct whose
 * members encode attributes: `__uint(x, N)` is `int (*x)[N]`, `__type(x, T)` is `T *x`.
 */
export function parseBtfMaps(btf: Btf): BpfMap[] {
  const sec = btf.find('.maps', Kind.DATASEC);
  if (sec === undefined) return [];
  const t = btf.type(sec);
  if (t.kind !== Kind.DATASEC) return [];
  return t.vars.map((v) => {
    const varT = btf.type(v.type);
    const name = varT.name;
    const def = btf.skipModsAndTypedefs(varT.kind === Kind.VAR ? varT.type : v.type);
    return parseMapDef(btf, name, def, '.maps');
  });
}

function parseMapDef(btf: Btf, name: string, defId: number, section: string): BpfMap {
  const def = btf.type(defId);
  const where = `BTF map '${name}' definition [${defId}]`;
  if (def.kind !== Kind.STRUCT) fail('MALFORMED', where, -1, `map definition is a ${def.kind === Kind.UNION ? 'union' : 'non-struct type'}, expected a struct`);
  const attrs: Record<string, number> = {};
  let keyTypeId: number | undefined;
  let valueTypeId: number | undefined;
  let inner: BpfMap | undefined;
  for (const m of def.members) {
    const mt = btf.type(btf.skipModsAndTypedefs(m.type));
    if (m.name === 'key' || m.name === 'value') {
      if (mt.kind !== Kind.PTR) fail('MALFORMED', `${where} member '${m.name}'`, -1, `expected a pointer, got BTF kind ${mt.kind}`);
      const size = resolveSize(btf, mt.type);
      if (isSizeError(size)) fail('MALFORMED', `${where} member '${m.name}'`, -1, `cannot size type [${mt.type}]`);
      if (m.name === 'key') {
        keyTypeId = mt.type;
        attrs.key_size = size;
      } else {
        valueTypeId = mt.type;
        attrs.value_size = size;
      }
    } else if (m.name === 'values') {
      // map-in-map / prog array: `values` is an array of pointers to the inner definition.
      const arr = btf.type(m.type);
      if (arr.kind === Kind.ARRAY) {
        const ptr = btf.type(btf.skipModsAndTypedefs(arr.type));
        if (ptr.kind === Kind.PTR) {
          const innerDef = btf.skipModsAndTypedefs(ptr.type);
          if (btf.kind(innerDef) === Kind.STRUCT) inner = parseMapDef(btf, `${name}.inner`, innerDef, section);
        }
      }
      attrs.value_size = 4;
    } else {
      // `__uint(attr, N)` / `__array`: pointer to an array whose element count is the value.
      if (mt.kind !== Kind.PTR) fail('MALFORMED', `${where} member '${m.name}'`, -1, `attr '${m.name}': expected a pointer, got BTF kind ${mt.kind}`);
      const arr = btf.type(mt.type);
      if (arr.kind !== Kind.ARRAY) fail('MALFORMED', `${where} member '${m.name}'`, -1, `attr '${m.name}': expected a pointer to an array`);
      attrs[m.name] = arr.nelems;
    }
  }
  const type = attrs.type ?? 0;
  return {
    name, origin: 'btf', section, type, typeName: mapTypeName(type),
    keySize: attrs.key_size, valueSize: attrs.value_size, maxEntries: attrs.max_entries, flags: attrs.map_flags,
    keyTypeId, valueTypeId, pinning: attrs.pinning, inner,
  };
}

/** Legacy `struct bpf_map_def` maps in a section named `maps`: one ELF symbol per map. */
export function parseLegacyMaps(elf: ElfFile): BpfMap[] {
  const sec = elf.section('maps');
  if (!sec) return [];
  const v = elf.sectionView(sec);
  return elf.symbols()
    .filter((s) => s.sectionIndex === sec.index && s.name !== '' && s.type !== 3 /* STT_SECTION */)
    .sort((a, b) => a.value - b.value)
    .map((s) => {
      const st = `legacy map '${s.name}' definition`;
      const field = (i: number): number => v.u32(s.value + i * 4, st);
      const type = field(0);
      return {
        name: s.name, origin: 'legacy' as const, section: 'maps', type, typeName: mapTypeName(type),
        keySize: field(1), valueSize: field(2), maxEntries: field(3), flags: field(4),
      };
    });
}
