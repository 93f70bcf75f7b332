import { resolve } from 'node:path';
import { Btf } from '../btf/btf.js';
import { CorecheckError } from '../common/errors.js';
import { readBtfHubArchive } from './archive.js';
import { HEAD_BYTES, sniffKernelFile, type KernelFormat } from './file-kind.js';
import { findBtfHubFiles, isDirectory, readFileBytes, readFileLent, readHead } from './files.js';
import { kernelBuffers, lentKernel } from './kernel-buffers.js';
import { findKernelBtf } from './image.js';
import { ownBytes } from './kernel-bytes.js';
import { openKernelPackage, type KernelPackage } from './package-source.js';
import { runningKernelInfo } from './host.js';
import { BTFHUB_SUFFIX, RAW_BTF_SUFFIX, btfHubLabel, infoFromBtfHubPath, type KernelInfo } from './kernel-info.js';
import { fleetStoreSource } from './builtin-fleet.js';

const inFile = CorecheckError.inFileAsync;

/**
 * One kernel's BTF, not yet read. Listing sources costs a directory walk (BTFHub trees) or one
 * 64 KiB read (single files), so a fleet of thousands can be listed first and loaded one by one
 * (or in parallel, or in workers) later. Every kind of input sits behind this interface: raw BTF,
 * ELF vmlinux or module, kernel images, BTFHub archives, kernel packages (.deb, .rpm: listing
 * reads their metadata, a few kilobytes).
 */
export interface KernelSource {
  /**
   * `distro/release/arch/kernel` for BTFHub archives in a BTFHub tree and for kernel packages whose
   * metadata tells all four, else the path.
   */
  readonly label: string;
  readonly path: string;
  readonly format: KernelFormat;
  readonly info: KernelInfo;
  /**
   * Sources with the same key are cheapest loaded one after another in one thread: the kernels
   * of one fleet-store block, which a load decodes whole and keeps for the next. Undefined: the
   * source loads alone.
   */
  readonly loadsWith?: string;
  /**
   * Bytes of the BTF it loads, when that is known before loading (a fleet store's index records
   * it): a kernel's load and check take time in proportion, so a run shares kernels out by it.
   */
  readonly btfBytes?: number;
  /** Reads the file, finds and parses the BTF (as split BTF on the base, if one was given). */
  load(): Promise<LoadedKernel>;
}

export interface LoadedKernel {
  readonly btf: Btf;
  /** How the BTF was found, e.g. `bzImage xz payload @0x52cc > ELF .BTF section`. */
  readonly method: string;
  /**
   * Says the caller is done with `btf`, and with everything read from it: the buffers its bytes
   * (and cached index) lie in go back to this thread's pool (kernel-buffers.ts) for the next
   * kernel. Call it at most once; a kernel never released is only garbage collected.
   */
  readonly release?: () => void;
}

export interface KernelSourceOptions {
  /**
   * Base BTF for split BTF (a module's `.BTF`): a path to any kernel source holding the vmlinux
   * BTF, or that BTF already loaded (several modules of one kernel share it).
   */
  readonly base?: string | Btf;
}

/**
 * Every kernel at `path`: one source for a file; for a directory, every BTFHub file below it
 * (`<distro>/<release>/<arch>/<kernel>.btf.tar.xz`, or raw `.btf`), sorted by label; one kernel of a fleet store
 * for `<store>.fleet#<label>` (`fleet/builtin.fleet#debian/12/x86_64/6.1.0-57-amd64`). The base,
 * if any, is loaded once, when the first source needs it.
 */
export async function openKernelSources(path: string, opts: KernelSourceOptions = {}): Promise<KernelSource[]> {
  const inStore = await fleetStoreSource(path);
  if (inStore) return [inStore];
  const base = baseLoader(opts.base);
  if (!(await isDirectory(path))) return [await fileSource(path, base)];
  const files = await findBtfHubFiles(path);
  if (files.length === 0) {
    throw new CorecheckError('NOT_FOUND', 'kernel directory', -1,
      `no ${BTFHUB_SUFFIX} or ${RAW_BTF_SUFFIX} files below it (expected the BTFHub layout <distro>/<release>/<arch>/<kernel>${BTFHUB_SUFFIX}, or ${RAW_BTF_SUFFIX} as btfgen writes it)`, path);
  }
  // archives are known by name; a raw file's first bytes are read, so a misnamed file is judged by its content
  const sources = await Promise.all(files.map((p) => (p.endsWith(BTFHUB_SUFFIX) ? archiveSource(p, base) : fileSource(p, base))));
  return sources.sort((a, b) => compare(a.label, b.label) || compare(a.path, b.path));
}

/** Loads the kernel at `path` (a file, or a directory holding exactly one archive). */
export async function loadKernelBtf(path: string, opts: KernelSourceOptions = {}): Promise<LoadedKernel & { source: KernelSource }> {
  const sources = await openKernelSources(path, opts);
  if (sources.length !== 1) throw new CorecheckError('USAGE', 'kernel BTF source', -1, `is a directory of ${sources.length} kernels; give one file`, path);
  const loaded = await sources[0].load();
  return { ...loaded, source: sources[0] };
}

type BaseLoader = () => Promise<Btf | undefined>;

