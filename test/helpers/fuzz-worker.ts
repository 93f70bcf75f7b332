// Runs fuzz cases in a worker so the test can stop a case that hangs and name it.
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { Btf } from '../../src/btf/btf.js';
import { dumpRaw } from '../../src/btf/dump-raw.js';
import { dumpJson } from '../../src/btf/dump-json.js';
import { parseBtfExt } from '../../src/btf/ext.js';
import { CorecheckError } from '../../src/common/errors.js';
import { openBpfObjects } from '../../src/object/open.js';
import { inspectObject } from '../../src/report/inspect.js';
import { checkObject } from '../../src/analysis/check.js';
import { relocateObject } from '../../src/core/relocate.js';
import { mutate, rng } from './mutate.js';

export interface FuzzSeed {
  readonly name: string;
  readonly path: string;
  /** What the bytes are, which decides the reader exercised. */
  readonly kind: 'object' | 'btf' | 'btf.ext';
  /** For `btf`/`btf.ext` seeds taken from an object: the section's offset and size in the file. */
  readonly offset?: number;
  readonly size?: number;
}

export interface FuzzJob {
  readonly seeds: FuzzSeed[];
  readonly cases: number;
  readonly seed: number;
}

const sink = (): void => {};

// Mutated objects also go through CO-RE and the load verdict, against the running kernel's BTF.
const hostBytes = readFileSync('/sys/kernel/btf/vmlinux');
const host = { vmlinux: Btf.parse(new Uint8Array(hostBytes.buffer, hostBytes.byteOffset, hostBytes.byteLength)) };

function exercise(kind: FuzzSeed['kind'], bytes: Uint8Array): void {
  if (kind === 'object') {
    for (const o of openBpfObjects(bytes, 'fuzz')) {
      JSON.stringify(inspectObject(o));
      relocateObject(o.object, host);
      // a small step budget: a mutated program may loop in ways no compiler emits
      checkObject(o.object, host, { maxSteps: 100_000 });
    }
  } else if (kind === 'btf') {
    const btf = Btf.parse(bytes);
    dumpRaw(btf, sink);
    dumpJson(btf, sink);
  } else {
    parseBtfExt(bytes);
  }
}

const job = workerData as FuzzJob;
const inputs = job.seeds.map((s) => {
  const b = readFileSync(s.path);
  const all = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return s.offset !== undefined ? all.slice(s.offset, s.offset + s.size!) : all;
});
const random = rng(job.seed);
let rejected = 0;
for (let i = 0; i < job.cases; i++) {
  const which = i % inputs.length;
  const caseSeed = Math.floor(random() * 2 ** 31);
  const input = mutate(inputs[which], caseSeed);
  parentPort!.postMessage({ type: 'start', i, seed: job.seeds[which].name, caseSeed });
  try {
    exercise(job.seeds[which].kind, input);
  } catch (e) {
    if (!(e instanceof CorecheckError)) {
      parentPort!.postMessage({ type: 'bad', i, seed: job.seeds[which].name, caseSeed, error: String((e as Error)?.stack ?? e) });
      process.exit(0);
    }
    // Every error must say where: a structure, and an offset inside the input when one applies.
    if (!e.structure || e.offset > input.length) {
      parentPort!.postMessage({ type: 'bad', i, seed: job.seeds[which].name, caseSeed, error: `error without a usable location: ${e.format()}` });
      process.exit(0);
    }
    rejected++;
  }
}
parentPort!.postMessage({ type: 'done', rejected });
