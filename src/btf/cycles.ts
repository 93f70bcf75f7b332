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
      // the record's by-value ids lie at `first + k * stride` for k < n
      const at = wordIndex[local];
      const info = w[at + 1];
      const vlen = info & 0xffff;
      let first = at + 2;
      let stride = 0;
      let n = 0;
      switch ((info >>> 24) & 0x1f) {
        case Kind.TYPEDEF: case Kind.VOLATILE: case Kind.CONST: case Kind.RESTRICT: case Kind.TYPE_TAG:
        case Kind.VAR: case Kind.DECL_TAG: case Kind.FUNC:
          n = 1; break;
        case Kind.ARRAY: first = at + 3; n = 1; break;
        case Kind.STRUCT: case Kind.UNION: first = at + 4; stride = 3; n = vlen; break;
        case Kind.DATASEC: first = at + 3; stride = 3; n = vlen; break;
        // the return type, then each parameter's type
        case Kind.FUNC_PROTO: stride = 2; n = vlen + 1; break;
      }
      // the edges not yet followed, up to the first into a type not yet visited
      let pushed = false;
      let k = cursor[local];
      while (k < n) {
        const next = w[first + k * stride];
        k++;
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
      cursor[local] = k;
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
