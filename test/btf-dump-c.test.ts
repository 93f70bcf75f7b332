// `corecheck btf dump --format c` (a vmlinux.h) must equal `bpftool btf dump file F format c` byte for
// byte: bpftool 7.1 with libbpf 1.1, as Debian bookworm ships it. Every reference is produced at test
// time by bpftool from the same file. Inputs: the host's BTF, corpus kernels (a spread of releases,
// both byte orders, the non-deduplicated CentOS 4.18, a Kylin 4.19 without FUNC/VAR/DATASEC), module
// BTF on its vmlinux (bpftool -B), libbpf's own btf_dump selftest sources compiled here with clang,
// cilium/ebpf's test objects, and hand-built BTF for deep chains and loops. Finally clang compiles a
// CO-RE program against our header, and the struct layout clang derives from it must be the kernel's.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Btf } from '../src/btf/btf.js';
import { Kind } from '../src/btf/kinds.js';
import { dumpC } from '../src/btf/dump-c.js';
import { CorecheckError } from '../src/common/errors.js';
import { loadKernelBtf } from '../src/kernels/index.js';
import { BtfBuilder } from './helpers/btf-builder.js';
import { HOST_BTF, REPO, cachePath, corpusArchives, extractCorpusBtf, haveTool, readBytes } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const execFileAsync = promisify(execFile);

/** The kernels every run checks: one per release family, both byte orders, the odd ones. */
const SPREAD: Record<string, string> = {
  '5.10': 'debian/11/x86_64/5.10.0-32-amd64.btf.tar.xz',
  '6.1': 'debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz',
  'trixie 6.12 (DECL_TAG)': 'debian/13/x86_64/6.12.107+deb13-amd64.btf.tar.xz',
  '7.2 x86_64 (TYPE_TAG)': 'debian/sid/x86_64/7.2.13+deb14-amd64.btf.tar.xz',
  's390x (big-endian)': 'debian/sid/s390x/7.2.13+deb14-s390x.btf.tar.xz',
  'CentOS 4.18 (not deduplicated)': 'centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64.btf.tar.xz',
  'Kylin 4.19 (no FUNC/VAR/DATASEC)': 'kylin/V10/aarch64/4.19.90-52.22.v2207.ky10.aarch64.btf.tar.xz',
};

/** `bpftool [-B base] btf dump file F format c`, as Latin-1 text (names are bytes). */
function bpftoolC(file: string, base?: string): Promise<string> {
  const args = [...(base ? ['-B', base] : []), 'btf', 'dump', 'file', file, 'format', 'c'];
  return execFileAsync('bpftool', args, { maxBuffer: 1 << 30, encoding: 'latin1' }).then((r) => r.stdout);
}

function ourC(btf: Btf): string {
  const parts: string[] = [];
  dumpC(btf, (c) => parts.push(c));
  return parts.join('');
}

function assertSameText(ours: string, ref: string, what: string): void {
  if (ours === ref) return;
  const a = ours.split('\n');
  const b = ref.split('\n');
  const i = a.findIndex((l, k) => l !== b[k]);
  const line = i < 0 ? b.length : i;
  assert.fail(`${what}: first difference at line ${line + 1}:\n  corecheck: ${JSON.stringify(a[line])}\n  bpftool:   ${JSON.stringify(b[line])}`);
}

function needBpftool(t: TestContext): boolean {
  if (haveTool('bpftool')) return true;
  t.skip('bpftool is not installed (apt-get install bpftool)');
  return false;
}

/** Our dump and bpftool's of one raw BTF file, bpftool running while we dump. */
async function compareFile(file: string, what: string): Promise<{ ours: string; btf: Btf }> {
  const reference = bpftoolC(file);
  const btf = Btf.parse(readBytes(file));
  const ours = ourC(btf);
  assertSameText(ours, await reference, what);
  return { ours, btf };
}

function countKind(btf: Btf, kind: number): number {
  let n = 0;
  for (let id = btf.firstId; id < btf.typeCount; id++) if (btf.kind(id) === kind) n++;
  return n;
}

const work = scratchDir('dump-c');
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

