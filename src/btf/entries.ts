import type { Btf } from './btf.js';
import { Kind } from './kinds.js';

/**
 * Allocation-free readers of the entries that follow a type record's header, by index. The CO-RE
 * engine matches hundreds of candidate structs per relocation on non-deduplicated kernels; reading
 * members in place keeps it from decoding (and caching) every one of them. Ids and indices are the
 * caller's to bound (`btf.vlen(id)`); the layouts are the kernel's `struct btf_member`,
 * `btf_enum`, `btf_enum64`, `btf_param`, `btf_array` and the INT encoding word.
 */

export const memberNameOff = (btf: Btf, id: number, i: number): number => btf.entryWord(id, 3 * i);
export const memberType = (btf: Btf, id: number, i: number): number => btf.entryWord(id, 3 * i + 1);

/** Bit offset of member `i` (the low 24 bits when the struct's kflag marks bitfield sizes). */
export function memberBitOffset(btf: Btf, id: number, i: number): number {
  const raw = btf.entryWord(id, 3 * i + 2);
  return btf.kflag(id) ? raw & 0xffffff : raw;
}

/** Bitfield size of member `i`, 0 when it is not a bitfield (or the struct has no kflag). */
export function memberBitfieldSize(btf: Btf, id: number, i: number): number {
  return btf.kflag(id) ? btf.entryWord(id, 3 * i + 2) >>> 24 : 0;
}

/** Name offset of enumerator `i` of an ENUM or ENUM64. */
export function enumValueNameOff(btf: Btf, id: number, i: number): number {
  return btf.entryWord(id, btf.kind(id) === Kind.ENUM64 ? 3 * i : 2 * i);
}

/** Value of enumerator `i` as u64 bits: ENUM values are sign-extended from 32 bits, as libbpf does. */
export function enumValueBits(btf: Btf, id: number, i: number): bigint {
  if (btf.kind(id) === Kind.ENUM) return BigInt.asUintN(64, BigInt(btf.entryWord(id, 2 * i + 1) | 0));
  return (BigInt(btf.entryWord(id, 3 * i + 2)) << 32n) | BigInt(btf.entryWord(id, 3 * i + 1));
}

export const paramType = (btf: Btf, id: number, i: number): number => btf.entryWord(id, 2 * i + 1);

export const arrayElemType = (btf: Btf, id: number): number => btf.entryWord(id, 0);
export const arrayNelems = (btf: Btf, id: number): number => btf.entryWord(id, 2);

/** INT encoding bits (`BTF_INT_SIGNED`, `CHAR`, `BOOL`). */
export const intEncoding = (btf: Btf, id: number): number => (btf.entryWord(id, 0) >>> 24) & 0x0f;
/** INT bit offset (non-zero only for old-style bitfield ints). */
export const intBitsOffset = (btf: Btf, id: number): number => (btf.entryWord(id, 0) >>> 16) & 0xff;
