import type { Btf } from '../btf/btf.js';
import { IntEncoding, Kind, isEnum } from '../btf/kinds.js';
import { isSizeError, resolveSize } from '../btf/size.js';
import { enumValueBits, intEncoding, memberBitfieldSize, memberType } from '../btf/entries.js';
import type { CoreLog } from './log.js';
import { ReloKind, isEnumvalBased, isFieldBased, isTypeBased, reloKindName } from './relo-kind.js';
import { ERRNO, type CoreSpec, type Errno } from './spec.js';

/** libbpf's `struct bpf_core_relo_res`: what to check in the instruction and what to write. */
export interface RelocResult {
  /** Value the compiler put in the instruction (from the local spec). */
  origVal: bigint;
  /** Value for the target kernel. */
  newVal: bigint;
  /** Nothing matched: the instruction becomes `call 0xbad2310`. */
  poison: boolean;
  /** Check that the instruction holds `origVal` before patching. */
  validate: boolean;
  /** A load/store whose size would change in a way that reads the field wrong: poisoned. */
  failMemszAdjust: boolean;
  origSz: number;
  origTypeId: number;
  newSz: number;
  newTypeId: number;
}

export interface Relo {
  readonly insnOff: number;
  readonly kind: number;
}

interface FieldValue {
  val: bigint;
  fieldSz: number;
  typeId: number;
  validate: boolean;
}

/**
 * libbpf's `bpf_core_calc_field_relo` (libbpf 1.5): offsets, sizes, signedness and shifts of a field,
 * bitfields read with the smallest load that covers them. LSHIFT follows the byte order of the host
 * libbpf runs on; the host that loads an object has the object's byte order, so corecheck takes it
 * from the object (its local BTF), whatever the target's order.
 */
function calcFieldRelo(progName: string, relo: Relo, spec: CoreSpec | undefined, hostLittleEndian: boolean, log: CoreLog): FieldValue | Errno {
  const out: FieldValue = { val: 0n, fieldSz: 0, typeId: 0, validate: true };
  if (relo.kind === ReloKind.FIELD_EXISTS) {
    out.val = spec ? 1n : 0n;
    return out;
  }
  if (!spec) return 'EUCLEAN';
  const btf = spec.btf;
  const acc = spec.spec[spec.spec.length - 1];
  const insn = Math.floor(relo.insnOff / 8);
  if (acc.name === null) {
    // a[n]: the element itself
    if (relo.kind === ReloKind.FIELD_BYTE_OFFSET) {
      out.val = BigInt(Math.floor(spec.bitOffset / 8));
      const sz = resolveSize(btf, acc.typeId);
      if (isSizeError(sz)) return 'EINVAL';
      out.fieldSz = sz;
      out.typeId = acc.typeId;
    } else if (relo.kind === ReloKind.FIELD_BYTE_SIZE) {
      const sz = resolveSize(btf, acc.typeId);
      if (isSizeError(sz)) return 'EINVAL';
      out.val = BigInt(sz);
    } else {
      log.warn(`prog '${progName}': relo ${relo.kind} at insn #${insn} can't be applied to array access`);
      return 'EINVAL';
    }
    out.validate = true;
    return out;
  }
  const fieldTypeId = btf.skipModsAndTypedefs(memberType(btf, acc.typeId, acc.idx));
  const fieldKind = btf.kind(fieldTypeId);
  const bitOff = spec.bitOffset;
  let bitSz = memberBitfieldSize(btf, acc.typeId, acc.idx);
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    // The smallest power-of-two load, aligned to its size, that covers the bitfield.
    byteSz = btf.sizeOrType(fieldTypeId);
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) {
        log.warn(`prog '${progName}': relo ${relo.kind} at insn #${insn} can't be satisfied for bitfield`);
        return 'E2BIG';
      }
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    const sz = resolveSize(btf, fieldTypeId);
    if (isSizeError(sz)) return 'EINVAL';
    byteSz = sz;
    byteOff = Math.floor(bitOff / 8);
    bitSz = byteSz * 8;
  }
  // For bitfields the compiler's values may legitimately differ: only signedness and the right
  // shift are checked.
  out.validate = !bitfield;
  switch (relo.kind) {
    case ReloKind.FIELD_BYTE_OFFSET:
      out.val = BigInt(byteOff);
      if (!bitfield) {
        out.fieldSz = byteSz;
        out.typeId = fieldTypeId;
      }
      break;
    case ReloKind.FIELD_BYTE_SIZE:
      out.val = BigInt(byteSz);
      break;
    case ReloKind.FIELD_SIGNED:
      out.val = (isEnum(fieldKind) && btf.kflag(fieldTypeId)) || (fieldKind === Kind.INT && (intEncoding(btf, fieldTypeId) & IntEncoding.SIGNED) !== 0) ? 1n : 0n;
      out.validate = true;
      break;
    case ReloKind.FIELD_LSHIFT_U64:
      // libbpf uses its host's byte order here; the host that loads an object shares its order.
      out.val = BigInt.asUintN(64, BigInt(hostLittleEndian
        ? 64 - (bitOff + bitSz - byteOff * 8)
        : (8 - byteSz) * 8 + (bitOff - byteOff * 8)));
      break;
    case ReloKind.FIELD_RSHIFT_U64:
      out.val = BigInt.asUintN(64, BigInt(64 - bitSz));
      out.validate = true;
      break;
    default:
      return 'EOPNOTSUPP';
  }
  return out;
}

