import type { ReasonClass, ReasonVerdict } from '../analysis/reason.js';
import { CLASS_HELP } from './class-help.js';
import { fingerprint } from './fingerprint.js';
import type { ObjectReport, ProgramRow, Report, RootCause, SourceSite } from './model.js';
import { changePhrase, fixesPhrase, plural, someOf, verdictPhrase } from './phrases.js';
import { programCauses, type ProgramCause } from './program-causes.js';
import { objectFileLocation, sourceFileLocation, sourceRootUri, SRCROOT, type ArtifactLocation } from './source-uri.js';

/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per reason class, one result per root cause and
 * program (guarded, `info` causes are left out: there the program loads as designed).
 */
export interface SarifOptions {
  /** The directory `%SRCROOT%` stands for (the repository checkout), best absolute; see source-uri.ts. */
  readonly sourceRoot: string;
  /** The directory relative object paths were given in; `sourceRoot` when omitted. */
  readonly workingDirectory?: string;
}

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

type Level = 'error' | 'warning' | 'note';
const LEVEL: Readonly<Record<Exclude<ReasonVerdict, 'info'>, Level>> = { fails: 'error', warn: 'warning', unknown: 'note' };

/** The parts of SARIF's object model corecheck writes. */
interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: readonly [SarifRun];
}
interface SarifRun {
  readonly tool: { readonly driver: { readonly name: string; readonly version: string; readonly semanticVersion: string; readonly rules: readonly SarifRule[] } };
  readonly originalUriBaseIds?: Readonly<Record<string, { readonly uri: string }>>;
  readonly columnKind: 'utf16CodeUnits';
  readonly results: readonly SarifResult[];
}
interface SarifRule {
  readonly id: ReasonClass;
  readonly name: string;
  readonly shortDescription: { readonly text: string };
  readonly fullDescription: { readonly text: string };
  readonly help: { readonly text: string; readonly markdown: string };
  readonly defaultConfiguration: { readonly level: Level };
  readonly properties: { readonly tags: readonly string[] };
}
interface SarifLocation {
  readonly id?: number;
  readonly physicalLocation: {
    readonly artifactLocation: ArtifactLocation;
    readonly region?: { readonly startLine: number; readonly startColumn?: number; readonly snippet?: { readonly text: string } };
  };
  readonly logicalLocations?: readonly { readonly name: string; readonly fullyQualifiedName: string; readonly kind: 'function' }[];
  readonly message?: { readonly text: string };
}
interface SarifResult {
  readonly ruleId: ReasonClass;
  readonly ruleIndex: number;
  readonly level: Level;
  readonly message: { readonly text: string };
  readonly locations: readonly SarifLocation[];
  readonly relatedLocations?: readonly SarifLocation[];
  readonly partialFingerprints: Readonly<Record<string, string>>;
  readonly properties: Readonly<Record<string, unknown>>;
}

export function renderSarif(report: Report, opts: SarifOptions): string {
  return JSON.stringify(sarifLog(report, opts), null, 2) + '\n';
}

export function sarifLog(report: Report, opts: SarifOptions): SarifLog {
  const findings = report.objects.flatMap((obj) => objectFindings(obj));
  const classes = [...new Set(findings.map((f) => f.pc.cause.class))];
  const root = sourceRootUri(opts.sourceRoot);
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'corecheck', version: report.tool.version, semanticVersion: report.tool.version, rules: classes.map(ruleOf) } },
      ...(root ? { originalUriBaseIds: { [SRCROOT]: { uri: root } } } : {}),
      columnKind: 'utf16CodeUnits',
      results: findings.map((f) => resultOf(f, classes.indexOf(f.pc.cause.class), opts)),
    }],
  };
}

interface Finding {
  readonly obj: ObjectReport;
  readonly program: ProgramRow;
  readonly pc: ProgramCause;
}

/** Root cause × program, in cause order (most failing pairs first), then program order. */
function objectFindings(obj: ObjectReport): Finding[] {
  const byProgram = new Map(obj.programs.map((p) => [p.name, new Map(programCauses(obj, p.name).map((pc) => [pc.cause.key, pc]))]));
  return obj.causes.filter((c) => c.verdict !== 'info').flatMap((cause) => obj.programs.flatMap((program): Finding[] => {
    const pc = byProgram.get(program.name)!.get(cause.key);
    return pc ? [{ obj, program, pc }] : [];
  }));
}

