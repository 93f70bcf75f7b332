// "What changed" hints on real renames between corpus kernels (Debian 5.10, 6.1, 6.12, 7.2 amd64).
// Each case was found by diffing `bpftool btf dump file <btf> format c` of the two kernels and
// checked in both dumps; the older kernel's BTF stands for the object's local BTF (what a
// vmlinux.h generated from it gives clang). Clone-suffixed FUNCs (`foo.isra.0`) are in no corpus
// kernel (pahole leaves them out), so that rule is shown on hand-made BTF.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Btf } from '../src/btf/btf.js';
import { Kind } from '../src/btf/kinds.js';
import { closeness, Closeness } from '../src/analysis/close-names.js';
import { findSuccessor, type MissingThing } from '../src/analysis/successor.js';
import { BtfBuilder } from './helpers/btf-builder.js';
import { extractCorpusBtf, readBytes } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const dir = scratchDir('successor');
const cache = new Map<string, Btf>();
function kernel(rel: string): Btf {
  let btf = cache.get(rel);
  if (!btf) {
    btf = Btf.parse(readBytes(extractCorpusBtf(`${rel}.btf.tar.xz`, dir)));
    cache.set(rel, btf);
  }
  return btf;
}
const K510 = 'debian/11/x86_64/5.10.0-32-amd64';
const K61 = 'debian/12/x86_64/6.1.0-57-amd64';
const K612 = 'debian/13/x86_64/6.12.107+deb13-amd64';
const K72 = 'debian/sid/x86_64/7.2.13+deb14-amd64';

/** The older kernel as the object's view of `name` (a struct, union or enum). */
function localRoot(rel: string, name: string, kind: number): { btf: Btf; rootTypeId: number } {
  const btf = kernel(rel);
  const rootTypeId = btf.find(name, kind);
  assert.ok(rootTypeId !== undefined, `${rel} has ${name}`);
  return { btf, rootTypeId };
}

const field = (type: string, ...path: string[]): MissingThing => ({ kind: 'field', typeKind: 'struct', type, path });

/** Asserts `path` is in `from` and not in `to` (the premise of each real case). */
function assertRemoved(from: string, to: string, type: string, name: string): void {
  const has = (rel: string): boolean => {
    const btf = kernel(rel);
    const t = btf.type(btf.find(type, Kind.STRUCT)!);
    return t.kind === Kind.STRUCT && t.members.some((m) => m.name === name);
  };
  assert.ok(has(from), `${from}: ${type}.${name}`);
  assert.ok(!has(to), `${to}: no ${type}.${name}`);
}

// ---- fields ----

test('task_struct.state → __state (5.10 → 6.1, "sched: Change task_struct::state"), with and without the local view', () => {
  assertRemoved(K510, K61, 'task_struct', 'state');
  const local = localRoot(K510, 'task_struct', Kind.STRUCT);
  assert.deepEqual(findSuccessor(kernel(K61), field('task_struct', 'state'), local),
    { how: 'field-renamed', name: 'task_struct.__state', note: 'renamed to __state (compatible type)' });
  // Not task_struct.vtime.state (also new in 6.1): underscores beat a nested namesake.
  assert.equal(findSuccessor(kernel(K61), field('task_struct', 'state'))?.name, 'task_struct.__state');
  // A ___flavor on the root is ignored, as libbpf ignores it.
  assert.equal(findSuccessor(kernel(K61), field('task_struct___old', 'state'))?.name, 'task_struct.__state');
});

test('kernfs_node.parent → __parent (6.12 → 7.2), same offset', () => {
  assertRemoved(K612, K72, 'kernfs_node', 'parent');
  const local = localRoot(K612, 'kernfs_node', Kind.STRUCT);
  assert.deepEqual(findSuccessor(kernel(K72), field('kernfs_node', 'parent'), local),
    { how: 'field-renamed', name: 'kernfs_node.__parent', note: 'renamed to __parent (same offset, compatible type)' });
});

