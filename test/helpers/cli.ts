import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './inputs.js';

/** The built command line, as a user runs it. */
export const CLI = join(REPO, 'dist/cli/main.js');
/** The seed example: openat2_e (unguarded) and openat2_guarded. */
export const EXAMPLE = join(REPO, 'examples/openat2/openat2.bpf.o');

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `corecheck <args>` in a child process, the way a user or CI does. Colour variables of the
 * test's own environment are dropped unless `env` sets them, so output is the piped default.
 */
export function runCli(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}, timeout = 600_000): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', maxBuffer: 1 << 30, timeout, env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 2, nothing on stdout, one stderr line naming the file, a structure and (when given) an offset; no stack trace. */
export function assertOneLineError(r: CliRun, path: string, pattern: RegExp): void {
  assert.equal(r.status, 2, `exit status (stderr: ${r.stderr})`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.ok(lines[0].startsWith(`corecheck: ${path}: `), lines[0]);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}
