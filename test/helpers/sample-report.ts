// A small Report built by the real builder (buildReport, evaluateGate) from hand-written verdicts:
// the cases real objects rarely show together — a guarded site beside a failing one, a program
// whose autoload is off, a cause with no source line, a kernel without BTF, and text that XML and
// Markdown must escape.
import type { ObjectVerdict, ProgramVerdict } from '../../src/analysis/check.js';
import { subjectKey, worst, type Reason } from '../../src/analysis/reason.js';
import { buildReport, type ObjectRun } from '../../src/report/build.js';
import { evaluateGate, type FailOn } from '../../src/report/gate.js';
import type { KernelMeta, Report } from '../../src/report/model.js';

export const OLD = 'centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64';
export const NEW = 'debian/12/arm64/6.1.0-57-arm64';
export const NEWER = 'debian/13/arm64/6.12.107+deb13-arm64';
export const BARE = '/boot/vmlinuz-5.4.0-nobtf';

const KERNELS: KernelMeta[] = [
  { label: OLD, distro: 'centos', release: '8', arch: 'arm64', version: '4.18.0-147.5.1.el8_1.aarch64', btf: true },
  { label: NEW, distro: 'debian', release: '12', arch: 'arm64', version: '6.1.0-57-arm64', btf: true },
  { label: NEWER, distro: 'debian', release: '13', arch: 'arm64', version: '6.12.107+deb13-arm64', btf: true },
  { label: BARE, distro: null, release: null, arch: null, version: null, btf: false },
];

const OPEN_HOW: Reason['subject'] = {
  kind: 'core', lacks: 'type',
  core: { rootKind: 'struct', rootTypeId: 19, root: 'open_how', essential: 'open_how', path: ['flags'], aspect: 'field' },
};

const coreMiss = (program: string, line: number): Reason => ({
  class: 'CORE_RELOCATION', verdict: 'fails', subject: OPEN_HOW,
  message: 'failed to resolve CO-RE relocation <byte_off> [19] struct open_how.flags (0:0 @ offset 0)',
  // a line with characters XML 1.0 cannot hold and Markdown table syntax
  source: { file: './demo.bpf.c', line, column: 17, text: '\tev.flags = how.flags | 1; /* a < b && "q" \u0001 */' },
  function: program, insn: 17,
  fixes: ['guard the access with bpf_core_type_exists(struct open_how)', `or turn autoload off for '${program}' on kernels without it`],
});
const guardedMiss: Reason = {
  ...coreMiss('guarded', 127), verdict: 'info', fixes: [],
  message: 'failed to resolve CO-RE relocation <byte_off> [19] struct open_how.flags (0:0 @ offset 0): poisoned, but no path reaches it on this kernel (a guard makes it dead code): the program loads',
  source: { file: '/src/project/demo.bpf.c', line: 127, column: 18, text: '\t\tev.flags = how.flags;' },
};
const helperMiss: Reason = {
  class: 'HELPER_UNAVAILABLE', verdict: 'fails', subject: { kind: 'helper', name: 'probe_read_user', id: 112 },
  message: 'helper bpf_probe_read_user (BPF_FUNC_probe_read_user, #112) is not in this kernel\'s enum bpf_func_id: the verifier rejects the call',
  source: { file: '/src/project/sub/../demo.bpf.c', line: 106, column: 2, text: '\tbpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]);' },
  function: 'opener', insn: 13, fixes: ['guard the call with bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_probe_read_user)'],
};
const fentryMiss: Reason = {
  class: 'ATTACH_TARGET_MISSING', verdict: 'fails', subject: { kind: 'attach-target', via: 'fentry', name: 'do_sys_openat2', needs: 'do_sys_openat2' },
  message: 'fentry target do_sys_openat2 is not a function in this kernel\'s BTF: libbpf cannot find its BTF id and the load fails',
  fixes: ['or turn autoload off for \'optional\' on kernels without it'],
};
const kprobeMiss: Reason = {
  class: 'ATTACH_TARGET_MISSING', verdict: 'warn', subject: { kind: 'attach-target', via: 'kprobe', name: 'vfs_open|x', needs: 'vfs_open|x' },
  message: 'kprobe target vfs_open|x is not a function in this kernel\'s BTF (missing, inlined or renamed): attaching fails unless /proc/kallsyms has it',
  fixes: ['check /proc/kallsyms on that kernel; attach to a function every kernel has, or skip attaching where it is missing'],
};
const noBtf: Reason = {
  class: 'NO_BTF', verdict: 'fails', subject: { kind: 'kernel-btf' },
  message: 'this kernel has no BTF (no .BTF section); the object needs it for CO-RE relocations: libbpf fails the whole object',
  fixes: ['ship a BTF for this kernel (from BTFHub, for example) and load with btf_custom_path pointing at it'],
};

const program = (name: string, section: string, autoload: boolean, reasons: Reason[]): ProgramVerdict =>
  ({ name, section, autoload, verdict: worst(reasons.map((r) => r.verdict)), reasons });
const object = (programs: ProgramVerdict[]): ObjectVerdict =>
  ({ verdict: worst(programs.filter((p) => p.autoload).map((p) => p.verdict)), programs });

/** Per kernel: `opener` fails on the old kernel, `guarded` has only a guarded site, `optional` (autoload off) fails, `prober` warns. */
function demoRun(): ObjectRun {
  const on = (kernel: string): ObjectVerdict => {
    if (kernel === BARE) return object(['opener', 'guarded', 'optional', 'prober'].map((n) => program(n, 'tp/x', n !== 'optional', [noBtf])));
    const old = kernel === OLD;
    return object([
      program('opener', 'tracepoint/raw_syscalls/sys_enter', true, old ? [coreMiss('opener', 108), coreMiss('opener', 112), helperMiss] : []),
      program('guarded', 'tracepoint/raw_syscalls/sys_enter', true, old ? [guardedMiss] : []),
      program('optional', '?fentry/do_sys_openat2', false, old ? [fentryMiss] : []),
      program('prober', 'kprobe/vfs_open|x', true, kernel === NEWER ? [] : [kprobeMiss]),
    ]);
  };
  return {
    name: '/src/project/build/demo.bpf.o',
    arch: { builtFor: 'arm64', evidence: ['pt_regs accesses are arm64\'s'], leftOut: ['debian/12/x86_64/6.1.0-57-amd64'] },
    results: KERNELS.map((k) => ({ kernel: k.label, verdict: on(k.label) })),
  };
}

/** The demo object checked on four kernels, gated at `failOn` over the `require`d kernels. */
export function sampleReport(failOn: FailOn = 'fails', require: readonly string[] = []): Report {
  const run = demoRun();
  const gate = evaluateGate(failOn, require, KERNELS, run.results.map((r) => ({ object: run.name, kernel: r.kernel, verdict: r.verdict.verdict })));
  return buildReport('0.1.0', KERNELS, [run], new Map(), (reason) => ({ key: subjectKey(reason.subject), reason }), gate);
}
