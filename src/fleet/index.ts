export { openFleetStore, readPackedBlocks, type FleetStore, type PackedBlock } from './open-store.js';
export { encodeFleet, type FleetInput, type FleetBuildStats, type BlockCodec, type PackedGroup } from './encode.js';
export type { FleetKernelInfo } from './format.js';
