// Validates documents against the JSON schemas of test/fixtures written from published formats:
// the ATT&CK Navigator layer (navigator/layer-4.5.schema.json) and Kibana's rule import
// (kibana/rule-import.schema.json); each schema's $comment names its source.
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<string, ValidateFunction>();

function validator(fixture: string): ValidateFunction {
  let validate = compiled.get(fixture);
  if (validate === undefined) {
    const schema: unknown = JSON.parse(readFileSync(new URL(`../fixtures/${fixture}`, import.meta.url), 'utf8'));
    validate = ajv.compile(schema as object);
    compiled.set(fixture, validate);
  }
  return validate;
}

/** Every violation of the schema in test/fixtures/`fixture` as `path: message`; empty when valid. */
export function schemaErrors(fixture: string, doc: unknown): string[] {
  const validate = validator(fixture);
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}
