// The CLI's relaunch with glibc's malloc on huge pages (src/cli/huge-pages.ts, relaunch.ts): when
// it happens, that the child really gets the tunable, and that exit status, output and signals
// pass through the extra process unchanged.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hugePageEnv, probeHost, type HugePageHost } from '../src/cli/huge-pages.js';
import { CLI, EXAMPLE, runCli } from './helpers/cli.js';

const QUALIFYING: HugePageHost = { platform: 'linux', glibc: () => '2.36', thp: 'madvise', execArgv: [], env: { PATH: '/usr/bin' } };

test('huge pages: the tunable is added on Linux, glibc ≥ 2.35, THP in madvise mode, with no Node flags', () => {
  assert.deepEqual(hugePageEnv(QUALIFYING), { PATH: '/usr/bin', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
  assert.deepEqual(hugePageEnv({ ...QUALIFYING, glibc: () => '2.35' })?.GLIBC_TUNABLES, 'glibc.malloc.hugetlb=1');
  assert.deepEqual(hugePageEnv({ ...QUALIFYING, glibc: () => '3.0' })?.GLIBC_TUNABLES, 'glibc.malloc.hugetlb=1');
  // the user's other tunables are kept
  assert.equal(hugePageEnv({ ...QUALIFYING, env: { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' } })?.GLIBC_TUNABLES, 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
});

test('huge pages: no relaunch where the tunable would do nothing, or the user decided', () => {
  const none = (change: Partial<HugePageHost>, why: string): void => assert.equal(hugePageEnv({ ...QUALIFYING, ...change }), undefined, why);
  none({ platform: 'darwin' }, 'not Linux');
  none({ glibc: () => undefined }, 'musl');
  none({ glibc: () => '2.34' }, 'glibc before the tunable');
  none({ glibc: () => '1.99' }, 'glibc 1');
  none({ thp: 'never' }, 'huge pages off');
  none({ thp: 'always' }, 'huge pages on for every mapping already');
  none({ thp: undefined }, 'no THP in sysfs');
  none({ execArgv: ['--cpu-prof'] }, 'Node flags on the command line');
  none({ env: { NODE_OPTIONS: '--max-old-space-size=4096 --inspect' } }, 'a debugger in NODE_OPTIONS');
  none({ env: { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' } }, 'the user turned it off');
  none({ env: { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1' } }, 'already on: the relaunched child');
  // glibc's version is asked last (it costs a diagnostic report): not at all when the answer is known
  none({ thp: 'never', glibc: () => assert.fail('glibc asked for') }, 'THP off decides alone');
});

test('huge pages: a relaunched run prints and exits exactly as a run in one process', () => {
  const off = { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' };
  for (const args of [['check', EXAMPLE], ['check', EXAMPLE, '--json'], ['check', '/etc/passwd'], ['check', '--no-such-flag']]) {
    const relaunched = runCli(args);
    const inProcess = runCli(args, off);
    assert.deepEqual(relaunched, inProcess, args.join(' '));
  }
  // and the statuses are the CLI's own: the gate (1) and bad input (2)
  assert.equal(runCli(['check', EXAMPLE]).status, 1);
  assert.equal(runCli(['check', '/etc/passwd']).status, 2);
});

const host = probeHost();
const relaunches = hugePageEnv({ ...host, execArgv: [], env: { ...host.env, NODE_OPTIONS: undefined } }) !== undefined;

test('huge pages: the child runs with the tunable, and SIGTERM to the CLI reaches it', {
  skip: relaunches ? false : 'this host does not qualify for the relaunch (needs Linux, glibc ≥ 2.35 and THP in madvise mode)',
}, async () => {
  const cli = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: undefined } });
  try {
    await new Promise<void>((resolve, reject) => {
      cli.stdout.on('data', (d: Buffer) => { if (d.toString().includes('corecheck web app at')) resolve(); });
      cli.once('exit', () => reject(new Error('serve ended before it listened')));
    });
    const children = readFileSync(`/proc/${cli.pid}/task/${cli.pid}/children`, 'latin1').trim().split(/\s+/);
    assert.equal(children.length, 1, `one child process: ${children.join(' ')}`);
    const child = children[0];
    const environ = readFileSync(`/proc/${child}/environ`, 'latin1').split('\0');
    assert.ok(environ.includes('GLIBC_TUNABLES=glibc.malloc.hugetlb=1'), 'the child has the tunable');
    assert.deepEqual(readFileSync(`/proc/${child}/cmdline`, 'latin1').split('\0').slice(1, -1), [CLI, 'serve', '--port', '0']);
    const exit = new Promise<[number | null, string | null]>((resolve) => cli.once('exit', (code, signal) => resolve([code, signal])));
    cli.kill('SIGTERM');
    // serve stops cleanly on SIGTERM (exit 0): so the signal reached it, and the CLI ended as it did
    assert.deepEqual(await exit, [0, null]);
    assert.equal(existsSync(`/proc/${child}`), false, 'the child is gone');
  } finally {
    cli.kill('SIGKILL');
  }
});
