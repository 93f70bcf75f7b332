// Report formats: `corecheck check --format json|sarif|junit|markdown` on the openat2 example (the
// seed case: openat2_e fails on CentOS 8 el8_1, its guarded twin loads) and on a libbpf-tools
// binary (/usr/sbin/biolatency, skeleton-embedded), each format checked against the JSON report
// of the same run: JSON against schema/report.schema.json, SARIF against the official SARIF 2.1.0
// schema, JUnit through a real XML parser. A constructed report covers what real objects rarely
// show together (autoload off, no source line, text XML and Markdown must escape).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Report } from '../src/report/model.js';
import { renderJunit } from '../src/report/junit.js';
import { mdCode, mdText, renderMarkdown } from '../src/report/markdown.js';
import { renderSarif } from '../src/report/sarif.js';
import { objectFileLocation, sourceFileLocation } from '../src/report/source-uri.js';
import { fingerprint } from '../src/report/fingerprint.js';
import { escapeXmlAttr, escapeXmlText } from '../src/report/xml.js';
import { CORPUS_KERNELS, REPO } from './helpers/inputs.js';
import { NEW, OLD, sampleReport } from './helpers/sample-report.js';
import { errorsOf, reportValidator, sarifValidator } from './helpers/validators.js';

const CLI = join(REPO, 'dist/cli/main.js');
const OPENAT2 = 'examples/openat2/openat2.bpf.o';
const BIOLATENCY = '/usr/sbin/biolatency';
const EL8 = 'centos/8/aarch64/4.18.0-147.5.1.el8_1.aarch64';
const archive = (label: string): string => join(CORPUS_KERNELS, `${label}.btf.tar.xz`);
const FLEET = [EL8, 'debian/11/x86_64/5.10.0-32-amd64', 'debian/12/x86_64/6.1.0-57-amd64', 'debian/13/x86_64/6.12.107+deb13-amd64'];
const INPUTS = {
  openat2: ['check', OPENAT2, '--arch', 'all', '--source-root', 'examples/openat2', ...FLEET.flatMap((k) => ['--kernel', archive(k)])],
  biolatency: ['check', BIOLATENCY, '--arch', 'all', ...[EL8, 'debian/12/x86_64/6.1.0-57-amd64'].flatMap((k) => ['--kernel', archive(k)])],
} as const;
type Input = keyof typeof INPUTS;
const FORMATS = ['json', 'sarif', 'junit', 'markdown'] as const;
type Format = (typeof FORMATS)[number];

interface Run { readonly status: number; readonly stdout: string; readonly stderr: string }

async function cli(args: readonly string[]): Promise<Run> {
  try {
    const r = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 });
    return { status: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof x.code !== 'number') throw e;
    return { status: x.code, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}

/** Every (input, format) run, two at a time (the machine has two cores). */
const runs = new Map<string, Run>();
const out = (input: Input, format: Format): string => {
  const r = runs.get(`${input}/${format}`)!;
  // the seed case and el8_1's missing helpers fail the default gate: exit 1, and a report all the same
  assert.equal(r.status, 1, r.stderr);
  return r.stdout;
};
const reportOf = (input: Input): Report => JSON.parse(out(input, 'json')) as Report;

/** The same openat2 run restricted by --require to x86_64 kernels (el8_1 is arm64): the gate passes. */
let requiredX86: Run;
/** openat2 again, kernels in another order, from another working directory: fingerprints must not move. */
let reordered: Run;

before(async () => {
  if (!existsSync(BIOLATENCY)) throw new Error(`${BIOLATENCY} (Debian's bpfcc-tools, libbpf-tools build) is needed`);
  const jobs: (() => Promise<void>)[] = [];
  for (const input of Object.keys(INPUTS) as Input[]) {
    for (const format of FORMATS) jobs.push(async () => { runs.set(`${input}/${format}`, await cli([...INPUTS[input], '--format', format])); });
  }
  jobs.push(async () => { requiredX86 = await cli([...INPUTS.openat2, '--format', 'junit', '--require', 'arch=x86_64']); });
  jobs.push(async () => {
    const args = ['check', join(REPO, OPENAT2), '--arch', 'all', '--source-root', join(REPO, 'examples/openat2'), '--format', 'sarif', ...[...FLEET].reverse().flatMap((k) => ['--kernel', archive(k)])];
    const r = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd: '/', encoding: 'utf8', maxBuffer: 1 << 28 }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    reordered = { status: typeof r === 'object' && 'code' in r ? r.code : 0, stdout: r.stdout, stderr: r.stderr };
  });
  const worker = async (): Promise<void> => { for (let job = jobs.shift(); job; job = jobs.shift()) await job(); };
  await Promise.all([worker(), worker()]);
});

