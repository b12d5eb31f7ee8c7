import { NO_REQUIREMENTS } from '../../event/requirements.js';
import { MAX_NESTING } from '../../event/fields.js';
import { isJsonObject } from '../../event/types.js';
import type { FieldTypeTable } from '../../fieldTypes/index.js';
import { ANY } from '../../prefilter/needles.js';
import type { KqlValue } from '../ast.js';
import type { ValueTest } from '../fieldAccess.js';
import type { KqlNodeKind, KqlNodeOf } from './kind.js';
import { typedValueTest, valueTestOf } from './is.js';

/** Enough distinct field paths for any ECS document; beyond it tests are compiled per use, not kept. */
const PATH_CACHE_LIMIT = 4096;

/**
 * A value with no field (`"hello world"`, `hello*`): Kibana sends a `multi_match` (a
 * `query_string` with `*`) over every field, `lenient: true` (kbn-es-query `kuery/functions/is.ts`),
 * so it matches when any field of the event, or one of its multi-fields, matches it as
 * `field:value` would, at any depth (SPEC §B.1); a field whose type cannot read the value (`hello`
 * on a long) just does not match.
 */
export const freeTextKind: KqlNodeKind<KqlNodeOf<'freeText'>> = {
  compile(node, ctx) {
    const testOf = compilePathTests(ctx.fieldTypes, ctx.pathPrefix, node.value, ctx.now);
    return (event) => anyLeaf(event, '', testOf);
  },
  // The value must be some leaf of the line, so `is`'s need of it would be as safe on keywords;
  // free text is rare in rules and has never given one. `ANY` is always safe.
  need: () => ANY,
  requirements: () => NO_REQUIREMENTS,
};

/** The test of the value on the field at `path` (relative to `prefix`), by every field that indexes it. */
function compilePathTests(table: FieldTypeTable, prefix: string, value: KqlValue, nowMs: number): (path: string) => ValueTest {
  const untyped = valueTestOf([value]);
  const cache = new Map<string, ValueTest>();
  return (path) => {
    let test = cache.get(path);
    if (test !== undefined) return test;
    const tests = table.indexing(prefix + path).map((field) => (field.type.type === 'dynamic' ? untyped : typedValueTest(field, [value], nowMs, true)));
    test = tests.length === 1 ? tests[0]! : (v) => tests.some((t) => t(v));
    if (cache.size < PATH_CACHE_LIMIT) cache.set(path, test);
    return test;
  };
}

/**
 * True when any scalar leaf anywhere in the event passes the test of its field path (free text,
 * SPEC §B.1). Array elements share their array's path. Nothing deeper than MAX_NESTING levels is
 * looked at (see fields.ts).
 */
function anyLeaf(node: unknown, path: string, testOf: (path: string) => ValueTest, depth = 0): boolean {
  if (node === null || node === undefined || depth > MAX_NESTING) return false;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) if (anyLeaf(node[i], path, testOf, depth + 1)) return true;
    return false;
  }
  if (isJsonObject(node)) {
    for (const key in node) {
      if (Object.prototype.hasOwnProperty.call(node, key) && anyLeaf(node[key], path === '' ? key : `${path}.${key}`, testOf, depth + 1)) return true;
    }
    return false;
  }
  return testOf(path)(node);
}
