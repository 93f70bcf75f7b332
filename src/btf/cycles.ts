import { Kind } from './kinds.js';

/** What the cycle check needs to know of a blob: its records as host-order words. */
export interface TypeRecords {
  /** The type section as u32 words. */
  readonly words: Uint32Array;
  /** Per local type, the index in `words` where its record starts. */
  readonly wordIndex: Uint32Array;
  /** Id of the first local type. */
  readonly firstId: number;
}

/**
 * Finds a type that contains itself by value (a typedef or const chain that loops, a struct that
 * embeds itself, an array of itself) and returns the cycle as ids, or undefined if there is none.
 * Only pointers may close a cycle in C types; the kernel's BTF verifier rejects anything else as
 * "Loop detected". Checking once at parse time lets every later walker follow type references
 * without guarding against infinite loops.
 */
export function findValueCycle(r: TypeRecords): number[] | undefined {
  const { words: w, wordIndex, firstId } = r;
  const count = wordIndex.length;
  const { state, cursor, stack } = workspace(count);
  for (let root = 0; root < count; root++) {
    if (state[root] !== 0) continue;
    // most types hold nothing by value (ints, pointers, enums, forward declarations)
    if (valueEdgeCount(w, wordIndex[root]) === 0) {
      state[root] = 2;
      continue;
    }
    let sp = 0;
    stack[sp++] = root;
    state[root] = 1;
    while (sp > 0) {
      const local = stack[sp - 1];
      const at = wordIndex[local];
      const n = valueEdgeCount(w, at);
      // the edges not yet followed, up to the first into a type not yet visited
      let pushed = false;
      while (cursor[local] < n) {
        const next = valueEdge(w, at, cursor[local]++);
        const nl = next - firstId;
        // void and edges into the base BTF cannot lead back into this blob
        if (nl < 0) continue;
        const s = state[nl];
        if (s === 1) {
          const path: number[] = [];
          for (let i = Array.prototype.lastIndexOf.call(stack.subarray(0, sp), nl) as number; i < sp; i++) path.push(stack[i] + firstId);
          path.push(next);
          return path;
        }
        if (s === 0) {
          // a type holding nothing by value is done as soon as it is reached
          if (valueEdgeCount(w, wordIndex[nl]) === 0) {
            state[nl] = 2;
            continue;
          }
          state[nl] = 1;
          stack[sp++] = nl;
          pushed = true;
          break;
        }
      }
      if (!pushed) {
        state[local] = 2;
        sp--;
      }
    }
  }
  return undefined;
}

/**
 * The DFS arrays, kept between calls: a fleet run parses kernel after kernel, and fresh arrays per
 * kernel (9 bytes per type) would pile up as garbage the collector frees late.
 */
let spare = { state: new Uint8Array(0), cursor: new Int32Array(0), stack: new Int32Array(0) };
function workspace(count: number): { state: Uint8Array; cursor: Int32Array; stack: Int32Array } {
  if (spare.state.length < count) {
    spare = { state: new Uint8Array(count), cursor: new Int32Array(count), stack: new Int32Array(count) };
  } else {
    // 0 = unvisited, 1 = on the DFS stack, 2 = done
    spare.state.fill(0, 0, count);
    spare.cursor.fill(0, 0, count);
  }
  return spare;
}

/** How many type ids a record contains by value (pointers excluded): the bound of `valueEdge`'s index. */
function valueEdgeCount(w: Uint32Array, at: number): number {
  const info = w[at + 1];
  switch ((info >>> 24) & 0x1f) {
    case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
    case Kind.VAR: case Kind.DECL_TAG: case Kind.FUNC: case Kind.ARRAY:
      return 1;
    case Kind.STRUCT: case Kind.UNION: case Kind.DATASEC:
      return info & 0xffff;
    case Kind.FUNC_PROTO:
      return 1 + (info & 0xffff);
    default:
      return 0;
  }
}

/** The `index`-th type id a record contains by value (pointers excluded), or -1 when there are no more. */
function valueEdge(w: Uint32Array, at: number, index: number): number {
  const info = w[at + 1];
  const kind = (info >>> 24) & 0x1f;
  const vlen = info & 0xffff;
  switch (kind) {
    case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
    case Kind.VAR: case Kind.DECL_TAG: case Kind.FUNC:
      return index === 0 ? w[at + 2] : -1;
    case Kind.ARRAY:
      return index === 0 ? w[at + 3] : -1;
    case Kind.STRUCT: case Kind.UNION:
      return index < vlen ? w[at + 3 + index * 3 + 1] : -1;
    case Kind.DATASEC:
      return index < vlen ? w[at + 3 + index * 3] : -1;
    case Kind.FUNC_PROTO:
      if (index === 0) return w[at + 2];
      return index <= vlen ? w[at + 3 + (index - 1) * 2 + 1] : -1;
    default:
      return -1;
  }
}
