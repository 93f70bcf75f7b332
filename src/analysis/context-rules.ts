import type { BpfObject, BpfProgram } from '../object/object.js';
import type { CtxRead, ProgramExit } from './attach-signature.js';
import { autoloadFix } from './explain.js';
import type { Reason } from './reason.js';

/**
 * VERIFIER_RULE reasons that hold on every kernel, judged from the context pass
 * (`contextReads`): what a program may read of its context and must return.
 */

/**
 * A tracepoint program (`tracepoint/`, `tp/`) reads its context, the tracepoint's record, from byte
 * 8 on: the first 8 bytes are the common fields (type, flags, preempt count, pid), which
 * `tp_prog_is_valid_access` (kernel/trace/bpf_trace.c) refuses, as it refuses reads not aligned
 * to their size ("invalid bpf_context access off=4 size=4").
 */
export function tracepointContextReasons(obj: BpfObject, prog: BpfProgram, reads: readonly CtxRead[]): Reason[] {
  const out: Reason[] = [];
  for (const x of reads) {
    const common = x.offset < 8;
    if (!common && x.offset % x.size === 0) continue;
    out.push({
      class: 'VERIFIER_RULE', verdict: 'fails',
      subject: common
        ? { kind: 'verifier-rule', rule: 'tracepoint-common-fields', what: 'a tracepoint program may not read the common fields (its context\'s first 8 bytes)', relaxedIn: '' }
        : { kind: 'verifier-rule', rule: 'tracepoint-aligned-reads', what: 'a tracepoint program reads its context at offsets aligned to the size read', relaxedIn: '' },
      message: common
        ? `the program reads ${x.size} bytes at offset ${x.offset} of the tracepoint's record, in the common fields (struct trace_entry: type, flags, preempt_count, pid), which no kernel lets a tracepoint program read ("invalid bpf_context access off=${x.offset} size=${x.size}")`
        : `the program reads ${x.size} bytes at offset ${x.offset} of the tracepoint's record, not aligned to its size ("invalid bpf_context access off=${x.offset} size=${x.size}")`,
      source: obj.sourceLine(x.fn.section, x.fn.insnOffset + x.insn), function: x.fn.name, insn: x.insn,
      fixes: common
        ? ['take the pid from bpf_get_current_pid_tgid() (and the rest from the record\'s own fields, past the common ones) instead of ctx->ent', autoloadFix(prog.name)]
        : ['read the field with its own size and alignment', autoloadFix(prog.name)],
    });
  }
  return out;
}

/**
 * fentry and fexit programs must return 0: `check_return_code` (kernel/bpf/verifier.c) requires
 * R0 to be known to be 0 at every exit ("At program exit the register R0 has value ... should have
 * been in [0, 0]"). A value the pass does not know (a helper's result, a comparison) is refused
 * too: the verifier must know it is 0.
 */
export function returnCodeReasons(obj: BpfObject, prog: BpfProgram, kind: string, exits: readonly ProgramExit[]): Reason[] {
  if (kind !== 'fentry' && kind !== 'fexit' && kind !== 'fentry.s' && kind !== 'fexit.s') return [];
  const bad = exits.find((e) => e.r0 !== 0n);
  if (!bad) return [];
  const value = bad.r0 === undefined ? 'a value computed at run time' : `${BigInt.asIntN(64, bad.r0)}`;
  return [{
    class: 'VERIFIER_RULE', verdict: 'fails',
    subject: { kind: 'verifier-rule', rule: 'tracing-return-zero', what: 'fentry and fexit programs must return 0', relaxedIn: '' },
    message: `the ${kind} program returns ${value} (insn ${bad.insn}), where the verifier requires R0 to be known to be 0 at exit ("At program exit the register R0 has value ... should have been in [0, 0]")`,
    source: obj.sourceLine(prog.section, prog.insnOffset + bad.insn), function: prog.name, insn: bad.insn,
    fixes: ['return 0 from the program; keep what it computes in a map or a global variable', autoloadFix(prog.name)],
  }];
}
