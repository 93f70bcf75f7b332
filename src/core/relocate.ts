import { INSN_SIZE, insnHex } from '../insn/insn.js';
import { Opcode } from '../insn/opcode.js';
import type { BpfObject, BpfProgram } from '../object/object.js';
import { calcRelo, type RelocResult } from './calc.js';
import { findCandidates, type Candidate, type CoreTarget } from './candidates.js';
import { CoreLog, type LogLine } from './log.js';
import { emptySpec, specMatch } from './match.js';
import { InsnBuffer } from '../insn/buffer.js';
import { patchInsn } from './patch.js';
import { ReloKind, reloKindName, type ReloKindName } from './relo-kind.js';
import type { Btf } from '../btf/btf.js';
import type { CoreReloRecord } from '../btf/ext.js';
import { coreSubjectOf, type CoreSubject } from './subject.js';
import { ERRNO, formatSpec, isSpecError, libbpfKindName, parseSpec, type CoreSpec, type Errno, type SpecError } from './spec.js';
import { oncePer } from '../common/memo.js';

export interface RelocateOptions {
  /** Relocate every program, as if each had autoload on (libbpf skips programs with autoload off). */
  readonly autoloadAll?: boolean;
  /**
   * Keep libbpf's log lines, every candidate tried and each patched instruction's bytes as hex
   * (`before`, `after`) (default true). Off, results hold outcomes and values, and `programs` the
   * patched code: what a verdict over many kernels needs, without formatting a line per candidate
   * (hundreds per type on non-deduplicated kernels).
   */
  readonly trace?: boolean;
}

/** What happened to one relocation. */
export type RelocationOutcome =
  | 'patched' // instruction rewritten with the target's value (possibly unchanged)
  | 'poisoned' // nothing matched: `call 0xbad2310`; fails the load if the verifier reaches it
  | 'error' // a hard error: libbpf fails the whole object here
  | 'skipped' // program not loaded (autoload off) or no program covers the instruction
  | 'not-reached'; // an earlier hard error stopped libbpf before this relocation

export interface CandidateResult {
  readonly id: number;
  readonly btf: string;
  readonly matching: boolean;
  /** The candidate's spec as libbpf prints it. */
  readonly spec: string;
}

