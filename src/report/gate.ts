import { normalizeArch } from '../common/arch-names.js';
import { CorecheckError } from '../common/errors.js';
import { verdictRank, type Verdict } from '../analysis/reason.js';
import { compareKernelVersions } from './kernel-version.js';
import type { Gate, KernelMeta } from './model.js';

/**
 * `--require` expressions name the kernels that must pass the gate:
 *
 *   EXPR  := TERM ( ',' TERM )*          all terms must hold (and); repeat --require for "or"
 *   TERM  := KEY OP VALUE
 *   KEY   := arch | distro | release | label
 *   OP    := = | != | >= | <= | > | <     (>=, <=, >, < only with release)
 *
 * - `arch=x86_64` (aarch64 and arm64 are one architecture);
 * - `distro=centos`, or `distro=debian/12` for one distro release;
 * - `release>=5.8`: the kernel release (`uname -r`) in version order, compared on as many numbers as
 *   the value gives (`release=5.10` holds for 5.10.0-32-amd64);
 * - `label=debian/12/*`: the kernel's label, `*` matching any text.
 */
export type KernelPredicate = (k: KernelMeta) => boolean;

const OPS = ['>=', '<=', '!=', '=', '>', '<'] as const;
type Op = (typeof OPS)[number];
const KEYS = ['arch', 'distro', 'release', 'label'] as const;

/** Parses one `--require` value; a malformed one is a usage error naming it. */
export function parseRequire(expr: string): KernelPredicate {
  const terms = expr.split(',').map((t) => t.trim());
  const tests = terms.map((term) => {
    const op = OPS.find((o) => term.includes(o));
    const at = op ? term.indexOf(op) : -1;
    const key = term.slice(0, at).trim();
    const value = op ? term.slice(at + op.length).trim() : '';
    if (!op || !(KEYS as readonly string[]).includes(key) || value === '') {
      throw usage(expr, `'${term}' is not KEY OP VALUE with KEY one of ${KEYS.join(', ')} and OP one of ${OPS.join(' ')}`);
    }
    if (key !== 'release' && op !== '=' && op !== '!=') throw usage(expr, `'${op}' compares releases only; use = or != with ${key}`);
    return termTest(key as (typeof KEYS)[number], op, value);
  });
  return (k) => tests.every((t) => t(k));
}

function termTest(key: (typeof KEYS)[number], op: Op, value: string): KernelPredicate {
  const negate = (t: KernelPredicate): KernelPredicate => (op === '!=' ? (k) => !t(k) : t);
  switch (key) {
    case 'arch': return negate((k) => k.arch !== null && normalizeArch(k.arch) === normalizeArch(value));
    case 'distro': return negate((k) => (value.includes('/') ? `${k.distro}/${k.release}` === value : k.distro === value));
    case 'label': {
      const glob = new RegExp(`^${value.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
      return negate((k) => glob.test(k.label));
    }
    case 'release': {
      const parts = value.split('.').length;
      const cmp = (k: KernelMeta): number | null =>
        k.version === null ? null : compareKernelVersions((k.version.match(/\d+/g) ?? []).slice(0, parts).join('.'), value);
      const holds: Record<Op, (c: number) => boolean> = {
        '=': (c) => c === 0, '!=': (c) => c !== 0, '>=': (c) => c >= 0, '<=': (c) => c <= 0, '>': (c) => c > 0, '<': (c) => c < 0,
      };
      return (k) => {
        const c = cmp(k);
        return c !== null && holds[op](c);
      };
    }
  }
}

/**
 * The fleet filters of `check`: `--distro` names (any of them; `debian/12` for one release) and a
 * `--release` range of space-separated comparisons that must all hold (`'>=5.4 <6.0'`).
 */
export function parseFleetFilter(distros: readonly string[], release: string | undefined): KernelPredicate {
  const byDistro = distros.map((d) => parseRequire(`distro=${d}`));
  const byRelease = release === undefined ? [] : release.trim().split(/\s+/).map((r) => {
    if (!/^(>=|<=|!=|=|>|<)?\d/.test(r)) throw usage(release, `'${r}' is not a release comparison like >=5.4 or <6.0`, '--release');
    return parseRequire(`release${/^[<>=!]/.test(r) ? '' : '='}${r}`);
  });
  return (k) => (byDistro.length === 0 || byDistro.some((t) => t(k))) && byRelease.every((t) => t(k));
}

const usage = (expr: string, why: string, option = '--require'): CorecheckError => new CorecheckError('USAGE', `option ${option}`, -1, `'${expr}': ${why}`);

export type FailOn = Gate['failOn'];
export const FAIL_ON: readonly FailOn[] = ['fails', 'unknown', 'warn'];

/**
 * The gate over every (object, kernel) pair: a required pair fails it when its verdict is `failOn`
 * or worse (fails < unknown < warn). Every `--require` must match some checked kernel: a gate that
 * names kernels nobody checked would pass for the wrong reason.
 */
export function evaluateGate(
  failOn: FailOn, require: readonly string[], kernels: readonly KernelMeta[],
  pairs: readonly { readonly object: string; readonly kernel: string; readonly verdict: Verdict }[],
): Gate {
  const predicates = require.map((r) => ({ expr: r, test: parseRequire(r) }));
  for (const p of predicates) {
    if (!kernels.some(p.test)) throw usage(p.expr, `matches none of the ${kernels.length} checked kernels`);
  }
  const required = new Set(kernels.filter((k) => predicates.length === 0 || predicates.some((p) => p.test(k))).map((k) => k.label));
  const requiredPairs = pairs.filter((p) => required.has(p.kernel));
  const failing = requiredPairs.filter((p) => p.verdict !== 'loads' && verdictRank(p.verdict) <= verdictRank(failOn));
  return { failOn, require, requiredKernels: [...required], requiredPairs: requiredPairs.length, failing, passed: failing.length === 0 };
}
