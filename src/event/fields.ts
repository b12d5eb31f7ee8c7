import type { EcsEvent, Scalar } from './types.js';

/**
 * Reads every value of one field, as Elasticsearch sees it once the document is indexed (SPEC §C):
 * dotted keys and nested objects are the same path and merge, arrays (also arrays of objects)
 * flatten, and `null` / `[]` / `[null]` contribute nothing. Objects found where a leaf is expected
 * are returned too (an object field "exists" for `field:*`), but never compare equal to a literal.
 */
export type FieldReader = (event: EcsEvent) => readonly unknown[];

/** Splits a field name into its path segments. Backtick-quoted EQL segments are resolved by the parser. */
export function splitFieldPath(path: string): string[] {
  return path.split('.');
}

/**
 * Compiles a reader for one field path: every value, in document order (SPEC §C). The array
 * returned is shared between callers, hence `readonly`.
 *
 * Readers are shared per path and remember the last event they read: a pack of 2,000 rules
 * reads `process.name` or `host.os.type` hundreds of times per event, and walking the event
 * (and allocating the values) once per event instead of once per rule made such packs ~3x faster.
 */
export function compileFieldReader(path: string | readonly string[], nullValue?: string): FieldReader {
  // `['process', 'name']` (EQL) and `'process.name'` (KQL, the dispatch) are one path and share a
  // reader; a segment with a dot in it (EQL backticks) is not split and keeps its own.
  const text = typeof path === 'string' ? path : path.some((p) => p.includes('.')) ? JSON.stringify(path) : path.join('.');
  const key = text + (nullValue === undefined ? '' : `\u0000${nullValue}`);
  let reader = sharedReaders.get(key);
  if (reader === undefined) {
    reader = memoizedReader(compileFieldTester(path, nullValue));
    sharedReaders.set(key, reader);
  }
  return reader;
}

const sharedReaders = new Map<string, FieldReader>();

/**
 * A FieldTester over the shared reader of the path: the event is walked once for every clause
 * of every rule that tests the field (a KQL pack tests `process.name` in hundreds of clauses),
 * and each clause only runs its test over the values read.
 */
export function compileSharedFieldTester(path: string, nullValue?: string): FieldTester {
  const read = compileFieldReader(path, nullValue);
  return (event, test) => {
    const values = read(event);
    for (let i = 0; i < values.length; i++) if (test(values[i])) return true;
    return false;
  };
}

function memoizedReader(test: FieldTester): FieldReader {
  let lastEvent: EcsEvent | undefined;
  let lastValues: readonly unknown[] = NO_VALUES;
  // The values of the event being read; one collector for every read, so that a read allocates
  // no closure, and no array for a field the event does not have (most fields of most rules).
  let out: unknown[] | undefined;
  const collect = (value: unknown): boolean => {
    (out ??= []).push(value);
    // A test that never passes visits every value.
    return false;
  };
  const collected = (): readonly unknown[] => out ?? NO_VALUES;
  return (event) => {
    if (event === lastEvent) return lastValues;
    out = undefined;
    test(event, collect);
    lastEvent = event;
    lastValues = collected();
    return lastValues;
  };
}

// Not frozen: a frozen array is another elements kind, which would make every loop over values polymorphic.
const NO_VALUES: readonly unknown[] = [];

/**
 * How deep the walkers below follow nested objects and arrays. Events are hostile input: a line
 * of 100,000 nested `[` parses fine but would overflow the stack of a recursive walk. Elasticsearch
 * itself refuses documents nested deeper than 20 objects by default; deeper content has no value here.
 */
export const MAX_NESTING = 100;

/** True for the values a comparison can use: strings, finite numbers, exact integers (bigint), booleans. */
export function isScalar(value: unknown): value is Scalar {
  const t = typeof value;
  return t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(value)) || t === 'bigint';
}

/** The scalar leaves of a field; objects are dropped (SPEC §C: an object has no comparable value). */
export function scalarsOf(values: readonly unknown[]): Scalar[] {
  const out: Scalar[] = [];
  for (const v of values) if (isScalar(v)) out.push(v);
  return out;
}

/**
 * A field exists when it has at least one value: a scalar, or an object with some value inside
 * (Elasticsearch's `exists` query on an object field matches when any sub-field exists).
 */
