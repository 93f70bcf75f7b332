import { byId, el } from './dom.js';
import type { KernelEntry } from './protocol.js';
import { deleteUserKernel, listUserKernels, putUserKernel } from './user-kernels.js';
import type { WorkerPool } from './worker-pool.js';

/**
 * The fleet the page checks against: the built-in kernels (listed from the store's index, loaded
 * only when a check or a view needs one) and the kernels the user added, kept in IndexedDB.
 */
export class KernelList {
  private builtin: readonly KernelEntry[] = [];
  private user: readonly KernelEntry[] = [];

  constructor(private readonly pool: WorkerPool, private readonly changed: (all: readonly KernelEntry[]) => void) {}

  get all(): readonly KernelEntry[] {
    return [...this.builtin, ...this.user];
  }

  async load(): Promise<void> {
    this.builtin = await this.pool.ask({ type: 'fleet' });
    this.user = await listUserKernels();
    this.draw();
  }

  /** Reads a dropped kernel (a worker parses it whole, so a bad one is refused now) and keeps it. */
  async add(name: string, bytes: Uint8Array): Promise<KernelEntry> {
    const info = await this.pool.ask({ type: 'kernel-info', name, bytes });
    const { format, ...kernelInfo } = info;
    const label = kernelInfo.distro && kernelInfo.release && kernelInfo.arch && kernelInfo.kernel
      ? `${kernelInfo.distro}/${kernelInfo.release}/${kernelInfo.arch}/${kernelInfo.kernel}` : name;
    const key = `${label}#${format}`;
    const entry: KernelEntry = { ref: { kind: 'user', key, label }, label, info: kernelInfo, loadsWith: `user#${key}` };
    await putUserKernel({ entry, name, bytes });
    this.user = [...this.user.filter((k) => k.label !== label), entry];
    this.draw();
    return entry;
  }

  private async remove(entry: KernelEntry): Promise<void> {
    if (entry.ref.kind !== 'user') return;
    await deleteUserKernel(entry.ref.key);
    this.user = this.user.filter((k) => k !== entry);
    this.draw();
  }

  private draw(): void {
    byId('fleet-summary').textContent = `${this.builtin.length} built-in kernels` +
      (this.user.length > 0 ? ` and ${this.user.length} of yours (kept in this browser)` : '');
    byId('user-kernels').replaceChildren(...this.user.map((k) => {
      const li = el('li', {}, `${k.label} `);
      const b = el('button', { type: 'button', class: 'remove' }, 'remove');
      b.addEventListener('click', () => void this.remove(k));
      li.append(b);
      return li;
    }));
    this.changed(this.all);
  }
}