test('rq.lock → __lock (5.10 → 6.1, core scheduling) and super_block.s_d_op → __s_d_op (6.12 → 7.2)', () => {
  assertRemoved(K510, K61, 'rq', 'lock');
  assert.equal(findSuccessor(kernel(K61), field('rq', 'lock'), localRoot(K510, 'rq', Kind.STRUCT))?.name, 'rq.__lock');
  assertRemoved(K612, K72, 'super_block', 's_d_op');
  assert.equal(findSuccessor(kernel(K72), field('super_block', 's_d_op'), localRoot(K612, 'super_block', Kind.STRUCT))?.name, 'super_block.__s_d_op');
});

test('blk_mq_tags.__bitmap_tags → bitmap_tags (5.10 → 6.1): underscores removed, same struct sbitmap_queue', () => {
  assertRemoved(K510, K61, 'blk_mq_tags', '__bitmap_tags');
  // 5.10 also had a bitmap_tags, a pointer to __bitmap_tags; 6.1's bitmap_tags is the struct itself,
  // which the local pointer would not relocate to, so the name is free to be the successor.
  const s = findSuccessor(kernel(K61), field('blk_mq_tags', '__bitmap_tags'), localRoot(K510, 'blk_mq_tags', Kind.STRUCT));
  assert.equal(s?.how, 'field-renamed');
  assert.equal(s?.name, 'blk_mq_tags.bitmap_tags');
});

test('iov_iter.type → iter_type (5.10 → 6.1): a word added, believed only with the local view', () => {
  assertRemoved(K510, K61, 'iov_iter', 'type');
  const s = findSuccessor(kernel(K61), field('iov_iter', 'type'), localRoot(K510, 'iov_iter', Kind.STRUCT));
  assert.deepEqual(s, { how: 'field-renamed', name: 'iov_iter.iter_type', note: 'renamed to iter_type (same offset, compatible type)' });
  assert.equal(findSuccessor(kernel(K61), field('iov_iter', 'type')), undefined);
});

test('address_space.private_lock → i_private_lock (6.1 → 6.12)', () => {
  assertRemoved(K61, K612, 'address_space', 'private_lock');
  const s = findSuccessor(kernel(K612), field('address_space', 'private_lock'), localRoot(K61, 'address_space', Kind.STRUCT));
  assert.equal(s?.name, 'address_space.i_private_lock');
});

test('task_struct.cpu → thread_info.cpu (5.10 → 6.1, "sched: move CPU field back into thread_info")', () => {
  assertRemoved(K510, K61, 'task_struct', 'cpu');
  const local = localRoot(K510, 'task_struct', Kind.STRUCT);
  assert.deepEqual(findSuccessor(kernel(K61), field('task_struct', 'cpu'), local),
    { how: 'field-moved', name: 'task_struct.thread_info.cpu', note: 'moved into task_struct.thread_info.cpu' });
  // 6.1 also has task_struct.vtime.cpu, as deep; only the local view (5.10's thread_info had no
  // cpu, and it had no struct vtime at all) tells them apart. Without it: no hint.
  assert.equal(findSuccessor(kernel(K61), field('task_struct', 'cpu')), undefined);
});

test('elf_prstatus.pr_pid → common.pr_pid (5.10 → 6.1, struct elf_prstatus_common)', () => {
  assertRemoved(K510, K61, 'elf_prstatus', 'pr_pid');
  const s = findSuccessor(kernel(K61), field('elf_prstatus', 'pr_pid'), localRoot(K510, 'elf_prstatus', Kind.STRUCT));
  assert.deepEqual(s, { how: 'field-moved', name: 'elf_prstatus.common.pr_pid', note: 'moved into elf_prstatus.common.pr_pid' });
});

