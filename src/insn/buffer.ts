import { opClass } from './opcode.js';

/** One instruction's fields, as the walks read them (`InsnBuffer.decode` refills one object). */
export interface InsnFields {
  op: number;
  /** `opClass(op)`. */
  cls: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

/** A fields object to pass to `decode`, one per walk. */
export const emptyFields = (): InsnFields => ({ op: 0, cls: 0, dst: 0, src: 0, off: 0, imm: 0 });

/** Mutable access to instructions in an object's byte order (dst/src nibbles swap on big-endian). */
export class InsnBuffer {
  private readonly dv: DataView;
  constructor(readonly bytes: Uint8Array, readonly littleEndian: boolean) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get count(): number {
    return this.bytes.length >>> 3;
  }
  code(i: number): number {
    return this.bytes[i * 8];
  }
  setCode(i: number, v: number): void {
    this.bytes[i * 8] = v;
  }
  dst(i: number): number {
    const r = this.bytes[i * 8 + 1];
    return this.littleEndian ? r & 0xf : r >>> 4;
  }
  src(i: number): number {
    const r = this.bytes[i * 8 + 1];
    return this.littleEndian ? r >>> 4 : r & 0xf;
  }
  setRegs(i: number, dst: number, src: number): void {
    this.bytes[i * 8 + 1] = this.littleEndian ? (src << 4) | dst : (dst << 4) | src;
  }
  off(i: number): number {
    return this.dv.getInt16(i * 8 + 2, this.littleEndian);
  }
  setOff(i: number, v: number): void {
    this.dv.setInt16(i * 8 + 2, v, this.littleEndian);
  }
  imm(i: number): number {
    return this.dv.getInt32(i * 8 + 4, this.littleEndian);
  }
  setImm(i: number, v: number): void {
    this.dv.setInt32(i * 8 + 4, v | 0, this.littleEndian);
  }
  /** Instruction `i`'s fields, written into `into` (no allocation in a walk's loop). */
  decode(i: number, into: InsnFields): InsnFields {
    into.op = this.code(i);
    into.cls = opClass(into.op);
    into.dst = this.dst(i);
    into.src = this.src(i);
    into.off = this.off(i);
    into.imm = this.imm(i);
    return into;
  }
}
