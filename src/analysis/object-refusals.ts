import { Kind } from '../btf/kinds.js';
import type { IntType } from '../btf/types.js';
import { STB, STT } from '../elf/elf.js';
import type { BpfObject } from '../object/object.js';
import type { Reason } from './reason.js';

/**
 * OBJECT_REFUSED: what makes libbpf 1.5 refuse an object as a whole before the verifier sees any
 * program (tools/lib/bpf/libbpf.c of linux-source-6.12), on every kernel:
 * - a legacy `maps` section (`bpf_object__elf_collect`: "elf: legacy map definitions in 'maps'
 *   section are not supported by libbpf v1.0+"): opening fails;
 * - an extern symbol (undefined, global or weak, no type) without a BTF VAR or FUNC of that name
 *   with extern linkage (`bpf_object__collect_externs`: "failed to find BTF for extern"): opening
 *   fails. gcc-bpf 12 emits no BTF for extern functions such as kfuncs;
 * - an object whose BTF the kernel must load (struct_ops maps: "BTF is mandatory") holding an
 *   integer type the kernel's BTF checker refuses (`btf_int_check_meta`: one of signed, char or
 *   bool at most, "Unsupported encoding", -ENOTSUPP). gcc-bpf 12 encodes `signed char` as signed
 *   and char. Without struct_ops, libbpf loads the programs without the object's BTF.
 */
export function objectRefusals(obj: BpfObject): Reason[] {
  const out: Reason[] = [];
  if (obj.elf.sections.some((s) => s.name === 'maps')) {
    out.push(refused('legacy-maps', 'maps',
      "libbpf 1.5 refuses to open the object: elf: legacy map definitions in 'maps' section are not supported by libbpf v1.0+",
      ['declare the maps with BTF in SEC(".maps") (struct { __uint(type, BPF_MAP_TYPE_HASH); __type(key, u32); ... } name SEC(".maps");)']));
  }
  // libbpf stops at the first
  for (const name of externsWithoutBtf(obj).slice(0, 1)) {
    out.push(refused('extern-without-btf', name,
      `libbpf 1.5 refuses to open the object: failed to find BTF for extern '${name}' (the object's BTF has no extern VAR or FUNC of that name)`,
      [`build with clang, which emits BTF for extern declarations (gcc-bpf 12 does not for functions), or declare '${name}' with __ksym or __kconfig`]));
  }
  const bad = obj.btf && mandatoryBtf(obj) ? badIntEncoding(obj) : undefined;
  if (bad) {
    out.push(refused('btf-rejected', bad.name,
      `the kernel refuses the object's BTF, which a struct_ops object must load (libbpf: "BTF is mandatory, can't proceed"): [${bad.id}] INT ${bad.name} has encoding ${bad.encoding} ("Unsupported encoding", -524)`,
      ['build with clang, whose BTF gives each integer one encoding (signed, char or bool)']));
  }
  return out;
}

function refused(what: 'legacy-maps' | 'extern-without-btf' | 'btf-rejected', name: string, message: string, fixes: string[]): Reason {
  return { class: 'OBJECT_REFUSED', verdict: 'fails', subject: { kind: 'object-refused', what, name }, message, fixes };
}

/** BTF_VAR_GLOBAL_EXTERN and BTF_FUNC_EXTERN. */
const EXTERN_LINKAGE = 2;

/** libbpf's `sym_is_extern` symbols that `find_extern_btf_id` finds no BTF for. */
function externsWithoutBtf(obj: BpfObject): string[] {
  const names = obj.elf.symbols()
    .filter((s) => s.sectionIndex === 0 && (s.bind === STB.GLOBAL || s.bind === STB.WEAK) && s.type === STT.NOTYPE && s.name !== '')
    .map((s) => s.name);
  if (names.length === 0) return [];
  const wanted = new Set(names);
  const btf = obj.btf;
  // whether the first VAR or FUNC of each name has extern linkage: libbpf stops at the first
  const firstIsExtern = new Map<string, boolean>();
  for (let id = 1; btf && id < btf.typeCount; id++) {
    const k = btf.kind(id);
    if (k !== Kind.VAR && k !== Kind.FUNC) continue;
    const t = btf.type(id) as { name: string; linkage: number };
    if (wanted.has(t.name) && !firstIsExtern.has(t.name)) firstIsExtern.set(t.name, t.linkage === EXTERN_LINKAGE);
  }
  return names.filter((n) => firstIsExtern.get(n) !== true);
}

/** libbpf's `kernel_needs_btf`: struct_ops maps need the object's BTF in the kernel. */
function mandatoryBtf(obj: BpfObject): boolean {
  return obj.elf.sections.some((s) => s.name === '.struct_ops' || s.name === '.struct_ops.link');
}

/** The first INT whose encoding is more than one of signed (1), char (2) and bool (4). */
function badIntEncoding(obj: BpfObject): { id: number; name: string; encoding: number } | undefined {
  const btf = obj.btf!;
  for (let id = 1; id < btf.typeCount; id++) {
    if (btf.kind(id) !== Kind.INT) continue;
    const t = btf.type(id) as IntType;
    if (t.encoding !== 0 && t.encoding !== 1 && t.encoding !== 2 && t.encoding !== 4) return { id, name: t.name, encoding: t.encoding };
  }
  return undefined;
}
