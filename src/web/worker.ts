import { inferObjectArch } from '../analysis/arch.js';
import { checkFleetKernel, objectsForTargets, type KernelOutcome } from '../analysis/fleet-kernel.js';
import { ObjectContext } from '../analysis/object-context.js';
import { dumpCType } from '../btf/dump-c.js';
import { findCType, searchTypes } from '../btf/type-search.js';
import { CorecheckError } from '../common/errors.js';
import { relocateObject } from '../core/relocate.js';
import { kernelFromBytes } from '../kernels/kernel-bytes.js';
import { openBpfObjects, type LocatedObject } from '../object/open.js';
import { reportOfRun } from '../report/fleet-run.js';
import { renderHtml } from '../report/html.js';
import { CORECHECK_VERSION } from '../report/model.js';
import { renderRelocation } from '../report/relocate-text.js';
import { builtinStore, loadKernel } from './kernel-loader.js';
import type { KernelEntry, RelocationView, WorkerAnswers, WorkerMessage, WorkerRequest } from './protocol.js';

/**
 * A Web Worker of the page: opens the dropped objects, checks them against kernels (the same
 * per-kernel check as the CLI's workers, analysis/fleet-kernel.ts), relocates a program on a
 * kernel, and looks types up for the BTF browser. The page's thread only draws.
 */

interface Scope {
  onmessage: ((e: MessageEvent<{ id: number; req: WorkerRequest }>) => void) | null;
  postMessage(m: WorkerMessage): void;
}
const scope = self as unknown as Scope;

let objects: LocatedObject[] = [];
let contexts: ObjectContext[] = [];

scope.onmessage = (e) => {
  const { id, req } = e.data;
  answer(id, req).then(
    (value) => scope.postMessage({ id, ok: true, value }),
    (err: unknown) => scope.postMessage({ id, ok: false, message: cliMessage(err) }),
  );
};

async function answer(id: number, req: WorkerRequest): Promise<WorkerAnswers[WorkerRequest['type']]> {
  switch (req.type) {
    case 'fleet': {
      const { store: s } = await builtinStore();
      return s.kernels.map((k): KernelEntry => ({ ref: { kind: 'builtin', label: k.label }, label: k.label, info: k, loadsWith: `builtin#${k.block}` }));
    }
    case 'open': {
      objects = req.files.flatMap((f) => openBpfObjects(f.bytes, f.name));
      contexts = objects.map((o) => new ObjectContext(o.object));
      return objects.map((o) => ({ name: o.name, arch: inferObjectArch(o.object, o.hostMachine, o.hostLittleEndian), programs: o.object.programs.map((p) => p.name) }));
    }
    case 'check': {
      const run = { contexts, objectsFor: objectsForTargets(req.targets) };
      const outcomes: KernelOutcome[] = [];
      for (const k of req.kernels) {
        const outcome = await checkFleetKernel(k, () => loadKernel(k), run);
        outcomes.push(outcome);
        scope.postMessage({ id, progress: { label: k.label, outcome } });
      }
      return outcomes;
    }
    case 'report': {
      // with the CLI's defaults: every checked kernel is required, the gate fails on `fails`
      const report = reportOfRun(req.run, CORECHECK_VERSION, 'fails', []);
      return { html: renderHtml(report), kernels: report.kernels.length };
    }
    case 'relocate':
      return relocationView(objects[req.object], req.program, req.kernel);
    case 'btf-search':
      return searchTypes(await loadKernel(req.kernel), req.query);
    case 'btf-c': {
      const btf = await loadKernel(req.kernel);
      const typeId = findCType(btf, req.name);
      return typeId === undefined ? null : dumpCType(btf, typeId);
    }
    case 'kernel-info': {
      const k = await kernelFromBytes(req.name, req.bytes);
      // read now, so a file that is no kernel is refused when it is added, not at the check
      await k.load();
      return { ...k.info, format: k.format };
    }
  }
}

/** One program's relocations and libbpf's CO-RE log lines about it (and the candidate searches they share). */
async function relocationView(object: LocatedObject, program: string, kernel: KernelEntry): Promise<RelocationView> {
  const btf = await loadKernel(kernel);
  const result = relocateObject(object.object, { vmlinux: btf, modules: [] });
  const mine = { ...result, relocations: result.relocations.filter((r) => r.program === program) };
  const prefix = "prog '";
  return {
    text: renderRelocation(object.name, kernel.label, mine),
    log: result.log.map((l) => l.text).filter((t) => !t.startsWith(prefix) || t.startsWith(`${prefix}${program}'`)),
  };
}

/** What the CLI prints for the same failure (`corecheck: <file>: <structure> at offset …: <detail>`). */
function cliMessage(e: unknown): string {
  if (e instanceof CorecheckError) return `corecheck: ${e.format()}`;
  return `corecheck: internal error: ${(e as Error)?.message ?? String(e)}`;
}
