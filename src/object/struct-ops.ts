import { Kind } from '../btf/kinds.js';
import type { DatasecType, StructType } from '../btf/types.js';
import { INSN_SIZE } from '../insn/insn.js';
import { sectionRelocations } from './lookup.js';
import type { BpfObject, BpfProgram } from './object.js';

/** Where a struct_ops program is plugged in: the struct_ops type and the member that points at it. */
export interface StructOpsSlot {
  /** The struct_ops variable (the map): `fixture_cc`. */
  readonly variable: string;
  /** Its type, as the kernel must have it: `tcp_congestion_ops`. */
  readonly struct: string;
  /** The function-pointer member the program fills: `ssthresh`. */
  readonly member: string;
}

const STRUCT_OPS_SECTIONS = ['.struct_ops', '.struct_ops.link'];

/**
 * The member of a `SEC(".struct_ops")` variable that points at `prog`, as libbpf finds it
 * (`bpf_object__collect_st_ops_relos`): a relocation in the struct_ops section at the member's
 * offset inside the variable, whose symbol is the program.
 */
export function structOpsSlot(obj: BpfObject, prog: BpfProgram): StructOpsSlot | undefined {
  const btf = obj.btf;
  if (!btf) return undefined;
  for (const name of STRUCT_OPS_SECTIONS) {
    const sec = obj.elf.sections.find((s) => s.name === name);
    const datasec = btf.find(name, Kind.DATASEC);
    if (!sec || datasec === undefined) continue;
    for (const [slot, sym] of sectionRelocations(obj.elf, sec.index)) {
      if (sym.sectionIndex !== prog.sectionIndex || sym.value !== prog.insnOffset * INSN_SIZE) continue;
      const at = slot * INSN_SIZE;
      const v = (btf.type(datasec) as DatasecType).vars.find((x) => x.offset <= at && at < x.offset + x.size);
      if (!v) continue;
      const structId = btf.skipModsAndTypedefs(btf.sizeOrType(v.type));
      if (btf.kind(structId) !== Kind.STRUCT) continue;
      const member = (btf.type(structId) as StructType).members.find((m) => m.bitOffset === (at - v.offset) * 8);
      if (member) return { variable: btf.name(v.type), struct: btf.name(structId), member: member.name };
    }
  }
  return undefined;
}
