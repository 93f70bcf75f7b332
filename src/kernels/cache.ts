import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Btf } from '../btf/btf.js';
import { kernelIndexParts, parseWithKernelIndex } from '../btf/kernel-index.js';
import { nativeCrc32 } from './native-crc32.js';
import { CorecheckError } from '../common/errors.js';
import { readFileBytes, readFileLent } from './files.js';
import { kernelBuffers, lentKernel } from './kernel-buffers.js';
import type { KernelSource, LoadedKernel } from './sources.js';

/**
 * Kernels found and parsed once, kept by the content hash of the file they came from:
 * - `<hash>.btf`, the BTF, so the next run reads it instead of decompressing an archive, a vmlinuz
 *   or a package again (that is most of a fleet run's time);
 * - `<hash>.idx`, its parse index (btf/kernel-index.ts: type offsets and name indexes), so the
 *   next run neither scans nor indexes its ~100k types again. Raw BTF files (the running kernel's
 *   `/sys/kernel/btf/vmlinux`) need no copy of their BTF, but get an index too.
 * A changed file has another hash, so nothing goes stale (a raw file's index, kept by path, is
 * checked against the bytes it was made from); the version in the path keeps caches of other
 * layouts apart, and an index of another version or for other bytes is refused and rebuilt.
 */
export class KernelCache {
  /** Content hashes of the files read so far: a fleet store's 35 kernels share one. */
  private readonly hashes = new Map<string, Promise<string>>();
  /** Cache writes still running (`store`). */
  private readonly writes = new Set<Promise<void>>();
  /** Whether this cache has looked for temporary files left by runs that were killed (`sweep`). */
  private swept = false;

  /** `known`: content hashes by path another thread's cache computed (`contentHashes`), taken as they are. */
  constructor(readonly dir: string, known: Readonly<Record<string, string>> = {}) {
    for (const [file, hash] of Object.entries(known)) this.hashes.set(file, Promise.resolve(hash));
  }

  /** `$XDG_CACHE_HOME/corecheck/btf/v1`, or `~/.cache/corecheck/btf/v1`. */
  static default(): KernelCache {
    const root = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    return new KernelCache(join(root, 'corecheck', 'btf', 'v1'));
  }

  /**
   * The source, loading through the cache. ELF files (a vmlinux) pass unchanged. A source already
   * in the cache loads alone, so it loses `loadsWith`: grouping it with its block's kernels would
   * only cost the workers balance.
   */
  async wrap(source: KernelSource): Promise<KernelSource> {
    if (source.format === 'elf') return source;
    const entry = await this.entryOf(source);
    if (source.format === 'raw') return { ...source, load: () => this.loadRaw(source, entry) };
    const load = (): Promise<LoadedKernel> => this.load(source, entry);
    return held(source, entry) ? { ...source, loadsWith: undefined, load } : { ...source, load };
  }

  /** Whether the source is in the cache already, so that loading it reads no archive, image or package. */
  async has(source: KernelSource): Promise<boolean> {
    if (source.format === 'elf') return false;
    return held(source, await this.entryOf(source));
  }

  /**
   * A source's cache entry (path without extension): its file's content hash; a fleet store's
   * kernel by the store's hash and its label. A raw BTF file is keyed by its path alone: its entry
   * holds only an index, which records the length and CRC-32 of the bytes it was made from, so a
   * changed file is caught when it is read (and indexed again) without hashing it first.
   */
  private async entryOf(source: KernelSource): Promise<string> {
    const hash = source.format === 'fleet-store'
      ? createHash('sha256').update(await this.hashOf(source.path.slice(0, source.path.lastIndexOf('#')))).update(source.label).digest('hex')
      : source.format === 'raw' ? createHash('sha256').update(`raw BTF file\0${resolve(source.path)}`).digest('hex')
        : await this.hashOf(source.path);
    return join(this.dir, hash);
  }

  private async load(source: KernelSource, entry: string): Promise<LoadedKernel> {
    const cached = readLentOrUndefined(`${entry}.btf`);
    if (cached) {
      // A damaged cache entry (a full disk, a hand edit) is not the kernel's fault: find the BTF again.
      try {
        return this.parse(cached, entry, `cached BTF ${entry}.btf`);
      } catch {
        kernelBuffers.give(cached);
        rmSync(`${entry}.btf`, { force: true });
      }
    }
    const loaded = await source.load();
    const written = this.store(`${entry}.btf`, [loaded.btf.bytes]);
    this.storeIndex(entry, loaded.btf);
    await this.writesBelow(MAX_PENDING_WRITES);
    // the write of its bytes goes on in the background: they go back to the pool once it is done
    const release = loaded.release;
    return release ? { ...loaded, release: () => void written.then(release) } : loaded;
  }

  /** A raw BTF file: read as it is, parsed with its cached index when there is one. */
  private async loadRaw(source: KernelSource, entry: string): Promise<LoadedKernel> {
    if (existsSync(`${entry}.idx`)) {
      const bytes = readFileLent(source.path);
      try {
        return this.parse(bytes, entry, `raw BTF, cached index ${entry}.idx`);
      } catch {
        // the file is bad or the index is: the source's own load tells which, with its own error
        kernelBuffers.give(bytes);
      }
    }
    const loaded = await source.load();
    this.storeIndex(entry, loaded.btf);
    await this.writesBelow(MAX_PENDING_WRITES);
    return loaded;
  }

