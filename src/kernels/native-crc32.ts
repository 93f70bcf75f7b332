import * as zlib from 'node:zlib';
import { crc32Of, type Checksum } from '../common/crc32.js';

/**
 * The CRC-32 the CLI checks megabytes with (each rebuilt fleet-store BTF, each cached kernel
 * index): Node's native one where there is one (zlib.crc32, Node 20.15 and later; looked up on the
 * namespace, as a named import of it would not link on older Node), else corecheck's.
 */
export const nativeCrc32: Checksum = typeof zlib.crc32 === 'function' ? (bytes, previous = 0) => zlib.crc32(bytes, previous) : crc32Of;
