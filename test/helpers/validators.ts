// JSON Schema validators the format tests check output with: the report's own schema (draft
// 2020-12) and the official SARIF 2.1.0 schema as @microsoft/jest-sarif ships it (draft-04).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { REPO } from './inputs.js';

// CommonJS modules seen from ESM: the module is the class, which also carries itself as `default`
// (what their typings describe).
const Ajv2020 = Ajv2020Module.default;
const AjvDraft04 = AjvDraft04Module.default;
const addFormats = addFormatsModule.default;

export const REPORT_SCHEMA_PATH = join(REPO, 'schema/report.schema.json');
export const SARIF_SCHEMA_PATH = join(REPO, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

/** A validator that does not narrow what it checks (assert.ok(validate(x)) would make x `unknown`). */
export type Validator = ValidateFunction<any>;

export function reportValidator(): Validator {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  return ajv.compile<any>(readJson(REPORT_SCHEMA_PATH));
}

export function sarifValidator(): Validator {
  // The official schema predates strict mode (it would reject its unknown keywords), and its
  // `language` pattern (`...{2}]?$`, a stray bracket) is invalid as a Unicode regular expression:
  // compile patterns without the `u` flag, as a draft-04 validator of its day did. Formats are checked.
  const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile<any>(readJson(SARIF_SCHEMA_PATH));
}

/** Ajv's errors as lines, for assertion messages. */
export const errorsOf = (v: Validator): string =>
  (v.errors ?? []).slice(0, 10).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`).join('\n');