test('a path whose middle exists: the missing last name is looked for in the struct the path reaches', () => {
  // kernfs_node.parent read through a pointer is a new root; here the path runs through an
  // embedded struct instead: task_struct.thread_info.cpu is missing in 5.10, nothing replaced it.
  const s = findSuccessor(kernel(K510), field('task_struct', 'thread_info', 'cpu'), localRoot(K61, 'task_struct', Kind.STRUCT));
  assert.equal(s, undefined);
  // The same path on 6.1 exists: nothing is missing.
  assert.equal(findSuccessor(kernel(K61), field('task_struct', 'thread_info', 'cpu')), undefined);
});

test('dentry.d_child (6.1 → 6.12): its successor d_sib is another word, and d_children is not it: no hint', () => {
  assertRemoved(K61, K612, 'dentry', 'd_child');
  assert.equal(findSuccessor(kernel(K612), field('dentry', 'd_child'), localRoot(K61, 'dentry', Kind.STRUCT)), undefined);
  assert.equal(findSuccessor(kernel(K612), field('dentry', 'd_child')), undefined);
});

test('inode.i_ctime (6.1 → 6.12) split into i_ctime_sec and i_ctime_nsec: no rename is claimed', () => {
  assertRemoved(K61, K612, 'inode', 'i_ctime');
  // struct timespec64 locally, time64_t and u32 in the kernel: not field-compatible.
  assert.equal(findSuccessor(kernel(K612), field('inode', 'i_ctime'), localRoot(K61, 'inode', Kind.STRUCT)), undefined);
  assert.equal(findSuccessor(kernel(K612), field('inode', 'i_ctime')), undefined);
});

test('task_struct.trace (5.10 → 6.1, removed): not "renamed to ptrace", a field 5.10 had beside it', () => {
  assertRemoved(K510, K61, 'task_struct', 'trace');
  assert.equal(findSuccessor(kernel(K61), field('task_struct', 'trace'), localRoot(K510, 'task_struct', Kind.STRUCT)), undefined);
  assert.equal(findSuccessor(kernel(K61), field('task_struct', 'trace')), undefined);
});

test('tty_struct.ctrl_lock (5.10 → 6.1): a spinlock is not the struct ctrl that now holds it: no hint', () => {
  assertRemoved(K510, K61, 'tty_struct', 'ctrl_lock');
  assert.equal(findSuccessor(kernel(K61), field('tty_struct', 'ctrl_lock'), localRoot(K510, 'tty_struct', Kind.STRUCT)), undefined);
});

test('mem_cgroup.vmstats_local (5.10 → 6.1): a struct memcg_vmstats_percpu pointer is not 6.1\'s vmstats, a struct memcg_vmstats pointer', () => {
  // libbpf would accept any pointer for any pointer; 6.1's successor is vmstats_percpu, a changed word.
  assertRemoved(K510, K61, 'mem_cgroup', 'vmstats_local');
  assert.equal(findSuccessor(kernel(K61), field('mem_cgroup', 'vmstats_local'), localRoot(K510, 'mem_cgroup', Kind.STRUCT)), undefined);
});

test('struct slot (5.10 → 6.1, another driver\'s struct of that name): latch_status and adapter_status are both a word from status: no hint for either', () => {
  assertRemoved(K510, K61, 'slot', 'latch_status');
  assertRemoved(K510, K61, 'slot', 'adapter_status');
  const local = localRoot(K510, 'slot', Kind.STRUCT);
  assert.equal(findSuccessor(kernel(K61), field('slot', 'latch_status'), local), undefined);
  assert.equal(findSuccessor(kernel(K61), field('slot', 'adapter_status'), local), undefined);
});

test('bsg_device.lock (5.10 → 6.1): not "moved into device.power.lock", which 5.10\'s struct dev_pm_info already had', () => {
  assertRemoved(K510, K61, 'bsg_device', 'lock');
  assert.equal(findSuccessor(kernel(K61), field('bsg_device', 'lock'), localRoot(K510, 'bsg_device', Kind.STRUCT)), undefined);
});

