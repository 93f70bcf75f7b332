import { byId, fillSelect } from './dom.js';
import type { KernelEntry, OpenedObject } from './protocol.js';
import type { WorkerPool } from './worker-pool.js';

/**
 * A chosen program on a chosen kernel: its CO-RE relocations resolved as libbpf does (what
 * `corecheck relocate` prints) and libbpf's CO-RE log. A click on a cell of the report's matrix
 * chooses both.
 */
export class RelocationView {
  private objects: readonly OpenedObject[] = [];
  private kernels: readonly KernelEntry[] = [];
  private readonly program = byId<HTMLSelectElement>('relo-program');
  private readonly kernel = byId<HTMLSelectElement>('relo-kernel');

  constructor(private readonly pool: WorkerPool, private readonly fail: (message: string) => void) {
    byId('relo-form').addEventListener('submit', (e) => { e.preventDefault(); void this.show(); });
  }

  setObjects(objects: readonly OpenedObject[]): void {
    this.objects = objects;
    // value: object index and program name
    const values = objects.flatMap((o, i) => o.programs.map((p) => `${i}:${p}`));
    fillSelect(this.program, values, objects.flatMap((o) => o.programs.map((p) => (objects.length > 1 ? `${o.name}: ${p}` : p))));
  }

  setKernels(kernels: readonly KernelEntry[]): void {
    this.kernels = kernels;
    fillSelect(this.kernel, kernels.map((k) => k.label));
  }

  /** From the matrix: the first object's program of that name, on that kernel. */
  async choose(program: string, kernel: string): Promise<void> {
    const value = this.objects.flatMap((o, i) => (o.programs.includes(program) ? [`${i}:${program}`] : []))[0];
    if (value === undefined) return;
    this.program.value = value;
    this.kernel.value = kernel;
    await this.show();
  }

  private async show(): Promise<void> {
    const [objectText, ...rest] = this.program.value.split(':');
    const kernel = this.kernels.find((k) => k.label === this.kernel.value);
    if (!kernel || rest.length === 0) return;
    try {
      const view = await this.pool.ask({ type: 'relocate', object: Number(objectText), program: rest.join(':'), kernel });
      byId('relo-text').textContent = view.text;
      byId('relo-log').textContent = view.log.map((l) => `libbpf: ${l}`).join('\n') || '(libbpf prints nothing for it)';
    } catch (e) {
      this.fail((e as Error).message);
    }
  }
}
