import { compileFieldTester, listFieldNames } from '../event/fields.js';
import type { FieldTester } from '../event/fields.js';
import { compileWildcardParts } from '../event/wildcard.js';
import type { EcsEvent } from '../event/types.js';
import type { KqlField } from './ast.js';

/** One test for any event value (unknown: objects never match, SPEC §C), specialised at compile time. */
export type ValueTest = (value: unknown) => boolean;

/** A field clause: true when any value of the field passes. */
export type FieldClause = (event: EcsEvent) => boolean;

/** Enough distinct names for any ECS document; beyond it testers are compiled per use, not kept. */
const PATTERN_TESTER_CACHE_LIMIT = 4096;

/**
 * Compiles `field` + a test of one value into "any value of the field passes" (SPEC §B.3). An
 * exact name reads one path (SPEC §C). A pattern (`file.hash.*`) expands against the event's own
 * flattened field names and holds when any matching field passes (Elasticsearch expands a
 * wildcard field name into a `should` over the matching fields, SPEC §B.1).
 */
export function compileFieldClause(field: KqlField, test: ValueTest): FieldClause {
  if (field.kind === 'name') {
    const tester = compileFieldTester(field.name);
    return (event) => tester(event, test);
  }
  const nameMatches = compileWildcardParts(field.parts, false);
  const testers = new Map<string, FieldTester>();
  const testerFor = (name: string): FieldTester => {
    let tester = testers.get(name);
    if (tester === undefined) {
      tester = compileFieldTester(name);
      if (testers.size < PATTERN_TESTER_CACHE_LIMIT) testers.set(name, tester);
    }
    return tester;
  };
  return (event) => {
    for (const name of listFieldNames(event)) {
      if (nameMatches(name) && testerFor(name)(event, test)) return true;
    }
    return false;
  };
}