/** (object, program, cause) triples where the cause keeps the program from loading cleanly: from the JSON report's per-kernel details. */
function actingTriples(report: Report): Map<string, { class: string; verdict: string }> {
  const rank: Record<string, number> = { fails: 0, unknown: 1, warn: 2 };
  const triples = new Map<string, { class: string; verdict: string }>();
  for (const obj of report.objects) {
    for (const d of obj.details) {
      for (const p of d.programs) {
        for (const r of p.reasons) {
          if (r.verdict === 'info') continue;
          const key = `${obj.name}\0${p.name}\0${r.cause}`;
          const seen = triples.get(key);
          if (!seen || rank[r.verdict] < rank[seen.verdict]) triples.set(key, { class: r.class, verdict: r.verdict });
        }
      }
    }
  }
  return triples;
}

test('json: real reports validate against schema/report.schema.json, and reports that break the model do not', () => {
  const validate = reportValidator();
  for (const input of ['openat2', 'biolatency'] as const) {
    const report = reportOf(input);
    assert.ok(validate(report), `${input}: ${errorsOf(validate)}`);
  }
  const base = reportOf('openat2');
  assert.ok(base.objects[0].causes.length >= 2, 'openat2 on el8_1 has causes to mutate');
  const broken: [string, (r: any) => void][] = [
    ['an unknown field on a cause', (r) => { r.objects[0].causes[0].extra = 1; }],
    ['a verdict outside the enum', (r) => { r.objects[0].groups[0].verdict = 'broken'; }],
    ['a class outside the enum', (r) => { r.objects[0].causes[0].class = 'CORE_SOMETHING'; }],
    ['a missing required field', (r) => { delete r.objects[0].causes[0].guardedPrograms; }],
    ['a subject of an unknown kind', (r) => { r.objects[0].causes[0].subject = { kind: 'mystery' }; }],
    ['a core subject without its path', (r) => { delete r.objects[0].causes.find((c: any) => c.subject.kind === 'core').subject.core.path; }],
    ['a null where the model has a string', (r) => { r.tool.version = null; }],
    ['another schema version', (r) => { r.schemaVersion = 2; }],
  ];
  for (const [what, mutate] of broken) {
    const copy = structuredClone(base) as any;
    mutate(copy);
    assert.equal(validate(copy), false, `${what} must be rejected`);
  }
});

test('json: the constructed report (autoload off, no BTF, no source line) validates too', () => {
  const validate = reportValidator();
  assert.ok(validate(JSON.parse(JSON.stringify(sampleReport()))), errorsOf(validate));
});

test('sarif: real reports validate against the official SARIF 2.1.0 schema; broken copies do not', () => {
  const validate = sarifValidator();
  for (const input of ['openat2', 'biolatency'] as const) {
    const sarif: any = JSON.parse(out(input, 'sarif'));
    assert.ok(validate(sarif), `${input}: ${errorsOf(validate)}`);
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
  }
  const base = JSON.parse(out('openat2', 'sarif'));
  const broken: [string, (s: any) => void][] = [
    ['a level SARIF does not have', (s) => { s.runs[0].results[0].level = 'fatal'; }],
    ['line 0', (s) => { s.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0; }],
    ['a result without a message', (s) => { delete s.runs[0].results[0].message; }],
    ['a URI that is no URI reference', (s) => { s.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'a b\\c'; }],
    ['another version', (s) => { s.version = '2.0.0'; }],
  ];
  for (const [what, mutate] of broken) {
    const copy = structuredClone(base);
    mutate(copy);
    assert.equal(validate(copy), false, `${what} must be rejected`);
  }
});

