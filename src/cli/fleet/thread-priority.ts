import { readlinkSync } from 'node:fs';
import { constants, setPriority } from 'node:os';

/**
 * Lowers the calling thread's scheduling priority, so that where cores are short a worker takes
 * only the time the main thread leaves: the main thread checks kernels too, and V8 compiles and
 * collects its garbage on threads of its own, so slowing it to run a worker beside it gains
 * nothing. Linux gives each thread its own nice value, set through the thread's id
 * (`/proc/thread-self`); elsewhere workers keep the main thread's priority.
 */
export function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, constants.priority.PRIORITY_LOW);
  } catch {
    // no /proc/thread-self, or the priority cannot be changed: run as the main thread does
  }
}
