import type { BpfObject } from '../object/object.js';
import { structOpsSlot } from '../object/struct-ops.js';
import type { ProgramVerdict } from './check.js';
import { worst } from './reason.js';
import { oncePer } from '../common/memo.js';

/**
 * The programs of one struct_ops variable load together: libbpf loads a struct_ops map's programs
 * with the map (their autoload follows it), so one that fails fails the others, even when each is
 * checked on its own. Each sibling gets the failing program's failures, saying whose they are
 * (same class and subject: one root cause).
 */
export function withStructOpsSiblings(obj: BpfObject, programs: readonly ProgramVerdict[]): ProgramVerdict[] {
  const variableOf = structOpsVariables(obj);
  if (variableOf.size === 0) return [...programs];
  return programs.map((p) => {
    const variable = variableOf.get(p.name);
    if (variable === undefined) return p;
    const inherited = programs
      .filter((o) => o !== p && variableOf.get(o.name) === variable && o.verdict === 'fails')
      .flatMap((o) => o.reasons.filter((r) => r.verdict === 'fails').map((r) => ({
        ...r, message: `loaded with struct_ops map ${variable}, whose program ${o.name} fails: ${r.message}`,
      })));
    if (inherited.length === 0) return p;
    const reasons = [...p.reasons, ...inherited];
    return { ...p, reasons, verdict: worst(reasons.map((r) => r.verdict)) };
  });
}

/** Per struct_ops program of the object, by name, the struct_ops variable that holds it: the same on every kernel, found once. */
const structOpsVariables = oncePer((obj: BpfObject): ReadonlyMap<string, string> => {
  const found = new Map<string, string>();
  for (const p of obj.programs) {
    const slot = p.isSubprogram ? undefined : structOpsSlot(obj, p);
    if (slot) found.set(p.name, slot.variable);
  }
  return found;
});
