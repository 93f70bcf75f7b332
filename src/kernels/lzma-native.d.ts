// Only what corecheck uses of lzma-native, typed without Node's types so the decoding modules
// stay free of Node APIs at the type level.
declare module 'lzma-native' {
  /** A liblzma decoder as a stream: write the input with `end`, read `data`/`end`/`error` events. */
  export interface LzmaStream {
    on(event: 'data', cb: (chunk: Uint8Array) => void): LzmaStream;
    on(event: 'end', cb: () => void): LzmaStream;
    on(event: 'error', cb: (err: { desc?: string; message?: string }) => void): LzmaStream;
    end(chunk: Uint8Array): void;
    destroy(): void;
  }
  export function createStream(coder: 'autoDecoder', options: { memlimit?: number; flags?: number }): LzmaStream;
  /** An xz (.xz container) encoder: `preset` 0–9, `check` one of the CHECK_ constants. */
  export function createStream(coder: 'easyEncoder', options: { preset?: number; check?: number }): LzmaStream;
  export const CHECK_CRC64: number;
  const lzma: { createStream: typeof createStream; CHECK_CRC64: number };
  export default lzma;
}
