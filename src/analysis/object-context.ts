import type { ObjectRelocation } from '../core/relocate.js';
import type { BpfObject, BpfProgram } from '../object/object.js';
import { analyzeReachability, type CodeOf, type ReachOptions, type Reachability } from './reach.js';

/**
 * What checking one object against many kernels can share between them: its reachability walks.
 * A walk depends only on the program, the patched code of every function of the object and the
 * walk's options; most kernels of a fleet resolve an object's relocations to the same
 * instructions, so a fleet walks each program once per distinct patched code, not once per kernel.
 * Pass one context per object to every kernel's check (`checkKernel`).
 */
export class ObjectContext {
  /** Per program, the walks so far: by a hash of the code and options, then the code itself to compare. */
  private readonly walks = new Map<BpfProgram, Map<string, { code: readonly Uint8Array[]; reach: Reachability }[]>>();

  constructor(readonly obj: BpfObject) {}

  /** `analyzeReachability` of `prog` over `core`'s patched code, or the same walk done before for identical code and options. */
  reachability(prog: BpfProgram, core: ObjectRelocation, codeOf: CodeOf, opts: ReachOptions): Reachability {
    const code = core.programs.map((p) => p.code);
    const key = `${hashCode(code)}:${opts.maxSteps ?? ''}:${opts.widenAfter ?? ''}:${[...(opts.missingWeakExterns ?? [])].sort().join(',')}`;
    let byKey = this.walks.get(prog);
    if (!byKey) this.walks.set(prog, (byKey = new Map()));
    const seen = byKey.get(key);
    const same = seen?.find((w) => sameCode(w.code, code));
    if (same) return same.reach;
    const reach = analyzeReachability(this.obj, prog, codeOf, opts);
    if (seen) seen.push({ code, reach });
    else byKey.set(key, [{ code, reach }]);
    return reach;
  }
}

/** FNV-1a over every function's code: a quick key; equal keys are confirmed byte for byte. */
function hashCode(code: readonly Uint8Array[]): string {
  let h = 0x811c9dc5;
  for (const c of code) {
    for (let i = 0; i < c.length; i++) h = Math.imul(h ^ c[i], 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

function sameCode(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}
