import { isArchSyscallWrapper } from './arch.js';
import { describeSubject, type Reason } from './reason.js';

/**
 * Whether a reason is what an architecture mismatch explains: a CO-RE access to the register
 * layout (`struct pt_regs`, `user_pt_regs`), or an attach target that is another architecture's
 * syscall entry point. On such a kernel these are one cause, not one failure per access.
 */
export function explainedByArch(r: Reason): boolean {
  const s = r.subject;
  if (s.kind === 'core') return s.core.essential === 'pt_regs' || s.core.essential === 'user_pt_regs';
  if (s.kind === 'attach-target') return isArchSyscallWrapper(s.name);
  return false;
}

/** The reason restated as the mismatch it is: built for `builtFor`, checked on a `kernelArch` kernel. */
export function archMismatchReason(r: Reason, builtFor: string, kernelArch: string): Reason {
  return {
    ...r,
    class: 'ARCH_MISMATCH',
    subject: { kind: 'arch', arch: builtFor },
    message: `built for ${builtFor}, checked on a ${kernelArch} kernel: ${describeSubject(r.subject)} is ${builtFor}'s, so: ${r.message}`,
    fixes: [
      `build one object per architecture (clang -target bpf -D__TARGET_ARCH_<arch> with that architecture's vmlinux.h) and load the one that matches the machine`,
      'or check only kernels of the architecture it was built for (the default; --arch all checks every kernel)',
    ],
  };
}
