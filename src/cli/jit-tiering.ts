import { setFlagsFromString } from 'node:v8';

/**
 * How long V8 lets a function run before it optimizes it, raised for the CLI process (program.ts
 * imports this module first, and the flag is process-wide, so the fleet's worker threads get it too).
 *
 * A corecheck run is a few seconds of a lot of different code: parsing, indexing, relocating and
 * walking each kernel × object. With V8's default budget (66 KiB of bytecode run, in Node 20), one
 * thread of `btfgen --arch all` over the 35 corpus kernels' raw BTF files sent 246 functions to
 * TurboFan in 449 compiles (many again after early deoptimizations, on feedback not settled yet):
 * 3.8 s of compiler time, on the cores the run itself needs, and each worker thread's isolate pays
 * it again. With 512 KiB: 128 functions, 195 compiles, 1.4 s; side by side on 2 cores, a cold run
 * (kernels decoded or indexed) used 11-15% less CPU. The really hot functions (the reachability
 * walk, candidate matching) are still optimized, a little later.
 */
const INTERRUPT_BUDGET = 512 * 1024;

setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
