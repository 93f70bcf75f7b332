// Fuzzing the readers: mutated real inputs (objects from libbpf-tools and cilium/ebpf's testdata,
// both endians, their .BTF and .BTF.ext sections, and a few whole kernel BTFs) must either parse or
// fail with a CorecheckError that names a structure and offset — never another exception, never a
// hang. FUZZ_CASES sets the number of cases (10,000 by default, as CI runs), FUZZ_SEED the mutation seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ElfFile } from '../src/elf/elf.js';
import type { FuzzJob, FuzzSeed } from './helpers/fuzz-worker.js';
import { HOST_BTF, extractCorpusBtf } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const CILIUM_TESTDATA = '/usr/share/gocode/src/github.com/cilium/ebpf/testdata';
const CASE_TIMEOUT_MS = 10_000;

function objectSeeds(): FuzzSeed[] {
  assert.ok(existsSync(CILIUM_TESTDATA), 'golang-github-cilium-ebpf-dev is installed (run .ci/run or apt-get install it)');
  const seeds: FuzzSeed[] = [];
  for (const f of readdirSync(CILIUM_TESTDATA).filter((n) => n.endsWith('.elf')).sort()) {
    const path = join(CILIUM_TESTDATA, f);
    seeds.push({ name: f, path, kind: 'object' });
    const b = readFileSync(path);
    const elf = new ElfFile(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    for (const [sec, kind] of [['.BTF', 'btf'], ['.BTF.ext', 'btf.ext']] as const) {
      const s = elf.section(sec);
      if (s) seeds.push({ name: `${f}:${sec}`, path, kind, offset: s.offset, size: s.size });
    }
  }
  return seeds;
}

function runJob(job: FuzzJob): Promise<{ rejected: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./helpers/fuzz-worker.js', import.meta.url), { workerData: job });
    let current = 'before the first case';
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        void worker.terminate();
        reject(new Error(`fuzz case hung for ${CASE_TIMEOUT_MS} ms: ${current}`));
      }, CASE_TIMEOUT_MS);
    };
    arm();
    worker.on('message', (m: { type: string; i: number; seed: string; caseSeed: number; error?: string; rejected?: number }) => {
      if (m.type === 'start') {
        current = `case ${m.i}, seed input ${m.seed}, mutation seed ${m.caseSeed}`;
        arm();
      } else if (m.type === 'bad') {
        clearTimeout(timer);
        reject(new Error(`case ${m.i} (${m.seed}, mutation seed ${m.caseSeed}) failed outside CorecheckError:\n${m.error}`));
      } else if (m.type === 'done') {
        clearTimeout(timer);
        resolve({ rejected: m.rejected! });
      }
    });
    worker.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

test('mutated objects, BTF and BTF.ext from real objects', async () => {
  const cases = Number(process.env.FUZZ_CASES ?? 10_000);
  const { rejected } = await runJob({ seeds: objectSeeds(), cases, seed: Number(process.env.FUZZ_SEED ?? 0x5eed) });
  // Sanity: mutations do reach the error paths, and some inputs still parse.
  assert.ok(rejected > cases / 20 && rejected < cases, `rejected ${rejected} of ${cases}`);
});

test('mutated whole kernel BTFs (host and the big-endian s390x corpus kernel)', async () => {
  const dir = scratchDir('fuzz');
  const s390 = extractCorpusBtf('debian/sid/s390x/7.2.13+deb14-s390x.btf.tar.xz', dir);
  const seeds: FuzzSeed[] = [{ name: 'host', path: HOST_BTF, kind: 'btf' }, { name: 's390x', path: s390, kind: 'btf' }];
  await runJob({ seeds, cases: 12, seed: 0xb7f });
});
