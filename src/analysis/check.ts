import type { CoreTarget } from '../core/candidates.js';
import type { ObjectRelocation, RelocationResult } from '../core/relocate.js';
import { InsnBuffer } from '../insn/buffer.js';
import type { BpfObject, BpfProgram } from '../object/object.js';
import { coreFixes, coreLack } from './explain.js';
import { worst, type Reason, type ReasonVerdict, type Verdict } from './reason.js';
import { externLookup, featureReasons, kernelExterns, kernelNamesWanted } from './features.js';
import { KernelContext } from './kernel-facts.js';
import { linkedFunctions } from './functions.js';
import { attachSignatureReasons } from './attach-signature.js';
import { KnownValues } from './known-values.js';
import { insnSetReasons } from './insn-set.js';
import { dataRefReasons } from './data-refs.js';
import { jumpSequenceReasons } from './jump-sequence.js';
import { withStructOpsSiblings } from './struct-ops-maps.js';
import { tailCallOwnerReasons } from './tail-call-owner.js';
import { ObjectContext, perWalk } from './object-context.js';
import { DEFAULT_MAX_STEPS, type Reachability } from './reach.js';
import { describeModel, type VerifierModel } from './verifier-model.js';

export interface ProgramVerdict {
  /** The program's function name, as libbpf names it. */
  readonly name: string;
  readonly section: string;
  /** Whether libbpf loads it by default (`SEC("?…")` turns that off): only these decide the object. */
  readonly autoload: boolean;
  readonly verdict: Verdict;
  readonly reasons: readonly Reason[];
}

export interface ObjectVerdict {
  /** What `bpf_object__load` does with every autoload program: one failure fails the object. */
  readonly verdict: Verdict;
  readonly programs: readonly ProgramVerdict[];
}

export interface CheckOptions {
  /** Passed to the reachability walk (see `analyzeReachability`). */
  readonly maxSteps?: number;
  /** The kernel's release (`uname -r`), when known: libbpf derives LINUX_KERNEL_VERSION from it, and the verifier folds it. */
  readonly kernelRelease?: string;
  /**
   * `.rodata` variables by name, as user space sets them through the skeleton before load
   * (`skel->rodata->targ_pid = 1`); the others keep the object's initial values. The verifier
   * folds them (libbpf freezes `.rodata`). Names the object lacks are ignored; a value that does
   * not fit its variable is a USAGE error.
   */
  readonly rodata?: ReadonlyMap<string, bigint>;
  /** `__kconfig` CONFIG_* values by name (y = 1, n = 0, m = 2), as the target kernel's config has them; those not given are unknown. */
  readonly kconfig?: ReadonlyMap<string, bigint>;
  /**
   * Whose verifier judges the programs: `target` (the default), the kernel's own generation as its
   * BTF evidences it (`KernelContext.verifier`); or a fixed model, such as `HOST_VERIFIER` for a
   * comparison with a verifier run on a recent kernel with another kernel's BTF for CO-RE only.
   */
  readonly verifier?: 'target' | VerifierModel;
}

/**
 * Every program of `obj` on one kernel: CO-RE as libbpf does it (relocations of autoload programs
 * only, the first hard error failing the object), then which poisoned instructions the verifier
 * reaches, then what else the kernel must offer, then what the kernel checks between the programs
 * that load (prog-array owners, `tail-call-owner.ts`: the later program of a conflicting pair
 * fails). Programs whose autoload is off get a verdict as if they were loaded on their own, without
 * deciding the object's: they meet no owner. `kernel` is what is known of the
 * target's kernel beyond CO-RE; objects checked against one kernel may share it. `context` is what
 * checks of this object against several kernels share (its walks).
 */
