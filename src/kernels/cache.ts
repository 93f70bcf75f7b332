import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Btf } from '../btf/btf.js';
import { readFileBytes } from './files.js';
import type { KernelSource, LoadedKernel } from './sources.js';

/**
 * Kernel BTF found once, kept by the content hash of the file it came from: the next run reads the
 * BTF instead of decompressing an archive, a vmlinuz or a package again (that is most of a fleet
 * run's time). A changed file has another hash, so nothing goes stale; the version in the path
 * keeps caches of other layouts apart.
 */
export class KernelCache {
  /** Content hashes of the files read so far: a fleet store's 35 kernels share one. */
  private readonly hashes = new Map<string, Promise<string>>();

  constructor(readonly dir: string) {}

  /** `$XDG_CACHE_HOME/corecheck/btf/v1`, or `~/.cache/corecheck/btf/v1`. */
  static default(): KernelCache {
    const root = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    return new KernelCache(join(root, 'corecheck', 'btf', 'v1'));
  }

  /**
   * The source, loading through the cache. Raw BTF and ELF files hold the BTF as it is: they pass
   * unchanged. A source already in the cache loads alone, so it loses `loadsWith`: grouping it
   * with its block's kernels would only cost the workers balance.
   */
  async wrap(source: KernelSource): Promise<KernelSource> {
    if (source.format === 'raw' || source.format === 'elf') return source;
    const file = await this.entryOf(source);
    const load = (): Promise<LoadedKernel> => this.load(source, file);
    return existsSync(file) ? { ...source, loadsWith: undefined, load } : { ...source, load };
  }

  /** The cache file of a source: by its file's content hash; a fleet store's kernel by the store's hash and its label. */
  private async entryOf(source: KernelSource): Promise<string> {
    const hash = source.format === 'fleet-store'
      ? createHash('sha256').update(await this.hashOf(source.path.slice(0, source.path.lastIndexOf('#')))).update(source.label).digest('hex')
      : await this.hashOf(source.path);
    return join(this.dir, `${hash}.btf`);
  }

  private async load(source: KernelSource, file: string): Promise<LoadedKernel> {
    const cached = readOrUndefined(file);
    if (cached) {
      // A damaged cache entry (a full disk, a hand edit) is not the kernel's fault: find the BTF again.
      try {
        return { btf: Btf.parse(cached), method: `cached BTF ${file}` };
      } catch {
        rmSync(file, { force: true });
      }
    }
    const loaded = await source.load();
    this.store(file, loaded.btf.bytes);
    return loaded;
  }

  private hashOf(file: string): Promise<string> {
    let h = this.hashes.get(file);
    if (!h) {
      h = readFileBytes(file).then((b) => createHash('sha256').update(b).digest('hex'));
      this.hashes.set(file, h);
    }
    return h;
  }

  /** Whole or not at all; a cache that cannot be written (read-only home) only costs the next run time. */
  private store(file: string, bytes: Uint8Array): void {
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(tmp, bytes);
      renameSync(tmp, file);
    } catch {
      rmSync(tmp, { force: true });
    }
  }
}

function readOrUndefined(file: string): Uint8Array | undefined {
  try {
    const b = readFileSync(file);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch {
    return undefined;
  }
}
