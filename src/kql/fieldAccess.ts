import { MAX_NESTING, compileFieldTester, listFieldNames } from '../event/fields.js';
import type { FieldTester } from '../event/fields.js';
import { compileWildcardParts } from '../event/wildcard.js';
import type { EcsEvent } from '../event/types.js';
import type { KqlField } from './ast.js';
import type { ValueTest } from './valueSet.js';

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

/**
 * True when any scalar leaf anywhere in the event passes (free text, SPEC §B.1). Nothing deeper
 * than MAX_NESTING levels is looked at (see fields.ts).
 */
export function anyLeaf(node: unknown, test: (value: unknown) => boolean, depth = 0): boolean {
  if (node === null || node === undefined || depth > MAX_NESTING) return false;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) if (anyLeaf(node[i], test, depth + 1)) return true;
    return false;
  }
  if (typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    for (const key in obj) {
      if (Object.prototype.hasOwnProperty.call(obj, key) && anyLeaf(obj[key], test, depth + 1)) return true;
    }
    return false;
  }
  return test(node);
}
