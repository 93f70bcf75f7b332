import type { KernelOutcome } from '../analysis/fleet-kernel.js';
import type { WorkerAnswers, WorkerMessage, WorkerRequest } from './protocol.js';

/** A failure a worker reported, worded as the CLI words it. */
export class WorkerError extends Error {}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; progress?: (label: string, outcome: KernelOutcome) => void };

/**
 * The page's Web Workers (src/web/worker.ts), each answering requests one at a time in order. A
 * check is split over all of them; everything else goes to the first, which thus keeps the last
 * kernel it loaded for the next look at it.
 */
export class WorkerPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(size: number, script = 'worker.js') {
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(script, { type: 'module' });
      w.onmessage = (e: MessageEvent<WorkerMessage>) => this.receive(e.data);
      w.onerror = (e) => { e.preventDefault(); this.failAll(new WorkerError(`corecheck: internal error: ${e.message}`)); };
      return w;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  ask<T extends WorkerRequest>(req: T, worker = 0, progress?: Pending['progress']): Promise<WorkerAnswers[T['type']]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
      this.workers[worker].postMessage({ id, req });
    });
  }

  /** The same request to every worker (opening the objects each one checks). */
  askAll<T extends WorkerRequest>(req: T): Promise<WorkerAnswers[T['type']][]> {
    return Promise.all(this.workers.map((_, i) => this.ask(req, i)));
  }

  private receive(m: WorkerMessage): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if ('progress' in m) {
      p.progress?.(m.progress.label, m.progress.outcome);
      return;
    }
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new WorkerError(m.message));
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
