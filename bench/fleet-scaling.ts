// Benchmark (not a test): how a fleet run's time and memory grow with the fleet, up to over a
// thousand kernels. The corpus has 35 kernels, so the large fleets are synthetic: each synthetic
// kernel is one of the corpus's x86_64 kernels (the objects' architecture, so none is left out)
// with perturbed types under new names — a few dozen struct members and a few structs renamed
// (`<name>_s<n>`, new strings appended to the string section, the type section untouched) — so
// every kernel is distinct BTF and CO-RE relocations against the renamed ones fail, as on a real
// fleet whose kernels differ. They are raw .btf files read as they are, with `--no-cache` (no
// parse index kept), so the curve shows the check's own growth, not decompression or the cache.
//
//   npm run build --silent && node dist/bench/fleet-scaling.js [sizes...]    default 35 140 420 1050
//   The objects are every libbpf-tools object (.cache/objects/libbpf-tools).
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Btf } from '../src/btf/btf.js';
import { Kind } from '../src/btf/kinds.js';
import { rng } from '../test/helpers/mutate.js';
import { timed } from './measure.js';
import { CORPUS_KERNELS, REPO, corpusArchives, extractCorpusBtf } from '../test/helpers/inputs.js';

const CLI = join(REPO, 'dist/cli/main.js');
const TOOLS = join(REPO, '.cache/objects/libbpf-tools');
const SIZES = process.argv.slice(2).length ? process.argv.slice(2).map(Number) : [35, 140, 420, 1050];
const MEMBERS_RENAMED = 40;
const STRUCTS_RENAMED = 8;

/**
 * Kernel `n`: `base` with some struct members and structs renamed. A rename points the name
 * offset at a new string appended to the string section (whose length in the header grows).
 */
function perturb(base: Uint8Array, btf: Btf, structs: readonly number[], n: number): Uint8Array {
  const next = rng(n); // deterministic: the same n gives the same kernel
  const added: string[] = [];
  const edits: { at: number; name: string }[] = [];
  const rename = (at: number, name: string): void => {
    edits.push({ at, name: `${name}_s${n}` });
  };
  for (let i = 0; i < MEMBERS_RENAMED; i++) {
    const id = structs[Math.floor(next() * structs.length)];
    const k = Math.floor(next() * btf.vlen(id));
    const name = btf.name(btf.entryWord(id, 3 * k));
    if (name) rename(btf.recordOffset(id) + 12 + 12 * k, name);
  }
  for (let i = 0; i < STRUCTS_RENAMED; i++) {
    const id = structs[Math.floor(next() * structs.length)];
    rename(btf.recordOffset(id), btf.name(id));
  }
  const strEnd = btf.header.hdrLen + btf.header.strOff + btf.header.strLen;
  let extra = 0;
  const offsets = edits.map((e) => {
    const off = btf.header.strLen + extra;
    extra += e.name.length + 1;
    added.push(e.name);
    return off;
  });
  const out = new Uint8Array(base.length + extra);
  out.set(base.subarray(0, strEnd));
  out.set(base.subarray(strEnd), strEnd + extra);
  const dv = new DataView(out.buffer);
  let at = strEnd;
  for (const s of added) {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
    at += s.length + 1;
  }
  edits.forEach((e, i) => dv.setUint32(e.at, offsets[i], btf.littleEndian));
  dv.setUint32(20, btf.header.strLen + extra, btf.littleEndian);
  return out;
}

const work = join(tmpdir(), `corecheck-fleet-scaling-${process.pid}`);
mkdirSync(work, { recursive: true });
try {
  const objects = readdirSync(TOOLS).filter((f) => f.endsWith('.bpf.o')).sort().map((f) => join(TOOLS, f));
  const bases = corpusArchives().filter((a) => a.split('/')[2] === 'x86_64').map((a) => {
    const bytes = new Uint8Array(readFileSync(extractCorpusBtf(a, work)));
    const btf = Btf.parse(bytes);
    const structs: number[] = [];
    for (let id = 1; id < btf.typeCount; id++) if (btf.kind(id) === Kind.STRUCT && btf.vlen(id) > 0 && btf.nameOff(id) !== 0) structs.push(id);
    return { bytes, btf, structs };
  });
  const largest = Math.max(...SIZES);
  const files: string[] = [];
  for (let n = 0; n < largest; n++) {
    const base = bases[n % bases.length];
    const file = join(work, `synthetic-${n}.btf`);
    writeFileSync(file, perturb(base.bytes, base.btf, base.structs, n + 1));
    files.push(file);
  }
  const idle = timed(process.execPath, ['-e', '0']);
  console.log(`${objects.length} libbpf-tools objects against synthetic fleets (from ${bases.length} x86_64 corpus kernels of ${CORPUS_KERNELS}); ${availableParallelism()} cores`);
  console.log('kernels   wall s   ms/kernel   peak RSS growth');
  for (const size of SIZES) {
    const args = [CLI, 'check', ...objects, ...files.slice(0, size).flatMap((f) => ['--kernel', f]), '--no-cache', '--json', '-o', join(work, 'report.json')];
    const m = timed(process.execPath, args, { ok: [0, 1] });
    console.log(`${String(size).padStart(7)}  ${m.seconds.toFixed(2).padStart(7)}  ${(m.seconds * 1000 / size).toFixed(1).padStart(10)}   ${((m.peakKb - idle.peakKb) / 1024).toFixed(0).padStart(6)} MiB`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

