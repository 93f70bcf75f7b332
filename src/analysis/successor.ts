// Placeholder until the successor finder lands (branch succ): the types only.
import type { Btf } from '../btf/btf.js';
export type MissingThing =
  | { readonly kind: 'type'; readonly typeKind: string; readonly name: string }
  | { readonly kind: 'field'; readonly typeKind: string; readonly type: string; readonly path: readonly string[] }
  | { readonly kind: 'enumerator'; readonly typeKind: string; readonly type: string; readonly name: string; readonly value?: string }
  | { readonly kind: 'function'; readonly name: string };
export type SuccessorHow = 'field-renamed' | 'field-moved' | 'type-renamed' | 'enumerator-renamed' | 'enumerator-renumbered' | 'function-renamed' | 'gone';
export interface Successor { readonly how: SuccessorHow; readonly name?: string; readonly note: string }
export function findSuccessor(_kernel: Btf, _missing: MissingThing, _local?: { readonly btf: Btf; readonly rootTypeId: number }): Successor | undefined {
  return undefined;
}
