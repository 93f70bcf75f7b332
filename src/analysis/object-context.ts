import type { CoreTarget } from '../core/candidates.js';
import { relocateObject, type ObjectRelocation } from '../core/relocate.js';
import type { BpfObject, BpfProgram } from '../object/object.js';
import { analyzeReachability, type CodeOf, type ReachOptions, type Reachability } from './reach.js';
import type { VerifierModel } from './verifier-model.js';
import { objectRefusals } from './object-refusals.js';
import type { Reason } from './reason.js';
import { oncePer } from '../common/memo.js';

/**
 * What checking one object against many kernels can share between them: its reachability walks,
 * and what libbpf makes of the object whatever the kernel (`refusals`).
 * A walk depends only on the program, the patched code of every function of the object and the
 * walk's options (the verifier model and the known values of frozen maps among them); most kernels of a fleet resolve an object's relocations to the same
 * instructions, so a fleet walks each program once per distinct patched code, not once per kernel.
 * Pass one context per object to every kernel's check (`checkKernel`).
 */
export class ObjectContext {
  /** The distinct patched codes seen so far, by hash; each is the identity its walks are kept under. */
  private readonly codes = new Map<string, PatchedCode[]>();

  private refused?: readonly Reason[];

  /** The latest target's relocations, autoload programs only and all: a fleet checks one kernel at a time. */
  private relocated?: { readonly target: CoreTarget; readonly byAutoload: Map<boolean, ObjectRelocation> };

  /** Whether every program loads by default: relocating all of them is then what libbpf's load does. */
  private readonly allAutoload: boolean;

  constructor(readonly obj: BpfObject) {
    this.allAutoload = obj.programs.every((p) => p.isSubprogram || p.autoload);
  }

  /**
   * The object's CO-RE against `target` as libbpf's load does it (`autoloadAll` false), or with
   * every program loaded (true), without the log: relocated once per kernel for both the check and
   * btfgen, and once for both when every program loads by default.
   */
  relocation(target: CoreTarget, autoloadAll: boolean): ObjectRelocation {
    if (!this.relocated || !sameTarget(this.relocated.target, target)) this.relocated = { target, byAutoload: new Map() };
    const all = autoloadAll || this.allAutoload;
    let r = this.relocated.byAutoload.get(all);
    if (!r) this.relocated.byAutoload.set(all, (r = relocateObject(this.obj, target, { trace: false, autoloadAll: all })));
    return r;
  }

  /** Why libbpf refuses the object whole, on any kernel (`objectRefusals`), found once. */
  get refusals(): readonly Reason[] {
    this.refused ??= objectRefusals(this.obj);
    return this.refused;
  }

  /**
   * The walks of one relocation's patched code: the same object for every relocation (of any
   * kernel) that patched the object's functions byte for byte the same way. Ask once per
   * relocation; its `reachability` then costs a map lookup when the walk was done before.
   */
  walks(core: ObjectRelocation): PatchedCode {
    const code = core.programs.map((p) => p.code);
    const hash = hashCode(code);
    let same = this.codes.get(hash);
    if (!same) this.codes.set(hash, (same = []));
    let found = same.find((c) => sameCode(c.code, code));
    if (!found) same.push((found = new PatchedCode(this.obj, code)));
    return found;
  }
}

/** One patched code of an object, and the walks done over it, by program and options. */
export class PatchedCode {
  private readonly done = new Map<BpfProgram, Map<string, Reachability>>();

  constructor(private readonly obj: BpfObject, readonly code: readonly Uint8Array[]) {}

  /** `analyzeReachability` of `prog` over this code (`codeOf` reads it), done once per options. */
  reachability(prog: BpfProgram, codeOf: CodeOf, opts: ReachOptions): Reachability {
    // known values enter the key only as far as they differ between kernels or settings (`KnownValues.key`)
    const key = `${opts.maxSteps ?? ''}:${opts.widenAfter ?? ''}:${[...(opts.missingWeakExterns ?? [])].sort().join(',')}:${opts.model ? modelKey(opts.model) : ''}:${opts.known ? `known ${opts.known.key}` : ''}`;
    let byOptions = this.done.get(prog);
    if (!byOptions) this.done.set(prog, (byOptions = new Map()));
    let reach = byOptions.get(key);
    if (!reach) byOptions.set(key, (reach = analyzeReachability(this.obj, prog, codeOf, opts)));
    return reach;
  }
}

/** The same kernel: the same vmlinux and the same module BTFs, in order. */
function sameTarget(a: CoreTarget, b: CoreTarget): boolean {
  const am = a.modules ?? [];
  const bm = b.modules ?? [];
  return a.vmlinux === b.vmlinux && am.length === bm.length && am.every((m, i) => m.btf === bm[i].btf);
}

/** A verifier model's rules as text: kernels of one generation have equal models, not the same object. */
const modelKey = oncePer((model: VerifierModel): string => JSON.stringify(model));

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

/** Results derived from one walk, by what else they depend on. */
const derived = new WeakMap<Reachability, Map<string, unknown>>();

/**
 * `compute()` once per walk and `key`: for analyses that depend only on what a walk depends on
 * (the program, the object's patched code, the verifier model, the known values) and on `key`.
 * Walks are shared between the kernels that patch an object alike, and so are these.
 */
export function perWalk<T>(reach: Reachability, key: string, compute: () => T): T {
  let byKey = derived.get(reach);
  if (!byKey) derived.set(reach, (byKey = new Map()));
  if (!byKey.has(key)) byKey.set(key, compute());
  return byKey.get(key) as T;
}