test('sarif: one result per root cause × program it breaks (guarded sites none), ruleId its class, level from that program\'s verdict', () => {
  const level: Record<string, string> = { fails: 'error', warn: 'warning', unknown: 'note' };
  for (const input of ['openat2', 'biolatency'] as const) {
    const report = reportOf(input);
    const run = JSON.parse(out(input, 'sarif')).runs[0];
    const expected = actingTriples(report);
    const got = new Map<string, { class: string; verdict: string }>();
    for (const r of run.results) {
      const key = `${r.properties.object}\0${r.properties.program}\0${r.properties.cause}`;
      assert.ok(!got.has(key), `one result per cause × program: ${key}`);
      got.set(key, { class: r.ruleId, verdict: r.properties.verdict });
      assert.equal(r.level, level[r.properties.verdict]);
      assert.equal(run.tool.driver.rules[r.ruleIndex].id, r.ruleId);
      const cause = report.objects.find((o) => o.name === r.properties.object)!.causes.find((c) => c.key === r.properties.cause)!;
      assert.ok(r.message.text.startsWith(`${cause.title}: `), r.message.text);
      assert.ok(r.locations[0].physicalLocation.artifactLocation.uri, 'code scanning rejects results without a physical location');
    }
    assert.deepEqual(new Map([...got].sort()), new Map([...expected].sort()), input);
    assert.deepEqual(run.tool.driver.rules.map((r: { id: string }) => r.id).sort(), [...new Set([...expected.values()].map((v) => v.class))].sort());
    for (const rule of run.tool.driver.rules) {
      assert.ok(rule.shortDescription.text && rule.fullDescription.text && rule.help.text && rule.help.markdown, rule.id);
    }
  }
});

test('sarif: the seed case points at openat2.bpf.c:108:17 relative to --source-root, says libbpf\'s line, and leaves the guarded twin out', () => {
  const results = JSON.parse(out('openat2', 'sarif')).runs[0].results;
  const core = results.find((r: any) => r.ruleId === 'CORE_RELOCATION' && r.properties.program === 'openat2_e');
  assert.ok(core, 'openat2_e CORE_RELOCATION result');
  const loc = core.locations[0].physicalLocation;
  assert.deepEqual(loc.artifactLocation, { uri: 'openat2.bpf.c', uriBaseId: '%SRCROOT%' });
  assert.ok(existsSync(join(REPO, 'examples/openat2', loc.artifactLocation.uri)), 'the URI names the source file under the source root');
  assert.equal(loc.region.startLine, 108);
  assert.equal(loc.region.startColumn, 17);
  assert.match(core.message.text, /libbpf: failed to resolve CO-RE relocation <byte_off> \[\d+\] struct open_how\.flags/);
  assert.match(core.message.text, /centos\/8\/arm64\/4\.18\.0-147\.5\.1\.el8_1\.aarch64/);
  assert.match(core.message.text, /Fix: guard the access with bpf_core_type_exists\(struct open_how\)/);
  assert.equal(results.filter((r: any) => r.properties.program === 'openat2_guarded').length, 0);
  // biolatency's line info names absolute build paths outside the source root: absolute file URIs
  for (const r of JSON.parse(out('biolatency', 'sarif')).runs[0].results) {
    const uri: string = r.locations[0].physicalLocation.artifactLocation.uri;
    assert.ok(uri.startsWith('file:///build/') || uri === 'file:///usr/sbin/biolatency', uri);
  }
});

test('sarif: fingerprints are stable across runs (kernel order, working directory) and distinct per cause × program', () => {
  const fingerprints = (text: string): Map<string, string> => new Map(JSON.parse(text).runs[0].results
    .map((r: any) => [`${r.properties.program}\0${r.properties.cause}`, r.partialFingerprints['corecheckCause/v1']]));
  assert.equal(reordered.status, 1, reordered.stderr);
  const a = fingerprints(out('openat2', 'sarif'));
  assert.deepEqual(fingerprints(reordered.stdout), a);
  assert.equal(new Set(a.values()).size, a.size);
  for (const f of a.values()) assert.match(f, /^[0-9a-f]{16}$/);
});

