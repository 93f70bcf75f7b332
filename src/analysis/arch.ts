// Placeholder until the architecture inference lands (branch arch): the API only.
import type { Btf } from '../btf/btf.js';
import type { BpfObject } from '../object/object.js';
export interface ArchEvidence { readonly arch: string; readonly why: string }
export interface ObjectArch { readonly arch: string | null; readonly evidence: readonly ArchEvidence[]; readonly conflicting: boolean }
export function inferObjectArch(_obj: BpfObject, _hostMachine?: number): ObjectArch {
  return { arch: null, evidence: [], conflicting: false };
}
export function kernelArchFromBtf(_btf: Btf): string | null {
  return null;
}
