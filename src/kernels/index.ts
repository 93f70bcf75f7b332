/**
 * Kernel BTF sources: raw BTF, ELF vmlinux and modules (split BTF), kernel images (x86 bzImage with
 * xz/lz4/zstd/gzip payloads, arm64 Image and Image.gz, s390x), BTFHub archives and trees, kernel
 * packages (Debian/Ubuntu .deb, RPM), behind one
 * `KernelSource` interface. `sources.ts` and `files.ts` use the file system; the rest works on bytes.
 */
export { openKernelSources, loadKernelBtf, type KernelSource, type LoadedKernel, type KernelSourceOptions } from './sources.js';
export { infoFromBtfHubPath, normalizeArch, btfHubLabel, moduleNameFromPath, type KernelInfo } from './kernel-info.js';
export { sniffKernelFile, type KernelFormat } from './file-kind.js';
export { findKernelBtf, type FoundBtf } from './image.js';
export { scanForBtf } from './btf-scan.js';
export { readBtfHubArchive, type ArchiveMember } from './archive.js';
export { decompressStream, compressionAt, findCompressedStreams, type Compression } from './decompress.js';
export { readFileBytes } from './files.js';
export { debKernelInfo, debKernelImage } from './deb.js';
export { readRpmHeader, rpmKernelInfo, rpmKernelImage, type RpmHeader } from './rpm.js';
export { builtinFleetSources, builtinFleetPath, fleetStoreSource } from './builtin-fleet.js';
