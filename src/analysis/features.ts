import { Kind } from '../btf/kinds.js';
import type { DatasecType } from '../btf/types.js';
import { POISON_IMM } from '../core/patch.js';
import { STB } from '../elf/elf.js';
import type { InsnBuffer } from '../insn/buffer.js';
import { BPF_PSEUDO_CALL } from '../insn/insn.js';
import { Opcode } from '../insn/opcode.js';
import { callTarget } from '../object/calls.js';
import { mapTypeName } from '../object/maps.js';
import type { BpfObject, BpfProgram } from '../object/object.js';
import { HELPER_NAMES } from './helper-names.js';
import type { KernelContext, KernelFacts, KernelName } from './kernel-facts.js';
import type { Reachability } from './reach.js';
import { essentialName } from '../btf/essential.js';
import { autoloadFix } from './explain.js';
import type { Reason } from './reason.js';
import { oncePer } from '../common/memo.js';


/** An extern the object needs from the kernel: a kfunc or a `__ksym` variable (`.ksyms`). */
export interface KernelExtern {
  readonly name: string;
  readonly kind: 'kfunc' | 'ksym';
  /** `__weak`: libbpf tolerates its absence (a kfunc call is then poisoned, a variable is 0). */
  readonly weak: boolean;
  /** A `__ksym` variable with a BTF type (found through BTF); typeless ones come from kallsyms. */
  readonly typed: boolean;
}

/** The name libbpf looks an extern up by in kernel BTF: a kfunc's essential name (no `___flavor`). */
export const externKernelName = (e: KernelExtern): string => (e.kind === 'kfunc' ? essentialName(e.name) : e.name);

/** libbpf's externs of the `.ksyms` section, from the object's BTF and symbol table (read once per object). */
export const kernelExterns: (obj: BpfObject) => readonly KernelExtern[] = oncePer(readExterns);

function readExterns(obj: BpfObject): KernelExtern[] {
  const btf = obj.btf;
  const sec = btf?.find('.ksyms', Kind.DATASEC);
  if (!btf || sec === undefined) return [];
  const weak = new Set(obj.elf.symbols().filter((s) => s.sectionIndex <= 0 && s.bind === STB.WEAK).map((s) => s.name));
  return (btf.type(sec) as DatasecType).vars.map((v) => {
    const name = btf.name(v.type);
    const isFunc = btf.kind(v.type) === Kind.FUNC;
    const typed = !isFunc && btf.kind(btf.skipModsAndTypedefs(btf.sizeOrType(v.type))) !== Kind.UNKN;
    return { name, kind: isFunc ? 'kfunc' : 'ksym', weak: weak.has(name), typed } as const;
  });
}

/** The kernel BTF name and kind an extern is looked up by: a kfunc is a function, a typed `__ksym` a variable. */
export const externLookup = (e: KernelExtern): KernelName => ({ name: externKernelName(e), kind: e.kind === 'kfunc' ? Kind.FUNC : Kind.VAR });

/**
 * Every name `featureReasons` may ask the kernel about for the programs of `obj`: their attach
 * targets (each alternative: a syscall's entry points under every architecture's name) and the
 * object's externs, so that `KernelContext.prefetch` answers them all at once.
 */
export const kernelNamesWanted: (obj: BpfObject) => readonly KernelName[] = oncePer(namesWanted);

function namesWanted(obj: BpfObject): KernelName[] {
  const out = kernelExterns(obj).filter((e) => e.kind === 'kfunc' || e.typed).map(externLookup);
  // answered "missing", every alternative of a target is asked: all the names any answer could need
  const ask = (name: string, kind: number): boolean => {
    out.push({ name, kind });
    return false;
  };
  for (const p of obj.programs) if (!p.isSubprogram) attachTargetReason(p, ask, { btfTracepoints: true, btfFunctions: true });
  return out;
}

/**
 * What the object needs from the kernel beyond CO-RE, against the kernel's BTF: whole-object needs
 * (map types, non-weak kfuncs and typed ksyms: libbpf fails the load without them) and per
 * program needs (program and attach types, the attach target, helpers and weak kfuncs on reachable
 * paths). `missingWeak` names the __weak externs the kernel lacks.
 */
