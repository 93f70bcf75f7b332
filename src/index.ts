/**
 * corecheck's library API. Everything exported here is pure TypeScript with no Node APIs, so it runs
 * in browsers too; kernel BTF sources that read files live in `corecheck/kernels`.
 */
export { CorecheckError, type ErrorCode } from './common/errors.js';
export { Btf, parseBtfHeader, type BtfHeader, type BtfParseOptions } from './btf/btf.js';
export { encodeKernelIndex, parseWithKernelIndex, KERNEL_INDEX_VERSION } from './btf/kernel-index.js';
export { Kind, kindName } from './btf/kinds.js';
export type * from './btf/types.js';
export { parseBtfExt, type BtfExt, type CoreReloRecord, type FuncInfoRecord, type LineInfoRecord } from './btf/ext.js';
export { dumpRaw } from './btf/dump-raw.js';
export { BtfWriter, encodeBtf, assembleBtf, type BtfWriterOptions, type BtfSections } from './btf/writer.js';
export { typeRefs, remapTypeRefs, type TypeData } from './btf/type-data.js';
export { dumpJson } from './btf/dump-json.js';
export { dumpC } from './btf/dump-c.js';
export { resolveSize, pointerSize } from './btf/size.js';
export { ElfFile, EM_BPF } from './elf/elf.js';
export { findEmbeddedBpfObjects, type EmbeddedElf } from './elf/scan.js';
export { BpfObject, type BpfProgram, type CoreRelocation, type SourceLine } from './object/object.js';
export { openBpfObjects, type LocatedObject } from './object/open.js';
export type { BpfMap } from './object/maps.js';
export { ReloKind, reloKindName } from './core/relo-kind.js';
export { parseSpec, formatSpec, type CoreSpec, type Accessor } from './core/spec.js';
export { inspectObject, type InspectedObject, type InspectedProgram, type InspectedMap, type InspectedRelocation } from './report/inspect.js';
export { relocateObject, type ObjectRelocation, type RelocationResult, type RelocateOptions } from './core/relocate.js';
export type { CoreTarget } from './core/candidates.js';
export { checkObject, checkWithoutBtf, type CheckOptions, type ObjectVerdict, type ProgramVerdict } from './analysis/check.js';
export { KnownValues, hasSettable, rodataVariable, settingProblem, type FrozenAddress, type RodataVariable } from './analysis/known-values.js';
export { worst, subjectKey, describeSubject, type Reason, type ReasonClass, type ReasonVerdict, type Subject, type Verdict } from './analysis/reason.js';
export type { CoreSubject } from './core/subject.js';
export { analyzeReachability, type Reachability } from './analysis/reach.js';
export { checkKernel, type KernelCheck } from './analysis/kernel-check.js';
export { inferObjectArch, kernelArchFromBtf, archOfMachine, type ObjectArch, type ArchEvidence } from './analysis/arch.js';
export { findSuccessor, type Successor, type MissingThing } from './analysis/successor.js';
export { buildReport, type ObjectRun, type CauseOf } from './report/build.js';
export { evaluateGate, parseRequire, type FailOn } from './report/gate.js';
export { renderReport, REPORT_FORMATS, type ReportFormat, type RenderOptions } from './report/formats.js';
export type * from './report/model.js';
