// `corecheck relocate` as a user runs it, against libbpf 1.5's goldens (tools/goldens/regen-core-logs.sh):
// `--log` prints exactly libbpf's `CO-RE relocating ` and `prog '<name>': relo #` lines, and `--json`
// carries every program's instructions after patching, equal to the bytes libbpf produced. The
// kernel is given as the BTFHub archive itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_KERNELS, REPO } from './helpers/inputs.js';

const CLI = join(REPO, 'dist/cli/main.js');
const GOLDENS = join(REPO, 'test/goldens/core/libbpf-tools');
const LOG_LINE = /^(CO-RE relocating |prog '[^']*': relo #)/;

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'latin1', maxBuffer: 1 << 28, timeout: 60_000 });
  assert.equal(r.status, 0, `corecheck ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** One object's block of a kernel golden: its libbpf lines and its `insn <prog> <idx> <hex>` lines. */
function goldenBlock(kernel: string, tool: string): string[] {
  const text = execFileSync('xz', ['-dc', join(GOLDENS, `${kernel}.txt.xz`)], { encoding: 'latin1', maxBuffer: 1 << 30 });
  const block = text.split(/^=== object /m).find((b) => b.startsWith(`${tool}\n`));
  assert.ok(block, `${tool} in the ${kernel} golden`);
  return block.split('\n').slice(1).filter((l) => l !== '');
}

const cases: [kernel: string, tool: string][] = [
  ['centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64', 'bindsnoop'], // poisoned: pt_regs differs on arm64
  ['centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64', 'biolatency'],
  ['debian/11/x86_64/5.10.0-32-amd64', 'runqslower'],
  ['debian/11/x86_64/5.10.0-32-amd64', 'tcpconnect'],
];

for (const [kernel, tool] of cases) {
  test(`relocate /usr/sbin/${tool} --kernel ${kernel}.btf.tar.xz: --log and --json equal libbpf's`, () => {
    const golden = goldenBlock(kernel, tool);
    const args = ['relocate', `/usr/sbin/${tool}`, '--kernel', join(CORPUS_KERNELS, `${kernel}.btf.tar.xz`), '--all'];
    const expectedLog = golden.filter((l) => LOG_LINE.test(l));
    assert.ok(expectedLog.length > 0, 'golden has CO-RE lines');
    assert.deepEqual(cli([...args, '--log']).split('\n').filter((l) => l !== ''), expectedLog);

    const json = JSON.parse(cli([...args, '--json'])) as { objects: { programs: { name: string; insns: string[] }[] }[] };
    assert.equal(json.objects.length, 1);
    const programs = new Map(json.objects[0].programs.map((p) => [p.name, p.insns]));
    const insnLines = golden.filter((l) => l.startsWith('insn '));
    assert.ok(insnLines.length > 0, 'golden has patched instructions');
    for (const l of insnLines) {
      const [, prog, idx, hex] = l.split(' ');
      assert.equal(programs.get(prog)?.[Number(idx)], hex, `${prog} insn #${idx}`);
    }
    for (const insns of programs.values()) for (const h of insns) assert.match(h, /^[0-9a-f]{16}$/);
  });
}

test('relocate --module: candidates from module BTF when vmlinux has none (libbpf 1.5 relo_core golden)', () => {
  // tools/goldens/regen-modules.sh: the "modules" fixture against Debian 12's 6.1.0-57-amd64 and
  // three of its real modules; libbpf's loader cannot search foreign modules, relo-core runs
  // libbpf's own candidate search over them.
  const golden = readFileSync(join(REPO, 'test/goldens/modules/modules.core.txt'), 'latin1').split('\n').filter((l) => l !== '');
  const kernel = /^# kernel (.*)$/m.exec(golden.join('\n'))![1];
  const modules = /^# modules (.*)$/m.exec(golden.join('\n'))![1].split(' ');
  const object = join(REPO, '.cache/objects/fixtures/modules.bpfel.o');
  assert.ok(existsSync(object), `${object} (tools/goldens/build-fixtures.sh --objects-only)`);
  const args = ['relocate', object, '--kernel', join(CORPUS_KERNELS, `${kernel}.btf.tar.xz`)];
  for (const m of modules) {
    const ko = join(REPO, '.cache/kernel-images', `${m}.ko`);
    assert.ok(existsSync(ko), `${ko} (tools/fetch-kernel-images.sh)`);
    args.push('--module', ko);
  }
  const json = JSON.parse(cli([...args, '--json'])) as { objects: { log: { text: string }[]; programs: { name: string; insns: string[] }[] }[] };
  const [r] = json.objects;
  const libbpfLines = golden.filter((l) => !l.startsWith('#') && !l.startsWith('insn '));
  assert.ok(libbpfLines.some((l) => l.endsWith(' in [nf_tables]')), 'golden has a module candidate');
  assert.deepEqual(r.log.map((l) => l.text), libbpfLines);
  const programs = new Map(r.programs.map((p) => [p.name, p.insns]));
  for (const l of golden.filter((x) => x.startsWith('insn '))) {
    const [, prog, idx, hex] = l.split(' ');
    assert.equal(programs.get(prog)?.[Number(idx)], hex, `${prog} insn #${idx}`);
  }
  // Without the modules the module types have no candidate at all: their reads are poisoned.
  const bare = JSON.parse(cli(args.slice(0, 4).concat('--json'))) as { objects: { relocations: { program: string; outcome: string }[] }[] };
  assert.ok(bare.objects[0].relocations.filter((x) => x.program === 'nft').every((x) => x.outcome === 'poisoned'));
});
