import { compileFieldReader, listFieldNames } from '../event/fields.js';
import type { FieldReader } from '../event/fields.js';
import { compileWildcardParts } from '../event/wildcard.js';
import type { EcsEvent } from '../event/types.js';
import type { KqlField } from './ast.js';

/** Tests the values of a field (all of them at once, so `exists` can look at objects too). */
export type ValuesTest = (values: readonly unknown[]) => boolean;

/** A field clause: true when the field's values pass the test. */
export type FieldClause = (event: EcsEvent) => boolean;

/** Enough distinct names for any ECS document; beyond it readers are compiled per use, not kept. */
const PATTERN_READER_CACHE_LIMIT = 4096;

/**
 * Compiles `field` + a test of its values into a predicate. An exact name reads one path (SPEC §C).
 * A pattern (`file.hash.*`) expands against the event's own flattened field names, and holds
 * when any matching field passes (Elasticsearch expands a wildcard field name into a `should`
 * over the matching fields, SPEC §B.1).
 */
export function compileFieldClause(field: KqlField, test: ValuesTest): FieldClause {
  if (field.kind === 'name') {
    const read = compileFieldReader(field.name);
    return (event) => test(read(event));
  }
  const nameMatches = compileWildcardParts(field.parts, false);
  const readers = new Map<string, FieldReader>();
  const readerFor = (name: string): FieldReader => {
    let reader = readers.get(name);
    if (reader === undefined) {
      reader = compileFieldReader(name);
      if (readers.size < PATTERN_READER_CACHE_LIMIT) readers.set(name, reader);
    }
    return reader;
  };
  return (event) => {
    for (const name of listFieldNames(event)) {
      if (nameMatches(name) && test(readerFor(name)(event))) return true;
    }
    return false;
  };
}

/** True when any scalar leaf anywhere in the event passes (free text, SPEC §B.1). */
export function anyLeaf(node: unknown, test: (value: unknown) => boolean): boolean {
  if (node === null || node === undefined) return false;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) if (anyLeaf(node[i], test)) return true;
    return false;
  }
  if (typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    for (const key in obj) {
      if (Object.prototype.hasOwnProperty.call(obj, key) && anyLeaf(obj[key], test)) return true;
    }
    return false;
  }
  return test(node);
}
