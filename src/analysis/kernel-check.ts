import type { CoreTarget } from '../core/candidates.js';
import type { BpfObject } from '../object/object.js';
import { checkObject, type CheckOptions, type ObjectVerdict } from './check.js';
import { KernelContext } from './kernel-facts.js';
import { ObjectContext } from './object-context.js';
import { subjectKey, type Subject } from './reason.js';
import { findSuccessor, type MissingThing, type Successor } from './successor.js';

/** Everything one kernel says about a set of objects: their verdicts, and what it has instead of what it lacks. */
export interface KernelCheck {
  /** One verdict per object, in the order given. */
  readonly verdicts: readonly ObjectVerdict[];
  /** Per subject key (`subjectKey`), the likely successor of what this kernel lacks. */
  readonly successors: ReadonlyMap<string, Successor>;
  /** The kernel's BTF stands in for its own (a minimized BTF): see `KernelFacts.standIn`. */
  readonly standIn: boolean;
}

/**
 * Checks objects against one kernel: the unit a fleet run repeats per kernel (in any order, in any
 * worker). Successors are looked up while the kernel's BTF is at hand, for what some program must
 * act on (guarded misses, `info`, need no hint). A fleet passes the same `contexts` (one per object,
 * in order) to every kernel's check, so walks of identically patched code are done once.
 */
export function checkKernel(
  objects: readonly BpfObject[], target: CoreTarget, opts: CheckOptions = {}, contexts: readonly ObjectContext[] = objects.map((o) => new ObjectContext(o)),
): KernelCheck {
  const kernel = new KernelContext(target, opts.kernelRelease);
  const verdicts = objects.map((o, i) => checkObject(o, target, opts, kernel, contexts[i]));
  const successors = new Map<string, Successor>();
  verdicts.forEach((v, i) => {
    for (const p of v.programs) {
      for (const r of p.reasons) {
        if (r.verdict === 'info') continue;
        const key = subjectKey(r.subject);
        const missing = successors.has(key) ? undefined : missingThingOf(r.subject);
        if (!missing) continue;
        // The object's own view of a CO-RE root (its other fields) rules out false successors.
        const btf = objects[i].btf;
        const local = r.subject.kind === 'core' && btf ? { btf, rootTypeId: r.subject.core.rootTypeId } : undefined;
        const s = findSuccessor(target.vmlinux, missing, local);
        if (s) successors.set(key, s);
      }
    }
  });
  return { verdicts, successors, standIn: kernel.facts.standIn };
}

/** The subjects a successor can stand in for: CO-RE types, fields and enumerators, and functions. */
function missingThingOf(s: Subject): MissingThing | undefined {
  switch (s.kind) {
    case 'core': {
      const c = s.core;
      if (s.lacks === 'type') return { kind: 'type', typeKind: c.rootKind, name: c.essential };
      if (s.lacks === 'enumerator' && c.enumerator !== undefined) return { kind: 'enumerator', typeKind: c.rootKind, type: c.essential, name: c.enumerator };
      return { kind: 'field', typeKind: c.rootKind, type: c.essential, path: c.path.filter((p) => !p.startsWith('[')) };
    }
    case 'attach-target':
      return /^(fentry|fexit|fmod_ret|kprobe|kretprobe)/.test(s.via) ? { kind: 'function', name: s.name.replace(/\+\d+$/, '') } : undefined;
    case 'kfunc':
      return { kind: 'function', name: s.name };
    default:
      return undefined;
  }
}
