import { BtfBrowser } from './btf-browser.js';
import { byId } from './dom.js';
import { checkFleet } from './fleet-check.js';
import { isOtherElf, looksLikeKernel } from './input-kind.js';
import { KernelList } from './kernel-list.js';
import type { OpenedObject } from './protocol.js';
import { RelocationView } from './relocation-view.js';
import { showReport } from './report-frame.js';
import { WorkerPool } from './worker-pool.js';

/**
 * The page: dropped files are read here and handed to the workers as bytes; every parse, check
 * and lookup runs in a worker, so the page stays responsive; the only requests are for the page's
 * own files (scripts, style, the built-in fleet store).
 */

const pool = new WorkerPool(Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2)));
const errorLine = byId('error');
const status = byId('status');
const progressBar = byId<HTMLProgressElement>('progress');

function fail(message: string): void {
  errorLine.textContent = message;
  errorLine.hidden = false;
}

const relocations = new RelocationView(pool, fail);
const browser = new BtfBrowser(pool, fail);
const kernels = new KernelList(pool, (all) => { relocations.setKernels(all); browser.setKernels(all); });
let objects: readonly OpenedObject[] = [];

function setStatus(text: string, done?: number, total?: number): void {
  status.textContent = text;
  progressBar.hidden = total === undefined;
  if (total !== undefined) { progressBar.max = total; progressBar.value = done ?? 0; }
}

/**
 * Files are taken one drop at a time: the workers hold one set of objects, so a drop during a
 * check waits for it to end instead of swapping the objects under it.
 */
let taking: Promise<void> = Promise.resolve();
function enqueueFiles(files: readonly File[]): void {
  taking = taking.then(() => takeFiles(files), () => takeFiles(files));
}

/** Files from the input or a drop: kernels join the fleet, objects replace the checked ones; then the check runs. */
async function takeFiles(files: readonly File[]): Promise<void> {
  errorLine.hidden = true;
  const newObjects: { name: string; bytes: Uint8Array }[] = [];
  let kernelAdded = false;
  for (const f of files) {
    const bytes = new Uint8Array(await f.arrayBuffer());
    const head = bytes.subarray(0, 0x10010);
    if (looksLikeKernel(f.name, head)) {
      setStatus(`reading kernel ${f.name}…`);
      try {
        await kernels.add(f.name, bytes);
        kernelAdded = true;
      } catch (e) {
        fail((e as Error).message);
        setStatus('');
        return;
      }
    } else {
      newObjects.push({ name: f.name, bytes });
    }
  }
  if (newObjects.length > 0) {
    setStatus(`opening ${newObjects.map((o) => o.name).join(', ')}…`);
    try {
      objects = (await pool.askAll({ type: 'open', files: newObjects }))[0];
    } catch (e) {
      // a vmlinux (an ELF that is not BPF) is a kernel after all
      const maybeKernel = newObjects.length === 1 && isOtherElf(newObjects[0].bytes.subarray(0, 64));
      if (!(maybeKernel && (await kernels.add(newObjects[0].name, newObjects[0].bytes).then(() => true, () => false)))) {
        fail((e as Error).message);
        setStatus('');
        return;
      }
      // (a failed open leaves the workers' objects as they were)
      kernelAdded = true;
    }
    relocations.setObjects(objects);
  }
  if (objects.length > 0 && (newObjects.length > 0 || kernelAdded)) await runCheck();
  else setStatus(kernelAdded ? 'kernel added: drop an object to check it' : '');
}

async function runCheck(): Promise<void> {
  const started = performance.now();
  const fleet = kernels.all;
  setStatus(`checking ${objects.map((o) => o.name).join(', ')} against ${fleet.length} kernels…`, 0, fleet.length);
  let report: Awaited<ReturnType<typeof checkFleet>>;
  try {
    report = await checkFleet(pool, objects, fleet, (done, total, label) => setStatus(`checked ${done} of ${total} kernels (${label})`, done, total));
  } catch (e) {
    fail((e as Error).message);
    setStatus('');
    return;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  setStatus(`checked ${report.kernels} kernels in ${seconds} s`);
  document.documentElement.dataset.checkMs = String(Math.round(performance.now() - started));
  // a cell opens the report's own detail panel; the Relocations tab gets the same program and kernel
  showReport(byId<HTMLIFrameElement>('report'), report.html, (program, kernel) => void relocations.choose(program, kernel));
  showTab('report');
}

function showTab(name: string): void {
  for (const tab of document.querySelectorAll<HTMLElement>('[data-tab]')) tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
  for (const panel of document.querySelectorAll<HTMLElement>('[data-panel]')) panel.hidden = panel.dataset.panel !== name;
}

for (const tab of document.querySelectorAll<HTMLElement>('[data-tab]')) tab.addEventListener('click', () => showTab(tab.dataset.tab!));

const input = byId<HTMLInputElement>('files');
input.addEventListener('change', () => { enqueueFiles([...(input.files ?? [])]); input.value = ''; });
const dropZone = document.body;
dropZone.addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('dragging'); });
dropZone.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
dropZone.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  enqueueFiles([...(e.dataTransfer?.files ?? [])]);
});

kernels.load().then(
  () => { document.documentElement.dataset.ready = 'true'; },
  (e: unknown) => fail((e as Error).message),
);
showTab('report');
