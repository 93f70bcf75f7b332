import { Kind } from '../../src/btf/kinds.js';
import type { TypeData } from '../../src/btf/type-data.js';

/**
 * A random, valid type graph of every kind, for round-trip fuzzing of the BTF writer. Valid as
 * `Btf.parse` and libbpf read it: each reference is to an id that exists, a FUNC's to a
 * FUNC_PROTO, and only pointers refer forward or to themselves (everything else holds its target
 * by value, where a cycle is an error). Values are drawn from their fields' whole ranges, in the
 * form `Btf.decode` gives them back (u32 enumerators, a signed component index, no bitfield size
 * without kflag). Types are numbered from `firstId` (a split BTF's first id).
 */
export function randomTypes(rand: () => number, count: number, firstId = 1): TypeData[] {
  const pick = (n: number): number => Math.floor(rand() * n);
  const u32 = (): number => [0, 1, 0xffffffff, 0x80000000][pick(6)] ?? Math.floor(rand() * 0x100000000);
  const names = ['', '', 'a', 'task_struct', 'x_1', '__u64', 'ops', 'pid', 'long name with spaces', 'ü'];
  const name = (): string => (rand() < 0.3 ? names[pick(names.length)] : `n${pick(1000)}`);
  const types: TypeData[] = [];
  const protos: number[] = [];
  /** An id of a type added before this one (or void), as by-value references must be. */
  const earlier = (): number => (types.length === 0 || rand() < 0.1 ? 0 : firstId + pick(types.length));
  const some = <T>(max: number, f: (i: number) => T): T[] => Array.from({ length: pick(max + 1) }, (_, i) => f(i));
  for (let i = 0; i < count; i++) {
    const id = firstId + types.length;
    const kind = 1 + pick(Kind.ENUM64);
    let t: TypeData;
    switch (kind) {
      case Kind.INT:
        t = { kind, name: name(), size: [1, 2, 4, 8, 16][pick(5)], encoding: [0, 1, 2, 4][pick(4)], bitsOffset: pick(256), bits: pick(256) };
        break;
      case Kind.PTR:
        // anywhere: before, itself, or up to the end of the graph
        t = { kind, name: '', type: pick(firstId + count) % (firstId + count) };
        break;
      case Kind.ARRAY:
        t = { kind, name: '', type: earlier(), indexType: earlier(), nelems: u32() };
        break;
      case Kind.STRUCT: case Kind.UNION: {
        const kflag = rand() < 0.5;
        const members = some(6, () => ({
          name: name(), type: earlier(),
          bitOffset: kflag ? pick(0x1000000) : u32(), bitfieldSize: kflag ? pick(256) : 0,
        }));
        t = { kind, name: name(), size: u32(), kflag, members };
        break;
      }
      case Kind.ENUM:
        t = { kind, name: name(), size: [1, 2, 4, 8][pick(4)], signed: rand() < 0.5, values: some(5, () => ({ name: name(), raw: u32() })) };
        break;
      case Kind.ENUM64:
        t = {
          kind, name: name(), size: 8, signed: rand() < 0.5,
          values: some(5, () => ({ name: name(), raw: (BigInt(u32()) << 32n) | BigInt(u32()) })),
        };
        break;
      case Kind.FWD:
        t = { kind, name: name(), union: rand() < 0.5, unusedWord: rand() < 0.2 ? 6 : 0 };
        break;
      case Kind.TYPEDEF:
        t = { kind, name: name(), type: earlier() };
        break;
      case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT:
        t = { kind, name: '', type: earlier() };
        break;
      case Kind.TYPE_TAG:
        t = { kind, name: name(), type: earlier(), attribute: rand() < 0.5 };
        break;
      case Kind.FUNC: {
        if (protos.length === 0) {
          i--; // a prototype first, then this draw again
          protos.push(id);
          t = { kind: Kind.FUNC_PROTO, name: '', returnType: earlier(), params: [] };
          break;
        }
        t = { kind, name: name(), type: protos[pick(protos.length)], linkage: pick(3) };
        break;
      }
      case Kind.FUNC_PROTO:
        protos.push(id);
        t = { kind, name: '', returnType: earlier(), params: some(5, () => ({ name: name(), type: earlier() })) };
        break;
      case Kind.VAR:
        t = { kind, name: name(), type: earlier(), linkage: pick(3) };
        break;
      case Kind.DATASEC:
        t = { kind, name: name(), size: u32(), vars: some(4, () => ({ type: earlier(), offset: u32(), size: u32() })) };
        break;
      case Kind.FLOAT:
        t = { kind, name: name(), size: [2, 4, 8, 12, 16][pick(5)] };
        break;
      case Kind.DECL_TAG:
        t = { kind, name: name(), type: earlier(), componentIdx: rand() < 0.5 ? -1 : pick(8), attribute: rand() < 0.5 };
        break;
      default:
        throw new Error(`kind ${kind}`);
    }
    types.push(t);
  }
  return types;
}
