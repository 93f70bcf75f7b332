import type { InsnBuffer } from '../insn/buffer.js';
import { BpfClass, BpfSource, Opcode, opClass, opSizeBytes, opSource, sizeCode, withSize } from '../insn/opcode.js';
import type { RelocResult } from './calc.js';
import type { CoreLog } from './log.js';
import type { Errno } from './spec.js';

/** The helper id libbpf writes into poisoned instructions: 0xbad2310, "bad relo". */
export const POISON_IMM = 195896080;

/** What patching did: wrote the new value, poisoned the slot(s), or failed with an errno. */
export type PatchOutcome = 'patched' | 'poisoned' | Errno;

const u64 = (v: number | bigint): bigint => BigInt.asUintN(64, BigInt(v));
const u32 = (v: number): number => v >>> 0;

/** libbpf's `bpf_core_poison_insn` (1.5): `call 0xbad2310` in the slot, and the next one for ld_imm64. */
function poison(prog: string, reloIdx: number, insns: InsnBuffer, idx: number, log: CoreLog): 'poisoned' {
  const n = insns.code(idx) === Opcode.LD_IMM64 ? 2 : 1;
  for (let k = 0; k < n; k++) {
    if (log.enabled) log.debug(`prog '${prog}': relo #${reloIdx}: substituting insn #${idx + k} w/ invalid insn`);
    insns.setCode(idx + k, Opcode.CALL);
    insns.setRegs(idx + k, 0, 0);
    insns.setOff(idx + k, 0);
    insns.setImm(idx + k, POISON_IMM);
  }
  return 'poisoned';
}

/**
 * libbpf's `bpf_core_patch_insn` (libbpf 1.5): by instruction class, check the compiler's value,
 * write the new one, or poison. In 1.5 the class is checked before poisoning (an ALU-with-register
 * instruction is an error even when the relocation would poison) and ld_imm64 slots are poisoned
 * in order, #n then #n+1.
 */
export function patchInsn(prog: string, insns: InsnBuffer, idx: number, reloIdx: number, res: RelocResult, log: CoreLog): PatchOutcome {
  const code = insns.code(idx);
  const origVal = res.origVal;
  const newVal = res.newVal;
  const tag = `prog '${prog}': relo #${reloIdx}`;
  switch (opClass(code)) {
    case BpfClass.ALU: case BpfClass.ALU64: {
      if (opSource(code) !== BpfSource.K) return badInsn(tag, insns, idx, log);
      if (res.poison) return poison(prog, reloIdx, insns, idx, log);
      const imm = insns.imm(idx);
      if (res.validate && u64(imm) !== origVal) {
        log.warn(`${tag}: unexpected insn #${idx} (ALU/ALU64) value: got ${u32(imm)}, exp ${origVal} -> ${newVal}`);
        return 'EINVAL';
      }
      insns.setImm(idx, Number(BigInt.asIntN(32, newVal)));
      if (log.enabled) log.debug(`${tag}: patched insn #${idx} (ALU/ALU64) imm ${u64(imm)} -> ${newVal}`);
      return 'patched';
    }
    case BpfClass.LDX: case BpfClass.ST: case BpfClass.STX: {
      if (res.poison) return poison(prog, reloIdx, insns, idx, log);
      const off = insns.off(idx);
      if (res.validate && u64(off) !== origVal) {
        log.warn(`${tag}: unexpected insn #${idx} (LDX/ST/STX) value: got ${u32(off)}, exp ${origVal} -> ${newVal}`);
        return 'EINVAL';
      }
      if (newVal > 32767n) {
        log.warn(`${tag}: insn #${idx} (LDX/ST/STX) value too big: ${newVal}`);
        return 'ERANGE';
      }
      if (res.failMemszAdjust) {
        log.warn(`${tag}: insn #${idx} (LDX/ST/STX) accesses field incorrectly. Make sure you are accessing pointers, unsigned integers, or fields of matching type and size.`);
        return poison(prog, reloIdx, insns, idx, log);
      }
      insns.setOff(idx, Number(newVal));
      if (log.enabled) log.debug(`${tag}: patched insn #${idx} (LDX/ST/STX) off ${u64(off)} -> ${newVal}`);
      if (res.newSz !== res.origSz) {
        const have = opSizeBytes(code);
        if (have !== res.origSz) {
          log.warn(`${tag}: insn #${idx} (LDX/ST/STX) unexpected mem size: got ${have}, exp ${res.origSz}`);
          return 'EINVAL';
        }
        const sz = sizeCode(res.newSz);
        if (sz < 0) {
          log.warn(`${tag}: insn #${idx} (LDX/ST/STX) invalid new mem size: ${res.newSz}`);
          return 'EINVAL';
        }
        insns.setCode(idx, withSize(code, sz));
        if (log.enabled) log.debug(`${tag}: patched insn #${idx} (LDX/ST/STX) mem_sz ${res.origSz} -> ${res.newSz}`);
      }
      return 'patched';
    }
    case BpfClass.LD: {
      const next = idx + 1;
      if (code !== Opcode.LD_IMM64 || insns.src(idx) !== 0 || insns.off(idx) !== 0 || next >= insns.count ||
          insns.code(next) !== 0 || insns.dst(next) !== 0 || insns.src(next) !== 0 || insns.off(next) !== 0) {
        log.warn(`${tag}: insn #${idx} (LDIMM64) has unexpected form`);
        return 'EINVAL';
      }
      if (res.poison) return poison(prog, reloIdx, insns, idx, log);
      const imm = (BigInt(u32(insns.imm(next))) << 32n) | BigInt(u32(insns.imm(idx)));
      if (res.validate && imm !== origVal) {
        log.warn(`${tag}: unexpected insn #${idx} (LDIMM64) value: got ${imm}, exp ${origVal} -> ${newVal}`);
        return 'EINVAL';
      }
      insns.setImm(idx, Number(BigInt.asIntN(32, newVal)));
      insns.setImm(next, Number(BigInt.asIntN(32, newVal >> 32n)));
      if (log.enabled) log.debug(`${tag}: patched insn #${idx} (LDIMM64) imm64 ${imm} -> ${newVal}`);
      return 'patched';
    }
    default:
      return badInsn(tag, insns, idx, log);
  }
}

function badInsn(tag: string, insns: InsnBuffer, idx: number, log: CoreLog): Errno {
  const h = (v: number): string => u32(v).toString(16);
  log.warn(`${tag}: trying to relocate unrecognized insn #${idx}, code:0x${h(insns.code(idx))}, src:0x${h(insns.src(idx))}, dst:0x${h(insns.dst(idx))}, off:0x${h(insns.off(idx))}, imm:0x${h(insns.imm(idx))}`);
  return 'EINVAL';
}
