// Beyond one machine: `check --shard i/n` checks a deterministic slice of the fleet and writes a
// partial run; `merge` combines the slices into the report an unsharded check gives, byte for byte
// (the report has no timings), with the same gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report } from '../src/report/model.js';
import { CORPUS_KERNELS, HOST_BTF } from './helpers/inputs.js';
import { EXAMPLE, runCli as cli } from './helpers/cli.js';
import { scratchDir } from './helpers/scratch.js';

const dir = scratchDir('shard');

test('three shards of libbpf-tools\' biolatency and the example against the corpus and this machine merge into the unsharded report', () => {
  const inputs = ['/usr/sbin/biolatency', EXAMPLE, '--kernel', CORPUS_KERNELS, '--kernel', HOST_BTF];
  const parts = [1, 2, 3].map((i) => join(dir, `part${i}.json`));
  parts.forEach((p, i) => assert.equal(cli(['check', ...inputs, '--shard', `${i + 1}/3`, '--output', p]).status, 0, 'a slice gates nothing'));
  const slices = parts.map((p) => JSON.parse(readFileSync(p, 'utf8')) as { fleet: string[]; kernels: { label: string }[]; objects: { arch: { leftOut: string[] } }[] });
  const fleet = slices[0].fleet;
  assert.equal(fleet.length, 36);
  // Deterministic, disjoint, complete: shard i has every third kernel of the fleet from the i-th.
  slices.forEach((s, i) => {
    const seen = [...s.kernels.map((k) => k.label), ...s.objects[1].arch.leftOut];
    assert.deepEqual(seen.sort(), fleet.filter((_, k) => k % 3 === i).sort(), `shard ${i + 1}`);
  });

  const whole = cli(['check', ...inputs, '--format', 'json']);
  const merged = cli(['merge', ...parts, '--format', 'json']);
  assert.equal(merged.status, whole.status, 'the same gate');
  assert.equal(whole.status, 1, 'the example fails on the 4.18/4.19 kernels');
  assert.equal(merged.stdout, whole.stdout, 'the same report');
  const report = JSON.parse(merged.stdout) as Report;
  assert.ok(report.objects[1].causes.some((c) => c.key === 'core:struct open_how'));
  // Any order of the slices, any format.
  assert.equal(cli(['merge', parts[2], parts[0], parts[1]]).stdout, cli(['check', ...inputs]).stdout);
});

test('merge refuses what is not one whole sharded run, in one line and exit 2', () => {
  const inputs = [EXAMPLE, '--kernel', join(CORPUS_KERNELS, 'kylin')];
  const part = (spec: string, extra: string[] = []): string => {
    const p = join(dir, `bad-${spec.replace('/', 'of')}-${extra.length}.json`);
    assert.equal(cli(['check', ...inputs, ...extra, '--shard', spec, '--output', p]).status, 0);
    return p;
  };
  const p12 = part('1/2');
  const p22 = part('2/2');
  const p13 = part('1/3');
  const other = part('2/2', ['/usr/sbin/opensnoop']);
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, 'hello');
  for (const [files, message] of [
    [[p12], /merge: shard 2\/2 missing/],
    [[p12, p12], /shard 1\/2 is given twice/],
    [[p12, p13], /is from a run split 3 ways, not 2/],
    [[p12, other], /its objects differ/],
    [[p12, notJson], /not\.json: JSON: not JSON/],
    [[p12, join(dir, 'whole.json')], /whole\.json: .*no such file or directory/],
  ] as const) {
    const r = cli(['merge', ...files]);
    assert.equal(r.status, 2, `${files.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
  assert.equal(cli(['merge', p12, p22]).status, 1, 'whole, it reports: the example fails on Kylin 4.19.90-24');
  for (const bad of ['0/2', '3/2', 'x', '1/0']) {
    const r = cli(['check', ...inputs, '--shard', bad]);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /--shard <i\/n>.*expected i\/n with 1 ≤ i ≤ n/);
  }
  assert.ok(readdirSync(dir).every((f) => !f.endsWith('.tmp')), 'no partial file left');
});
