declare module 'lzma-native' {
  import type { Duplex } from 'node:stream';
  /** liblzma decoder stream; errors carry liblzma's `desc`. */
  export function createStream(coder: 'autoDecoder', options: Record<string, unknown>): Duplex;
  const lzma: { createStream: typeof createStream };
  export default lzma;
}
