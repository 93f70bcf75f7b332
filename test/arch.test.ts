// The architecture an object was built for and a kernel's own architecture, on real inputs:
// Debian's libbpf-tools (x86_64 skeleton binaries; libbpf's relocation logs in
// test/goldens/libbpf-tools and bpftool's BTF dump are the references for what they carry), Go
// binaries cross-built around cilium/ebpf's testdata objects, two kprobes compiled here with
// clang-19, the arch-neutral fixtures, example and cilium objects, and every corpus kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inferObjectArch, kernelArchFromBtf, type ObjectArch } from '../src/analysis/arch.js';
import { Btf } from '../src/btf/btf.js';
import { normalizeArch } from '../src/kernels/kernel-info.js';
import { openBpfObjects, type LocatedObject } from '../src/object/open.js';
import { HOST_BTF, REPO, bpftoolRaw, cachePath, corpusArchives, extractCorpusBtf, haveTool, readBytes } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const CILIUM = '/usr/share/gocode/src/github.com/cilium/ebpf/testdata';
const dir = scratchDir('arch');

const only = (located: LocatedObject[]): LocatedObject => {
  assert.equal(located.length, 1, 'one object');
  return located[0];
};
const inferLocated = (o: LocatedObject): ObjectArch => inferObjectArch(o.object, o.hostMachine, o.hostLittleEndian);
const whys = (r: ObjectArch): string[] => r.evidence.map((e) => e.why);

