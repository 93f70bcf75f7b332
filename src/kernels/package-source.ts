import { CorecheckError } from '../common/errors.js';
import { debControlFields, debControlMember, debKernelImage, debKernelInfo } from './deb.js';
import { fileSize, readFileBytes, readHead, readRange } from './files.js';
import type { KernelInfo } from './kernel-info.js';
import { readRpmHeader, rpmHeadersLength, rpmKernelImage, rpmKernelInfo, type RpmHeader } from './rpm.js';

const inFile = CorecheckError.inFileAsync;

/**
 * A kernel package (.deb, .rpm) as a kernel source, on the file system side: opening it reads only
 * the metadata (the .deb's control tarball, the RPM headers: kilobytes of a 30–70 MB file); the
 * kernel image is extracted when the source is loaded.
 */
export interface KernelPackage {
  readonly info: KernelInfo;
  /** The package's kernel image (vmlinuz) and where it was found, e.g. `ar member data.tar.xz > boot/vmlinuz-6.1.0-57-amd64`. */
  kernelImage(): Promise<{ bytes: Uint8Array; method: string }>;
}

/** Bytes read to find a package's metadata before reading more (the control member follows an 8 + 60 + 4 + 60-byte start). */
const HEAD = 1 << 16;
/** rpm caps a header's data store at 256 MiB; a signature header is in practice a few KiB. */
const MAX_SIGNATURE_READ = 1 << 28;

export async function openKernelPackage(path: string, format: 'deb' | 'rpm'): Promise<KernelPackage> {
  return inFile(path, () => (format === 'deb' ? openDeb(path) : openRpm(path)));
}

async function openDeb(path: string): Promise<KernelPackage> {
  const size = await fileSize(path);
  const control = debControlMember(await readHead(path, HEAD), size);
  const info = debKernelInfo(await debControlFields(control, await readRange(path, control.dataOffset, control.size)));
  return {
    info,
    kernelImage: () => inFile(path, async () => {
      const image = await debKernelImage(await readFileBytes(path));
      return { bytes: image.bytes, method: image.method };
    }),
  };
}

async function openRpm(path: string): Promise<KernelPackage> {
  let head = await readHead(path, HEAD);
  let length: number;
  try {
    length = rpmHeadersLength(head);
  } catch (e) {
    // A signature header larger than the head (many signatures): read up to the limit rpm allows, once.
    if (!(e instanceof CorecheckError) || e.code !== 'TRUNCATED' || head.length < HEAD) throw e;
    head = await readRange(path, 0, Math.min(await fileSize(path), MAX_SIGNATURE_READ));
    length = rpmHeadersLength(head);
  }
  const header: RpmHeader = readRpmHeader(length <= head.length ? head : await readRange(path, 0, length));
  return {
    info: rpmKernelInfo(header),
    kernelImage: () => inFile(path, async () => rpmKernelImage(await readFileBytes(path), header)),
  };
}
