import { join } from 'node:path';
import { CorecheckError } from '../../common/errors.js';
import { btfHubMember, btfHubPath } from '../../kernels/btfhub-layout.js';
import type { KernelSource } from '../../kernels/index.js';
import { ustar } from '../../kernels/tar-write.js';
import { xzEncode } from '../../kernels/xz-encode.js';
import { renderBtfgenText } from '../../report/btfgen-text.js';
import type { FleetRun } from '../../report/fleet-run.js';
import type { ReportFormat } from '../../report/formats.js';
import type { BtfgenKernel, BtfgenReport } from '../../report/model.js';
import { vetOutputDir, writeFilesAtomic } from '../output.js';
import { useColor } from '../terminal.js';
import type { KernelOutcome } from '../fleet/kernel-task.js';
import { checkRun, emitReport, reportOf, type FleetCliOptions, type ReportCliOptions } from './check.js';

export interface BtfgenCliOptions extends ReportCliOptions, FleetCliOptions {
  /** The directory the minimized BTFs go to, in BTFHub's layout. */
  readonly out: string;
  /** Write BTFHub archives (`<kernel>.btf.tar.xz`) instead of raw BTF. */
  readonly compress: boolean;
  /** Write nothing for a kernel where some object fails. */
  readonly strict: boolean;
}

/**
 * The formats that carry btfgen's section: text (its table), JSON (`btfgen`), SARIF (check's
 * findings); the others render check's report only and would drop what was written.
 */
export const BTFGEN_FORMATS: readonly ReportFormat[] = ['text', 'json', 'sarif'];

/**
 * `corecheck btfgen <object-or-binary>... --out <dir>`: per kernel of the fleet, the BTF the
 * objects' CO-RE relocations need of it (`bpftool gen min_core_btf`), for shipping with a program
 * that loads with `btf_custom_path` on kernels without BTF; and the check's report, so no file is
 * written silently for a kernel where a program fails. Files are written after the whole run, all
 * or none.
 */
export async function runBtfgen(files: readonly string[], opts: BtfgenCliOptions): Promise<number> {
  vetOutputDir(opts.out);
  const paths = new Map<string, string>();
  const { run, outcomes } = await checkRun(files, opts, { btfgen: true, vet: (kernels) => planPaths(kernels, opts.compress, paths) });
  const planned = await Promise.all(run.kernels.map((k) => kernelFile(k.label, paths.get(k.label)!, outcomes.get(k.label)!, run, opts)));
  writeFilesAtomic(planned.flatMap((p) => (p.data ? [{ path: join(opts.out, p.entry.file!), data: p.data }] : [])), { what: 'minimized BTF' });
  const btfgen: BtfgenReport = { out: opts.out, compressed: opts.compress, strict: opts.strict, kernels: planned.map((p) => p.entry) };
  // the per-kernel table only for the text format: it takes about 50 ms for the 35 built-in kernels
  const text = opts.format === 'text' ? renderBtfgenText(btfgen, { verbose: opts.verbose, color: opts.output === undefined && useColor(process.stdout) }) : '';
  return emitReport({ ...reportOf(run, opts), btfgen }, opts, text);
}

/** Each kernel's file below the output directory; two kernels that would share one are bad input. */
function planPaths(kernels: readonly KernelSource[], compressed: boolean, paths: Map<string, string>): void {
  const owner = new Map<string, string>();
  for (const k of kernels) {
    const path = btfHubPath(k.label, k.info, compressed);
    const other = owner.get(path);
    if (other !== undefined) throw new CorecheckError('USAGE', 'option --out', -1, `kernels ${other} and ${k.label} would both be written to ${path}`);
    owner.set(path, k.label);
    paths.set(k.label, path);
  }
}

/** One kernel's entry in the report, and the bytes to write for it (none: withheld or no BTF). */
async function kernelFile(
  label: string, file: string, outcome: KernelOutcome, run: FleetRun, opts: BtfgenCliOptions,
): Promise<{ entry: BtfgenKernel; data?: Uint8Array }> {
  const failingObjects = run.objects.filter((_, i) => outcome.verdicts[i]?.verdict === 'fails').map((o) => o.name);
  const gen = outcome.btfgen;
  if (!gen) return { entry: { kernel: label, status: 'no-btf', file: null, bytes: null, types: null, unresolved: [], breaking: 0, failingObjects } };
  const unresolved = gen.unresolved.flatMap((us, i) => (us ?? []).map((u) => ({ object: run.objects[i].name, ...u })));
  const entry = { kernel: label, file, types: gen.types, unresolved, breaking: unresolved.filter((u) => u.verdict === 'fails').length, failingObjects };
  if (opts.strict && failingObjects.length > 0) return { entry: { ...entry, status: 'withheld', bytes: null } };
  // BTFHub's archives hold one member, the raw BTF named after the kernel; time 0, so the same
  // objects and kernel give the same archive on every run
  const data = opts.compress ? await xzEncode(ustar([{ name: btfHubMember(file), data: gen.btf, mtime: 0 }])) : gen.btf;
  return { entry: { ...entry, status: 'written', bytes: data.length }, data };
}