function baseLoader(path: string | Btf | undefined): BaseLoader {
  let pending: Promise<Btf> | undefined;
  return () => {
    if (path === undefined || path instanceof Btf) return Promise.resolve(path);
    pending ??= fileSource(path, () => Promise.resolve(undefined)).then(async (s) => (await s.load()).btf);
    return pending;
  };
}

function archiveSource(path: string, base: BaseLoader): KernelSource {
  const info = infoFromBtfHubPath(resolve(path));
  return {
    label: btfHubLabel(info) ?? path,
    path,
    format: 'btfhub-archive',
    info,
    load: () => loadArchive(path, info, base),
  };
}

async function fileSource(path: string, base: BaseLoader): Promise<KernelSource> {
  const head = await readHead(path, HEAD_BYTES);
  if (head.length === 0) throw new CorecheckError('MALFORMED', 'file', 0, 'file is empty', path);
  const { format, info } = sniffKernelFile(path, head);
  if (format === 'btfhub-archive') return archiveSource(path, base);
  if (format === 'deb' || format === 'rpm') {
    const pkg = await openKernelPackage(path, format);
    return { label: btfHubLabel(pkg.info) ?? path, path, format, info: pkg.info, load: () => loadPackage(path, pkg, base) };
  }
  // a raw BTF file in BTFHub's layout (`<distro>/<release>/<arch>/<kernel>.btf`) is known by its place, as an archive is
  const placed = format === 'raw' && !isRunningKernel(path) ? btfHubPlace(path) : undefined;
  return {
    label: placed?.label ?? path,
    path,
    format,
    info: isRunningKernel(path) ? runningKernelInfo() : placed?.info ?? info,
    load: () => loadFile(path, base),
  };
}

async function loadArchive(path: string, info: KernelInfo, base: BaseLoader): Promise<LoadedKernel> {
  const bytes = await readFileBytes(path);
  if (bytes.length === 0) throw new CorecheckError('MALFORMED', 'file', 0, 'file is empty', path);
  const { member, bytes: btfBytes } = await inFile(path, () => readBtfHubArchive(bytes, info.kernel));
  const baseBtf = await base();
  if (baseBtf) throw notSplit(path, 0, `BTFHub archive member ${member}`);
  const btf = await inFile(`${path}:${member}`, () => Btf.parse(btfBytes, { base: baseBtf }));
  return { btf, method: `BTFHub archive member ${member}` };
}

/**
 * A package's kernel: its image is extracted (the package's bytes are dropped once it is), then
 * found and parsed like any kernel image. Errors inside the image name the package and the image.
 */
async function loadPackage(path: string, pkg: KernelPackage, base: BaseLoader): Promise<LoadedKernel> {
  const image = await pkg.kernelImage();
  if (await base()) throw notSplit(path, 0, `kernel package, ${image.method}`);
  const inImage = `${path} (${image.method})`;
  const found = await inFile(inImage, () => findKernelBtf(image.bytes));
  const method = `${image.method} > ${found.method}`;
  const btf = await inFile(found.inPayload ? `${path} (${method})` : inImage, () => Btf.parse(ownBytes(found.bytes), { fileOffset: found.offset }));
  return { btf, method };
}

/** Complete BTF (a kernel's, an object's) given where split BTF (a module's) is expected. */
function notSplit(path: string, offset: number, what: string): CorecheckError {
  return new CorecheckError('USAGE', 'kernel BTF source', offset, `holds complete BTF (${what}), not split BTF like a kernel module's`, path);
}

async function loadFile(path: string, base: BaseLoader): Promise<LoadedKernel> {
  const bytes = readFileLent(path);
  try {
    const { btf, method } = await parseFile(path, bytes, base);
    return lentKernel(bytes, btf, method);
  } catch (e) {
    kernelBuffers.give(bytes);
    throw e;
  }
}

/** Finds and parses the BTF in a file's bytes (`loadFile`). */
async function parseFile(path: string, bytes: Uint8Array, base: BaseLoader): Promise<LoadedKernel> {
  const found = await inFile(path, () => findKernelBtf(bytes));
  const baseBtf = await base();
  if (found.module && !baseBtf) {
    throw new CorecheckError('USAGE', 'ELF section .BTF', found.offset, "this is a kernel module: its BTF is split BTF on the kernel's vmlinux BTF; give that as the base (--base <vmlinux BTF source>)", path);
  }
  // Raw BTF may be split (/sys/kernel/btf/<module>); an ELF that is not a module, or a kernel image, is a whole kernel.
  if (baseBtf && !found.module && found.method !== 'raw BTF') throw notSplit(path, found.offset, found.method);
  // Offsets in a decompressed payload are not file offsets: the file name says which data they are in.
  const where = found.inPayload ? `${path} (${found.method})` : path;
  const btf = await inFile(where, () => Btf.parse(ownBytes(found.bytes), { base: baseBtf, fileOffset: found.offset }));
  return { btf, method: found.method };
}

/** The kernel a file's place in a BTFHub tree names, when the path has all of `<distro>/<release>/<arch>/<kernel>`. */
function btfHubPlace(path: string): { label: string; info: KernelInfo } | undefined {
  const info = infoFromBtfHubPath(resolve(path));
  const label = btfHubLabel(info);
  return label === undefined ? undefined : { label, info };
}

function isRunningKernel(path: string): boolean {
  return resolve(path) === '/sys/kernel/btf/vmlinux';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
