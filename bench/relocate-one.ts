// Relocates every object against every kernel in one process and exits: the corecheck side of
// relocate-bench (`relo-core --bench` is the libbpf side). Every program counts as autoloaded, as
// in relo-core. Objects are parsed once; each kernel's raw BTF is read and parsed once and shared
// by all objects, as a fleet run does, without logs or candidate traces (a verdict needs neither).
//   node relocate-one.js --btf <raw-btf>... <object.o>...
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { Btf } from '../src/btf/btf.js';
import { relocateObject } from '../src/core/relocate.js';
import { BpfObject } from '../src/object/object.js';

/**
 * Kernels are read one after another into one growing buffer: each Btf is dropped before the next
 * read. A fresh buffer per kernel would leave the previous ones to the garbage collector, which V8
 * runs only after tens of MB of them pile up.
 */
let scratch = new Uint8Array(0);
function readKernel(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (scratch.length < size) scratch = new Uint8Array(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, scratch, got, size - got, got);
      if (n === 0) throw new Error(`${file}: shorter than its size`);
      got += n;
    }
    return scratch.subarray(0, size);
  } finally {
    closeSync(fd);
  }
}

const args = process.argv.slice(2);
const kernels: string[] = [];
const objectFiles: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--btf') kernels.push(args[++i]);
  else objectFiles.push(args[i]);
}
const objects = objectFiles.map((f) => {
  const b = readFileSync(f);
  return new BpfObject(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
});
let pairs = 0;
let failed = 0;
let relocations = 0;
for (const k of kernels) {
  const target = { vmlinux: Btf.parse(readKernel(k)) };

  for (const obj of objects) {
    const r = relocateObject(obj, target, { autoloadAll: true, trace: false });
    pairs++;
    if (!r.ok) failed++;
    for (const rel of r.relocations) if (rel.outcome === 'patched' || rel.outcome === 'poisoned') relocations++;
  }
}
process.stdout.write(`== corecheck: bench targets ${kernels.length} objects ${objects.length} pairs ${pairs} failed ${failed} relocations ${relocations}\n`);
