/** Kernel BTF sources (Node): files, kernel images, BTFHub archives and trees, behind one interface. */
export { openKernelSources, loadKernelBtf, fileSource, infoFromBtfHubPath, normalizeArch, type KernelSource, type KernelInfo, type LoadedKernel, type KernelFormat } from './sources.js';
export { findKernelBtf, scanForBtf, type FoundBtf } from './image.js';
export { readBtfHubArchive } from './archive.js';
export { decompressStream, compressionAt, findCompressedStreams, type Compression } from './decompress.js';
export { readFileBytes } from './files.js';
