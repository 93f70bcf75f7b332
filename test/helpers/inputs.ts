import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../../src/btf/btf.js';
import { dumpRaw } from '../../src/btf/dump-raw.js';
import { scratchDir } from './scratch.js';
import { CORPUS_IS_STORE, REPO, SHARED_CORPUS, STORE_CORPUS } from './corpus-paths.js';

export { REPO };

/** The shared corpus beside the repository; in a clone without it, the built-in fleet's kernels in its layout (corpus-setup.ts). */
export const CORPUS = CORPUS_IS_STORE ? STORE_CORPUS : SHARED_CORPUS;
export const CORPUS_KERNELS = join(CORPUS, 'kernels');
export const HOST_BTF = '/sys/kernel/btf/vmlinux';

export function readBytes(path: string): Uint8Array {
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Every corpus archive, relative to the kernels directory, sorted. */
export function corpusArchives(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.btf.tar.xz')) out.push(p.slice(CORPUS_KERNELS.length + 1));
    }
  };
  walk(CORPUS_KERNELS);
  return out.sort();
}

/**
 * The corpus archive (relative to the kernels directory) of a fleet label `distro/release/arch/kernel`.
 * The corpus keeps BTFHub's directory names, so the CentOS and Kylin rows say aarch64 where the label says arm64.
 */
export function corpusArchiveOf(label: string): string {
  const [distro, release, arch, kernel] = label.split('/');
  for (const dir of new Set([arch, arch === 'arm64' ? 'aarch64' : arch])) {
    const rel = join(distro, release, dir, `${kernel}.btf.tar.xz`);
    if (existsSync(join(CORPUS_KERNELS, rel))) return rel;
  }
  throw new Error(`${label}: no archive below ${CORPUS_KERNELS}`);
}

/** A parser of corpus archives' BTF (relative to the kernels directory), each extracted and parsed once. */
export function corpusBtfLoader(): (archive: string) => Btf {
  const dir = scratchDir('corpus');
  const btfs = new Map<string, Btf>();
  return (archive) => {
    let b = btfs.get(archive);
    if (!b) btfs.set(archive, (b = Btf.parse(readBytes(extractCorpusBtf(archive, dir)))));
    return b;
  };
}

/** Rows of corpus/MANIFEST.tsv keyed by path. */
export function corpusManifest(): Map<string, Record<string, string>> {
  const lines = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'latin1').trim().split('\n');
  const head = lines[0].split('\t');
  const rows = new Map<string, Record<string, string>>();
  for (const l of lines.slice(1)) {
    const cells = l.split('\t');
    const row = Object.fromEntries(head.map((h, i) => [h, cells[i]]));
    rows.set(row.path, row);
  }
  return rows;
}

/** Extracts a corpus archive with the system tar (independent of corecheck's own reader). */
export function extractCorpusBtf(rel: string, outDir: string): string {
  execFileSync('tar', ['-xJf', join(CORPUS_KERNELS, rel), '-C', outDir]);
  const name = rel.split('/').pop()!.replace(/\.tar\.xz$/, '');
  return join(outDir, name);
}

/** corecheck's `btf dump --format raw` of a parsed BTF, as one text (to compare with `bpftoolRaw`). */
export function corecheckRaw(btf: Btf): string {
  const parts: string[] = [];
  dumpRaw(btf, (c) => parts.push(c));
  return parts.join('');
}

/** Fails at the first line where corecheck's dump differs from bpftool's, showing both. */
export function assertSameText(ours: string, ref: string, what: string): void {
  if (ours === ref) return;
  const a = ours.split('\n');
  const b = ref.split('\n');
  const i = a.findIndex((l, k) => l !== b[k]);
  assert.fail(`${what}: first difference at line ${i + 1}:\n  corecheck: ${a[i]}\n  bpftool:   ${b[i]}`);
}

/** `bpftool btf dump file F format raw` (the reference), as Latin-1 text. */
export function bpftoolRaw(file: string, base?: string): string {
  const args = ['btf', 'dump', 'file', file, ...(base ? [] : []), 'format', 'raw'];
  if (base) args.splice(0, 0, '-B', base);
  return execFileSync('bpftool', args, { maxBuffer: 1 << 30, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function haveTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function cachePath(...parts: string[]): string {
  return join(REPO, '.cache', ...parts);
}

export function exists(p: string): boolean {
  return existsSync(p);
}
