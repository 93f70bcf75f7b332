import type { ObjectArch } from '../analysis/arch.js';
import type { KernelOutcome } from '../analysis/fleet-kernel.js';
import type { FleetRun } from '../report/fleet-run.js';

/**
 * The messages between the page and its workers. Everything is plain data (structured clone);
 * a user's files travel as bytes and never leave the page.
 */

/** A kernel a worker can load: one of the built-in fleet's, or one the user added (kept in IndexedDB under `key`). */
export type KernelRef = { readonly kind: 'builtin'; readonly label: string } | { readonly kind: 'user'; readonly key: string; readonly label: string };

/** What the page lists of a kernel before it is loaded. */
export interface KernelEntry {
  readonly ref: KernelRef;
  readonly label: string;
  readonly info: { readonly distro?: string; readonly release?: string; readonly arch?: string; readonly kernel?: string };
  /** Kernels with the same key load cheapest in one worker, one after another (a fleet-store block). */
  readonly loadsWith: string;
}

export interface OpenedObject {
  readonly name: string;
  readonly arch: ObjectArch;
  readonly programs: readonly string[];
}

export type WorkerRequest =
  | { readonly type: 'fleet' }
  | { readonly type: 'open'; readonly files: readonly { readonly name: string; readonly bytes: Uint8Array }[] }
  | { readonly type: 'check'; readonly kernels: readonly KernelEntry[]; readonly targets: readonly (string | null)[] }
  | { readonly type: 'report'; readonly run: FleetRun }
  | { readonly type: 'relocate'; readonly object: number; readonly program: string; readonly kernel: KernelEntry }
  | { readonly type: 'btf-search'; readonly kernel: KernelEntry; readonly query: string }
  | { readonly type: 'btf-c'; readonly kernel: KernelEntry; readonly name: string }
  | { readonly type: 'kernel-info'; readonly name: string; readonly bytes: Uint8Array };

/** What each request answers. */
export interface WorkerAnswers {
  fleet: readonly KernelEntry[];
  open: readonly OpenedObject[];
  /** Outcomes in the order of the request's kernels (each also sent as progress when done). */
  check: readonly KernelOutcome[];
  /** The run's report as `--format html` renders it, and how many kernels it checked. */
  report: { readonly html: string; readonly kernels: number };
  relocate: RelocationView;
  'btf-search': readonly string[];
  /** The type as C, with what it needs declared before it; null: no such type on that kernel. */
  'btf-c': string | null;
  'kernel-info': KernelEntry['info'] & { readonly format: string };
}

/** One program's CO-RE relocations on one kernel, as `corecheck relocate` and `--log` print them. */
export interface RelocationView {
  readonly text: string;
  readonly log: readonly string[];
}

/** Worker → page: an answer, a failure (already worded as the CLI words it), or progress of a check. */
export type WorkerMessage =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string }
  | { readonly id: number; readonly progress: { readonly label: string; readonly outcome: KernelOutcome } };
