import type { InsnBuffer } from '../insn/buffer.js';
import { Opcode } from '../insn/opcode.js';
import { ldImm64Target } from '../object/calls.js';
import type { BpfObject, BpfProgram } from '../object/object.js';
import { autoloadFix } from './explain.js';
import type { Reason } from './reason.js';

/**
 * VERIFIER_RULE: the address of a global variable (an `ld_imm64` into `.data`, `.rodata`, `.bss`
 * or a custom data section) must lie inside its section. libbpf makes the offset the
 * instruction's immediate plus the symbol's value (`bpf_object__relocate_data`), and the kernel
 * checks every such instruction of the program, reached or not, before verifying it
 * (`array_map_direct_value_addr`: "invalid access to map value pointer, value_size=8 off=8").
 * gcc-bpf 12 puts a variable's offset in both, so a variable not first in its section is past it.
 */
export function dataRefReasons(obj: BpfObject, prog: BpfProgram, codeOf: (fn: BpfProgram) => InsnBuffer, linked: readonly BpfProgram[]): Reason[] {
  for (const fn of linked) {
    const code = codeOf(fn);
    for (let pc = 0; pc < code.count; pc++) {
      if (code.code(pc) !== Opcode.LD_IMM64) continue;
      const imm = code.imm(pc);
      const ref = ldImm64Target(obj, fn, pc, imm);
      pc++;
      if (ref?.kind !== 'data') continue;
      const map = obj.maps.find((m) => m.origin === 'data' && m.section === obj.elf.sections[ref.symbol.sectionIndex]?.name);
      if (!map || map.valueSize === undefined) continue;
      const off = (imm >>> 0) + ref.symbol.value;
      if (off < map.valueSize) continue;
      return [{
        class: 'VERIFIER_RULE', verdict: 'fails',
        subject: { kind: 'verifier-rule', rule: 'data-offset', what: 'a global variable\'s address lies inside its section', relaxedIn: '' },
        message: `the instruction loads the address of ${ref.symbol.name} at offset ${off} of ${map.section} (the immediate ${imm >>> 0} plus the symbol's value ${ref.symbol.value}), past its ${map.valueSize} bytes: the kernel refuses it before verifying ("invalid access to map value pointer, value_size=${map.valueSize} off=${off}")`,
        source: obj.sourceLine(fn.section, fn.insnOffset + pc - 1), function: fn.name, insn: pc - 1,
        fixes: ['build with clang: gcc-bpf 12 counts a global variable\'s offset twice, in the relocation\'s symbol and in the instruction', autoloadFix(prog.name)],
      }];
    }
  }
  return [];
}
