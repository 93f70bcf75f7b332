// Parses and indexes one raw BTF file and exits: the unit the benchmark times and measures.
// Prints the in-process parse+index time in milliseconds.
import { readFileSync } from 'node:fs';
import { Btf } from '../src/btf/btf.js';

const file = process.argv[2];
const t0 = performance.now();
const b = readFileSync(file);
const btf = Btf.parse(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
btf.indexNames();
const ms = performance.now() - t0;
process.stdout.write(`${ms.toFixed(2)} ${btf.typeCount}\n`);
