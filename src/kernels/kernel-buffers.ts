import type { Btf } from '../btf/btf.js';
import { BytePool } from '../common/byte-pool.js';
import type { LoadedKernel } from './sources.js';

/**
 * This thread's buffers for kernel bytes (each fleet worker thread has its own module instance,
 * so its own pool): a kernel's BTF, read from a file or rebuilt from a fleet store, and its cached
 * index. A kernel holds two while it is checked, and up to `MAX_PENDING_WRITES` more stay in use
 * while the kernel cache writes them (cache.ts): eight kept free cover both.
 */
export const kernelBuffers = new BytePool(8);

/** A kernel parsed from `bytes` that `kernelBuffers` lent: given back when released, or now if its BTF keeps none of them (a copy). */
export function lentKernel(bytes: Uint8Array, btf: Btf, method: string): LoadedKernel {
  if (btf.bytes.buffer !== bytes.buffer) {
    kernelBuffers.give(bytes);
    return { btf, method };
  }
  return { btf, method, release: () => kernelBuffers.give(bytes) };
}