test('junit: counts and failure messages agree with the JSON report of the same run', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) });
  for (const input of ['openat2', 'biolatency'] as const) {
    const xml = out(input, 'junit');
    assert.equal(XMLValidator.validate(xml), true);
    const report = reportOf(input);
    const doc = parser.parse(xml);
    const suites = doc.testsuites.testsuite;
    assert.equal(suites.length, report.objects.length);
    let failing = 0;
    report.objects.forEach((obj, i) => {
      const suite = suites[i];
      assert.equal(suite.name, obj.name);
      assert.equal(Number(suite.tests), obj.programs.length * obj.groups.length);
      assert.equal(suite.testcase.length, Number(suite.tests));
      assert.equal(suite.errors, '0');
      // without --require and with --fail-on fails: a failure per (autoload program, group) whose verdict is fails
      const pairs = obj.programs.flatMap((p) => obj.groups.map((g, gi) => ({ p, g, v: p.verdicts[gi] })));
      const failures = pairs.filter(({ p, v }) => v === 'fails' && p.autoload);
      assert.equal(Number(suite.failures), failures.length);
      assert.equal(Number(suite.skipped), pairs.filter(({ p, v }) => v === 'fails' && !p.autoload).length);
      failing += failures.length;
      for (const { p, g } of failures) {
        const tc = suite.testcase.find((t: any) => t.name === `${p.name} on ${g.id}: ${g.title}`);
        assert.ok(tc?.failure, `${p.name} on ${g.id} fails`);
        assert.equal(tc.classname, obj.name);
        const cause = obj.causes.find((c) => c.title === tc.failure.message);
        assert.ok(cause, `failure message '${tc.failure.message}' is a root cause title`);
        assert.ok(cause.programs.includes(p.name), `${cause.title} is a cause of ${p.name}`);
        assert.equal(tc.failure.type, cause.class);
        for (const k of g.kernels) assert.ok(tc.failure['#text'].includes(k), `the group's kernel ${k} is listed`);
        assert.ok(tc.failure['#text'].includes(cause.message.slice(0, 40)), 'libbpf\'s line is in the body');
      }
      for (const tc of suite.testcase) {
        const pair = pairs.find(({ p, g }) => tc.name === `${p.name} on ${g.id}: ${g.title}`);
        assert.ok(pair, tc.name);
        if (pair.v === 'loads') assert.equal(tc.failure ?? tc.skipped, undefined, tc.name);
      }
    });
    assert.ok(failing > 0, `${input} fails somewhere (el8_1)`);
    assert.equal(Number(doc.testsuites.failures), failing);
  }
});

