import { readFileSync } from 'node:fs';

/**
 * Whether the CLI should run again with glibc's malloc on transparent huge pages, and with what
 * environment (main.ts does the relaunch).
 *
 * Why: a fleet run allocates hundreds of megabytes of short-lived buffers (decoded store blocks,
 * rebuilt and cached BTF, their indexes), and the kernel maps each fresh 4 KiB page on the first
 * touch, one page fault per page. On the virtual machine corecheck is measured on, a page fault
 * costs 12-16 µs, and a cold `btfgen --arch auto` run from the built-in store took about 125,000
 * of them (perf: half in Brotli's output and ring buffer, most of the rest in the rebuilt BTF, its
 * index and file reads). With `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, glibc asks for huge pages
 * (`madvise(MADV_HUGEPAGE)`) on the memory it maps, one fault per 2 MiB: 55,000 faults, and, side
 * by side (3 runs each), cold 4.8 → 3.9 s and warm 2.8 → 1.9 s wall, system time halved. The
 * tunable is read only when a process starts, so the CLI starts itself again (about 0.1 s).
 *
 * Only where it does something: Linux with glibc 2.35 or later (the tunable's first release; musl
 * and older glibc ignore it) and huge pages in `madvise` mode (with `always` glibc's large mappings
 * get them anyway; with `never`, nothing can). A user's own `glibc.malloc.hugetlb` setting is kept
 * as it is (`GLIBC_TUNABLES=glibc.malloc.hugetlb=0` turns this off), and that setting in the
 * child's environment is what keeps the child from starting itself again. Node flags (`--inspect`,
 * `--cpu-prof`), on the command line or in `NODE_OPTIONS`, keep the run in the process they were
 * given to.
 */
export interface HugePageHost {
  readonly platform: string;
  /** The running glibc's version ("2.36"), undefined under another libc; asked last, as it costs a few ms. */
  readonly glibc: () => string | undefined;
  /** The selected mode of /sys/kernel/mm/transparent_hugepage/enabled, undefined if unreadable. */
  readonly thp: string | undefined;
  readonly execArgv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

const TUNABLE = 'glibc.malloc.hugetlb';
/** glibc 2.35 added the tunable. */
const FIRST_GLIBC: readonly [number, number] = [2, 35];

/** The environment to run the CLI again with, or undefined to run it in this process. */
export function hugePageEnv(host: HugePageHost): Record<string, string | undefined> | undefined {
  const tunables = host.env.GLIBC_TUNABLES ?? '';
  if (tunables.split(':').some((t) => t.startsWith(`${TUNABLE}=`))) return undefined;
  if (host.execArgv.length > 0 || /(^|\s)--(inspect|cpu-prof|heap-prof|prof)/.test(host.env.NODE_OPTIONS ?? '')) return undefined;
  if (host.platform !== 'linux' || host.thp !== 'madvise' || !glibcAtLeast(host.glibc(), FIRST_GLIBC)) return undefined;
  return { ...host.env, GLIBC_TUNABLES: tunables === '' ? `${TUNABLE}=1` : `${tunables}:${TUNABLE}=1` };
}

/** What `hugePageEnv` decides on, read from this process and the kernel's sysfs. */
export function probeHost(): HugePageHost {
  return { platform: process.platform, glibc: glibcVersion, thp: process.platform === 'linux' ? thpMode() : undefined, execArgv: process.execArgv, env: process.env };
}

function glibcAtLeast(version: string | undefined, [major, minor]: readonly [number, number]): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  return m !== null && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
}

/** The bracketed word of `always [madvise] never`. */
function thpMode(): string | undefined {
  try {
    return /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'latin1'))?.[1];
  } catch {
    return undefined;
  }
}

/** Node's diagnostic report names the glibc it runs on (about 7 ms, so it is asked last). */
function glibcVersion(): string | undefined {
  return (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
}
