// Validates a SARIF log against the official OASIS SARIF 2.1.0 JSON schema
// (test/fixtures/sarif-schema-2.1.0.json, draft-07), formats included (uri, uri-reference, date-time).
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';

const schema: unknown = JSON.parse(readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8'));
// strict: false because the schema uses `default` values and keywords ajv's strict mode flags
// (for example `uniqueItems` without `type`), which are valid draft-07.
const ajv = new Ajv({ allErrors: true, strict: false });
// ajv-formats is CommonJS: the default import is its module.exports, the plugin, which also
// carries itself as `.default` — the name TypeScript's NodeNext typing knows it by.
ajvFormats.default(ajv);
const validate = ajv.compile(schema as object);

/** Every schema violation as `path: message`; empty when the log is valid. */
export function sarifSchemaErrors(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);
}