test('libbpf-tools: every skeleton binary is x86_64, by e_machine and by what its object reads', () => {
  const rows = readFileSync(join(REPO, 'test/goldens/libbpf-tools/objects.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  assert.equal(rows.length, 52);
  let withCore = 0;
  let withDefinition = 0;
  for (const [tool, offset, size] of rows) {
    const bytes = readBytes(`/usr/sbin/${tool}`);
    const located = only(openBpfObjects(bytes, tool));
    assert.equal(located.hostMachine, 62, `${tool}: host e_machine`);
    assert.equal(located.hostLittleEndian, true, `${tool}: host byte order`);
    const r = inferLocated(located);
    assert.equal(r.arch, 'x86_64', `${tool}: arch`);
    assert.equal(r.conflicting, false, `${tool}: no conflict (${whys(r).join('; ')})`);
    assert.ok(r.evidence.every((e) => e.arch === 'x86_64'), `${tool}: all evidence x86_64`);
    assert.ok(whys(r).includes('embedded in an ELF binary for x86_64 (e_machine 62)'), `${tool}: e_machine evidence`);

    // CO-RE evidence: exactly the pt_regs members libbpf itself relocated for this object
    const relos = readFileSync(join(REPO, `test/goldens/libbpf-tools/${tool}.relos.txt`), 'latin1');
    const libbpfRegs = new Set([...relos.matchAll(/\] struct pt_regs\.(\w+) \(/g)].map((m) => `CO-RE reads struct pt_regs.${m[1]} (x86_64)`));
    const coreWhys = whys(r).filter((w) => w.startsWith('CO-RE '));
    assert.deepEqual(new Set(coreWhys), libbpfRegs, `${tool}: CO-RE evidence = libbpf's pt_regs relocations`);
    assert.equal(coreWhys.length, libbpfRegs.size, `${tool}: each register once`);
    if (coreWhys.length > 0) withCore++;

    // definition evidence: exactly when bpftool sees a struct pt_regs with members in the object's BTF
    const objectFile = join(dir, `${tool}.bpf.o`);
    writeFileSync(objectFile, bytes.subarray(Number(offset), Number(offset) + Number(size)));
    const defined = /^\[\d+\] STRUCT 'pt_regs' size=\d+ vlen=[1-9]/m.test(bpftoolRaw(objectFile));
    const definitionWhys = whys(r).filter((w) => w.startsWith('object BTF defines struct pt_regs with x86_64 registers (r15, r14, r13, r12, bp, bx, ...)'));
    assert.equal(definitionWhys.length, defined ? 1 : 0, `${tool}: definition evidence iff bpftool shows struct pt_regs`);
    if (defined) withDefinition++;
    assert.equal(r.evidence.length, 1 + coreWhys.length + definitionWhys.length, `${tool}: no other evidence (${whys(r).join('; ')})`);
  }
  // counted by hand from the goldens and bpftool when this test was written
  assert.equal(withCore, 22, 'objects with pt_regs CO-RE evidence');
  assert.equal(withDefinition, 37, 'objects whose BTF defines struct pt_regs');
});

test('Go binaries cross-built for four architectures: the embedded objects take the binary\'s', (t) => {
  if (!haveTool('go')) return t.skip('go is not installed (apt-get install golang-go)');
  const src = join(dir, 'go');
  cpSync(join(REPO, 'test/fixtures/embed/go'), src, { recursive: true });
  copyFileSync(join(CILIUM, 'loader-el.elf'), join(src, 'probe-el.o'));
  copyFileSync(join(CILIUM, 'loader-eb.elf'), join(src, 'probe-eb.o'));
  // one cache for all runs and architectures: the standard library is compiled once per arch
  const gocache = join(tmpdir(), 'corecheck-arch-gocache');
  mkdirSync(gocache, { recursive: true });
  const cases = [
    { goarch: 'arm64', machine: 183, littleEndian: true, arch: 'arm64' },
    { goarch: 'ppc64le', machine: 21, littleEndian: true, arch: 'ppc64le' },
    { goarch: 's390x', machine: 22, littleEndian: false, arch: 's390x' },
    { goarch: 'riscv64', machine: 243, littleEndian: true, arch: 'riscv64' },
  ];
  for (const c of cases) {
    const out = join(dir, `probe-${c.goarch}`);
    execFileSync('go', ['build', '-o', out, '.'], {
      cwd: src,
      env: { ...process.env, GOOS: 'linux', GOARCH: c.goarch, CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GOCACHE: gocache, GOPATH: join(dir, '.gopath') },
    });
    const located = openBpfObjects(readBytes(out), out);
    assert.equal(located.length, 2, `${c.goarch}: both objects found`);
    for (const o of located) {
      assert.equal(o.hostMachine, c.machine, `${o.name}: e_machine`);
      assert.equal(o.hostLittleEndian, c.littleEndian, `${o.name}: byte order`);
      const r = inferLocated(o);
      assert.deepEqual(r, {
        arch: c.arch, conflicting: false,
        evidence: [{ arch: c.arch, why: `embedded in an ELF binary for ${c.arch} (e_machine ${c.machine})` }],
      }, o.name);
    }
  }
});

/** Compiles test/fixtures/arch/<name>.bpf.c the way its header comment says. */
function compileArchFixture(name: string, defines: string[]): string {
  const out = join(dir, `${name}.bpf.o`);
  execFileSync('clang-19', ['-target', 'bpfel', ...defines, '-O2', '-g', '-c', '-o', out, `${name}.bpf.c`], { cwd: join(REPO, 'test/fixtures/arch') });
  return out;
}

test('a kprobe built with -D__TARGET_ARCH_arm64 reads arm64 registers and probes an arm64 wrapper', (t) => {
  if (!haveTool('clang-19')) return t.skip('clang-19 is not installed (apt-get install clang-19): cannot build the arm64 kprobe');
  if (!existsSync('/usr/include/bpf/bpf_tracing.h')) return t.skip('libbpf-dev headers are not installed: cannot build the arm64 kprobe');
  const file = compileArchFixture('arm64_kprobe', ['-D__TARGET_ARCH_arm64']);
  const located = only(openBpfObjects(readBytes(file), file));
  assert.equal(located.hostMachine, undefined, 'a plain object has no host');
  const r = inferLocated(located);
  assert.deepEqual(r, {
    arch: 'arm64',
    conflicting: false,
    evidence: [
      // PT_REGS_PARM2_CORE_SYSCALL → BPF_CORE_READ(user_pt_regs, regs[1]); PARM1 → pt_regs___arm64.orig_x0
      { arch: 'arm64', why: 'CO-RE reads struct user_pt_regs.regs (arm64)' },
      { arch: 'arm64', why: 'CO-RE reads struct pt_regs___arm64.orig_x0 (arm64)' },
      { arch: 'arm64', why: 'object BTF defines struct user_pt_regs with arm64 registers (regs, sp, pc, pstate)' },
      { arch: 'arm64', why: 'object BTF defines struct pt_regs___arm64 with arm64 registers (orig_x0)' },
      { arch: 'arm64', why: 'kprobe section kprobe/__arm64_sys_openat' },
    ],
  });
  // the same object found in an x86_64 binary: the conflict is reported, the majority wins
  const inX86 = inferObjectArch(located.object, 62, true);
  assert.equal(inX86.arch, 'arm64');
  assert.equal(inX86.conflicting, true);
  assert.deepEqual(inX86.evidence.at(-1), { arch: 'x86_64', why: 'embedded in an ELF binary for x86_64 (e_machine 62)' });
});

test('a kprobe on __x64_sys_openat is x86_64 by its section alone; against an arm64 host it is undecided', (t) => {
  if (!haveTool('clang-19')) return t.skip('clang-19 is not installed (apt-get install clang-19): cannot build the x86_64 kprobe');
  const file = compileArchFixture('x64_wrapper_kprobe', []);
  const object = only(openBpfObjects(readBytes(file), file)).object;
  assert.deepEqual(inferObjectArch(object), {
    arch: 'x86_64', conflicting: false, evidence: [{ arch: 'x86_64', why: 'kprobe section kprobe/__x64_sys_openat' }],
  });
  const tie = inferObjectArch(object, 183, true);
  assert.equal(tie.arch, null, 'one piece of evidence each: a tie says nothing');
  assert.equal(tie.conflicting, true);
  assert.deepEqual(tie.evidence.map((e) => e.arch), ['x86_64', 'arm64']);
});

test('arch-neutral objects: the fixtures, the openat2 example and cilium/ebpf testdata say nothing', () => {
  const fixtures = cachePath('objects/fixtures');
  assert.ok(existsSync(fixtures), 'fixture objects are built (tools/goldens/build-fixtures.sh --objects-only)');
  const files = [
    ...readdirSync(fixtures).filter((f) => f.endsWith('.o')).map((f) => join(fixtures, f)),
    join(REPO, 'examples/openat2/openat2.bpf.o'),
    ...readdirSync(CILIUM).filter((f) => /-e[lb]\.elf$/.test(f)).map((f) => join(CILIUM, f)),
  ];
  assert.ok(files.filter((f) => f.startsWith(fixtures)).length >= 20, 'fixture objects present');
  assert.ok(files.filter((f) => f.startsWith(CILIUM)).length >= 30, 'cilium/ebpf el and eb objects present');
  for (const f of files) {
    const located = only(openBpfObjects(readBytes(f), f));
    assert.equal(located.hostMachine, undefined, `${f}: plain object`);
    assert.deepEqual(inferLocated(located), { arch: null, evidence: [], conflicting: false }, f);
  }
});

test('kernelArchFromBtf: every corpus kernel\'s pt_regs names its arch directory, and the host is x86_64', () => {
  const archives = corpusArchives();
  assert.equal(archives.length, 35);
  const seen = new Set<string>();
  for (const rel of archives) {
    const expected = normalizeArch(rel.split('/')[2]);
    const file = extractCorpusBtf(rel, dir);
    const btf = Btf.parse(readBytes(file));
    rmSync(file);
    assert.equal(kernelArchFromBtf(btf), expected, rel);
    seen.add(expected);
  }
  assert.deepEqual([...seen].sort(), ['arm64', 'ppc64le', 's390x', 'x86_64'], 'the corpus covers four architectures');
  assert.equal(kernelArchFromBtf(Btf.parse(readBytes(HOST_BTF))), 'x86_64', 'host');
});
