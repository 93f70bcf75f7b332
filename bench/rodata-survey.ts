/**
 * Which libbpf-tools programs depend on values the verifier reads from frozen maps (`.rodata`,
 * `.kconfig`), and whether folding them changes any verdict on the corpus kernels.
 *
 *   npm run build && node dist/bench/rodata-survey.js [--verdicts]
 *
 * For each of the 52 objects (.cache/objects/libbpf-tools/*.bpf.o, tools/goldens/extract-libbpf-tools.py)
 * and each program, relocated against this host's BTF: the reachability walk with every frozen
 * value known (the object's initial `.rodata`), then once per `.rodata` variable with only that
 * one unknown. A variable "decides" a program when leaving it unknown changes which instructions
 * are reached. With --verdicts, every object is also checked on every corpus kernel with folding on
 * and off (the host's 6.18 verifier model, and each kernel's own model), and the programs whose
 * verdict changes are listed. Output: plain text, one line per finding.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkObject } from '../src/analysis/check.js';
import { KernelContext } from '../src/analysis/kernel-facts.js';
import { KnownValues, isFrozenSection, type FrozenAddress } from '../src/analysis/known-values.js';
import { analyzeReachability, type Reachability } from '../src/analysis/reach.js';
import { HOST_VERIFIER, type VerifierModel } from '../src/analysis/verifier-model.js';
import { Btf } from '../src/btf/btf.js';
import { relocateObject } from '../src/core/relocate.js';
import { STT } from '../src/elf/elf.js';
import { InsnBuffer } from '../src/insn/buffer.js';
import { BpfObject, type BpfProgram } from '../src/object/object.js';
import { REPO, corpusArchives, extractCorpusBtf, readBytes } from '../test/helpers/inputs.js';

const OBJECTS = join(REPO, '.cache/objects/libbpf-tools');
const NO_FOLDING: VerifierModel = { ...HOST_VERIFIER, frozenMapReads: false };

/** The values of `base`, except the variable at [offset, offset + size) of `section`, which is unknown. */
class WithoutOne extends KnownValues {
  constructor(obj: BpfObject, private readonly section: string, private readonly offset: number, private readonly size: number) {
    super(obj);
  }

  override read(at: FrozenAddress, size: number, signed = false): bigint | undefined {
    if (at.region === this.section && at.off < this.offset + this.size && this.offset < at.off + size) return undefined;
    return super.read(at, size, signed);
  }
}

const sameReach = (a: Reachability, b: Reachability): boolean => {
  if (a.reached.size !== b.reached.size) return false;
  for (const [fn, marks] of a.reached) {
    const other = b.reached.get(fn);
    if (!other || other.some((m, i) => m !== marks[i])) return false;
  }
  return true;
};

function survey(name: string, obj: BpfObject, host: Btf): void {
  const vars = obj.elf.symbols().filter((s) => s.type === STT.OBJECT && isFrozenSection(obj.elf.sections[s.sectionIndex]?.name ?? ''));
  const core = relocateObject(obj, { vmlinux: host }, { trace: false, autoloadAll: true });
  const codes = new Map(core.programs.map((p, i) => [obj.programs[i], new InsnBuffer(p.code, obj.littleEndian)]));
  const codeOf = (fn: BpfProgram): InsnBuffer => codes.get(fn)!;
  const known = new KnownValues(obj);
  for (const p of obj.programs.filter((x) => !x.isSubprogram)) {
    const folded = analyzeReachability(obj, p, codeOf, { known });
    const unfolded = analyzeReachability(obj, p, codeOf, { known, model: NO_FOLDING });
    if (sameReach(folded, unfolded)) continue;
    const deciding = vars.filter((v) => {
      const without = new WithoutOne(obj, obj.elf.sections[v.sectionIndex].name, v.value, v.size);
      return !sameReach(folded, analyzeReachability(obj, p, codeOf, { known: without }));
    }).map((v) => v.name);
    const count = (r: Reachability): number => [...r.reached.values()].reduce((n, m) => n + m.reduce((a, b) => a + b, 0), 0);
    console.log(`${name}\t${p.name}\t${deciding.join(',') || '(several together)'}\treached ${count(folded)} of ${count(unfolded)} instructions`);
  }
}

function verdicts(objects: readonly [string, BpfObject][]): void {
  const dir = mkdtempSync(join(tmpdir(), 'corecheck-rodata-survey-'));
  let changed = 0;
  for (const archive of corpusArchives()) {
    const label = archive.replace(/\.btf\.tar\.xz$/, '');
    const target = { vmlinux: Btf.parse(readBytes(extractCorpusBtf(archive, dir))) };
    const kernel = new KernelContext(target);
    const own = kernel.verifier;
    for (const [name, obj] of objects) {
      for (const [which, on, off] of [['host model', HOST_VERIFIER, NO_FOLDING], ['own model', own, { ...own, frozenMapReads: false }]] as const) {
        if (which === 'own model' && !own.frozenMapReads) continue; // folding is off there already
        const a = checkObject(obj, target, { verifier: on }, kernel);
        const b = checkObject(obj, target, { verifier: off }, kernel);
        a.programs.forEach((p, i) => {
          if (p.verdict === b.programs[i].verdict) return;
          changed++;
          console.log(`verdict\t${label}\t${which}\t${name}\t${p.name}\tfolded ${p.verdict}, not folded ${b.programs[i].verdict}`);
        });
      }
    }
  }
  console.log(`verdicts: ${changed} (kernel, program, model) verdicts change with folding`);
}

const files = existsSync(OBJECTS) ? readdirSync(OBJECTS).filter((f) => f.endsWith('.bpf.o')).sort() : [];
if (files.length === 0) throw new Error(`no objects in ${OBJECTS} (python3 tools/goldens/extract-libbpf-tools.py)`);
const objects = files.map((f) => [f.replace(/\.bpf\.o$/, ''), new BpfObject(readBytes(join(OBJECTS, f)))] as [string, BpfObject]);
const host = Btf.parse(readBytes('/sys/kernel/btf/vmlinux'));
console.log('object\tprogram\tdeciding .rodata variables\treached with folding, of without');
for (const [name, obj] of objects) survey(name, obj, host);
if (process.argv.includes('--verdicts')) verdicts(objects);