export function hasAnyValue(values: readonly unknown[]): boolean {
  for (const v of values) if (hasValue(v, 0)) return true;
  return false;
}

function hasValue(v: unknown, depth: number): boolean {
  if (v === null || v === undefined || depth > MAX_NESTING) return false;
  if (typeof v !== 'object') return true;
  if (Array.isArray(v)) return v.some((e) => hasValue(e, depth + 1));
  for (const value of Object.values(v)) if (hasValue(value, depth + 1)) return true;
  return false;
}

/**
 * Every leaf field name of an event, flattened with dots (arrays do not add a segment). Used to
 * expand KQL wildcard field names such as `file.hash.*` against the event's own fields.
 */
export function listFieldNames(event: EcsEvent): string[] {
  const names = new Set<string>();
  const walk = (node: unknown, prefix: string, depth = 0): void => {
    if (depth > MAX_NESTING) return;
    if (Array.isArray(node)) {
      for (const element of node) walk(element, prefix, depth + 1);
      return;
    }
    if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) walk(value, prefix === '' ? key : `${prefix}.${key}`, depth + 1);
      return;
    }
    if (prefix !== '' && node !== null && node !== undefined) names.add(prefix);
  };
  walk(event, '');
  return [...names];
}

/** The text a string operator sees for a scalar: numbers and booleans by their JSON text (SPEC §C); a bigint by its exact digits. */
export function scalarText(value: Scalar): string {
  return typeof value === 'string' ? value : String(value);
}

/**
 * "Does any value of the field pass `test`?" without building the value array: the same paths as
 * `compileFieldReader` (SPEC §C), stopping at the first value that passes. For hot predicates
 * (every `field:value` clause of every rule on every event).
 */
export type FieldTester = (event: EcsEvent, test: (value: unknown) => boolean) => boolean;

/**
 * `nullValue`: a mapping's `null_value`, which Elasticsearch indexes in place of a JSON null of
 * the field itself (`"f": null`, or a null element of its array); a missing field stays missing.
 */
export function compileFieldTester(path: string | readonly string[], nullValue?: string): FieldTester {
  const segments = typeof path === 'string' ? splitFieldPath(path) : [...path];
  const n = segments.length;
  // keys[i][j - i] is segments[i..j] joined with '.', the key that consumes segments i through j;
  // joined once here, not per event, because this runs for every clause on every event.
  const keys: string[][] = [];
  for (let i = 0; i < n; i++) {
    const row: string[] = [];
    let key = segments[i]!;
    row.push(key);
    for (let j = i + 1; j < n; j++) {
      key += '.' + segments[j]!;
      row.push(key);
    }
    keys.push(row);
  }
  // `depth` counts nested arrays only: object levels are bounded by the path's length.
  const anyLeaf = (value: unknown, test: (value: unknown) => boolean, depth = 0): boolean => {
    if (value === null) return nullValue !== undefined && test(nullValue);
    if (value === undefined) return false;
    if (Array.isArray(value)) {
      if (depth > MAX_NESTING) return false;
      for (let k = 0; k < value.length; k++) if (anyLeaf(value[k], test, depth + 1)) return true;
      return false;
    }
    return test(value);
  };
  const visit = (node: unknown, i: number, test: (value: unknown) => boolean, depth = 0): boolean => {
    if (node === null || typeof node !== 'object') return false;
    if (Array.isArray(node)) {
      if (depth > MAX_NESTING) return false;
      for (let k = 0; k < node.length; k++) if (visit(node[k], i, test, depth + 1)) return true;
      return false;
    }
    const obj = node as Record<string, unknown>;
    const row = keys[i]!;
    for (let k = 0; k < row.length; k++) {
      const key = row[k]!;
      if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
      const value = obj[key];
      if (i + k === n - 1 ? anyLeaf(value, test) : visit(value, i + k + 1, test)) return true;
    }
    return false;
  };
  if (n === 1) {
    const key = segments[0]!;
    return (event, test) => Object.prototype.hasOwnProperty.call(event, key) && anyLeaf(event[key], test);
  }
  return (event, test) => visit(event, 0, test);
}
