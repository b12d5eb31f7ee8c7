import { VALUE_LIST_TYPES, type EntryOperator, type ExceptionEntry, type NamespaceType, type NestedInnerEntry, type ValueListType } from './types.js';

/** Reports a problem at a key path inside the object being read (`entries[1].value`); never returns. */
export type Fail = (key: string, message: string) => never;

type Obj = { [key: string]: unknown };

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return 'an object';
}

const join = (prefix: string, key: string) => (prefix === '' ? key : key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`);

/** A string Kibana's schema accepts where it wants a non-empty one (NonEmptyString: not blank). */
export function nonEmptyString(obj: Obj, key: string, at: string, fail: Fail): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.trim() === '') return fail(join(at, key), `must be a non-empty string, found ${describe(v)}`);
  return v;
}

export function optionalString(obj: Obj, key: string, at: string, fail: Fail): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return fail(join(at, key), `must be a string, found ${describe(v)}`);
  return v;
}

export function stringList(obj: Obj, key: string, at: string, fail: Fail): string[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return fail(join(at, key), `must be a list of strings, found ${describe(v)}`);
  return v.map((x, i) => (typeof x === 'string' && x.trim() !== '' ? x : fail(join(at, `${key}[${i}]`), `must be a non-empty string, found ${describe(x)}`)));
}

export function namespaceType(obj: Obj, at: string, fail: Fail): NamespaceType {
  const v = obj.namespace_type ?? 'single';
  if (v !== 'single' && v !== 'agnostic') return fail(join(at, 'namespace_type'), `must be "single" or "agnostic", found ${describe(v)}`);
  return v;
}

function operator(obj: Obj, at: string, fail: Fail): EntryOperator {
  const v = obj.operator;
  if (v !== 'included' && v !== 'excluded') return fail(join(at, 'operator'), `must be "included" or "excluded", found ${describe(v)}`);
  return v;
}

/**
 * The entries of an item, as Kibana's `nonEmptyEntriesArray` accepts them: at least one, each a
 * match, match_any, wildcard, exists, list or nested entry; a nested one holds match, match_any
 * and exists entries only.
 */
export function readEntries(value: unknown, at: string, fail: Fail): ExceptionEntry[] {
  if (!Array.isArray(value) || value.length === 0) return fail(at, `must be a non-empty list of entries, found ${describe(value)}`);
  return value.map((e, i) => readEntry(e, `${at}[${i}]`, fail, false));
}

function readEntry(e: unknown, at: string, fail: Fail, nested: true): NestedInnerEntry;
function readEntry(e: unknown, at: string, fail: Fail, nested: boolean): ExceptionEntry;
function readEntry(e: unknown, at: string, fail: Fail, nested: boolean): ExceptionEntry {
  if (!isObject(e)) return fail(at, `must be an entry object, found ${describe(e)}`);
  const field = nonEmptyString(e, 'field', at, fail);
  const type = e.type;
  const allowed = nested ? 'match, match_any or exists (inside a nested entry)' : 'match, match_any, wildcard, exists, list or nested';
  switch (type) {
    case 'match':
      return { type, field, operator: operator(e, at, fail), value: nonEmptyString(e, 'value', at, fail) };
    case 'match_any': {
      const values = e.value;
      if (!Array.isArray(values) || values.length === 0) return fail(join(at, 'value'), `must be a non-empty list of strings, found ${describe(values)}`);
      return { type, field, operator: operator(e, at, fail), value: stringList(e, 'value', at, fail) };
    }
    case 'exists':
      return { type, field, operator: operator(e, at, fail) };
    case 'wildcard':
      if (nested) break;
      return { type, field, operator: operator(e, at, fail), value: nonEmptyString(e, 'value', at, fail) };
    case 'list': {
      if (nested) break;
      const list = e.list;
      if (!isObject(list)) return fail(join(at, 'list'), `must be an object {id, type} naming a value list, found ${describe(list)}`);
      const id = nonEmptyString(list, 'id', join(at, 'list'), fail);
      const listType = list.type;
      if (!isValueListType(listType)) {
        return fail(
          join(at, 'list.type'),
          `is ${describe(listType)}; lkm-scan applies value lists of type ${VALUE_LIST_TYPES.join(', ')} (those Kibana applies inside the rule's search)`,
        );
      }
      return { type, field, operator: operator(e, at, fail), list: { id, type: listType } };
    }
    case 'nested': {
      if (nested) break;
      const inner = e.entries;
      if (!Array.isArray(inner) || inner.length === 0) return fail(join(at, 'entries'), `must be a non-empty list of entries, found ${describe(inner)}`);
      return { type, field, entries: inner.map((x, i) => readEntry(x, `${join(at, 'entries')}[${i}]`, fail, true)) };
    }
  }
  return fail(join(at, 'type'), `is ${describe(type)}; expected ${allowed}`);
}

function isValueListType(t: unknown): t is ValueListType {
  return VALUE_LIST_TYPES.some((known) => known === t);
}
