export { openFleetStore, type FleetStore } from './open-store.js';
export { encodeFleet, type FleetInput, type FleetBuildStats, type Lzma2Compressor } from './encode.js';
export type { FleetKernelInfo } from './format.js';
