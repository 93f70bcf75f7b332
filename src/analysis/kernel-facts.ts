import type { Btf } from '../btf/btf.js';
import { enumValueBits, enumValueNameOff } from '../btf/entries.js';
import { Kind } from '../btf/kinds.js';

/**
 * What a kernel offers, read from its own BTF rather than guessed from its version: vendor kernels
 * (RHEL's 4.18, Kylin's 4.19) backport helpers, map and program types, and their BTF says so.
 * Each set is undefined when the kernel's BTF lacks the enum itself (then nothing is judged).
 */
export interface KernelFacts {
  /** `enum bpf_func_id` values: the helpers. */
  readonly helpers?: ReadonlySet<number>;
  /** `enum bpf_map_type` values. */
  readonly mapTypes?: ReadonlySet<number>;
  /** `enum bpf_prog_type` names without `BPF_PROG_TYPE_`. */
  readonly progTypes?: ReadonlySet<string>;
  /** `enum bpf_attach_type` names. */
  readonly attachTypes?: ReadonlySet<string>;
  /** Whether raw tracepoints have BTF (`btf_trace_<tp>` typedefs, 5.5+): a missing one is then missing. */
  readonly btfTracepoints: boolean;
}

const cache = new WeakMap<Btf, KernelFacts>();

export function kernelFacts(btf: Btf): KernelFacts {
  let facts = cache.get(btf);
  if (!facts) {
    const enums = [Kind.ENUM, Kind.ENUM64];
    // one scan for the five names: a check of an object without CO-RE needs no index of the kernel
    const [funcs, maps, progs, attach, trace] = btf.firstNamed([
      { name: 'bpf_func_id', kinds: enums }, { name: 'bpf_map_type', kinds: enums }, { name: 'bpf_prog_type', kinds: enums },
      { name: 'bpf_attach_type', kinds: enums }, { name: 'btf_trace_sched_switch', kinds: [Kind.TYPEDEF] },
    ]);
    const helpers = enumerators(btf, funcs, 'BPF_FUNC_');
    const mapTypes = enumerators(btf, maps, 'BPF_MAP_TYPE_');
    const progTypes = enumerators(btf, progs, 'BPF_PROG_TYPE_');
    const attachTypes = enumerators(btf, attach, '');
    facts = {
      helpers: helpers && new Set(helpers.values()),
      mapTypes: mapTypes && new Set(mapTypes.values()),
      progTypes: progTypes && new Set(progTypes.keys()),
      attachTypes: attachTypes && new Set(attachTypes.keys()),
      btfTracepoints: trace !== undefined,
    };
    cache.set(btf, facts);
  }
  return facts;
}

/** Enumerators of enum `id` whose names start with `prefix` (prefix removed), by value. */
function enumerators(btf: Btf, id: number | undefined, prefix: string): Map<string, number> | undefined {
  if (id === undefined) return undefined;
  const out = new Map<string, number>();
  for (let i = 0, n = btf.vlen(id); i < n; i++) {
    const e = btf.str(enumValueNameOff(btf, id, i));
    // skip the __MAX_* bookends
    if (e.startsWith(prefix) && !e.startsWith('__')) out.set(e.slice(prefix.length), Number(BigInt.asIntN(64, enumValueBits(btf, id, i))));
  }
  return out;
}

/** Whether the kernel has a BTF type of that name and kind (modules are given as their own BTFs). */
export function hasNamed(btfs: readonly Btf[], name: string, kind: number): boolean {
  return btfs.some((b) => b.hasOwn(name, kind));
}