/** libbpf's `bpf_core_calc_type_relo`: a missing target gives 0 (never a poison). */
function calcTypeRelo(relo: Relo, spec: CoreSpec | undefined): { val: bigint; validate: boolean } | Errno {
  if (!spec) return { val: 0n, validate: true };
  switch (relo.kind) {
    case ReloKind.TYPE_ID_TARGET:
      // Type ids in instructions may change during linking: not checked.
      return { val: BigInt(spec.rootTypeId), validate: false };
    case ReloKind.TYPE_EXISTS: case ReloKind.TYPE_MATCHES:
      return { val: 1n, validate: true };
    case ReloKind.TYPE_SIZE: {
      const sz = resolveSize(spec.btf, spec.rootTypeId);
      if (isSizeError(sz)) return 'EINVAL';
      return { val: BigInt(sz), validate: true };
    }
    default:
      return 'EOPNOTSUPP';
  }
}

/** libbpf's `bpf_core_calc_enumval_relo`. 32-bit values are sign-extended, even for unsigned enums. */
function calcEnumvalRelo(relo: Relo, spec: CoreSpec | undefined): bigint | Errno {
  switch (relo.kind) {
    case ReloKind.ENUMVAL_EXISTS:
      return spec ? 1n : 0n;
    case ReloKind.ENUMVAL_VALUE: {
      if (!spec) return 'EUCLEAN';
      return enumValueBits(spec.btf, spec.spec[0].typeId, spec.spec[0].idx);
    }
    default:
      return 'EOPNOTSUPP';
  }
}

function isIntUnsigned(btf: Btf, id: number): boolean {
  return btf.kind(id) === Kind.INT && intEncoding(btf, id) !== IntEncoding.SIGNED;
}

/**
 * libbpf's `bpf_core_calc_relo`: local value, target value, and whether a load/store may change
 * size (pointers, or unsigned ints on both sides). A missing target poisons the kinds that need one.
 */
export function calcRelo(progName: string, relo: Relo, reloIdx: number, local: CoreSpec, targ: CoreSpec | undefined, log: CoreLog): RelocResult | Errno {
  const res: RelocResult = { origVal: 0n, newVal: 0n, poison: false, validate: true, failMemszAdjust: false, origSz: 0, origTypeId: 0, newSz: 0, newTypeId: 0 };
  let err: Errno | undefined = 'EOPNOTSUPP';
  if (isFieldBased(relo.kind)) {
    const hostLittleEndian = local.btf.littleEndian;
    const l = calcFieldRelo(progName, relo, local, hostLittleEndian, log);
    const t = typeof l === 'string' ? l : calcFieldRelo(progName, relo, targ, hostLittleEndian, log);
    if (typeof l === 'string') err = l;
    else {
      res.origVal = l.val;
      res.origSz = l.fieldSz;
      res.origTypeId = l.typeId;
      res.validate = l.validate;
      if (typeof t === 'string') err = t;
      else {
        err = undefined;
        res.newVal = t.val;
        res.newSz = t.fieldSz;
        res.newTypeId = t.typeId;
        if (res.origSz !== res.newSz) {
          const bothPtr = local.btf.kind(res.origTypeId) === Kind.PTR && targ!.btf.kind(res.newTypeId) === Kind.PTR;
          const bothUnsigned = isIntUnsigned(local.btf, res.origTypeId) && isIntUnsigned(targ!.btf, res.newTypeId);
          res.failMemszAdjust = !bothPtr && !bothUnsigned;
        }
      }
    }
  } else if (isTypeBased(relo.kind)) {
    const l = calcTypeRelo(relo, local);
    const t = typeof l === 'string' ? l : calcTypeRelo(relo, targ);
    if (typeof l === 'string') err = l;
    else {
      res.origVal = l.val;
      res.validate = l.validate;
      if (typeof t === 'string') err = t;
      else {
        err = undefined;
        res.newVal = t.val;
      }
    }
  } else if (isEnumvalBased(relo.kind)) {
    const l = calcEnumvalRelo(relo, local);
    const t = typeof l === 'string' ? l : calcEnumvalRelo(relo, targ);
    if (typeof l === 'string') err = l;
    else {
      res.origVal = l;
      if (typeof t === 'string') err = t;
      else {
        err = undefined;
        res.newVal = t;
      }
    }
  }
  if (err === 'EUCLEAN') {
    res.poison = true;
    return res;
  }
  if (err === 'EOPNOTSUPP') {
    log.warn(`prog '${progName}': relo #${reloIdx}: unrecognized CO-RE relocation ${reloKindName(relo.kind)} (${relo.kind}) at insn #${Math.floor(relo.insnOff / 8)}`);
  }
  return err ?? res;
}

export function errnoValue(e: Errno): number {
  return -ERRNO[e];
}
