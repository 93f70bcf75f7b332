// A kernel corpus for a clone with no ../shared/corpus beside it (a user's clone): the built-in
// fleet's 35 kernels written out in BTFHub's layout under .cache/corpus-from-store, so the tests
// that read corpus kernels run there too. The store's BTF is the corpus's, byte for byte (where the
// corpus is present, fleet-store.test.ts proves it); the archives are made here (ustar + xz), and
// MANIFEST.tsv's type counts and `struct open_how` column come from bpftool, not from corecheck.
// `npm test` runs this first; it does nothing when ../shared/corpus exists or the copy is complete.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openFleetStore } from '../../src/fleet/open-store.js';
import { builtinFleetPath } from '../../src/kernels/builtin-fleet.js';
import { decompressBlock } from '../../src/kernels/block-codec.js';
import { ustar } from '../../src/kernels/tar-write.js';
import { xzEncode } from '../../src/kernels/xz-encode.js';
import { SHARED_CORPUS, STORE_CORPUS } from './corpus-paths.js';

const COMPLETE = join(STORE_CORPUS, '.complete');
/** xz preset 0: these archives only feed tests, and preset 6 would take minutes for the 35. */
const FAST = 0;

/** BTFHub names a kernel's architecture directory as its release does (`….aarch64`), else by the fleet's name for it. */
function archDir(arch: string, kernel: string): string {
  return kernel.endsWith('.aarch64') ? 'aarch64' : arch;
}

/** bpftool's count of a BTF's types, and whether it has a `struct open_how`. */
function bpftoolFacts(file: string): { types: number; openHow: boolean } {
  const dump = execFileSync('bpftool', ['btf', 'dump', 'file', file], { maxBuffer: 1 << 30, encoding: 'utf8' });
  const lines = dump.split('\n').filter((l) => l.startsWith('['));
  return { types: lines.length, openHow: lines.some((l) => / STRUCT 'open_how' /.test(l)) };
}

async function main(): Promise<void> {
  if (existsSync(SHARED_CORPUS) || existsSync(COMPLETE)) return;
  console.error(`corpus-setup: no ${SHARED_CORPUS}; writing the built-in fleet's kernels to ${STORE_CORPUS} (once)`);
  rmSync(STORE_CORPUS, { recursive: true, force: true });
  const store = openFleetStore(new Uint8Array(readFileSync(builtinFleetPath())), decompressBlock);
  const rows = ['path\tdistro\tversion\tarch\tkernelrelease\tendianness\tbtf_bytes\ttypes_count\thas_open_how\tsource_package'];
  const scratch = join(STORE_CORPUS, '.scratch');
  mkdirSync(scratch, { recursive: true });
  for (const k of store.kernels) {
    const rel = `${k.distro}/${k.release}/${archDir(k.arch, k.kernel)}/${k.kernel}.btf.tar.xz`;
    const btf = store.load(k.label);
    const raw = join(scratch, `${k.kernel}.btf`);
    writeFileSync(raw, btf);
    const { types, openHow } = bpftoolFacts(raw);
    const endianness = btf[0] === 0x9f && btf[1] === 0xeb ? 'little' : 'big';
    const out = join(STORE_CORPUS, 'kernels', rel);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(`${out}.tmp`, await xzEncode(ustar([{ name: `${k.kernel}.btf`, data: btf, mtime: 0 }]), FAST));
    renameSync(`${out}.tmp`, out);
    rmSync(raw);
    rows.push([rel, k.distro, k.release, archDir(k.arch, k.kernel), k.kernel, endianness, btf.length, types, openHow ? 'yes' : 'no', 'built-in fleet store (fleet/builtin.fleet)'].join('\t'));
  }
  rmSync(scratch, { recursive: true, force: true });
  writeFileSync(join(STORE_CORPUS, 'MANIFEST.tsv'), rows.join('\n') + '\n');
  writeFileSync(COMPLETE, '');
}

await main();
