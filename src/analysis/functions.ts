import type { InsnBuffer } from '../insn/buffer.js';
import { BPF_PSEUDO_CALL } from '../insn/insn.js';
import { Opcode } from '../insn/opcode.js';
import { callTarget, ldImm64Target } from '../object/calls.js';
import type { BpfObject, BpfProgram } from '../object/object.js';


/**
 * The functions libbpf links into a program when it loads it (`bpf_object__reloc_code`): the
 * program, then every subprogram its code calls or takes the address of, transitively, whether or
 * not a path reaches the call. Poisoned instructions anywhere in these are the program's concern.
 */
export function linkedFunctions(obj: BpfObject, main: BpfProgram, codeOf: (fn: BpfProgram) => InsnBuffer): BpfProgram[] {
  const out = [main];
  const seen = new Set(out);
  for (let i = 0; i < out.length; i++) {
    const fn = out[i];
    const code = codeOf(fn);
    for (let pc = 0; pc < code.count; pc++) {
      const op = code.code(pc);
      let callee: BpfProgram | undefined;
      if (op === Opcode.CALL && code.src(pc) === BPF_PSEUDO_CALL) {
        const ref = callTarget(obj, fn, pc, code.imm(pc));
        if (ref.kind === 'subprogram') callee = ref.callee;
      } else if (op === Opcode.LD_IMM64) {
        const ref = ldImm64Target(obj, fn, pc, code.imm(pc));
        if (ref?.kind === 'subprogram') callee = ref.callee;
        pc++;
      }
      if (callee && !seen.has(callee)) {
        seen.add(callee);
        out.push(callee);
      }
    }
  }
  return out;
}