export interface RelocationResult {
  readonly section: string;
  /** libbpf's `relo #N`: index within the section's `.BTF.ext` block. */
  readonly index: number;
  /** Instruction index within the section. */
  readonly insn: number;
  readonly program: string | null;
  /** Instruction index within the program. */
  readonly programInsn: number | null;
  readonly kind: ReloKindName;
  readonly typeId: number;
  readonly access: string;
  /** The local spec (libbpf's notation), null when it does not parse. */
  readonly spec: string | null;
  /** The same spec as data: root type, member path, enumerator (null when it does not parse). */
  readonly subject: CoreSubject | null;
  readonly outcome: RelocationOutcome;
  /** Every candidate tried, in libbpf's order (empty without `trace`). */
  readonly candidates: readonly CandidateResult[];
  /**
   * How many target candidates the relocation was matched against (libbpf's candidate list, as
   * earlier relocations of the same type left it); 0: no type of that name and kind. Null when no
   * candidate search happened (local type id relocations, errors before the search).
   */
  readonly candidatesFound: number | null;
  /**
   * The first matching candidate, as libbpf's `bpf_core_calc_relo_insn` leaves it in its target
   * spec: what `bpftool gen min_core_btf` keeps of the kernel for this relocation. Null when no
   * candidate matched, or the relocation was not resolved.
   */
  readonly target: RelocationTarget | null;
  /** Values as decimal strings (u64). */
  readonly origVal: string | null;
  readonly newVal: string | null;
  readonly errno: Errno | null;
  /** Instruction bytes (hex, 8 bytes each) before and after, for the patched slot(s); empty without `trace`. */
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/** A target spec as data: the candidate's BTF, its root type and its raw access path (anonymous members included). */
export interface RelocationTarget {
  /** The candidate's BTF: `vmlinux` or a module's name. */
  readonly btf: string;
  readonly rootTypeId: number;
  readonly raw: readonly number[];
}

export interface ProgramCode {
  readonly name: string;
  readonly section: string;
  /** The program's instructions after CO-RE patching (8 bytes each, in the object's byte order). */
  readonly code: Uint8Array;
}

/**
 * Why libbpf failed the whole object: two candidates disagree (`ambiguity`), the local spec does
 * not parse, the instruction cannot take the value, the candidate search failed, or the record is
 * malformed.
 */
export type CoreErrorKind = 'ambiguity' | 'bad-spec' | 'bad-insn' | 'candidate-search' | 'bad-record';

export interface CoreError {
  readonly kind: CoreErrorKind;
  readonly errno: Errno;
  /** The last line libbpf prints about it. */
  readonly message: string;
  /** libbpf's warning that says why (the ambiguity, the instruction, ...), when it prints one. */
  readonly why: string | null;
}

export interface ObjectRelocation {
  /** False when libbpf would fail the whole object (a hard CO-RE error). */
  readonly ok: boolean;
  readonly error: CoreError | null;
  readonly relocations: readonly RelocationResult[];
  readonly programs: readonly ProgramCode[];
  /** Every line libbpf prints during CO-RE (without `libbpf: `); without `trace`, its warnings only. */
  readonly log: readonly LogLine[];
}

const errnoNumber = (e: Errno): number => -ERRNO[e];

/**
 * libbpf's `bpf_object__relocate_core` + `bpf_core_resolve_relo` + `bpf_core_calc_relo_insn`:
 * relocations in `.BTF.ext` order, one candidate cache per call keyed by local type id and pruned
 * in place to the matching candidates, the first hard error stopping everything. Pure: the target
 * is passed in, logs and results are returned as data.
 */
export function relocateObject(obj: BpfObject, target: CoreTarget, opts: RelocateOptions = {}): ObjectRelocation {
  const log = new CoreLog(opts.trace ?? true);
  const btf = obj.btf;
  // Patching works on one copy of all the programs' code, made at the first relocation: one buffer
  // per call rather than one per program keeps a run over many kernels light on the collector.
  let copy: Map<BpfProgram, InsnBuffer> | undefined;
  const insnsOf = (p: BpfProgram): InsnBuffer => {
    copy ??= copyPrograms(obj);
    return copy.get(p)!;
  };
  const results: RelocationResult[] = [];
  let error: CoreError | null = null;
  const fail = (kind: CoreErrorKind, errno: Errno, message: string | null, why: string | null = null): void => {
    if (message !== null) log.warn(message);
    error = { kind, errno, message: message ?? `CO-RE relocation failed: ${errnoNumber(errno)}`, why };
    log.warn(`failed to perform CO-RE relocations: ${errnoNumber(errno)}`);
  };
  const ctx: ResolveContext = { cache: new Map(), specs: localSpecsOf(obj.btf), resolved: new Map() };

  if (btf && obj.ext) {
    outer: for (const block of obj.ext.coreRelos) {
      const section = btf.strOrUndefined(block.secNameOff) ?? '';
      if (section === '') {
        fail('bad-record', 'EINVAL', null);
        break;
      }
      log.debug(`sec '${section}': found ${block.records.length} CO-RE relocations`);
      const elfSec = obj.elf.section(section);
      for (let i = 0; i < block.records.length; i++) {
        const rec = block.records[i];
        const head: ResultHead = {
          section, index: i, insn: Math.floor(rec.insnOff / INSN_SIZE), kind: reloKindName(rec.kind), typeId: rec.typeId,
          access: btf.strOrUndefined(rec.accessStrOff) ?? '', candidates: [], candidatesFound: null, subject: null, target: null,
        };
        if (rec.insnOff % INSN_SIZE !== 0) {
          fail('bad-record', 'EINVAL', null);
          break outer;
        }
        const prog = elfSec ? obj.programAt(elfSec.index, head.insn) : undefined;
        if (!prog) {
          log.debug(`sec '${section}': skipping CO-RE relocation #${i} for insn #${head.insn} belonging to eliminated weak subprogram`);
          results.push(resultOf(head, prog, null, 'skipped'));
          continue;
        }
        if (!prog.autoload && !prog.isSubprogram && !opts.autoloadAll) {
          results.push(resultOf(head, prog, null, 'skipped'));
          continue;
        }
        const idx = head.insn - prog.insnOffset;
        const insns = insnsOf(prog);
        if (insns.code(idx) === Opcode.LD_IMM64 && idx + 1 >= insns.count) {
          results.push(resultOf(head, prog, null, 'error', undefined, 'EINVAL'));
          fail('bad-insn', 'EINVAL', `prog '${prog.name}': relo #${i}: insn #${idx} (LDIMM64) is truncated`);
          break outer;
        }
        const warnings = log.lines.length;
        const resolved = resolveRelo(prog.name, rec, i, obj, target, ctx, log, head);
        if (typeof resolved.res === 'string') {
          results.push(resultOf(head, prog, resolved.spec, 'error', undefined, resolved.res));
          const why = log.lines.slice(warnings).filter((l) => l.level === 'warn').map((l) => l.text).pop() ?? null;
          fail(resolved.failure ?? 'bad-spec', resolved.res, `prog '${prog.name}': relo #${i}: failed to relocate: ${errnoNumber(resolved.res)}`, why);
          break outer;
        }
        const slots = insns.code(idx) === Opcode.LD_IMM64 ? 2 : 1;
        // the bytes as hex are for reading a trace; a fleet's verdicts need the patched code only
        const before = log.enabled ? slotsHex(insns, idx, slots) : NO_SLOTS;
        const patched = patchInsn(prog.name, insns, idx, i, resolved.res, log);
        if (patched !== 'patched' && patched !== 'poisoned') {
          results.push(resultOf(head, prog, resolved.spec, 'error', resolved.res, patched, before));
          const why = log.lines.filter((l) => l.level === 'warn').map((l) => l.text).pop() ?? null;
          fail('bad-insn', patched, `prog '${prog.name}': relo #${i}: failed to patch insn #${idx}: ${errnoNumber(patched)}`, why);
          break outer;
        }
        results.push(resultOf(head, prog, resolved.spec, patched, resolved.res, undefined, before, log.enabled ? slotsHex(insns, idx, slots) : NO_SLOTS));
      }
    }
  }
  // Relocations libbpf never reached after a hard error.
  if (error && btf && obj.ext) {
    const seen = new Set(results.map((r) => `${r.section}#${r.index}`));
    for (const r of obj.coreRelocations()) {
      if (seen.has(`${r.section}#${r.index}`)) continue;
      const head: ResultHead = {
        section: r.section, index: r.index, insn: r.insn, kind: reloKindName(r.record.kind), typeId: r.record.typeId,
        access: r.accessStr, candidates: [], candidatesFound: null, subject: null, target: null,
      };
      results.push(resultOf(head, r.program, null, 'not-reached'));
    }
  }
  const programs: ProgramCode[] = obj.programs.map((p) => ({ name: p.name, section: p.section, code: copy?.get(p)?.bytes ?? obj.code(p) }));
  return { ok: error === null, error, relocations: results, programs, log: log.lines };
}

/** What a relocation's result holds whatever its outcome. */
interface ResultHead {
  readonly section: string;
  readonly index: number;
  readonly insn: number;
  readonly kind: ReloKindName;
  readonly typeId: number;
  readonly access: string;
  readonly candidates: CandidateResult[];
  candidatesFound: number | null;
  subject: CoreSubject | null;
  target: RelocationTarget | null;
}

/** One result, every field set in one literal (one object shape for all outcomes). */
function resultOf(
  head: ResultHead, prog: BpfProgram | undefined, spec: string | null, outcome: RelocationOutcome,
  res?: RelocResult, errno?: Errno, before: readonly string[] = [], after: readonly string[] = [],
): RelocationResult {
  return {
    section: head.section, index: head.index, insn: head.insn, program: prog?.name ?? null,
    programInsn: prog ? head.insn - prog.insnOffset : null, kind: head.kind, typeId: head.typeId, access: head.access,
    spec, subject: spec === null ? null : head.subject, outcome, candidates: head.candidates, candidatesFound: head.candidatesFound,
    target: res ? head.target : null, origVal: res ? res.origVal.toString() : null,
    newVal: res ? res.newVal.toString() : null, errno: errno ?? null, before, after,
  };
}

/** The instruction slot(s) a relocation patches, as hex. */
const NO_SLOTS: readonly string[] = [];

function slotsHex(insns: InsnBuffer, idx: number, slots: number): string[] {
  const out: string[] = [];
  for (let k = 0; k < slots; k++) out.push(insnHex(insns.bytes, idx + k));
  return out;
}

/** Every program's code copied into one buffer, each program a view of its part. */
function copyPrograms(obj: BpfObject): Map<BpfProgram, InsnBuffer> {
  let total = 0;
  for (const p of obj.programs) total += p.insnCount * INSN_SIZE;
  const all = new Uint8Array(total);
  const out = new Map<BpfProgram, InsnBuffer>();
  let at = 0;
  for (const p of obj.programs) {
    const code = obj.code(p);
    all.set(code, at);
    out.set(p, new InsnBuffer(all.subarray(at, at + code.length), obj.littleEndian));
    at += code.length;
  }
  return out;
}

/** A local spec, parsed and formatted. */
interface LocalSpec {
  readonly spec: CoreSpec | SpecError;
  readonly text: string;
  readonly subject: CoreSubject | null;
}

/** What one `relocateObject` call keeps between relocations. */
interface ResolveContext {
  /** libbpf's candidate cache: by local type id, pruned in place to the candidates that matched. */
  readonly cache: Map<number, Candidate[]>;
  /**
   * Local specs by local type id, kind and access string (`specKey`): a spec depends on those
   * alone, and objects repeat them (profiler1's 1512 records hold 58 specs: unrolled loops).
   * Shared by every relocation of the object's BTF, whatever the target (`localSpecsOf`).
   */
  readonly specs: Map<string, LocalSpec>;
  /**
   * Results of relocations resolved without a log line, by `specKey`, with the candidate list they
   * were matched against as it was left. Another relocation of the same spec against the same
   * list (the same array, no shorter) matches every candidate again and gets the same result: the
   * list holds only the matching ones. One of another spec that pruned the list in between starts
   * over.
   */
  readonly resolved: Map<string, { readonly list: Candidate[]; readonly length: number; readonly out: Resolved }>;
}

/** Local specs depend on the object's BTF alone: a fleet parses each once, not once per kernel. */
const localSpecs = oncePer((_btf: Btf): Map<string, LocalSpec> => new Map());
const localSpecsOf = (btf: Btf | undefined): Map<string, LocalSpec> => (btf ? localSpecs(btf) : new Map());

/** A relocation resolved: its values, its local spec as libbpf prints it, and the first matching candidate's spec. */
interface Resolved {
  readonly res: RelocResult;
  readonly spec: string;
  readonly target: RelocationTarget | null;
}

const specKey = (rec: CoreReloRecord): string => `${rec.typeId}:${rec.kind}:${rec.accessStrOff}`;

function localSpecOf(btf: Btf, rec: CoreReloRecord, accessStr: string, specs: Map<string, LocalSpec>): LocalSpec {
  const key = specKey(rec);
  let entry = specs.get(key);
  if (!entry) {
    const spec = parseSpec(btf, rec.typeId, accessStr, rec.kind);
    entry = isSpecError(spec) ? { spec, text: '', subject: null } : { spec, text: formatSpec(spec), subject: coreSubjectOf(spec) };
    specs.set(key, entry);
  }
  return entry;
}

/**
 * libbpf's `bpf_core_resolve_relo` (candidate cache) and `bpf_core_calc_relo_insn` (matching every
 * candidate, the ambiguity rules, pruning the cached list to the matching candidates).
 */
function resolveRelo(
  progName: string,
  rec: CoreReloRecord,
  reloIdx: number,
  obj: BpfObject,
  target: CoreTarget,
  ctx: ResolveContext,
  log: CoreLog,
  head: ResultHead,
): { res: RelocResult | Errno; spec: string | null; failure?: CoreErrorKind } {
  const btf = obj.btf!;
  const cache = ctx.cache;
  const localId = rec.typeId;
  if (!btf.hasType(localId)) return { res: 'EINVAL', spec: null };
  let cands = cache.get(localId);
  if (rec.kind !== ReloKind.TYPE_ID_LOCAL && !cands) {
    const found = findCandidates(btf, localId, target, log);
    if (typeof found === 'string') {
      log.warn(`prog '${progName}': relo #${reloIdx}: target candidate search failed for [${localId}] ${libbpfKindName(btf, localId)} ${btf.name(localId)}: ${errnoNumber(found)}`);
      return { res: found, spec: null, failure: 'candidate-search' };
    }
    cands = found;
    cache.set(localId, cands);
  }
  const localName = btf.name(localId);
  const accessStr = btf.strOrUndefined(rec.accessStrOff) ?? '';
  const { spec: local, text: localText, subject } = localSpecOf(btf, rec, accessStr, ctx.specs);
  head.subject = subject;
  if (isSpecError(local)) {
    if (local.warning) {
      // libbpf prints the access string after parsing consumed it: always empty.
      log.warn(`prog '${progName}': relo for [${localId}]  (at idx ${local.warning.index}) captures type [${local.warning.id}] of unexpected kind ${local.warning.kindName}`);
    }
    log.warn(`prog '${progName}': relo #${reloIdx}: parsing [${localId}] ${libbpfKindName(btf, localId)} ${localName === '' ? '<anon>' : localName} + ${accessStr || '<?>'} failed: ${errnoNumber(local.errno)}`);
    return { res: 'EINVAL', spec: null };
  }
  if (log.enabled) log.debug(`prog '${progName}': relo #${reloIdx}: ${localText}`);
  if (rec.kind === ReloKind.TYPE_ID_LOCAL) {
    const id = BigInt(local.rootTypeId);
    return { res: { origVal: id, newVal: id, poison: false, validate: false, failMemszAdjust: false, origSz: 0, origTypeId: 0, newSz: 0, newTypeId: 0 }, spec: localText };
  }
  if (localName === '') {
    log.warn(`prog '${progName}': relo #${reloIdx}: <${reloKindName(rec.kind)}> (${rec.kind}) relocation doesn't support anonymous types`);
    return { res: 'EOPNOTSUPP', spec: localText };
  }
  const list = cands!;
  head.candidatesFound = list.length;
  const key = specKey(rec);
  const known = ctx.resolved.get(key);
  if (known && known.list === list && known.length === list.length) {
    head.target = known.out.target;
    return known.out;
  }
  // remembered when nothing was logged: a repeat must not lose a line
  const lines = log.lines.length;
  const remember = (out: Resolved): Resolved => {
    head.target = out.target;
    if (!log.enabled && log.lines.length === lines) ctx.resolved.set(key, { list, length: list.length, out });
    return out;
  };
  let first: { res: RelocResult; spec: CoreSpec; btf: string } | undefined;
  let kept = 0;
  for (let i = 0; i < list.length; i++) {
    const candSpec = emptySpec(list[i].btf, list[i].id, local.kind);
    const result = specMatch(local, candSpec, log);
    if (typeof result === 'string') {
      // libbpf 1.5's format ends this warning with "\n " (a stray space).
      log.warn(`prog '${progName}': relo #${reloIdx}: error matching candidate #${i} ${formatSpec(candSpec)}: ${errnoNumber(result)}`);
      return { res: result, spec: localText };
    }
    if (log.enabled) {
      const candText = formatSpec(candSpec);
      log.debug(`prog '${progName}': relo #${reloIdx}: ${result === 0 ? 'non-matching' : 'matching'} candidate #${i} ${candText}`);
      head.candidates.push({ id: list[i].id, btf: list[i].btfName, matching: result === 1, spec: candText });
    }
    if (result === 0) continue;
    const res = calcRelo(progName, rec, reloIdx, local, candSpec, log);
    if (typeof res === 'string') return { res, spec: localText };
    if (!first) {
      first = { res, spec: candSpec, btf: list[i].btfName };
    } else if (candSpec.bitOffset !== first.spec.bitOffset) {
      log.warn(`prog '${progName}': relo #${reloIdx}: field offset ambiguity: ${candSpec.bitOffset} != ${first.spec.bitOffset}`);
      return { res: 'EINVAL', spec: localText, failure: 'ambiguity' };
    } else if (res.poison !== first.res.poison || res.newVal !== first.res.newVal) {
      log.warn(`prog '${progName}': relo #${reloIdx}: relocation decision ambiguity: ${res.poison ? 'failure' : 'success'} ${res.newVal} != ${first.res.poison ? 'failure' : 'success'} ${first.res.newVal}`);
      return { res: 'EINVAL', spec: localText, failure: 'ambiguity' };
    }
    list[kept++] = list[i];
  }
  // The cache keeps only the candidates that matched; with none, it stays as it was.
  if (kept > 0) list.length = kept;
  if (first) return remember({ res: first.res, spec: localText, target: { btf: first.btf, rootTypeId: first.spec.rootTypeId, raw: [...first.spec.raw] } });
  log.debug(`prog '${progName}': relo #${reloIdx}: no matching targets found`);
  const res = calcRelo(progName, rec, reloIdx, local, undefined, log);
  return typeof res === 'string' ? { res, spec: localText } : remember({ res, spec: localText, target: null });
}