  /**
   * BTF bytes that `kernelBuffers` lent, parsed with the entry's index when it holds (the index is
   * read into a lent buffer too, and the parsed BTF views both: both go back when it is released),
   * else parsed afresh and the index (re)written.
   */
  private parse(bytes: Uint8Array, entry: string, method: string): LoadedKernel {
    const index = readLentOrUndefined(`${entry}.idx`);
    if (index) {
      try {
        // the index is one this cache wrote, of BTF that passed Btf.parse: its CRCs say these are those bytes
        const btf = parseWithKernelIndex(bytes, index, nativeCrc32, { checkStructure: false });
        return { btf, method, release: () => { kernelBuffers.give(bytes); kernelBuffers.give(index); } };
      } catch (e) {
        kernelBuffers.give(index);
        if (!(e instanceof CorecheckError)) throw e;
      }
    }
    const btf = Btf.parse(bytes);
    this.storeIndex(entry, btf);
    return lentKernel(bytes, btf, method);
  }

  /**
   * The content hashes computed so far, by path: a fleet run hands them to its worker threads, so
   * a worker does not read and hash the fleet store again (about 50 ms for the built-in one).
   */
  async contentHashes(): Promise<Record<string, string>> {
    const entries = await Promise.all([...this.hashes].map(async ([file, hash]) => [file, await hash.catch(() => undefined)] as const));
    return Object.fromEntries(entries.filter((e): e is readonly [string, string] => e[1] !== undefined));
  }

  private hashOf(file: string): Promise<string> {
    let h = this.hashes.get(file);
    if (!h) {
      h = readFileBytes(file).then((b) => createHash('sha256').update(b).digest('hex'));
      this.hashes.set(file, h);
    }
    return h;
  }

  /** The index of a kernel's BTF; split BTF has none (it is indexed with its base), so it is not kept. */
  private storeIndex(entry: string, btf: Btf): void {
    if (!btf.base) this.store(`${entry}.idx`, kernelIndexParts(btf, nativeCrc32));
  }

  /**
   * Whole or not at all; a cache that cannot be written (read-only home) only costs the next run
   * time. The write runs in the background (on libuv's threads, so the copy of megabytes into the
   * page cache overlaps the check of the kernel); `flush` waits for every write started. The file's
   * bytes come in pieces (an index is its header and the parsed BTF's own arrays): one gathered
   * write puts them in the file without joining them in memory first. Resolves once the write is
   * over, done or failed: from then on the pieces' memory may be reused.
   */
  private store(file: string, pieces: readonly Uint8Array[]): Promise<void> {
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const write = async (): Promise<void> => {
      try {
        await writeWhole(tmp, pieces);
        await rename(tmp, file);
      } catch {
        await rm(tmp, { force: true });
      }
    };
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch {
      return Promise.resolve();
    }
    this.sweep();
    const written = write().finally(() => this.writes.delete(written));
    this.writes.add(written);
    return written;
  }

  /**
   * Removes, once, the temporary files of writes whose process is gone: a run interrupted or
   * killed while it wrote a kernel leaves one behind (named by its pid, `store`). Those of a run
   * still going, this one's or another's, are kept.
   */
  private sweep(): void {
    if (this.swept) return;
    this.swept = true;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const pid = /\.(\d+)\.[0-9a-z]+\.tmp$/.exec(name)?.[1];
      if (pid !== undefined && !processAlive(Number(pid))) rmSync(join(this.dir, name), { force: true });
    }
  }

  /** Waits for the cache writes started so far: a run calls it before it ends. */
  async flush(): Promise<void> {
    await this.writesBelow(1);
  }

  /** Waits until fewer than `n` writes are running: a disk slower than the checks holds a few kernels' bytes, not the fleet's. */
  private async writesBelow(n: number): Promise<void> {
    while (this.writes.size >= n) await Promise.race(this.writes);
  }
}

/** Cache writes (a kernel's BTF and index are two) a thread lets run while it loads the next kernel. */
const MAX_PENDING_WRITES = 4;

/** Whether a process with this pid runs (one of another user's too: it may not be signalled, but it is there). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a source's entry is in the cache: a raw file's index, or anything else's BTF. */
function held(source: KernelSource, entry: string): boolean {
  return existsSync(source.format === 'raw' ? `${entry}.idx` : `${entry}.btf`);
}

/** Writes the pieces, one after another, as a new file; a short write (a full disk) is an error. */
async function writeWhole(file: string, pieces: readonly Uint8Array[]): Promise<void> {
  const fh = await open(file, 'w');
  try {
    const length = pieces.reduce((n, p) => n + p.length, 0);
    const { bytesWritten } = await fh.writev(pieces as Uint8Array[]);
    if (bytesWritten !== length) throw new Error(`${file}: wrote ${bytesWritten} of ${length} bytes`);
  } finally {
    await fh.close();
  }
}

/** A cache file read into a buffer `kernelBuffers` lends, or undefined if it cannot be read. */
function readLentOrUndefined(file: string): Uint8Array | undefined {
  try {
    return readFileLent(file);
  } catch {
    return undefined;
  }
}