test('format c of the host BTF equals bpftool', async (t) => {
  if (!needBpftool(t)) return;
  const { ours } = await compareFile(HOST_BTF, HOST_BTF);
  assert.ok(ours.includes('struct task_struct {'), 'a real vmlinux.h');
});

test('format c of a spread of corpus kernels equals bpftool', async (t) => {
  if (!needBpftool(t)) return;
  for (const [what, rel] of Object.entries(SPREAD)) {
    await t.test(`${what}: ${rel}`, async () => {
      const file = extractCorpusBtf(rel, work);
      try {
        const { ours, btf } = await compareFile(file, rel);
        // Show that the special case of each row is really exercised (the text is bpftool's too).
        if (what.startsWith('s390x')) assert.equal(btf.littleEndian, false);
        if (what.startsWith('CentOS')) assert.ok(ours.includes('struct task_struct___2 {'), 'duplicate names get ___N suffixes');
        // 7.2's TYPE_TAGs sit on kfunc prototypes only, which bpftool 7.1 orders but never prints.
        if (what.startsWith('7.2')) assert.ok(countKind(btf, Kind.TYPE_TAG) > 0, 'the BTF has TYPE_TAG');
        if (what.startsWith('trixie')) assert.ok(countKind(btf, Kind.DECL_TAG) > 0, 'the BTF has DECL_TAG');
      } finally {
        rmSync(file, { force: true });
      }
    });
  }
});

test('format c of every other corpus kernel equals bpftool', async (t) => {
  if (!needBpftool(t)) return;
  const spread = new Set(Object.values(SPREAD));
  const rest = corpusArchives().filter((rel) => !spread.has(rel));
  assert.ok(rest.length >= 20, `${rest.length} more corpus kernels`);
  for (const rel of rest) {
    await t.test(rel, async () => {
      const file = extractCorpusBtf(rel, work);
      try {
        await compareFile(file, rel);
      } finally {
        rmSync(file, { force: true });
      }
    });
  }
});