test('a made-up field, and a field of a struct the kernel lacks: no hint', () => {
  assert.equal(findSuccessor(kernel(K61), field('task_struct', 'no_such_field_at_all'), localRoot(K510, 'task_struct', Kind.STRUCT)), undefined);
  assert.equal(findSuccessor(kernel(K61), field('no_such_struct_at_all', 'x')), undefined);
});

test('hand-made BTF: a name with underscores added beats a nested namesake', () => {
  const mk = (members: (b: BtfBuilder, int: number) => [string, number, number][]): Btf => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, true);
    b.struct('foo', 8, members(b, int));
    return Btf.parse(b.build());
  };
  const local = mk((_b, int) => [['x', int, 0]]);
  const target = mk((b, int) => [['__x', int, 0], ['inner', b.struct('bar', 4, [['x', int, 0]]), 32]]);
  assert.equal(findSuccessor(target, field('foo', 'x'), { btf: local, rootTypeId: local.find('foo', Kind.STRUCT)! })?.name, 'foo.__x');
  const movedOnly = mk((b, int) => [['y', int, 0], ['inner', b.struct('bar', 4, [['x', int, 0]]), 32]]);
  assert.equal(findSuccessor(movedOnly, field('foo', 'x'), { btf: local, rootTypeId: local.find('foo', Kind.STRUCT)! })?.name, 'foo.inner.x');
});

// ---- types ----

test('enum req_opf → enum req_op (5.10 → 6.1, the rename biosnoop handles with ___x flavors)', () => {
  assert.ok(kernel(K510).find('req_opf', Kind.ENUM) !== undefined && kernel(K61).find('req_opf', Kind.ENUM) === undefined);
  assert.deepEqual(findSuccessor(kernel(K61), { kind: 'type', typeKind: 'enum', name: 'req_opf' }),
    { how: 'type-renamed', name: 'enum req_op', note: 'renamed to enum req_op' });
});

test('struct mempool_s → struct mempool (6.12 → 7.2) and struct rmap_item → struct ksm_rmap_item (5.10 → 6.1)', () => {
  assert.ok(kernel(K612).find('mempool_s', Kind.STRUCT) !== undefined && kernel(K72).find('mempool_s', Kind.STRUCT) === undefined);
  assert.equal(findSuccessor(kernel(K72), { kind: 'type', typeKind: 'struct', name: 'mempool_s' })?.name, 'struct mempool');
  assert.ok(kernel(K510).find('rmap_item', Kind.STRUCT) !== undefined && kernel(K61).find('rmap_item', Kind.STRUCT) === undefined);
  assert.equal(findSuccessor(kernel(K61), { kind: 'type', typeKind: 'struct', name: 'rmap_item' })?.name, 'struct ksm_rmap_item');
});

test('struct bio_issue (6.12 → 7.2, removed) is not "renamed to struct bio"; a made-up struct has no hint', () => {
  assert.ok(kernel(K612).find('bio_issue', Kind.STRUCT) !== undefined && kernel(K72).find('bio_issue', Kind.STRUCT) === undefined);
  assert.equal(findSuccessor(kernel(K72), { kind: 'type', typeKind: 'struct', name: 'bio_issue' }), undefined);
  assert.equal(findSuccessor(kernel(K72), { kind: 'type', typeKind: 'struct', name: 'no_such_struct_at_all' }), undefined);
  // A type the kernel has is not missing.
  assert.equal(findSuccessor(kernel(K72), { kind: 'type', typeKind: 'struct', name: 'task_struct' }), undefined);
});

// ---- enumerators ----

const enumerator = (type: string, name: string, value?: string): MissingThing => ({ kind: 'enumerator', typeKind: 'enum', type, name, value });

test('enum kvm_reg::VCPU_REGS_RIP → VCPU_REG_RIP (6.12 → 7.2), same value', () => {
  const s = findSuccessor(kernel(K72), enumerator('kvm_reg', 'VCPU_REGS_RIP', '16'), localRoot(K612, 'kvm_reg', Kind.ENUM));
  assert.deepEqual(s, { how: 'enumerator-renamed', name: 'enum kvm_reg::VCPU_REG_RIP', note: 'renamed to VCPU_REG_RIP (same value 16)' });
});

