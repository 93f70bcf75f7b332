// The live goldens (tools/goldens/regen-live.sh): libbpf 1.5 loading every program, and every
// object as a whole, on Debian kernels booted under QEMU, against their own BTF.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, cachePath } from './inputs.js';
import { EXAMPLE } from './cli.js';

export const LIVE = join(REPO, 'test/goldens/live');

export interface LiveKernel {
  /** `uname -r` in the VM. */
  readonly release: string;
  /** The corpus archive of the same release (KERNELS.tsv says its BTF is byte-identical), relative to the kernels directory. */
  readonly archive: string;
}

/** The kernels the goldens were recorded on (KERNELS.tsv). */
export function liveKernels(): LiveKernel[] {
  return readFileSync(join(LIVE, 'KERNELS.tsv'), 'utf8').trim().split('\n').slice(1)
    .map((l) => l.split('\t')).map((c) => ({ release: c[0], archive: c[5] }));
}

export interface LiveRow {
  /** The program, or `(object)` for the whole-object load. */
  readonly program: string;
  /** loads | fails-core | fails-other | core-error | not-loaded | artifact | open-failed */
  readonly verdict: string;
  /** The errno and the kernel's or libbpf's line. */
  readonly detail: string;
}

/** The objects recorded on `release`, by golden name. */
export function liveObjects(release: string): string[] {
  return readdirSync(join(LIVE, release)).filter((f) => f.endsWith('.tsv')).map((f) => f.slice(0, -'.tsv'.length)).sort();
}

/** The rows of one object on one kernel, in libbpf's order, the `(object)` row last. */
export function liveRows(release: string, object: string): LiveRow[] {
  return readFileSync(join(LIVE, release, `${object}.tsv`), 'utf8').trimEnd().split('\n').slice(1).map((l) => {
    const [program, verdict, detail] = l.split('\t');
    const [word, ...rest] = verdict.split(' ');
    return { program, verdict: word, detail: [...rest, detail ?? ''].join(' ').trim() };
  });
}

/** The object file a golden name stands for (regen-live.sh's naming), if it is built here. */
export function liveObjectPath(name: string): string | undefined {
  const candidates = name === 'openat2' ? [EXAMPLE]
    : name.endsWith('.gcc') ? [cachePath(`objects/fixtures/${name}.o`)]
      : [
        cachePath(`objects/libbpf-tools/${name}.bpf.o`), cachePath(`objects/fixtures/${name}.bpfel.o`),
        cachePath(`objects/selftests-large/${name}.bpf.o`), join(REPO, 'test/fixtures/insn', `${name}.o`),
      ];
  return candidates.find((p) => existsSync(p));
}
