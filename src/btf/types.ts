import type { Kind } from './kinds.js';

/**
 * Decoded BTF types: a graph of plain values addressed by type id. The `Btf` class materializes
 * them on demand, so a 500k-type kernel costs only what a caller actually looks at.
 */
interface Base<K extends Kind> {
  readonly id: number;
  readonly kind: K;
  /** Name as Latin-1 text ('' for anonymous). */
  readonly name: string;
  readonly nameOff: number;
}

export type VoidType = Base<typeof Kind.UNKN>;
export interface IntType extends Base<typeof Kind.INT> {
  readonly size: number;
  readonly encoding: number;
  readonly bitsOffset: number;
  readonly bits: number;
}
export interface RefType<K extends Kind> extends Base<K> {
  /** The referenced type id. */
  readonly type: number;
}
export type PtrType = RefType<typeof Kind.PTR>;
export type TypedefType = RefType<typeof Kind.TYPEDEF>;
export type VolatileType = RefType<typeof Kind.VOLATILE>;
export type ConstType = RefType<typeof Kind.CONST>;
export type RestrictType = RefType<typeof Kind.RESTRICT>;
interface Tag {
  /**
   * kflag of a type or declaration tag (newer kernels and pahole; the corpus's 7.2 kernels tag
   * `address_space(1)` so): the tag's text is a whole `__attribute__((...))` rather than the
   * string of a `btf_type_tag` / `btf_decl_tag`.
   */
  readonly attribute: boolean;
}
export interface TypeTagType extends RefType<typeof Kind.TYPE_TAG>, Tag {}
export interface ArrayType extends Base<typeof Kind.ARRAY> {
  readonly type: number;
  readonly indexType: number;
  readonly nelems: number;
}
export interface Member {
  readonly name: string;
  readonly nameOff: number;
  readonly type: number;
  /** Bit offset of the member inside its struct (kflag already decoded). */
  readonly bitOffset: number;
  /** Bitfield size in bits; 0 when not a bitfield (or the struct has kflag 0). */
  readonly bitfieldSize: number;
  /** The raw `offset` word, as stored. */
  readonly rawOffset: number;
}
export interface CompositeType<K extends Kind> extends Base<K> {
  readonly size: number;
  readonly kflag: boolean;
  readonly members: readonly Member[];
}
export type StructType = CompositeType<typeof Kind.STRUCT>;
export type UnionType = CompositeType<typeof Kind.UNION>;
export interface EnumValue {
  readonly name: string;
  readonly nameOff: number;
  /** The raw 32-bit value, as stored (interpret with the enum's `signed`). */
  readonly raw: number;
}
export interface EnumType extends Base<typeof Kind.ENUM> {
  readonly size: number;
  /** kflag: the enum is signed. */
  readonly signed: boolean;
  readonly values: readonly EnumValue[];
}
export interface Enum64Value {
  readonly name: string;
  readonly nameOff: number;
  /** The 64-bit value as unsigned bits. */
  readonly raw: bigint;
}
export interface Enum64Type extends Base<typeof Kind.ENUM64> {
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly Enum64Value[];
}
export interface FwdType extends Base<typeof Kind.FWD> {
  /** kflag: forward declaration of a union (else a struct). */
  readonly union: boolean;
  /**
   * The record's size/type word, which a FWD does not use: 0, as the kernel requires ("type !=
   * 0"), but bpf-gcc 12 writes 6. Kept so that such BTF encodes back to its own bytes.
   */
  readonly unusedWord: number;
}
export interface FuncType extends Base<typeof Kind.FUNC> {
  /** The FUNC_PROTO id. */
  readonly type: number;
  /** 0 static, 1 global, 2 extern (stored in vlen). */
  readonly linkage: number;
}
export interface Param {
  readonly name: string;
  readonly nameOff: number;
  readonly type: number;
}
export interface FuncProtoType extends Base<typeof Kind.FUNC_PROTO> {
  readonly returnType: number;
  readonly params: readonly Param[];
}
export interface VarType extends Base<typeof Kind.VAR> {
  readonly type: number;
  /** 0 static, 1 global allocated, 2 global extern. */
  readonly linkage: number;
}
export interface VarSecinfo {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}
export interface DatasecType extends Base<typeof Kind.DATASEC> {
  readonly size: number;
  readonly vars: readonly VarSecinfo[];
}
export interface FloatType extends Base<typeof Kind.FLOAT> {
  readonly size: number;
}
export interface DeclTagType extends Base<typeof Kind.DECL_TAG>, Tag {
  readonly type: number;
  /** -1: the tag applies to the type itself; else a member or parameter index. */
  readonly componentIdx: number;
}

export type BtfType =
  | VoidType | IntType | PtrType | ArrayType | StructType | UnionType | EnumType | FwdType
  | TypedefType | VolatileType | ConstType | RestrictType | FuncType | FuncProtoType | VarType
  | DatasecType | FloatType | DeclTagType | TypeTagType | Enum64Type;
