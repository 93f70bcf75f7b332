import type { Btf } from './btf.js';
import { arrayElemType, arrayNelems } from './entries.js';
import { Kind } from './kinds.js';

/** libbpf's `MAX_RESOLVE_DEPTH`. */
const MAX_RESOLVE_DEPTH = 32;
const U32_MAX = 0xffffffff;

/** A failed size resolution, carrying libbpf's errno name. */
export interface SizeError {
  readonly error: 'EINVAL' | 'E2BIG';
}

/**
 * libbpf's `btf__resolve_size`: the byte size of a type, following typedefs, modifiers, VAR and
 * DECL_TAG, multiplying array dimensions. void, FWD, FUNC and FUNC_PROTO have no size (-EINVAL);
 * an overflowing array is -E2BIG. Pointer size comes from `ptrSize` (see `pointerSize`).
 */
export function resolveSize(btf: Btf, id: number, ptrSize = pointerSize(btf)): number | SizeError {
  let nelems = 1;
  let size = -1;
  for (let depth = 0; depth < MAX_RESOLVE_DEPTH && size < 0; depth++) {
    if (!btf.hasType(id)) return { error: 'EINVAL' };
    switch (btf.kind(id)) {
      case Kind.INT: case Kind.STRUCT: case Kind.UNION: case Kind.ENUM: case Kind.ENUM64:
      case Kind.DATASEC: case Kind.FLOAT:
        size = btf.sizeOrType(id);
        break;
      case Kind.PTR:
        size = ptrSize;
        break;
      case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.VAR:
      case Kind.DECL_TAG: case Kind.TYPE_TAG:
        id = btf.sizeOrType(id);
        break;
      case Kind.ARRAY: {
        const n = arrayNelems(btf, id);
        if (nelems && Math.floor(U32_MAX / nelems) < n) return { error: 'E2BIG' };
        nelems *= n;
        id = arrayElemType(btf, id);
        break;
      }
      default:
        return { error: 'EINVAL' };
    }
  }
  if (size < 0) return { error: 'EINVAL' };
  if (nelems && size > Math.floor(U32_MAX / nelems)) return { error: 'E2BIG' };
  return nelems * size;
}

export function isSizeError(v: number | SizeError): v is SizeError {
  return typeof v !== 'number';
}

const LONG_NAMES = new Set(['long', 'long int', 'int long', 'unsigned long', 'long unsigned', 'unsigned long int',
  'unsigned int long', 'long unsigned int', 'long int unsigned', 'int unsigned long', 'int long unsigned']);

const ptrSizeCache = new WeakMap<Btf, number>();

/**
 * libbpf's `determine_ptr_size`: the size of the lowest-id INT of size 4 or 8 named like `long`, else
 * the host's pointer size, 8 (a split BTF inherits its base's). Object files get 8 from their ELF
 * class before this is consulted.
 */
export function pointerSize(btf: Btf): number {
  if (btf.base) return pointerSize(btf.base);
  const cached = ptrSizeCache.get(btf);
  if (cached !== undefined) return cached;
  // A scan in id order, as libbpf does: kernels name `long` within the first few types, and a
  // name index of a 500k-type kernel would cost more than the scan.
  let found = 8;
  for (let id = 1; id < btf.typeCount; id++) {
    if (btf.kind(id) !== Kind.INT) continue;
    const sz = btf.sizeOrType(id);
    if ((sz === 4 || sz === 8) && LONG_NAMES.has(btf.name(id))) {
      found = sz;
      break;
    }
  }
  ptrSizeCache.set(btf, found);
  return found;
}