export function checkObject(
  obj: BpfObject, target: CoreTarget, opts: CheckOptions = {}, kernel = new KernelContext(target, opts.kernelRelease), context = new ObjectContext(obj),
): ObjectVerdict {
  const loaded = context.relocation(target, false);
  kernel.prefetch(kernelNamesWanted(obj));
  const missingWeakExterns = new Set(kernelExterns(obj)
    // typeless __ksym variables come from kallsyms, not BTF: never assumed missing
    .filter((e) => {
      if (!e.weak || (e.kind !== 'kfunc' && !e.typed)) return false;
      const { name, kind } = externLookup(e);
      return !kernel.has(name, kind);
    })
    .map((e) => e.name));
  // The patched code of every function, read through one InsnBuffer each, shared by all programs.
  const withCode = (core: ObjectRelocation): { core: ObjectRelocation; codeOf: (fn: BpfProgram) => InsnBuffer } => {
    const codes = new Map(core.programs.map((pc, i) => [obj.programs[i], new InsnBuffer(pc.code, obj.littleEndian)]));
    return { core, codeOf: (fn) => codes.get(fn)! };
  };
  const loadedCode = withCode(loaded);
  const known = new KnownValues(obj, opts);
  const model = opts.verifier === undefined || opts.verifier === 'target' ? kernel.verifier : opts.verifier;
  const generation = describeModel(model);
  // libbpf refuses such an object whole, on any kernel: every program fails with it
  const refusals = context.refusals;
  let aloneCode: ReturnType<typeof withCode> | undefined;
  const programs = obj.programs.filter((p) => !p.isSubprogram).map((p) => {
    const { core, codeOf } = p.autoload ? loadedCode
      : (aloneCode ??= withCode(context.relocation(target, true)));
    const linked = linkedFunctions(obj, p, codeOf);
    const reach = context.reachability(p, linked, codeOf, { maxSteps: opts.maxSteps, missingWeakExterns, model, known });
    const reasons = [
      ...coreReasons(obj, p, core, linked, reach, model), ...featureReasons(obj, p, kernel, codeOf, linked, reach, missingWeakExterns),
      ...insnSetReasons(obj, p, codeOf, linked, reach, model), ...attachSignatureReasons(obj, p, kernel.btfs, codeOf, reach, known, model.helperStackReads),
      ...perWalk(reach, 'data-refs', () => dataRefReasons(obj, p, codeOf, linked)),
      ...perWalk(reach, 'jump-sequence', () => jumpSequenceReasons(obj, p, codeOf, linked)), ...refusals,
    ].map((r) => (MODEL_DEPENDENT.has(r.class) ? { ...r, verifier: generation } : r));
    if (!reach.complete && !reasons.some((r) => r.verdict === 'fails')) {
      // Helper and kfunc checks only see reached calls; with the walk cut short, some may be missing.
      reasons.push({
        class: 'WALK_INCOMPLETE', verdict: 'unknown', subject: { kind: 'walk', program: p.name }, fixes: [],
        message: `the path analysis stopped after ${opts.maxSteps ?? DEFAULT_MAX_STEPS} instructions before covering every path`,
      });
    }
    return { prog: p, reasons };
  });
  // After verification, on the object as a whole: prog-array ownership between the programs that load.
  const verdictOf = new Map(programs.map(({ prog, reasons }) => [prog, worst(reasons.map((r) => r.verdict))]));
  const owners = tailCallOwnerReasons(obj, kernel, loadedCode.codeOf, (p) => verdictOf.get(p) === 'fails');
  const verdicts: ProgramVerdict[] = programs.map(({ prog: p, reasons: own }) => {
    const reasons = [...own, ...owners.get(p) ?? []];
    return { name: p.name, section: p.section, autoload: p.autoload, verdict: worst(reasons.map((r) => r.verdict)), reasons };
  });
  const judged = withStructOpsSiblings(obj, verdicts);
  return { verdict: worst(judged.filter((p) => p.autoload).map((p) => p.verdict)), programs: judged };
}

/** Reasons whose outcome the verifier model decides: reached or not (the walk), known or not (the instruction set). */
const MODEL_DEPENDENT: ReadonlySet<string> = new Set(['CORE_RELOCATION', 'HELPER_UNAVAILABLE', 'KFUNC_MISSING', 'INSN_UNSUPPORTED', 'VERIFIER_RULE']);

