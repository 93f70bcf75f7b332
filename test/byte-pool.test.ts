// The byte pool that lends kernel-sized buffers to a fleet thread (src/common/byte-pool.ts): what
// comes back is lent again, what was never lent or is given twice is not, and a buffer much larger
// than asked is not lent (a Btf would copy bytes that fill little of their buffer).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BytePool } from '../src/common/byte-pool.js';

const MIB = 1 << 20;

test('byte pool: a view of the asked length, at the start of a buffer rounded up to 1 MiB', () => {
  const pool = new BytePool(4);
  const a = pool.take(5 * MIB + 3);
  assert.equal(a.length, 5 * MIB + 3);
  assert.equal(a.byteOffset, 0);
  assert.equal(a.buffer.byteLength, 6 * MIB);
  assert.equal(pool.take(0).length, 0);
});

test('byte pool: a buffer given back is lent again, for a size it fits closely', () => {
  const pool = new BytePool(4);
  const a = pool.take(5 * MIB);
  pool.give(a.subarray(100, 200)); // any view of it gives the buffer back
  const b = pool.take(4 * MIB + 1);
  assert.equal(b.buffer, a.buffer);
  assert.equal(b.length, 4 * MIB + 1);
  // while lent, it is not lent again
  assert.notEqual(pool.take(4 * MIB + 1).buffer, a.buffer);
});

test('byte pool: the smallest fitting buffer is lent, and none more than a third larger than asked', () => {
  const pool = new BytePool(4);
  const big = pool.take(24 * MIB);
  const mid = pool.take(6 * MIB);
  pool.give(big);
  pool.give(mid);
  assert.equal(pool.take(5 * MIB).buffer, mid.buffer);
  // 24 MiB for 3 MiB would leave the BTF a sliver of its buffer: a new one instead
  const small = pool.take(3 * MIB);
  assert.notEqual(small.buffer, big.buffer);
  assert.equal(pool.take(20 * MIB).buffer, big.buffer);
});

test('byte pool: a second give, bytes it never lent, and gives past `keep` are ignored', () => {
  const pool = new BytePool(1);
  const a = pool.take(MIB);
  pool.give(a);
  pool.give(a);
  pool.give(new Uint8Array(MIB));
  assert.equal(pool.take(MIB).buffer, a.buffer);
  assert.notEqual(pool.take(MIB).buffer, a.buffer, 'given twice, lent once');
  const b = pool.take(MIB);
  const c = pool.take(MIB);
  pool.give(b);
  pool.give(c); // beyond keep = 1: left to the garbage collector
  assert.equal(pool.take(MIB).buffer, b.buffer);
  assert.notEqual(pool.take(MIB).buffer, c.buffer);
});