export function featureReasons(
  obj: BpfObject, prog: BpfProgram, kernel: KernelContext, code: (fn: BpfProgram) => InsnBuffer,
  linked: readonly BpfProgram[], reach: Reachability, missingWeak: ReadonlySet<string>,
): Reason[] {
  const facts = kernel.facts;
  const out: Reason[] = [];

  for (const m of obj.maps) {
    if (m.origin === 'data' || !facts.mapTypes || facts.mapTypes.has(m.type)) continue;
    out.push({
      class: 'MAP_TYPE_UNSUPPORTED', verdict: 'fails', subject: { kind: 'map-type', name: mapTypeName(m.type), id: m.type },
      message: `map '${m.name}' is BPF_MAP_TYPE_${mapTypeName(m.type)} (${m.type}), which this kernel's enum bpf_map_type lacks: libbpf cannot create it, and the whole object fails`,
      fixes: [`pick the map type at load time (bpf_map__set_type) from what the kernel has (e.g. a perf buffer where there is no ring buffer)`],
    });
  }

  for (const e of kernelExterns(obj)) {
    if (e.kind === 'ksym' && !e.typed) continue; // resolved from kallsyms, not BTF
    const { name, kind } = externLookup(e);
    if (kernel.has(name, kind)) continue;
    if (e.weak && e.kind === 'ksym') continue; // a weak variable is 0
    if (e.weak) continue; // a weak kfunc: its calls are poisoned, judged by reachability below
    out.push({
      class: e.kind === 'kfunc' ? 'KFUNC_MISSING' : 'KSYM_MISSING', verdict: 'fails', subject: { kind: e.kind, name: e.name },
      message: `extern (${e.kind === 'kfunc' ? 'func' : 'var'} ksym) '${e.name}': not found in kernel BTF: libbpf fails the whole object`,
      fixes: [`declare it __weak and test bpf_ksym_exists(${e.name}) before using it`],
    });
  }

  if (prog.progType && facts.progTypes && !facts.progTypes.has(prog.progType)) {
    out.push({
      class: 'PROG_TYPE_UNSUPPORTED', verdict: 'fails', subject: { kind: 'prog-type', name: prog.progType },
      message: `BPF_PROG_TYPE_${prog.progType} (section '${prog.section}') is not in this kernel's enum bpf_prog_type`,
      fixes: [autoloadFix(prog.name)],
    });
  } else if (prog.attachType && facts.attachTypes && !facts.attachTypes.has(prog.attachType)) {
    out.push({
      class: 'PROG_TYPE_UNSUPPORTED', verdict: 'fails', subject: { kind: 'attach-type', name: prog.attachType },
      message: `attach type ${prog.attachType} (section '${prog.section}') is not in this kernel's enum bpf_attach_type`,
      fixes: [autoloadFix(prog.name)],
    });
  }

  const target = attachTargetReason(prog, (name, kind) => kernel.has(name, kind), facts);
  if (target) out.push(target);


  const seen = new Set<string>();
  for (const fn of linked) {
    const c = code(fn);
    const reached = reach.reached.get(fn);
    for (let pc = 0; pc < c.count; pc++) {
      if (c.code(pc) !== Opcode.CALL || reached?.[pc] !== 1) continue;
      const imm = c.imm(pc);
      if (c.src(pc) === 0 && imm !== POISON_IMM && facts.helpers && !facts.helpers.has(imm)) {
        const name = HELPER_NAMES[imm] ?? `#${imm}`;
        if (seen.has(`helper:${imm}`)) continue;
        seen.add(`helper:${imm}`);
        out.push({
          class: 'HELPER_UNAVAILABLE', verdict: 'fails', subject: { kind: 'helper', name, id: imm },
          message: `helper bpf_${name} (BPF_FUNC_${name}, #${imm}) is not in this kernel's enum bpf_func_id: the verifier rejects the call`,
          source: obj.sourceLine(fn.section, fn.insnOffset + pc), function: fn.name, insn: pc,
          fixes: [
            `guard the call with bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_${name})`,
            ...(/^probe_read_(user|kernel)/.test(name) ? [`on kernels without it, fall back to bpf_probe_read${name.endsWith('_str') ? '_str' : ''} (what older kernels offer)`] : []),
            autoloadFix(prog.name),
          ],
        });
      } else if (c.src(pc) === BPF_PSEUDO_CALL) {
        const ref = callTarget(obj, fn, pc, imm);
        if (ref.kind !== 'extern' || !missingWeak.has(ref.symbol.name) || seen.has(`kfunc:${ref.symbol.name}`)) continue;
        seen.add(`kfunc:${ref.symbol.name}`);
        out.push({
          class: 'KFUNC_MISSING', verdict: 'fails', subject: { kind: 'kfunc', name: ref.symbol.name },
          message: `kfunc ${ref.symbol.name} is not in this kernel's BTF: libbpf poisons the call (it is __weak) and a path reaches it`,
          source: obj.sourceLine(fn.section, fn.insnOffset + pc), function: fn.name, insn: pc,
          fixes: [`call it only under if (bpf_ksym_exists(${ref.symbol.name}))`, autoloadFix(prog.name)],
        });
      }
    }
  }
  return out;
}

/** Syscall entry points as each architecture names them, in kernel BTF. */
const syscallNames = (n: string): string[] =>
  [`__x64_sys_${n}`, `__arm64_sys_${n}`, `__s390x_sys_${n}`, `__powerpc_sys_${n}`, `__ia32_sys_${n}`, `__se_sys_${n}`, `sys_${n}`, `__do_sys_${n}`];