test('enum lockdown_reason::LOCKDOWN_BPF_READ → LOCKDOWN_BPF_READ_KERNEL (5.10 → 6.1): a word added, believed with the local enum', () => {
  const s = findSuccessor(kernel(K61), enumerator('lockdown_reason', 'LOCKDOWN_BPF_READ', '21'), localRoot(K510, 'lockdown_reason', Kind.ENUM));
  assert.deepEqual(s, { how: 'enumerator-renamed', name: 'enum lockdown_reason::LOCKDOWN_BPF_READ_KERNEL', note: 'renamed to LOCKDOWN_BPF_READ_KERNEL (value 24 here, 21 locally)' });
  // Without the local enum (to rule out names it had) or the same value, a word is too weak.
  assert.equal(findSuccessor(kernel(K61), enumerator('lockdown_reason', 'LOCKDOWN_BPF_READ', '21')), undefined);
});

test('enum blktrace_cat::BLK_TC_END → BLK_TC_END_V1 (6.12 → 7.2): of _V1 and _V2, the one with the local value', () => {
  const local = localRoot(K612, 'blktrace_cat', Kind.ENUM);
  assert.equal(findSuccessor(kernel(K72), enumerator('blktrace_cat', 'BLK_TC_END', '32768'), local)?.name, 'enum blktrace_cat::BLK_TC_END_V1');
  // Without the value the two are tied: no hint.
  assert.equal(findSuccessor(kernel(K72), enumerator('blktrace_cat', 'BLK_TC_END'), local), undefined);
});

test('enum cpu_idle_type::CPU_NOT_IDLE → __CPU_NOT_IDLE (6.1 → 6.12), renamed and renumbered', () => {
  const s = findSuccessor(kernel(K612), enumerator('cpu_idle_type', 'CPU_NOT_IDLE', '1'), localRoot(K61, 'cpu_idle_type', Kind.ENUM));
  assert.deepEqual(s, { how: 'enumerator-renamed', name: 'enum cpu_idle_type::__CPU_NOT_IDLE', note: 'renamed to __CPU_NOT_IDLE (value 0 here, 1 locally)' });
});

test('enum node_stat_item::NR_KERNEL_STACK_KB is 36 in 5.10 and 37 in 6.1: renumbered', () => {
  const s = findSuccessor(kernel(K61), enumerator('node_stat_item', 'NR_KERNEL_STACK_KB', '36'));
  assert.deepEqual(s, { how: 'enumerator-renumbered', name: 'enum node_stat_item::NR_KERNEL_STACK_KB', note: 'NR_KERNEL_STACK_KB is 37 here, 36 locally' });
  assert.equal(findSuccessor(kernel(K61), enumerator('node_stat_item', 'NR_KERNEL_STACK_KB', '37')), undefined);
});

test('enum blk_integrity_flags::BLK_INTEGRITY_VERIFY (6.1 → 6.12) is not BLK_INTEGRITY_NOVERIFY: a negation is no rename', () => {
  assert.equal(findSuccessor(kernel(K612), enumerator('blk_integrity_flags', 'BLK_INTEGRITY_VERIFY', '1'), localRoot(K61, 'blk_integrity_flags', Kind.ENUM)), undefined);
});

test('a made-up enumerator: no hint', () => {
  assert.equal(findSuccessor(kernel(K72), enumerator('bpf_func_id', 'BPF_FUNC_no_such_helper', '9999')), undefined);
});

// ---- functions ----

const fn = (name: string): MissingThing => ({ kind: 'function', name });

test('_cond_resched → __cond_resched and __put_page → put_page (5.10 → 6.1): leading underscores', () => {
  assert.deepEqual(findSuccessor(kernel(K61), fn('_cond_resched')),
    { how: 'function-renamed', name: '__cond_resched', note: "not in this kernel's BTF; __cond_resched (leading underscores changed) is" });
  assert.equal(findSuccessor(kernel(K61), fn('__put_page'))?.name, 'put_page');
  assert.equal(findSuccessor(kernel(K61), fn('tcp_v4_connect')), undefined, 'present: nothing to hint');
});

