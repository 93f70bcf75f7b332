import { isSizeError, resolveSize } from '../btf/size.js';
import type { BpfObject } from '../object/object.js';
import type { BpfMap } from '../object/maps.js';

/**
 * Helper arguments through which a helper only reads memory the program passes (a map key, a
 * value to store, data to output), and how many bytes it reads: the size argument's value, or the
 * map's key or value size. These are the reads whose effect on the stack slots they cover differs
 * between verifier generations (`HelperStackReads`). A helper or argument not listed may write
 * (`bpf_probe_read_kernel`'s destination) or take a size corecheck does not know.
 */
export type ReadSize = { readonly sizeArg: number } | 'key' | 'value';

export interface StackRead {
  /** The argument register (1-5). */
  readonly arg: number;
  readonly size: ReadSize;
}

/** By `enum bpf_func_id` value (include/uapi/linux/bpf.h; the map is always argument 1). */
const STACK_READS: ReadonlyMap<number, readonly StackRead[]> = new Map([
  [1, [{ arg: 2, size: 'key' }]], // map_lookup_elem(map, key)
  [2, [{ arg: 2, size: 'key' }, { arg: 3, size: 'value' }]], // map_update_elem(map, key, value, flags)
  [3, [{ arg: 2, size: 'key' }]], // map_delete_elem(map, key)
  [25, [{ arg: 4, size: { sizeArg: 5 } }]], // perf_event_output(ctx, map, flags, data, size)
  [87, [{ arg: 2, size: 'value' }]], // map_push_elem(map, value, flags)
  [130, [{ arg: 2, size: { sizeArg: 3 } }]], // ringbuf_output(map, data, size, flags)
]);

/** The read-only stack arguments of helper `id` (none when it has none corecheck knows). */
export function stackReads(id: number): readonly StackRead[] {
  return STACK_READS.get(id) ?? [];
}

/** A map's key or value size, from its definition or its BTF type. */
export function mapPartSize(obj: BpfObject, map: BpfMap, part: 'key' | 'value'): number | undefined {
  const size = part === 'key' ? map.keySize : map.valueSize;
  if (size !== undefined) return size;
  const id = part === 'key' ? map.keyTypeId : map.valueTypeId;
  if (id === undefined || !obj.btf) return undefined;
  const s = resolveSize(obj.btf, id);
  return isSizeError(s) ? undefined : s;
}