/**
 * Whether what the program attaches to exists, when the section names it. BTF-attached programs
 * (fentry, lsm, iter, tp_btf) need it to load: fails (libbpf looks them up in the kernel's BTF, so
 * one without them fails the load whatever the kernel has; against a stand-in BTF, `has` finds
 * everything). For tracepoints and kprobes the load succeeds and attaching fails: warn, judged only
 * where the BTF describes what they need (`told`).
 */
function attachTargetReason(
  prog: BpfProgram, has: (name: string, kind: number) => boolean, told: Pick<KernelFacts, 'btfTracepoints' | 'btfFunctions'>,
): Reason | undefined {
  const { btfTracepoints, btfFunctions } = told;
  const t = prog.attachTarget;
  if (!t || t.includes(':')) return undefined; // "module:function" targets are not judged here
  const kind = prog.section.replace(/^\?/, '').split('/')[0];
  const missing = (what: string, verdict: 'fails' | 'warn', message: string): Reason => ({
    class: 'ATTACH_TARGET_MISSING', verdict, subject: { kind: 'attach-target', via: kind, name: t, needs: what }, message,
    fixes: kind.startsWith('kprobe') || kind.startsWith('kretprobe')
      ? [`check /proc/kallsyms on that kernel; attach to a function every kernel has, or skip attaching where it is missing`]
      : verdict === 'fails' ? [autoloadFix(prog.name)] : [`attach to an event every kernel has (e.g. raw_syscalls/sys_enter, selecting by syscall number), or skip attaching where it is missing`],
  });
  switch (kind) {
    case 'fentry': case 'fexit': case 'fmod_ret': case 'fentry.s': case 'fexit.s': case 'fmod_ret.s':
      return has(t, Kind.FUNC) ? undefined : missing(`function ${t}`, 'fails', `${kind} target ${t} is not a function in this kernel's BTF: libbpf cannot find its BTF id and the load fails`);
    case 'lsm': case 'lsm.s': case 'lsm_cgroup':
      return has(`bpf_lsm_${t}`, Kind.FUNC) ? undefined : missing(`LSM hook ${t} (bpf_lsm_${t})`, 'fails', `LSM hook ${t} has no bpf_lsm_${t} in this kernel's BTF: the load fails`);
    case 'iter': case 'iter.s':
      return has(`bpf_iter_${t}`, Kind.FUNC) ? undefined : missing(`iterator ${t} (bpf_iter_${t})`, 'fails', `iterator ${t} has no bpf_iter_${t} in this kernel's BTF: the load fails`);
    case 'tp_btf':
      return has(`btf_trace_${t}`, Kind.TYPEDEF) ? undefined : missing(`tracepoint ${t} (btf_trace_${t})`, 'fails', `BTF tracepoint ${t} has no btf_trace_${t} in this kernel's BTF: the load fails`);
    case 'raw_tp': case 'raw_tracepoint': case 'raw_tp.w': case 'raw_tracepoint.w':
      if (!btfTracepoints || has(`btf_trace_${t}`, Kind.TYPEDEF)) return undefined;
      return missing(`tracepoint ${t} (btf_trace_${t})`, 'warn', `raw tracepoint ${t} is not in this kernel (no btf_trace_${t}): the program loads, attaching fails`);
    case 'tracepoint': case 'tp': {
      const [category, event] = t.split('/');
      if (!event) return undefined;
      const sys = category === 'syscalls' ? /^sys_(?:enter|exit)_(\w+)$/.exec(event) : null;
      if (sys) {
        if (!btfFunctions || syscallNames(sys[1]).some((n) => has(n, Kind.FUNC))) return undefined;
        return missing(`syscall ${sys[1]}`, 'warn', `tracepoint ${t} needs the ${sys[1]} syscall, which this kernel's BTF does not have: the program loads, attaching fails`);
      }
      if (has(`trace_event_raw_${event}`, Kind.STRUCT) || has(`btf_trace_${event}`, Kind.TYPEDEF) || !btfTracepoints) return undefined;
      return missing(`tracepoint ${t}`, 'warn', `tracepoint ${t} is not in this kernel (no btf_trace_${event}, no trace_event_raw_${event}): the program loads, attaching fails`);
    }
    case 'kprobe': case 'kretprobe': {
      const fn = t.replace(/\+\d+$/, '');
      if (!btfFunctions || has(fn, Kind.FUNC)) return undefined;
      return missing(`function ${fn}`, 'warn', `${kind} target ${fn} is not a function in this kernel's BTF (missing, inlined or renamed): attaching fails unless /proc/kallsyms has it`);
    }
    default:
      return undefined;
  }
}
