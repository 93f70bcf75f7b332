/**
 * Byte buffers lent out and given back, so that a thread loading kernel after kernel (each a few
 * megabytes of BTF and of its cached index) writes each into memory already mapped instead of
 * fresh pages. A fresh page costs a page fault on its first touch: on the virtual machine
 * corecheck is measured on, about 13 µs per 4 KiB, so reading the 35 corpus kernels' 185 MB of
 * raw BTF into new buffers took 290-430 ms, into two reused ones 26-90 ms.
 *
 * A buffer must be given back only once nothing reads it any more: the `Btf` parsed from it, the
 * index arrays viewing it, a background write of it. A buffer never given back is only garbage
 * collected, as an unpooled one would be; one given back too early would be overwritten while in
 * use, so lending is explicit (`LoadedKernel.release` in kernels/sources.ts), never implied.
 */
export class BytePool {
  private readonly free: ArrayBuffer[] = [];
  private readonly lent = new WeakSet<ArrayBuffer>();

  /** `keep`: free buffers held at most (more given back are left to the garbage collector). */
  constructor(private readonly keep: number) {}

  /**
   * `length` bytes, their contents undefined (the caller writes them all), as a view at the start
   * of a pooled buffer: the smallest free one that is at most a third larger (a `Btf` copies bytes
   * that fill less of their buffer than that, `ownBytes`), else a new one rounded up to 1 MiB.
   */
  take(length: number): Uint8Array {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const size = this.free[i].byteLength;
      if (size >= length && size <= length + Math.ceil(length / 3) && (best < 0 || size < this.free[best].byteLength)) best = i;
    }
    const buffer = best >= 0 ? this.free.splice(best, 1)[0] : new ArrayBuffer(Math.ceil(Math.max(length, 1) / MIB) * MIB);
    this.lent.add(buffer);
    return new Uint8Array(buffer, 0, length);
  }

  /** Gives back what `take` lent (any view of it); anything else, or a second give, is ignored. */
  give(bytes: Uint8Array): void {
    const buffer = bytes.buffer as ArrayBuffer;
    if (!this.lent.has(buffer)) return;
    this.lent.delete(buffer);
    if (this.free.length < this.keep) this.free.push(buffer);
  }
}

const MIB = 1 << 20;