/** CO-RE reasons of one program: the object's hard error, or its poisoned instructions by reachability. */
function coreReasons(
  obj: BpfObject, prog: BpfProgram, r: ObjectRelocation, linkedFns: readonly BpfProgram[], reach: Reachability, model: VerifierModel,
): Reason[] {
  if (!r.ok) {
    const failed = r.relocations.find((x) => x.outcome === 'error');
    const error = r.error!;
    return [{
      class: error.kind === 'ambiguity' ? 'CORE_AMBIGUOUS' : 'CORE_ERROR', verdict: 'fails',
      // libbpf's warning before "failed to relocate" says why: an ambiguity, a bad instruction, ...
      message: `${error.why ?? error.message}: libbpf fails the whole object`,
      subject: { kind: 'core-error', section: failed?.section ?? '', index: failed?.index ?? -1, core: failed?.subject ?? null },
      source: failed ? obj.sourceLine(failed.section, failed.insn) : undefined,
      function: failed?.program ?? undefined, insn: failed?.programInsn ?? undefined,
      fixes: failed ? coreFixes(failed, prog.name, true) : [],
    }];
  }
  // by identity, not name: objects linked from several files may hold two static functions of one name
  const linked = new Set(linkedFns);
  const functionOf = (x: RelocationResult): BpfProgram | undefined => {
    const sec = obj.elf.section(x.section);
    return sec && obj.programAt(sec.index, x.insn);
  };
  const poisoned = r.relocations.filter((x) => x.outcome === 'poisoned' && linked.has(functionOf(x)!));
  return poisoned.map((x) => {
    const fn = functionOf(x)!;
    const hit = reach.reached.get(fn)?.[x.programInsn!] === 1;
    // A global function no reachable call needs is not verified by recent kernels (6.8+, like the
    // one the goldens come from); older verifiers check every global function, reached or not (the
    // walk then enters it, so `hit` says whether the poisoned instruction is on a path).
    const uncalledGlobal = !hit && fn.global && fn !== prog && !reach.reached.has(fn);
    const verdict: ReasonVerdict = hit ? 'fails' : !reach.complete ? 'unknown' : uncalledGlobal ? 'warn' : 'info';
    const libbpf = `failed to resolve CO-RE relocation ${x.spec}`;
    const message = hit ? libbpf
      : verdict === 'unknown' ? `${libbpf}: poisoned; the analysis gave up before deciding whether a path reaches it`
        : uncalledGlobal ? `${libbpf}: poisoned in global function ${fn.name}, which no path calls here, so the program loads on a ${model.generation}, which verifies global functions lazily; verifiers before Linux 6.8 check every global function and would reject it`
          : `${libbpf}: poisoned, but no path reaches it on this kernel (a guard makes it dead code) by the rules of a ${describeModel(model)}: the program loads`;
    return {
      class: 'CORE_RELOCATION', verdict, message,
      subject: x.subject ? { kind: 'core', core: x.subject, lacks: coreLack(x) } : { kind: 'core-error', section: x.section, index: x.index, core: null },
      source: obj.sourceLine(x.section, x.insn), function: x.program!, insn: x.programInsn!,
      // dead code is what a guard makes of it: nothing to fix
      fixes: verdict === 'info' ? [] : coreFixes(x, prog.name, false),
    } satisfies Reason;
  });
}

/**
 * A kernel without BTF (built without CONFIG_DEBUG_INFO_BTF): libbpf loads the object only if it
 * needs no kernel BTF — no CO-RE relocation, no typed `__ksym` or kfunc, no BTF-attached program
 * (fentry/fexit, tp_btf, lsm, iter, struct_ops). Otherwise every autoload program fails.
 */
export function checkWithoutBtf(obj: BpfObject, why: string): ObjectVerdict {
  const needs: string[] = [];
  if (obj.coreRelocations().length > 0) needs.push('CO-RE relocations');
  if (kernelExterns(obj).some((e) => e.kind === 'kfunc' || e.typed)) needs.push('kfuncs or typed __ksym variables');
  const btfAttached = obj.programs.filter((p) => p.autoload && p.attachBtf).map((p) => p.name);
  if (btfAttached.length > 0) needs.push(`BTF-attached programs (${btfAttached.join(', ')})`);
  const reasons: Reason[] = needs.length === 0 ? [] : [{
    class: 'NO_BTF', verdict: 'fails', subject: { kind: 'kernel-btf' },
    message: `this kernel has no BTF (${why}); the object needs it for ${needs.join(', ')}: libbpf fails the whole object`,
    fixes: ['ship a BTF for this kernel (from BTFHub, for example) and load with btf_custom_path pointing at it'],
  }];
  const programs = obj.programs.filter((p) => !p.isSubprogram).map((p) => ({
    name: p.name, section: p.section, autoload: p.autoload, verdict: worst(reasons.map((r) => r.verdict)), reasons,
  }));
  return { verdict: worst(programs.filter((p) => p.autoload).map((p) => p.verdict)), programs };
}
