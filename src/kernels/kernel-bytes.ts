import { Btf } from '../btf/btf.js';
import { CorecheckError } from '../common/errors.js';
import { readBtfHubArchive } from './archive.js';
import { debControlFields, debControlMember, debKernelImage, debKernelInfo } from './deb.js';
import { HEAD_BYTES, sniffKernelFile, type KernelFormat } from './file-kind.js';
import { findKernelBtf } from './image.js';
import { btfHubLabel, infoFromBtfHubPath, type KernelInfo } from './kernel-info.js';
import { readRpmHeader, rpmHeadersLength, rpmKernelImage, rpmKernelInfo } from './rpm.js';

const inFile = CorecheckError.inFileAsync;

/**
 * A kernel held whole in memory (a file dropped on the web app's page): what `sources.ts` does
 * with a file, on bytes, with no file system. Raw BTF, ELF vmlinux, kernel images, BTFHub
 * archives, .deb and .rpm kernel packages; not split BTF (a module needs its kernel's).
 */
export interface KernelBytes {
  readonly label: string;
  readonly format: KernelFormat;
  readonly info: KernelInfo;
  load(): Promise<Btf>;
}

export async function kernelFromBytes(name: string, bytes: Uint8Array): Promise<KernelBytes> {
  return inFile(name, async () => {
    if (bytes.length === 0) throw new CorecheckError('MALFORMED', 'file', 0, 'file is empty');
    const { format, info: sniffed } = sniffKernelFile(name, bytes.subarray(0, HEAD_BYTES));
    // an archive's name says its kernel release (`<kernel>.btf.tar.xz`), as in a BTFHub tree
    const info = format === 'deb' ? await debInfo(bytes) : format === 'rpm' ? rpmKernelInfo(readRpmHeader(bytes.subarray(0, rpmHeadersLength(bytes))))
      : format === 'btfhub-archive' ? infoFromBtfHubPath(name) : sniffed;
    const label = btfHubLabel(info) ?? name;
    const load = async (): Promise<Btf> => {
      if (format === 'btfhub-archive') {
        const { member, bytes: btfBytes } = await readBtfHubArchive(bytes, info.kernel);
        return inFile(`${name}:${member}`, () => Btf.parse(btfBytes));
      }
      if (format === 'deb' || format === 'rpm') {
        const image = format === 'deb' ? await debKernelImage(bytes) : await rpmKernelImage(bytes, readRpmHeader(bytes.subarray(0, rpmHeadersLength(bytes))));
        return parseKernelBtf(`${name} (${image.method})`, image.bytes);
      }
      return parseKernelBtf(name, bytes);
    };
    return { label, format, info, load: () => inFile(name, load) };
  });
}

async function debInfo(bytes: Uint8Array): Promise<KernelInfo> {
  const control = debControlMember(bytes.subarray(0, HEAD_BYTES), bytes.length);
  return debKernelInfo(await debControlFields(control, bytes.subarray(control.dataOffset, control.dataOffset + control.size)));
}

/** A whole kernel's BTF found in an image, vmlinux or raw BTF; a module's split BTF is refused. */
async function parseKernelBtf(where: string, bytes: Uint8Array): Promise<Btf> {
  const found = await inFile(where, () => findKernelBtf(bytes));
  if (found.module) {
    throw new CorecheckError('USAGE', 'ELF section .BTF', found.offset, "this is a kernel module: its BTF is split BTF on the kernel's vmlinux BTF; add the kernel itself", where);
  }
  return inFile(found.inPayload ? `${where} (${found.method})` : where, () => Btf.parse(ownBytes(found.bytes), { fileOffset: found.offset }));
}

/**
 * The BTF is kept alive by the Btf that parses it: copy it out when it is a small part of a larger
 * buffer (a 4 MB BTF in a 60 MB decompressed vmlinux, a module's section), so that buffer can go.
 */
export function ownBytes(b: Uint8Array): Uint8Array {
  return b.byteLength < b.buffer.byteLength * 0.75 ? b.slice() : b;
}
