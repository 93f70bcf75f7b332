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
    const helpers = enumerators(btf, 'bpf_func_id', 'BPF_FUNC_');
    const maps = enumerators(btf, 'bpf_map_type', 'BPF_MAP_TYPE_');
    const progs = enumerators(btf, 'bpf_prog_type', 'BPF_PROG_TYPE_');
    const attach = enumerators(btf, 'bpf_attach_type', '');
    facts = {
      helpers: helpers && new Set(helpers.values()),
      mapTypes: maps && new Set(maps.values()),
      progTypes: progs && new Set(progs.keys()),
      attachTypes: attach && new Set(attach.keys()),
      btfTracepoints: btf.find('btf_trace_sched_switch', Kind.TYPEDEF) !== undefined,
    };
    cache.set(btf, facts);
  }
  return facts;
}

/** Enumerators of the first enum named `name` whose names start with `prefix` (prefix removed), by value. */
function enumerators(btf: Btf, name: string, prefix: string): Map<string, number> | undefined {
  // the lower id of the first ENUM and the first ENUM64 of that name: the first of either kind
  const found = [btf.find(name, Kind.ENUM), btf.find(name, Kind.ENUM64)].filter((i) => i !== undefined);
  const id = found.length > 0 ? Math.min(...found) : undefined;
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