test('junit: with --require arch=x86_64 the arm64 el8_1 failures are skipped, not failures, as the gate passes', () => {
  assert.equal(requiredX86.status, 0, requiredX86.stderr);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(requiredX86.stdout);
  assert.equal(doc.testsuites.failures, '0');
  const skipped = Number(doc.testsuites.skipped);
  const report = reportOf('openat2');
  assert.equal(skipped, report.objects[0].programs.flatMap((p) => p.verdicts).filter((v) => v === 'fails').length);
  assert.ok(skipped > 0);
  assert.match(requiredX86.stdout, /<skipped message="no kernel of group A is required by the gate \(--require arch=x86_64\)/);
});

test('markdown: the root-cause table has a header, a separator and one row per cause that is not info; the matrix one row per program that does not load everywhere', () => {
  for (const input of ['openat2', 'biolatency'] as const) {
    const md = out(input, 'markdown');
    const report = reportOf(input);
    assert.match(md, /^\*\*Gate: failed\.\*\*/m);
    const sections = md.split(/^## /m).slice(1);
    assert.equal(sections.length, report.objects.length);
    report.objects.forEach((obj, i) => {
      const section = sections[i];
      assert.ok(section.startsWith(mdCode(obj.name)));
      const lines = section.split('\n');
      const head = lines.indexOf('| # | cause | verdict | programs | kernels broken | where present | source | fix |');
      assert.ok(head > 0, 'cause table header');
      assert.match(lines[head + 1], /^\|( *:?-+:? *\|){8}$/);
      const causes = obj.causes.filter((c) => c.verdict !== 'info');
      const rows = lines.slice(head + 2).filter((l, j, all) => all.slice(0, j + 1).every((x) => x.startsWith('|')));
      assert.equal(rows.length, causes.length);
      rows.forEach((row, j) => {
        assert.ok(row.startsWith(`| ${j + 1} | ${mdCode(causes[j].title)} `), row);
        // 8 cells: 9 pipes that are not escaped
        assert.equal(row.match(/(?<!\\)\|/g)!.length, 9, row);
      });
      const matrixHead = lines.indexOf(`| program | ${obj.groups.map((g) => g.id).join(' | ')} |`);
      assert.ok(matrixHead > 0, 'matrix header');
      const broken = obj.programs.filter((p) => p.verdicts.some((v) => v !== 'loads'));
      const matrix = lines.slice(matrixHead + 3).filter((l, j, all) => all.slice(0, j + 1).every((x) => x.startsWith('|')));
      assert.equal(lines[matrixHead + 2], `| **object** | ${obj.groups.map((g) => ({ loads: '✓', fails: '✗', warn: '!', unknown: '?' })[g.verdict]).join(' | ')} |`);
      assert.deepEqual(matrix.map((l) => l.split(' | ')[0].slice(2)), broken.map((p) => mdCode(p.name) + (p.autoload ? '' : ' (autoload off)')));
      assert.match(section, /✓ loads · ✗ fails/);
      for (const g of obj.groups) assert.ok(section.includes(`- **${g.id}** `), `group key ${g.id}`);
      const verdicts = obj.groups.map((g) => g.verdict);
      if (verdicts.includes('fails')) assert.match(section, /\*\*fails\*\* on A/);
    });
  }
});

// The constructed report: cases the real inputs above do not have.

test('constructed: SARIF places findings without a source line at the object file, normalizes paths, and validates', () => {
  const report = sampleReport();
  const sarif: any = JSON.parse(renderSarif(report, { sourceRoot: '/src/project' }));
  const validate = sarifValidator();
  assert.ok(validate(sarif), errorsOf(validate));
  const results = sarif.runs[0].results;
  const byProgram = (cls: string, program: string): any => results.find((r: any) => r.ruleId === cls && r.properties.program === program);
  assert.deepEqual(byProgram('ATTACH_TARGET_MISSING', 'optional').locations[0].physicalLocation, { artifactLocation: { uri: 'build/demo.bpf.o', uriBaseId: '%SRCROOT%' } });
  assert.deepEqual(byProgram('ATTACH_TARGET_MISSING', 'optional').locations[0].logicalLocations[0].name, 'optional');
  assert.equal(byProgram('ATTACH_TARGET_MISSING', 'prober').level, 'warning');
  const helper = byProgram('HELPER_UNAVAILABLE', 'opener').locations[0].physicalLocation;
  assert.deepEqual(helper.artifactLocation, { uri: 'demo.bpf.c', uriBaseId: '%SRCROOT%' }, '/src/project/sub/../demo.bpf.c under the root');
  // two sites of one cause in one program: one result, the second a related location
  const core = results.filter((r: any) => r.ruleId === 'CORE_RELOCATION');
  assert.deepEqual(core.map((r: any) => r.properties.program), ['opener']);
  assert.equal(core[0].relatedLocations[0].physicalLocation.region.startLine, 112);
  assert.equal(sarif.runs[0].originalUriBaseIds['%SRCROOT%'].uri, 'file:///src/project/');
  assert.match(byProgram('ATTACH_TARGET_MISSING', 'optional').message.text, /autoload is off/);
  // line info's line 0 ("no line") and column 0 ("no column"): no region, no column; SARIF counts from 1
  const unplaced = structuredClone(report) as any;
  for (const d of unplaced.objects[0].details) for (const p of d.programs) for (const r of p.reasons) if (r.source) r.source = { ...r.source, line: r.source.line === 108 ? 0 : r.source.line, column: 0 };
  const again: any = JSON.parse(renderSarif(unplaced, { sourceRoot: '/src/project' }));
  assert.ok(validate(again), errorsOf(validate));
  const opener = again.runs[0].results.find((r: any) => r.ruleId === 'CORE_RELOCATION').locations[0].physicalLocation;
  assert.equal(opener.region, undefined);
  assert.equal(again.runs[0].results.find((r: any) => r.ruleId === 'HELPER_UNAVAILABLE').locations[0].physicalLocation.region.startColumn, undefined);
});

test('constructed: JUnit skips autoload-off failures, passes warnings below --fail-on, fails them at --fail-on warn, and escapes what XML 1.0 cannot hold', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testcase' });
  const cases = (xml: string): Map<string, any> => new Map(parser.parse(xml).testsuites.testsuite.testcase.map((t: any) => [t.name.split(':')[0], t]));
  const atFails = renderJunit(sampleReport('fails'));
  assert.equal(XMLValidator.validate(atFails), true);
  assert.doesNotMatch(atFails, /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/, 'no character XML 1.0 forbids');
  const c = cases(atFails);
  assert.ok(c.get('optional on B').skipped, 'autoload off: skipped');
  assert.match(c.get('optional on B').skipped.message, /autoload is off/);
  assert.equal(c.get('prober on B').failure, undefined, 'a warning passes under --fail-on fails');
  assert.match(c.get('prober on B')['system-out'], /vfs_open\|x/);
  assert.equal(c.get('opener on B').failure.message, 'struct open_how');
  assert.match(c.get('opener on B').failure['#text'], /a < b && "q" \ufffd/, 'escaped text comes back as it was (the control character replaced)');
  const atWarn = cases(renderJunit(sampleReport('warn')));
  assert.equal(atWarn.get('prober on B').failure.message, 'vfs_open|x');
  assert.equal(atWarn.get('prober on B').failure.type, 'ATTACH_TARGET_MISSING');
  // only the newest kernel required: nothing fails on it, everything that fails elsewhere is skipped
  const onlyNew = parser.parse(renderJunit(sampleReport('fails', [`label=${NEW}`]))).testsuites;
  assert.equal(onlyNew.failures, '0');
  assert.ok(Number(onlyNew.skipped) > 0);
});

test('constructed: Markdown escapes cell text (| and newlines, tag-like text) and says the gate', () => {
  const md = renderMarkdown(sampleReport());
  const row = md.split('\n').find((l) => l.includes('vfs_open'))!;
  assert.equal(row.match(/(?<!\\)\|/g)!.length, 9, row);
  assert.equal(mdText('a|b\nc <d> *e*'), 'a\\|b c \\<d\\> \\*e\\*');
  assert.equal(mdCode('a`b|c'), '``a`b\\|c``');
  assert.match(md, /\*\*Gate: failed\.\*\* 2 of 4 required/);
  assert.match(md, /\| `optional` \(autoload off\) \| ✗ \| ✗ \| ✓ \| ✓ \|/);
  assert.match(renderMarkdown(sampleReport('fails', [`label=${NEW}`])), /\*\*Gate: passed\.\*\*/);
  void OLD;
});

test('source URIs: relative line-info paths stay relative to the root, absolute ones under it are made relative, others are file URIs', () => {
  const cases: [string, string, { uri: string; uriBaseId?: string }][] = [
    ['./openat2.bpf.c', '/repo', { uri: 'openat2.bpf.c', uriBaseId: '%SRCROOT%' }],
    ['/repo/src/./a.bpf.c', '/repo', { uri: 'src/a.bpf.c', uriBaseId: '%SRCROOT%' }],
    ['/repo/src/../include/x.h', '/repo/', { uri: 'include/x.h', uriBaseId: '%SRCROOT%' }],
    ['/repository/a.c', '/repo', { uri: 'file:///repository/a.c' }],
    ['/build/bpfcc-0.26.0+ds/libbpf-tools/./core_fixes.bpf.h', '/repo', { uri: 'file:///build/bpfcc-0.26.0%2Bds/libbpf-tools/core_fixes.bpf.h' }],
    ['C:\\src\\a b.c', 'C:\\src', { uri: 'a%20b.c', uriBaseId: '%SRCROOT%' }],
    ['../common/x.h', '.', { uri: '../common/x.h', uriBaseId: '%SRCROOT%' }],
  ];
  for (const [file, root, want] of cases) assert.deepEqual(sourceFileLocation(file, root), want, file);
  assert.deepEqual(objectFileLocation('/usr/sbin/biolatency@0x38630', '/repo'), { uri: 'file:///usr/sbin/biolatency' });
  assert.deepEqual(objectFileLocation('build/x.bpf.o', '/repo', '/repo/sub'), { uri: 'sub/build/x.bpf.o', uriBaseId: '%SRCROOT%' });
});

test('XML escaping and fingerprints are what they claim', () => {
  // htmlEntities: decode character references (&#9;), as any conforming XML parser does
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', htmlEntities: true });
  const nasty = 'a<b>&"c\' \u0001\ud800 tab\tnl\n';
  const doc = parser.parse(`<r a="${escapeXmlAttr(nasty)}">${escapeXmlText(nasty)}</r>`);
  assert.equal(doc.r.a, 'a<b>&"c\' \ufffd\ufffd tab\tnl\n');
  assert.equal(doc.r['#text'], 'a<b>&"c\' \ufffd\ufffd tab\tnl');
  assert.equal(fingerprint(''), 'cbf29ce484222325', 'FNV-1a offset basis for no input');
  assert.equal(fingerprint('a'), '089be207b544f1e4', 'FNV-1a of the bytes 61 00 ("a" as a UTF-16 code unit, low byte first)');
  assert.notEqual(fingerprint('ab', 'c'), fingerprint('a', 'bc'));
});