test('split BTF (a module on its vmlinux): equals bpftool -B, which dumps the base types too', async (t) => {
  if (!needBpftool(t)) return;
  const images = cachePath('kernel-images');
  const tsv = join(images, 'IMAGES.tsv');
  const baseRel = 'debian/12/x86_64/6.1.0-57-amd64.btf.tar.xz';
  const rows = existsSync(tsv) ? readFileSync(tsv, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')) : [];
  const kos = rows.filter((r) => r[1] === 'module' && r[4] === baseRel).map((r) => join(images, r[0])).filter(existsSync);
  if (kos.length === 0) return t.skip('no 6.1.0-57-amd64 modules: run tools/fetch-kernel-images.sh (needs apt and the network)');
  const base = extractCorpusBtf(baseRel, work);
  const baseOnly = await bpftoolC(base);
  for (const ko of kos) {
    await t.test(ko, async () => {
      const reference = bpftoolC(ko, base);
      const { btf } = await loadKernelBtf(ko, { base });
      assert.ok(btf.base && btf.typeCount > btf.firstId, 'a split BTF with types of its own');
      const ours = ourC(btf);
      assertSameText(ours, await reference, ko);
      assert.ok(ours.length > baseOnly.length, 'the module adds to the base types');
    });
  }
});

/**
 * libbpf's btf_dump selftests (C sources written to exercise every quirk of the converter), from
 * Debian's linux-source-6.12. Unpacking them reads the whole 150 MB tarball (about 9 s), so they
 * are kept in .cache for later runs.
 */
function btfDumpSelftestSources(t: TestContext): string[] | undefined {
  const tarball = '/usr/src/linux-source-6.12.tar.xz';
  const dir = cachePath('linux-source-6.12-btf-dump-selftests');
  const list = (): string[] => readdirSync(dir).filter((f) => /^btf_dump_test_case_.*\.c$/.test(f)).sort().map((f) => join(dir, f));
  if (!haveTool('clang-19')) {
    t.skip('clang-19 is not installed');
    return undefined;
  }
  if (existsSync(dir) && list().length > 0) return list();
  if (!existsSync(tarball)) {
    t.skip(`${tarball} is absent (apt-get install linux-source-6.12)`);
    return undefined;
  }
  const tmp = mkdtempSync(join(work, 'selftests-'));
  execFileSync('tar', ['-xJf', tarball, '-C', tmp, '--strip-components=6', '--wildcards',
    'linux-source-6.12/tools/testing/selftests/bpf/progs/btf_dump_test_case_*.c']);
  mkdirSync(dirname(dir), { recursive: true });
  renameSync(tmp, dir);
  return list();
}

test("libbpf's btf_dump selftest cases (bitfields, packing, padding, namespacing, ordering, multidim, syntax), compiled by clang-19, equal bpftool", async (t) => {
  if (!needBpftool(t)) return;
  const sources = btfDumpSelftestSources(t);
  if (!sources) return;
  assert.equal(sources.length, 7, sources.join(' '));
  for (const src of sources) {
    await t.test(src.split('/').pop()!, async () => {
      const obj = join(work, src.split('/').pop()!.replace(/\.c$/, '.o'));
      execFileSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-c', src, '-o', obj]);
      const reference = bpftoolC(obj);
      const { btf } = await loadKernelBtf(obj);
      assertSameText(ourC(btf), await reference, obj);
    });
  }
});

/** What kernels never make bpftool print but the converter handles. */
const QUIRKS_C = `/* type and decl tags, enum64, signed and 1-byte enums, varargs, __builtin_va_list */
#define __tag(x) __attribute__((btf_type_tag(x)))
#define __dtag(x) __attribute__((btf_decl_tag(x)))
typedef __builtin_va_list va_list_t;
enum big { BIG_NEG = -1, BIG_HUGE = 0x7fffffffffffffffLL };
enum ubig { UBIG = 0xffffffffffffffffULL };
enum small : unsigned char { SMALL_A = 1 };
enum sneg { SNEG = -5 };
struct tagged {
	int __tag("user") *a;
	const int __tag("rcu") __tag("percpu") *b;
	int * __tag("outer") *c;
	void (*fn)(int __tag("user") *p, ...);
	int d __dtag("member");
	enum big e1;
	enum ubig e2;
	enum small e3;
	enum sneg e4;
	va_list_t *va;
} __dtag("type");
int __dtag("fn") func(struct tagged *t) { return t->d + t->e1 + t->e2 + t->e3 + t->e4; }
struct tagged g;
`;

test('type tags, decl tags, enum64, signed and 1-byte enums, varargs (clang-19 object): equal bpftool', async (t) => {
  if (!needBpftool(t)) return;
  if (!haveTool('clang-19')) return t.skip('clang-19 is not installed');
  const src = join(work, 'quirks.c');
  const obj = join(work, 'quirks.o');
  writeFileSync(src, QUIRKS_C);
  execFileSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-c', src, '-o', obj]);
  const reference = await bpftoolC(obj);
  const { btf } = await loadKernelBtf(obj);
  assert.ok(countKind(btf, Kind.TYPE_TAG) > 0 && countKind(btf, Kind.DECL_TAG) > 0 && countKind(btf, Kind.ENUM64) > 0);
  const ours = ourC(btf);
  assertSameText(ours, reference, obj);
  assert.ok(ours.includes('\tint __attribute__((btf_type_tag("user"))) *a;'), 'type tags are printed');
  // libbpf 1.2+ would add __attribute__((mode(byte))) to the 1-byte enum; 1.1 does not.
  assert.ok(ours.includes('\tSMALL_A = 1,\n};'));
});

test('object BTF equals bpftool: cilium/ebpf testdata (both byte orders), the fixtures (clang, gcc), the example', async (t) => {
  if (!needBpftool(t)) return;
  const dirs = ['/usr/share/gocode/src/github.com/cilium/ebpf/testdata', '/usr/share/gocode/src/github.com/cilium/ebpf/btf/testdata'];
  const fixtures = cachePath('objects/fixtures');
  const files = [
    ...dirs.filter(existsSync).flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.elf')).map((f) => join(d, f))),
    ...(existsSync(fixtures) ? readdirSync(fixtures).filter((f) => f.endsWith('.o')).map((f) => join(fixtures, f)) : []),
    join(REPO, 'examples/openat2/openat2.bpf.o'),
  ];
  let compared = 0;
  for (const f of files) {
    let reference: string;
    try {
      reference = await bpftoolC(f);
    } catch {
      continue; // no BTF at all (clang-7 objects); the raw dump test covers that error
    }
    const { btf } = await loadKernelBtf(f);
    assertSameText(ourC(btf), reference, f);
    compared++;
  }
  assert.ok(compared >= 40, `${compared} objects compared`);
});

// ------------------------------------------------------------------------------------------------
// Hand-built BTF: shapes no compiler emits, where libbpf recurses deeply or loops.
// ------------------------------------------------------------------------------------------------

function writeBtf(name: string, b: BtfBuilder): string {
  const file = join(work, name);
  writeFileSync(file, b.build());
  return file;
}

test('50,000-deep typedef and pointer chains: equal bpftool, no stack overflow', async (t) => {
  if (!needBpftool(t)) return;
  const n = 50_000;
  const b = new BtfBuilder();
  // typedef T1 -> T2 -> ... -> int: ordering and emitting T1 walk the whole chain.
  for (let i = 1; i < n; i++) b.raw(b.str(`T${i}`), 8, 0, i + 1);
  const int = b.int('int', 4, true);
  assert.equal(int, n);
  // typedef P -> ptr -> ptr -> ... -> int: one declarator of 50,000 stars.
  for (let i = 0; i < n; i++) b.ptr(i === n - 1 ? int : int + 2 + i);
  b.typedef('P', int + 1);
  const file = writeBtf('deep.btf', b);
  const ours = ourC(Btf.parse(readBytes(file)));
  assertSameText(ours, await bpftoolC(file), file);
  assert.ok(ours.includes(`typedef int ${'*'.repeat(n)}P;`));
});

/** A named struct S holding `depth` anonymous structs nested by value, the innermost holding an int. */
function nestedAnonStructs(depth: number): BtfBuilder {
  const b = new BtfBuilder();
  b.struct('S', 4, [['a', 2, 0]]);
  for (let id = 2; id < depth + 2; id++) b.struct('', 4, [['a', id + 1, 0]]);
  b.struct('', 4, [['x', depth + 3, 0]]);
  b.int('int', 4, true);
  return b;
}

test('declarations nested 200 deep equal bpftool; beyond 256 levels a CorecheckError, not a stack overflow', async (t) => {
  if (!needBpftool(t)) return;
  const ok = writeBtf('nest-200.btf', nestedAnonStructs(200));
  assertSameText(ourC(Btf.parse(readBytes(ok))), await bpftoolC(ok), ok);
  // bpftool prints any depth; corecheck stops at 256 (kernels nest 7 deep) to keep the JS stack safe.
  const deep = Btf.parse(readBytes(writeBtf('nest-5000.btf', nestedAnonStructs(5000))));
  assert.throws(() => ourC(deep), (e: unknown) => e instanceof CorecheckError && /nested more than 256/.test(e.message));
});

test('an anonymous struct that contains itself through a pointer: the same partial output and failure as bpftool', async (t) => {
  if (!needBpftool(t)) return;
  const b = new BtfBuilder();
  b.int('int', 4, true); // 1
  b.struct('', 16, [['p', 4, 0], ['x', 1, 64]]); // 2: struct { <2> *p; int x; }
  b.typedef('T', 2); // 3
  b.ptr(2); // 4
  const file = writeBtf('anon-loop.btf', b);
  const ref = spawnSync('bpftool', ['btf', 'dump', 'file', file, 'format', 'c'], { encoding: 'latin1' });
  assert.notEqual(ref.status, 0, 'bpftool fails');
  assert.match(ref.stderr, /unsatisfiable type cycle/);
  const parts: string[] = [];
  assert.throws(() => dumpC(Btf.parse(readBytes(file)), (c) => parts.push(c)),
    (e: unknown) => e instanceof CorecheckError && /unsatisfiable type cycle/.test(e.message));
  assert.equal(parts.join(''), ref.stdout, 'what was written before the error equals bpftool stdout');
});

test('loops made only of pointers, typedefs and prototypes (libbpf recurses until it crashes): a CorecheckError', () => {
  const typedefLoop = new BtfBuilder();
  typedefLoop.int('int', 4, true); // 1
  typedefLoop.typedef('A', 3); // 2: typedef A *A
  typedefLoop.ptr(2); // 3
  const protoLoop = new BtfBuilder();
  protoLoop.int('int', 4, true); // 1
  protoLoop.raw(protoLoop.str('F'), 8, 0, 3); // 2: typedef F -> 3
  protoLoop.raw(0, 13, 1, 1, [protoLoop.str('f'), 4]); // 3: int (*)(<4>)
  protoLoop.ptr(3); // 4: a pointer to the prototype that takes it
  for (const [what, b] of [['typedef', typedefLoop], ['prototype', protoLoop]] as const) {
    const btf = Btf.parse(b.build());
    assert.throws(() => ourC(btf), (e: unknown) => e instanceof CorecheckError && /loop through pointers/.test(e.message), what);
  }
  // `typedef struct S T; struct S { T *next; };` revisits T legitimately (S ends the second lap).
  const ok = new BtfBuilder();
  ok.typedef('T', 2); // 1
  ok.struct('S', 8, [['next', 3, 0]]); // 2
  ok.ptr(1); // 3
  assert.match(ourC(Btf.parse(ok.build())), /typedef struct S T;\n\nstruct S \{\n\tT \*next;\n\};/);
});

// ------------------------------------------------------------------------------------------------
// The header compiles, and clang's layout of task_struct from it is the kernel's.
// ------------------------------------------------------------------------------------------------

const PROG = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("kprobe/do_nanosleep")
int probe(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	int ppid = BPF_CORE_READ(task, real_parent, tgid);

	bpf_printk("parent %d", ppid);
	return 0;
}
`;

/** The `STRUCT 'name'` record of a raw bpftool dump: its size and members, without type ids. */
function rawStructLayout(raw: string, name: string): string {
  const lines = raw.split('\n');
  const at = lines.findIndex((l) => new RegExp(`^\\[\\d+\\] STRUCT '${name}' `).test(l));
  assert.ok(at >= 0, `STRUCT '${name}' in the dump`);
  const out = [lines[at].replace(/^\[\d+\] /, '')];
  for (let i = at + 1; i < lines.length && lines[i].startsWith('\t'); i++) out.push(lines[i].replace(/ type_id=\d+/, ''));
  return out.join('\n');
}

for (const [what, source] of [['the host BTF', HOST_BTF], ['corpus 7.2 x86_64', SPREAD['7.2 x86_64 (TYPE_TAG)']]] as const) {
  test(`clang-19 compiles a CO-RE program against our vmlinux.h of ${what}; task_struct's layout is the kernel's`, (t) => {
    if (!haveTool('clang-19')) return t.skip('clang-19 is not installed');
    if (!existsSync('/usr/include/bpf/bpf_core_read.h')) return t.skip('libbpf-dev headers are not installed');
    if (!needBpftool(t)) return;
    const dir = mkdtempSync(join(work, 'cc-'));
    const btfFile = source === HOST_BTF ? HOST_BTF : extractCorpusBtf(source, dir);
    writeFileSync(join(dir, 'vmlinux.h'), ourC(Btf.parse(readBytes(btfFile))), 'latin1');
    writeFileSync(join(dir, 'prog.bpf.c'), PROG);
    const obj = join(dir, 'prog.bpf.o');
    const cc = spawnSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-c', 'prog.bpf.c', '-o', obj], { cwd: dir, encoding: 'utf8' });
    assert.equal(cc.status, 0, `clang-19 failed:\n${cc.stderr}`);
    // preserve_access_index makes clang describe the whole task_struct in the object's BTF: every
    // member offset and the size clang computed from our header must be the kernel's own.
    const raw = (file: string): string => execFileSync('bpftool', ['btf', 'dump', 'file', file, 'format', 'raw'], { encoding: 'latin1', maxBuffer: 1 << 30 });
    assert.equal(rawStructLayout(raw(obj), 'task_struct'), rawStructLayout(raw(btfFile), 'task_struct'));
  });
}
