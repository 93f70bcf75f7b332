import { readdir, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { Btf } from '../btf/btf.js';
import { CorecheckError } from '../common/errors.js';
import { readFileBytes } from './files.js';
import { readBtfHubArchive } from './archive.js';
import { findKernelBtf } from './image.js';

/** What is known of a kernel from where its BTF came from. */
export interface KernelInfo {
  readonly distro?: string;
  readonly release?: string;
  /** Normalized: `aarch64` and `arm64` are both `arm64` (BTFHub uses both). */
  readonly arch?: string;
  /** Kernel release, e.g. `4.18.0-147.5.1.el8_1.aarch64`. */
  readonly kernel?: string;
}

export type KernelFormat = 'btfhub-archive' | 'file';

/**
 * One kernel's BTF, not yet read: fleets list thousands of these cheaply and load each when needed.
 * Every kind of input (raw BTF, ELF, kernel image, BTFHub archive) sits behind this one interface.
 */
export interface KernelSource {
  /** `distro/release/arch/kernel` for BTFHub trees, else the path. */
  readonly label: string;
  readonly path: string;
  readonly format: KernelFormat;
  readonly info: KernelInfo;
  /** Reads the file, finds and parses the BTF (on `base` for split BTF). */
  load(): Promise<LoadedKernel>;
}

export interface LoadedKernel {
  readonly btf: Btf;
  /** How the BTF was found, e.g. `bzImage xz payload @0x52cc > ELF .BTF section`. */
  readonly method: string;
}

const ARCHIVE_SUFFIX = '.btf.tar.xz';

export function normalizeArch(arch: string): string {
  return arch === 'aarch64' ? 'arm64' : arch === 'amd64' ? 'x86_64' : arch;
}

/** Kernel info from a BTFHub path `…/<distro>/<release>/<arch>/<kernel>.btf.tar.xz`. */
export function infoFromBtfHubPath(path: string): KernelInfo {
  const parts = path.split(sep);
  const file = parts[parts.length - 1];
  if (!file.endsWith(ARCHIVE_SUFFIX) || parts.length < 4) return file.endsWith(ARCHIVE_SUFFIX) ? { kernel: file.slice(0, -ARCHIVE_SUFFIX.length) } : {};
  return {
    distro: parts[parts.length - 4],
    release: parts[parts.length - 3],
    arch: normalizeArch(parts[parts.length - 2]),
    kernel: file.slice(0, -ARCHIVE_SUFFIX.length),
  };
}

function labelOf(info: KernelInfo, path: string): string {
  return info.distro && info.release && info.arch && info.kernel ? `${info.distro}/${info.release}/${info.arch}/${info.kernel}` : path;
}

/** A source for one file of any supported kind. */
export function fileSource(path: string, opts: { base?: string } = {}): KernelSource {
  const isArchive = path.endsWith(ARCHIVE_SUFFIX);
  const info = isArchive ? infoFromBtfHubPath(path) : {};
  return {
    label: labelOf(info, path),
    path,
    format: isArchive ? 'btfhub-archive' : 'file',
    info,
    load: async () => {
      const base = opts.base ? (await fileSource(opts.base).load()).btf : undefined;
      const bytes = await readFileBytes(path);
      try {
        return await parseKernelFile(bytes, isArchive, base, path);
      } catch (e) {
        if (e instanceof CorecheckError) throw e.relocated(path, 0);
        throw e;
      }
    },
  };
}

async function parseKernelFile(bytes: Uint8Array, isArchive: boolean, base: Btf | undefined, path: string): Promise<LoadedKernel> {
  if (bytes.length === 0) throw new CorecheckError('MALFORMED', 'file', 0, 'file is empty');
  if (isArchive) {
    const { member, bytes: btfBytes } = await readBtfHubArchive(bytes);
    try {
      return { btf: Btf.parse(btfBytes, { base }), method: `BTFHub archive member ${member}` };
    } catch (e) {
      if (e instanceof CorecheckError) throw e.relocated(`${path}:${member}`, 0);
      throw e;
    }
  }
  const found = await findKernelBtf(bytes);
  if (found.fromKernelModule && !base) {
    throw new CorecheckError('USAGE', 'ELF section .BTF', 0, 'this is a kernel module: its BTF is split BTF on the kernel\'s vmlinux BTF; give that with --base <vmlinux BTF>');
  }
  const offset = found.bytes.byteOffset - bytes.byteOffset;
  const inFile = found.bytes.buffer === bytes.buffer && offset >= 0 && offset < bytes.length;
  try {
    return { btf: Btf.parse(found.bytes, { base, fileOffset: inFile ? offset : 0 }), method: found.method };
  } catch (e) {
    // Offsets inside a decompressed payload are offsets in that payload, not in the file.
    if (e instanceof CorecheckError && !inFile) throw e.relocated(`${path} (${found.method})`, 0);
    throw e;
  }
}

/**
 * Every kernel at `path`: one source for a file; for a directory, every BTFHub archive below it
 * (`<distro>/<release>/<arch>/<kernel>.btf.tar.xz`), sorted by label.
 */
export async function openKernelSources(path: string, opts: { base?: string } = {}): Promise<KernelSource[]> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new CorecheckError('NOT_FOUND', 'kernel BTF source', -1, 'no such file or directory', path);
  }
  if (!st.isDirectory()) return [fileSource(path, opts)];
  const archives: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith(ARCHIVE_SUFFIX)) archives.push(p);
    }
  };
  await walk(path);
  if (archives.length === 0) throw new CorecheckError('NOT_FOUND', 'kernel directory', -1, `no ${ARCHIVE_SUFFIX} files below it (expected BTFHub layout <distro>/<release>/<arch>/<kernel>${ARCHIVE_SUFFIX})`, path);
  return archives
    .map((p) => fileSource(p, opts))
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

/** Loads the single kernel at `path` (a file). */
export async function loadKernelBtf(path: string, opts: { base?: string } = {}): Promise<LoadedKernel & { source: KernelSource }> {
  const sources = await openKernelSources(path, opts);
  if (sources.length !== 1) throw new CorecheckError('USAGE', 'kernel BTF source', -1, `is a directory of ${sources.length} kernels; give one file`, path);
  const loaded = await sources[0].load();
  return { ...loaded, source: sources[0] };
}
