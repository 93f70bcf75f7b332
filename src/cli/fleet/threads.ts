/**
 * How many threads a fleet run starts when `--jobs` is not given: one per core when the run has
 * work enough to pay for starting them, else this one alone. A worker is a new V8 isolate: it loads
 * corecheck's code, opens the objects, and runs cold code until V8 has compiled it, while the
 * compiler and collector threads it adds take cores from this one. On 2 cores, `btfgen` of the
 * 52 libbpf-tools objects against the 35 built-in kernels took, warm (about 1.5 s of work), 2.4 s
 * with a worker and 2.1 s without; cold (the store decoded), 4.6 and 5.0 s with a worker against
 * 4.8 and 5.3 s without (2 runs each; before huge pages and reused kernel buffers cut the cost of
 * fresh memory, which two threads paid in parallel, 4.3 s against 5.5 s). `check` measures alike
 * (bench/fleet-bench.ts: warm with `--jobs 2` in every round slower).
 */

/** What a run holds, as far as it is known before any kernel is loaded. */
export interface RunSize {
  /** Kernels whose BTF and index the kernel cache holds already. */
  readonly cached: number;
  /** Kernels to be decoded from a store, an archive, an image or a package (or raw files without an index). */
  readonly uncached: number;
  /** Input files: each holds one object or more. */
  readonly objectFiles: number;
}

// Single-thread milliseconds, measured on this project's 2-core machine (order of magnitude is what matters).
const CACHED_KERNEL_MS = 10;
const UNCACHED_KERNEL_MS = 120;
const PAIR_MS = 1;
/** Below this much single-thread work, a worker costs more than it gives. */
const WORK_FOR_WORKERS_MS = 3000;

/** The threads (this one included) worth running for a run of this size, at most `cores`. */
export function threadsWorthStarting(run: RunSize, cores: number): number {
  const kernels = run.cached + run.uncached;
  const work = run.cached * CACHED_KERNEL_MS + run.uncached * UNCACHED_KERNEL_MS + kernels * run.objectFiles * PAIR_MS;
  return work < WORK_FOR_WORKERS_MS ? 1 : Math.max(1, cores);
}
