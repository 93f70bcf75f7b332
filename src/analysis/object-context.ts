import type { CoreTarget } from '../core/candidates.js';
import { relocateObject, type ObjectRelocation } from '../core/relocate.js';
import type { BpfObject, BpfProgram } from '../object/object.js';
import { analyzeReachability, walkRulesKey, type CodeOf, type ReachOptions, type Reachability } from './reach.js';
import { HOST_VERIFIER } from './verifier-model.js';
import { objectRefusals } from './object-refusals.js';
import type { Reason } from './reason.js';

/**
 * What checking one object against many kernels can share between them: its reachability walks,
 * and what libbpf makes of the object whatever the kernel (`refusals`).
 * A program's walk depends only on the patched code of the functions linked into it, on the
 * walk's options (the known values of frozen maps among them) and on the verifier rules the walk
 * follows (`walkRulesKey`: kernels of different generations often walk alike). Most kernels of a
 * fleet resolve a program's relocations to the same instructions even where they patch other
 * programs of the object differently, so a fleet walks each program once per distinct code and
 * rules, not once per kernel. Pass one context per object to every kernel's check (`checkKernel`).
 */
export class ObjectContext {
  /** The walks done so far, per program, by a hash of the linked code and the options. */
  private readonly walks = new Map<BpfProgram, Map<string, Walk[]>>();

  private refused?: readonly Reason[];

  /** The latest target's relocations, autoload programs only and all: a fleet checks one kernel at a time. */
  private relocated?: { readonly target: CoreTarget; readonly byAutoload: Map<boolean, ObjectRelocation> };

  /** Whether every program loads by default: relocating all of them is then what libbpf's load does. */
  private readonly allAutoload: boolean;

  private walked = 0;

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

  /** Walks done (not found done before): how much a fleet shared. */
  get walksDone(): number {
    return this.walked;
  }

  /** Why libbpf refuses the object whole, on any kernel (`objectRefusals`), found once. */
  get refusals(): readonly Reason[] {
    this.refused ??= objectRefusals(this.obj);
    return this.refused;
  }

  /**
   * `analyzeReachability` of `prog`, whose linked functions (`linkedFunctions`, in its order) `codeOf`
   * reads: the same object for every kernel whose patched code of those functions is byte for byte
   * the same and whose options walk alike; done once per such kernel group.
   */
  reachability(prog: BpfProgram, linked: readonly BpfProgram[], codeOf: CodeOf, opts: ReachOptions): Reachability {
    const code = linked.map((fn) => codeOf(fn).bytes);
    const key = `${optionsKey(opts)}|${hashCode(code)}`;
    let byKey = this.walks.get(prog);
    if (!byKey) this.walks.set(prog, (byKey = new Map()));
    let same = byKey.get(key);
    if (!same) byKey.set(key, (same = []));
    const found = same.find((w) => w.linked.length === linked.length && w.linked.every((fn, i) => fn === linked[i]) && sameCode(w.code, code));
    if (found) return found.reach;
    this.walked++;
    const reach = analyzeReachability(this.obj, prog, codeOf, opts);
    same.push({ linked, code, reach });
    return reach;
  }
}

/** One walk, and the code it walked. */
interface Walk {
  readonly linked: readonly BpfProgram[];
  readonly code: readonly Uint8Array[];
  readonly reach: Reachability;
}

/** What of a walk's options decides its result; known values only as far as they differ between kernels or settings (`KnownValues.key`). */
function optionsKey(opts: ReachOptions): string {
  return `${opts.maxSteps ?? ''}:${opts.widenAfter ?? ''}:${[...(opts.missingWeakExterns ?? [])].sort().join(',')}:${walkRulesKey(opts.model ?? HOST_VERIFIER)}:${opts.known ? `known ${opts.known.key}` : ''}`;
}

/** The same kernel: the same vmlinux and the same module BTFs, in order. */
function sameTarget(a: CoreTarget, b: CoreTarget): boolean {
  const am = a.modules ?? [];
  const bm = b.modules ?? [];
  return a.vmlinux === b.vmlinux && am.length === bm.length && am.every((m, i) => m.btf === bm[i].btf);
}

/** FNV-1a over every function's code: a quick key; equal keys are confirmed byte for byte. */
function hashCode(code: readonly Uint8Array[]): string {
  let h = 0x811c9dc5;
  for (const c of code) {
    const words = wordsOf(c);
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
    for (let i = words.length * 4; i < c.length; i++) h = Math.imul(h ^ c[i], 0x01000193);
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
    const xw = wordsOf(x);
    const yw = wordsOf(y);
    for (let i = 0; i < xw.length; i++) if (xw[i] !== yw[i]) return false;
    for (let i = xw.length * 4; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

/** A function's code as 32-bit words, 4 bytes a step (instructions are 8 bytes): a view, or a copy when unaligned; a stray tail is left to the caller. */
function wordsOf(c: Uint8Array): Int32Array {
  const n = c.length >>> 2;
  return c.byteOffset % 4 === 0 ? new Int32Array(c.buffer, c.byteOffset, n) : new Int32Array(c.slice(0, n * 4).buffer);
}

/** Results derived from one walk, by what else they depend on. */
const derived = new WeakMap<Reachability, Map<string, unknown>>();

/**
 * `compute()` once per walk and `key`: for analyses that depend only on what a walk depends on
 * (the program, the patched code of its linked functions, the walk's rules of the verifier model,
 * the known values) and on `key`; what else they depend on goes into `key`.
 * Walks are shared between the kernels that patch an object alike, and so are these.
 */
export function perWalk<T>(reach: Reachability, key: string, compute: () => T): T {
  let byKey = derived.get(reach);
  if (!byKey) derived.set(reach, (byKey = new Map()));
  if (!byKey.has(key)) byKey.set(key, compute());
  return byKey.get(key) as T;
}
