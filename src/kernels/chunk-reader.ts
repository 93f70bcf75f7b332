import type { Compression } from './decompress.js';
import { decompressGzipChunks } from './gzip.js';
import { decompressXzBlocks } from './xz.js';
import { decompressZstd } from './zstd.js';
import { fail } from '../common/errors.js';

/**
 * Sequential reading of decompressed data that arrives in pieces (xz blocks, inflate output), for
 * walking a package's tar or cpio payload without holding all of it: only the piece being read is
 * alive, plus whatever the caller keeps. No file system access.
 */
export class ChunkReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private at = 0;
  /** Bytes consumed so far: the offset of the next byte in the decompressed data. */
  position = 0;

  constructor(private readonly chunks: AsyncIterator<Uint8Array>) {}

  /**
   * The next `n` bytes, or fewer when the data ends first. A view into the current piece when it
   * holds them all (valid until the next call), else a new buffer.
   */
  async read(n: number): Promise<Uint8Array> {
    if (this.at + n <= this.chunk.length) return this.take(n);
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      if (this.at === this.chunk.length && !(await this.next())) break;
      const piece = this.take(Math.min(n - got, this.chunk.length - this.at));
      out.set(piece, got);
      got += piece.length;
    }
    return got === n ? out : out.subarray(0, got);
  }

  /** Like `read`, but always a buffer of its own (safe to keep after later reads). */
  async readOwned(n: number): Promise<Uint8Array> {
    const b = await this.read(n);
    return b.buffer === this.chunk.buffer ? b.slice() : b;
  }

  /** Skips `n` bytes; returns how many there were. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.at === this.chunk.length && !(await this.next())) break;
      const k = Math.min(left, this.chunk.length - this.at);
      this.take(k);
      left -= k;
    }
    return n - left;
  }

  private take(n: number): Uint8Array {
    const b = this.chunk.subarray(this.at, this.at + n);
    this.at += n;
    this.position += n;
    return b;
  }

  private async next(): Promise<boolean> {
    for (;;) {
      const r = await this.chunks.next();
      if (r.done) return false;
      if (r.value.length === 0) continue;
      this.chunk = r.value;
      this.at = 0;
      return true;
    }
  }
}

/**
 * A compressed stream as pieces: xz block by block, gzip as it inflates. zstd comes whole (one
 * piece): fzstd's streaming decoder moves its whole window once per 128 KiB block, which is far
 * slower than decoding into one buffer, and the zstd payloads of packages are the small ones
 * (Ubuntu's image-only .debs, a kernel-core RPM). lz4 is not a package compression.
 */
export async function* decompressChunks(kind: Compression, bytes: Uint8Array, fileOffset: number): AsyncGenerator<Uint8Array> {
  switch (kind) {
    case 'xz':
      yield* decompressXzBlocks(bytes, fileOffset);
      return;
    case 'gzip':
      yield* decompressGzipChunks(bytes, fileOffset);
      return;
    case 'zstd':
      yield decompressZstd(bytes, fileOffset);
      return;
    default:
      fail('UNSUPPORTED', `${kind} stream`, fileOffset, `${kind} is not a package payload compression corecheck reads (xz, zstd, gzip)`);
  }
}
