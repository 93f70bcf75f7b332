/**
 * The kernels of a fleet run, shared out among the threads that check them (the main thread and
 * the workers) with no dispatcher: each thread claims its next kernel itself, in memory they all
 * share, so no worker waits for a main thread busy with a kernel of its own to hand it work.
 *
 * Kernels come in batches that load cheapest together (the kernels of one fleet-store block: a
 * thread decodes a block once for all of its kernels it loads). A thread claims whole batches,
 * largest first. When none is left, it helps a thread still on a batch: it takes kernels from
 * that batch's end while the owner goes on from its front, paying one more decode of the block,
 * which is less than two kernels' load and check.
 */

/** Memory layout: word 0, the next unclaimed batch; word 1 + k, nonzero once kernel k is claimed. */
const NEXT_BATCH = 0;
const FIRST_KERNEL = 1;

/** Claims on the kernels of one run; each thread makes its own from the same batches and memory. */
export class KernelClaims {
  private readonly words: Int32Array;

  /**
   * `batches`: kernel indexes (0..kernelCount-1), each kernel in exactly one batch, largest batch
   * first. `memory`: from `KernelClaims.memory(kernelCount)`, the same for every thread.
   */
  constructor(readonly batches: readonly (readonly number[])[], memory: SharedArrayBuffer) {
    this.words = new Int32Array(memory);
  }

  /** Zeroed shared memory for the claims on `kernelCount` kernels. */
  static memory(kernelCount: number): SharedArrayBuffer {
    return new SharedArrayBuffer((FIRST_KERNEL + kernelCount) * Int32Array.BYTES_PER_ELEMENT);
  }

  /** The kernels this thread checks, one at a time as it asks: each kernel goes to exactly one thread. */
  *take(): Generator<number> {
    for (let b = Atomics.add(this.words, NEXT_BATCH, 1); b < this.batches.length; b = Atomics.add(this.words, NEXT_BATCH, 1)) {
      for (const k of this.batches[b]) if (this.claim(k)) yield k;
    }
    for (let batch = this.busiest(); batch; batch = this.busiest()) {
      // From the end, while the batch lasts: this thread now has its block decoded.
      for (let i = batch.length - 1; i >= 0; i--) if (this.claim(batch[i])) yield batch[i];
    }
  }

  /** Stops every thread's claims: what is unclaimed now stays unchecked (a thread failed). */
  abandon(): void {
    Atomics.store(this.words, NEXT_BATCH, this.batches.length);
    for (let k = FIRST_KERNEL; k < this.words.length; k++) Atomics.store(this.words, k, 1);
  }

  private claim(kernel: number): boolean {
    return Atomics.compareExchange(this.words, FIRST_KERNEL + kernel, 0, 1) === 0;
  }

  /** The batch with the most unclaimed kernels, if at least two: taking a batch's last one would not finish sooner than its owner. */
  private busiest(): readonly number[] | undefined {
    let best: readonly number[] | undefined;
    let most = 1;
    for (const batch of this.batches) {
      const left = batch.reduce((n, k) => n + (Atomics.load(this.words, FIRST_KERNEL + k) === 0 ? 1 : 0), 0);
      if (left > most) [best, most] = [batch, left];
    }
    return best;
  }
}

/**
 * One thread's share of a run: claims kernels until none is left and checks each (`check`, given
 * the kernel's index). An error abandons every claim before it is thrown: the run fails with it,
 * and the other threads stop at their next claim instead of checking the rest.
 */
export async function checkClaimed(claims: KernelClaims, check: (kernel: number) => Promise<void>): Promise<void> {
  try {
    for (const k of claims.take()) await check(k);
  } catch (e) {
    claims.abandon();
    throw e;
  }
}
