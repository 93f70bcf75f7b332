/**
 * Decompressed outputs larger than this are refused instead of allocated (a hostile header could
 * otherwise ask for any size). The largest kernel payloads are ~100 MB and the largest BTF ~30 MB.
 */
export const MAX_OUTPUT = 1 << 30;
