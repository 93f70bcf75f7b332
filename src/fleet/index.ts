export { openFleetStore, type FleetStore } from './open-store.js';
export { encodeFleet, type FleetInput, type FleetBuildStats, type BlockCodec } from './encode.js';
export type { FleetKernelInfo } from './format.js';