test('kmem_cache_alloc → kmem_cache_alloc_noprof (6.1 → 6.12): libbpf-tools slabratetop\'s kprobe target, renamed by memory allocation profiling', () => {
  assert.ok(kernel(K61).find('kmem_cache_alloc', Kind.FUNC) !== undefined, '6.1 has kmem_cache_alloc');
  assert.equal(kernel(K612).find('kmem_cache_alloc', Kind.FUNC), undefined, '6.12 does not');
  const s = findSuccessor(kernel(K612), fn('kmem_cache_alloc'));
  assert.equal(s?.how, 'function-renamed');
  assert.equal(s?.name, 'kmem_cache_alloc_noprof');
});

test('blk_account_io_start and finish_task_switch (5.10 → 6.1) are gone from 6.1 BTF, as is a made-up function', () => {
  const gone = { how: 'gone', note: "not in this kernel's BTF: removed, renamed or inlined" };
  for (const name of ['blk_account_io_start', 'finish_task_switch']) {
    assert.ok(kernel(K510).find(name, Kind.FUNC) !== undefined, `5.10 has ${name}`);
    assert.deepEqual(findSuccessor(kernel(K61), fn(name)), gone, name);
  }
  assert.deepEqual(findSuccessor(kernel(K61), fn('no_such_function_at_all')), gone);
});

test('hand-made BTF: a FUNC kept only as a compiler clone (foo.isra.0, foo.constprop.0) is named', () => {
  const b = new BtfBuilder();
  const int = b.int('int', 4, true);
  const proto = b.funcProto(int, []);
  b.func('do_work.isra.0', proto);
  b.func('do_work.constprop.0', proto);
  b.func('other.cold', proto);
  const btf = Btf.parse(b.build());
  assert.deepEqual(findSuccessor(btf, fn('do_work')), { how: 'function-renamed', name: 'do_work.isra.0', note: 'compiled as do_work.isra.0, do_work.constprop.0' });
  assert.equal(findSuccessor(btf, fn('other'))?.name, 'other.cold');
  assert.equal(findSuccessor(btf, fn('do'))?.how, 'gone');
});

// ---- the name rule itself ----

test('closeness: the kinds of change seen in real renames, and changes that are not renames', () => {
  assert.equal(closeness('state', '__state'), Closeness.UNDERSCORES);
  assert.equal(closeness('trace_event_raw_xen_mc__batch', 'trace_event_raw_xen_mc_batch'), Closeness.UNDERSCORES);
  assert.equal(closeness('HV_GENERIC_SET_FORMAT', 'hv_generic_set_format'), Closeness.CASE);
  assert.equal(closeness('req_opf', 'req_op'), Closeness.SUFFIX);
  assert.equal(closeness('fence', 'fences'), Closeness.PLURAL);
  assert.equal(closeness('VCPU_EXREG_CR3', 'VCPU_REG_CR3'), Closeness.SHORT_EDIT);
  assert.equal(closeness('rmap_item', 'ksm_rmap_item'), Closeness.WORD_ADDED);
  assert.equal(closeness('enable_accounting', 'accounting'), Closeness.WORD_REMOVED);
  assert.equal(closeness('d_child', 'd_children'), undefined);
  assert.equal(closeness('BLK_INTEGRITY_VERIFY', 'BLK_INTEGRITY_NOVERIFY'), undefined);
  assert.equal(closeness('TTU_IGNORE_HWPOISON', 'TTU_HWPOISON'), undefined);
  assert.equal(closeness('num_usb_types', 'usb_types'), undefined);
  assert.equal(closeness('cpu', 'cpus'), undefined);
  assert.equal(closeness('same', 'same'), undefined);
});