function ruleOf(cls: ReasonClass): SarifRule {
  const h = CLASS_HELP[cls];
  const fixes = h.fixes.map((f) => `- ${f}`).join('\n');
  return {
    id: cls,
    name: h.name,
    shortDescription: { text: h.summary },
    fullDescription: { text: h.description },
    help: {
      text: `${h.description}\n\nUsual fixes:\n${fixes}`,
      markdown: `${h.description}\n\n**Usual fixes**\n\n${fixes}`,
    },
    defaultConfiguration: { level: LEVEL[h.usually] },
    properties: { tags: ['ebpf', 'kernel-compatibility', ...(cls.startsWith('CORE_') ? ['co-re'] : [])] },
  };
}

/** libbpf prints these lines verbatim; other classes' messages are corecheck's own sentences. */
const LIBBPF_LINE: ReadonlySet<ReasonClass> = new Set(['CORE_RELOCATION', 'CORE_AMBIGUOUS', 'CORE_ERROR']);

function resultOf({ obj, program, pc }: Finding, ruleIndex: number, opts: SarifOptions): SarifResult {
  const { sourceRoot } = opts;
  const cause = pc.cause;
  const logical = [{ name: program.name, fullyQualifiedName: `${obj.name}:${program.name}`, kind: 'function' as const }];
  const [first, ...others] = pc.sites;
  const primary: SarifLocation = first
    ? { physicalLocation: physicalOf(first, sourceRoot), logicalLocations: logical }
    // Code scanning rejects a file with any result that has no physical location: the object it is in.
    : { physicalLocation: { artifactLocation: objectFileLocation(obj.name, sourceRoot, opts.workingDirectory) }, logicalLocations: logical };
  return {
    ruleId: cause.class,
    ruleIndex,
    level: LEVEL[pc.verdict],
    message: { text: messageOf(obj, program, pc) },
    locations: [primary],
    ...(others.length > 0
      ? { relatedLocations: others.map((s, i) => ({ id: i + 1, physicalLocation: physicalOf(s, sourceRoot), message: { text: `another site in ${program.name}` } })) }
      : {}),
    // The object's file name, not its path: the same finding in a checkout elsewhere is the same finding.
    partialFingerprints: { 'corecheckCause/v1': fingerprint(baseName(obj.name), cause.key, program.name) },
    properties: {
      object: obj.name,
      program: program.name,
      section: program.section,
      autoload: program.autoload,
      cause: cause.key,
      verdict: pc.verdict,
      kernels: pc.kernels,
      groups: obj.groups.filter((g) => g.kernels.some((k) => pc.kernels.includes(k))).map((g) => g.id),
      presentOn: cause.presentOn.length,
    },
  };
}

const baseName = (path: string): string => path.replace(/\\/g, '/').split('/').pop()!;

function physicalOf(site: SourceSite, sourceRoot: string): SarifLocation['physicalLocation'] {
  const artifactLocation = sourceFileLocation(site.file, sourceRoot);
  // Line info uses 0 for "unknown"; SARIF lines and columns start at 1.
  if (site.line < 1) return { artifactLocation };
  return { artifactLocation, region: { startLine: site.line, ...(site.column >= 1 ? { startColumn: site.column } : {}), ...(site.text ? { snippet: { text: site.text } } : {}) } };
}

/** Title, where it breaks, libbpf's line, what is different elsewhere, and the fix. */
function messageOf(obj: ObjectReport, program: ProgramRow, pc: ProgramCause): string {
  const cause = pc.cause;
  const parts = [
    `${cause.title}: on ${pc.kernels.length} of ${plural(obj.kernels.length, 'kernel')} checked (${someOf(pc.kernels)}), ${program.name} ${verdictPhrase(pc.verdict)}` +
      (program.autoload ? '.' : ' — its autoload is off, so it does not decide whether the object loads.'),
    `${LIBBPF_LINE.has(cause.class) ? 'libbpf: ' : ''}${LIBBPF_LINE.has(cause.class) ? pc.message : capitalize(pc.message)}${/[.:!?]$/.test(pc.message) ? '' : '.'}`,
  ];
  const elsewhere = changeText(cause);
  if (elsewhere) parts.push(elsewhere);
  if (pc.fixes.length > 0) parts.push(`Fix: ${fixesPhrase(pc.fixes)}.`);
  return parts.join(' ');
}

function changeText(cause: RootCause): string {
  const out: string[] = [];
  if (cause.presentOn.length > 0) out.push(`Not a problem on ${plural(cause.presentOn.length, 'kernel')} (${someOf(cause.presentOn)}).`);
  const change = changePhrase(cause.change);
  if (change) out.push(`${capitalize(change)}.`);
  return out.join(' ');
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
