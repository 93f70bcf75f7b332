import { byId, el, fillSelect } from './dom.js';
import { shares } from './fleet-check.js';
import type { KernelEntry } from './protocol.js';
import type { WorkerPool } from './worker-pool.js';

/**
 * The BTF browser: search a kernel's types by name, see one as C (what it needs, then itself, as
 * bpftool's vmlinux.h has it), and compare it across every kernel: kernels grouped by identical
 * definition, so a field added or a type missing shows as a separate variant.
 */
export class BtfBrowser {
  private kernels: readonly KernelEntry[] = [];
  private readonly kernelSelect = byId<HTMLSelectElement>('btf-kernel');
  private readonly query = byId<HTMLInputElement>('btf-query');
  private readonly results = byId('btf-results');
  private readonly view = byId('btf-c');
  private readonly compare = byId('btf-compare');
  private searchSeq = 0;

  constructor(private readonly pool: WorkerPool, private readonly fail: (message: string) => void) {
    byId('btf-search').addEventListener('submit', (e) => { e.preventDefault(); void this.search(); });
    byId('btf-compare-all').addEventListener('click', () => void this.compareAll());
    this.kernelSelect.addEventListener('change', () => { if (this.view.dataset.type) void this.show(this.view.dataset.type); });
  }

  setKernels(kernels: readonly KernelEntry[]): void {
    this.kernels = kernels;
    fillSelect(this.kernelSelect, kernels.map((k) => k.label));
  }

  private chosen(): KernelEntry | undefined {
    return this.kernels.find((k) => k.label === this.kernelSelect.value);
  }

  private async search(): Promise<void> {
    const kernel = this.chosen();
    const query = this.query.value.trim();
    if (!kernel || query === '') return;
    const seq = ++this.searchSeq;
    this.results.replaceChildren(el('li', { class: 'muted' }, `searching ${kernel.label}…`));
    try {
      const names = await this.pool.ask({ type: 'btf-search', kernel, query });
      if (seq !== this.searchSeq) return;
      this.results.replaceChildren(...(names.length === 0 ? [el('li', { class: 'muted' }, `no struct, union, enum or typedef named like ${query}`)]
        : names.map((n) => { const li = el('li'); const b = el('button', { type: 'button', 'data-type': n }, n); b.addEventListener('click', () => void this.show(n)); li.append(b); return li; })));
      // an exact hit is shown at once
      const exact = names.find((n) => n === query || n.replace(/^(struct|union|enum) /, '') === query);
      if (exact) await this.show(exact);
    } catch (e) {
      this.fail((e as Error).message);
    }
  }

  async show(type: string): Promise<void> {
    const kernel = this.chosen();
    if (!kernel) return;
    this.view.dataset.type = type;
    this.view.dataset.kernel = kernel.label;
    byId('btf-title').textContent = `${type} on ${kernel.label}`;
    try {
      const c = await this.pool.ask({ type: 'btf-c', kernel, name: type });
      this.view.textContent = c ?? `${type}: not in this kernel's BTF`;
      this.compare.replaceChildren();
    } catch (e) {
      this.fail((e as Error).message);
    }
  }

  /** The shown type on every kernel, grouped by identical C. */
  private async compareAll(): Promise<void> {
    const type = this.view.dataset.type;
    if (!type) return;
    const texts = new Map<string, string | null>();
    const status = byId('btf-compare-status');
    status.textContent = `comparing ${type} across ${this.kernels.length} kernels…`;
    try {
      await Promise.all(shares(this.kernels, this.pool.size).map(async (kernels, w) => {
        for (const kernel of kernels) texts.set(kernel.label, await this.pool.ask({ type: 'btf-c', kernel, name: type }, w));
      }));
    } catch (e) {
      this.fail((e as Error).message);
      return;
    }
    const variants = new Map<string, string[]>();
    for (const k of this.kernels) {
      const t = texts.get(k.label) ?? '';
      variants.set(t, [...(variants.get(t) ?? []), k.label]);
    }
    // definitions are numbered among themselves; kernels without the type are one more group
    const kernelsText = (n: number): string => `${n} kernel${n === 1 ? '' : 's'}`;
    const definitions = [...variants.keys()].filter((t) => t !== '');
    const missing = variants.get('')?.length ?? 0;
    status.textContent = `${type}: ${definitions.length === 1 ? 'one definition' : `${definitions.length} definitions`}` +
      `${missing > 0 ? `, missing on ${kernelsText(missing)}` : definitions.length === 1 ? ', the same on every kernel' : ''} (${kernelsText(this.kernels.length)})`;
    this.compare.replaceChildren(...[...variants].map(([text, labels]) => {
      const section = el('section', { class: 'variant' });
      const title = text === '' ? `missing on ${kernelsText(labels.length)}`
        : `${definitions.length === 1 ? 'defined' : `definition ${definitions.indexOf(text) + 1}`} on ${kernelsText(labels.length)}`;
      section.append(el('h4', {}, title));
      section.append(el('p', { class: 'kernels' }, labels.join(', ')));
      if (text !== '') section.append(el('pre', { class: 'c' }, text));
      return section;
    }));
  }
}
