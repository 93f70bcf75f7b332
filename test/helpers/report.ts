// A Report built by hand, for renderers' unit tests: real reports come from the CLI (`check --format json`).
import type { ReasonVerdict, Verdict } from '../../src/analysis/reason.js';
import type { KernelMeta, ObjectReport, Report, RootCause } from '../../src/report/model.js';

export interface SyntheticOptions {
  /** Program names; the first fails on the first half of the kernels, every 7th warns on the last kernel. */
  readonly programs: readonly string[];
  /** Kernel count (labels `debian/<n>/x86_64/6.<n>.0-1-amd64`, every third arm64). */
  readonly kernels: number;
  /** Text put into every message, source line and fix (e.g. markup that must stay text). */
  readonly taint?: string;
}

/**
 * One object checked on `kernels` kernels: the first program fails on the older half (a missing
 * struct), every 7th program warns on the newest kernel (a missing tracepoint), the rest load.
 */
export function syntheticReport(opts: SyntheticOptions): Report {
  const taint = opts.taint ?? '';
  const kernels: KernelMeta[] = Array.from({ length: opts.kernels }, (_, i) => {
    const arch = i % 3 === 2 ? 'arm64' : 'x86_64';
    const version = `6.${i}.0-1-${arch === 'arm64' ? 'arm64' : 'amd64'}`;
    return { label: `debian/${10 + (i >> 2)}/${arch}/${version}`, distro: i % 5 === 4 ? 'ubuntu' : 'debian', release: String(10 + (i >> 2)), arch, version, btf: true };
  });
  const labels = kernels.map((k) => k.label);
  const half = Math.max(1, opts.kernels >> 1);
  const older = labels.slice(0, half);
  const newest = labels[labels.length - 1];
  const verdictOf = (p: number, k: number): Verdict => (p === 0 && k < half ? 'fails' : p % 7 === 6 && k === opts.kernels - 1 ? 'warn' : 'loads');
  const site = { file: `./x${taint}.bpf.c`, line: 42, column: 9, text: `\tev.flags = how.flags; ${taint}` };
  const missing: RootCause = {
    key: 'core:struct open_how', class: 'CORE_RELOCATION', verdict: 'fails',
    subject: { kind: 'core', core: { rootTypeId: 19, rootKind: 'struct', root: 'open_how', essential: 'open_how', path: ['flags'], aspect: 'field' }, lacks: 'type' },
    title: 'struct open_how', message: `failed to resolve CO-RE relocation <byte_off> [19] struct open_how.flags (0:0 @ offset 0)${taint}`,
    programs: [opts.programs[0]], kernels: older, guardedPrograms: [], presentOn: labels.slice(half), failingPairs: older.length, warningPairs: 0,
    sites: [site], fixes: [`guard the access with bpf_core_type_exists(struct open_how)${taint}`],
    change: { successor: null, between: { change: 'added', before: kernels[half - 1].version!, after: kernels[Math.min(half, opts.kernels - 1)].version! } },
    verifiers: ['Linux 5.16-class verifier (from BTF)'],
  };
  const warners = opts.programs.filter((_, p) => p % 7 === 6);
  const tracepoint: RootCause = {
    key: 'attach:tracepoint/syscalls/sys_enter_open', class: 'ATTACH_TARGET_MISSING', verdict: 'warn',
    subject: { kind: 'attach-target', via: 'tracepoint', name: 'syscalls/sys_enter_open', needs: 'syscall open' },
    title: 'syscall open', message: `tracepoint syscalls/sys_enter_open needs the open syscall${taint}`,
    programs: warners, kernels: warners.length ? [newest] : [], guardedPrograms: [], presentOn: labels.slice(0, -1), failingPairs: 0, warningPairs: warners.length,
    sites: [], fixes: ['attach to raw_syscalls/sys_enter'], change: null,
    verifiers: [],
  };
  const reasonsOf = (p: number, k: number): { cause: string; verdict: ReasonVerdict }[] => {
    const v = verdictOf(p, k);
    return v === 'fails' ? [{ cause: missing.key, verdict: 'fails' }] : v === 'warn' ? [{ cause: tracepoint.key, verdict: 'warn' }] : [];
  };
  const signature = (k: number): string => opts.programs.map((_, p) => verdictOf(p, k)).join();
  const bySignature = new Map<string, number[]>();
  labels.forEach((_, k) => bySignature.set(signature(k), [...(bySignature.get(signature(k)) ?? []), k]));
  const groups = [...bySignature.values()].map((members, i) => ({
    id: String.fromCharCode(65 + i),
    title: `debian · ${members.length} kernels`,
    kernels: members.map((k) => labels[k]),
    verdict: opts.programs.some((_, p) => verdictOf(p, members[0]) === 'fails') ? 'fails' as const
      : opts.programs.some((_, p) => verdictOf(p, members[0]) === 'warn') ? 'warn' as const : 'loads' as const,
    guarded: { sites: 0, programs: 0 },
  }));
  const object: ObjectReport = {
    name: `synthetic${taint}.bpf.o`,
    arch: { builtFor: 'x86_64', evidence: ['struct pt_regs fields'], leftOut: [] },
    kernels: labels,
    groups,
    causes: [missing, ...(warners.length ? [tracepoint] : [])],
    programs: opts.programs.map((name, p) => ({
      name, section: `kprobe/${name}`, autoload: true, verdicts: groups.map((g) => verdictOf(p, labels.indexOf(g.kernels[0]))),
    })),
    details: labels.map((kernel, k) => ({
      kernel,
      verdict: groups.find((g) => g.kernels.includes(kernel))!.verdict,
      programs: opts.programs.map((name, p) => ({
        name, verdict: verdictOf(p, k),
        reasons: reasonsOf(p, k).map(({ cause, verdict }) => {
          const c = cause === missing.key ? missing : tracepoint;
          return { cause, class: c.class, verdict, message: c.message, source: c.sites[0] ?? null, function: name, insn: 17, fixes: c.fixes };
        }),
      })),
    })),
  };
  const failing = object.details.filter((d) => d.verdict === 'fails').map((d) => ({ object: object.name, kernel: d.kernel, verdict: d.verdict }));
  return {
    schemaVersion: 1, tool: { name: 'corecheck', version: '0.0.0-test' }, kernels, objects: [object],
    gate: { failOn: 'fails', require: [], requiredKernels: labels, requiredPairs: labels.length, failing, passed: failing.length === 0 },
  };
}
