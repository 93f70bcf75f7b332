// Benchmark (not a test): loading one kernel's BTF from the built-in fleet store
// (fleet/builtin.fleet) next to xz-decoding that kernel's BTFHub archive, with corecheck's own
// decoder (readBtfHubArchive: xz + tar) and with `xz -dc` (wall time, process start included), in
// the same run. Target: a store load takes no longer than decoding the archive (ratio ≤ 1).
// A store load is a cold one: a fresh openFleetStore each run, so the kernel's whole block is
// decoded (Node's native Brotli) before its BTF is rebuilt from columns.
//
//   node dist/bench/fleet-store-bench.js [label ...]     BENCH_RUNS=5 by default
//   FLEET_STORE=other.fleet node dist/bench/fleet-store-bench.js    (e.g. a store built with FLEET_GROUP_BY=family)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openFleetStore } from '../src/fleet/open-store.js';
import { readBtfHubArchive } from '../src/kernels/archive.js';
import { decompressBlock } from '../src/kernels/block-codec.js';
import { nativeCrc32 } from '../src/kernels/native-crc32.js';
import { builtinFleetPath } from '../src/kernels/builtin-fleet.js';
import { CORPUS_KERNELS, corpusArchiveOf } from '../test/helpers/inputs.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DEFAULT = [
  'centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64',
  'debian/12/x86_64/6.12.117+deb12-amd64',
  'debian/sid/s390x/7.2.13+deb14-s390x',
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const storePath = process.env.FLEET_STORE ?? builtinFleetPath();
  const storeBytes = new Uint8Array(readFileSync(storePath));
  console.log(`store ${storePath}: ${storeBytes.length} bytes; median of ${RUNS} runs`);
  console.log('kernel'.padEnd(46), 'store ms', ' ours ms', '  xz ms', ' store/ours', ' store/xz');
  for (const label of process.argv.slice(2).length ? process.argv.slice(2) : DEFAULT) {
    const archive = join(CORPUS_KERNELS, corpusArchiveOf(label));
    const archiveBytes = new Uint8Array(readFileSync(archive));
    const store: number[] = [];
    const ours: number[] = [];
    const xz: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      const fromStore = openFleetStore(storeBytes, decompressBlock, nativeCrc32).load(label);
      store.push(performance.now() - t);
      t = performance.now();
      const fromArchive = await readBtfHubArchive(archiveBytes);
      ours.push(performance.now() - t);
      if (fromStore.length !== fromArchive.bytes.length) throw new Error(`${label}: store and archive differ in length`);
      t = performance.now();
      const r = spawnSync('xz', ['-dc', archive], { stdio: ['ignore', 'ignore', 'inherit'] });
      if (r.status !== 0) throw new Error(`xz -dc ${archive} failed`);
      xz.push(performance.now() - t);
    }
    const [s, o, x] = [median(store), median(ours), median(xz)];
    console.log(label.padEnd(46), s.toFixed(0).padStart(8), o.toFixed(0).padStart(8), x.toFixed(0).padStart(7), (s / o).toFixed(2).padStart(11), (s / x).toFixed(2).padStart(9));
  }
}

await main();
