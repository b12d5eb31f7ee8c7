import { allOf } from '../event/predicates.js';
import { bytesInCidr, parseCidr, parseIp, type Cidr } from '../event/cidr.js';
import type { Predicate } from '../event/types.js';
import { analyze, compileRangeMatcher, compileTermMatcher, FieldQueryError, type FieldType, type FieldTypeTable } from '../fieldTypes/index.js';
import { compileKql, type KqlField, type KqlNode } from '../kql/index.js';
import { compileTypedFieldClause, type ValueTest } from '../kql/fieldAccess.js';
import type { ExceptionEntry, ExceptionItem, ListEntry, NestedInnerEntry, WildcardEntry } from './types.js';
import { wildcardMatcher } from '../filters/compile.js';

export interface ItemCompileContext {
  fieldTypes: FieldTypeTable;
  /** `--value-list ID=FILE`: the values of each list, by id. */
  valueLists: ReadonlyMap<string, readonly string[]>;
  now: number;
}

/** An item Kibana could not turn into a query (a value list it cannot find, a clause Elasticsearch refuses). */
export class ItemCompileError extends Error {
  override readonly name = 'ItemCompileError';
}

/**
 * Kibana caps the `a-b` ranges of an ip_range list it applies inside the search
 * (MAXIMUM_SMALL_IP_RANGE_VALUE_LIST_DASH_SIZE); past it the item is left to a post-search filter.
 */
export const MAX_IP_DASH_RANGES = 200;

/**
 * Compiles one exception item into "this event is an exception", as Kibana's
 * `buildExceptionItemFilter` (lists plugin, build_exception_filter.ts) builds its clause: the
 * entries AND-ed; with `os_types`, also `host.os.type` or `host.os.name.caseless` equal to one of
 * them. Match, match_any, exists and nested entries become the KQL nodes whose Elasticsearch
 * query is the one Kibana builds (a quoted `f:"v"` is `match_phrase`, `f:*` is `exists`,
 * `p:{…}` is `nested`), so they match by field type exactly as a rule's KQL does.
 */
export function compileItem(item: ExceptionItem, ctx: ItemCompileContext): Predicate {
  try {
    const entries = allOf(item.entries.map((e) => compileEntry(e, ctx)));
    if (item.osTypes.length === 0) return entries;
    const os = kql(or(item.osTypes.flatMap((t) => [phrase('host.os.type', t), phrase('host.os.name.caseless', t)])), ctx);
    return (event) => os(event) && entries(event);
  } catch (e) {
    if (e instanceof FieldQueryError) {
      const on = e.field === undefined ? '' : ` on ${e.fieldType === undefined ? '' : `the ${e.fieldType} field `}${e.field}`;
      throw new ItemCompileError(`Elasticsearch would refuse this exception${on}: ${e.message}. Fix the entry, or if your index maps the field otherwise, say so with --mapping FILE`);
    }
    throw e;
  }
}

function compileEntry(entry: ExceptionEntry, ctx: ItemCompileContext): Predicate {
  switch (entry.type) {
    case 'match':
    case 'match_any':
    case 'exists':
    case 'nested':
      return kql(entryNode(entry), ctx);
    case 'wildcard':
      return negateIf(entry.operator === 'excluded', compileTypedFieldClause(fieldName(entry.field), typeContext(ctx), (r) => wildcardTest(r.type, entry)));
    case 'list':
      return negateIf(entry.operator === 'excluded', compileTypedFieldClause(fieldName(entry.field), typeContext(ctx), (r) => listTest(r.type, entry, ctx)));
  }
}

function entryNode(entry: NestedInnerEntry | Extract<ExceptionEntry, { type: 'nested' }>): KqlNode {
  switch (entry.type) {
    case 'match':
      return not(entry.operator === 'excluded', phrase(entry.field, entry.value));
    case 'match_any':
      return not(entry.operator === 'excluded', or(entry.value.map((v) => phrase(entry.field, v))));
    case 'exists':
      return not(entry.operator === 'excluded', { type: 'exists', field: fieldName(entry.field) });
    case 'nested':
      // buildNestedClause: the inner entries' fields are relative to the path, all in one object of it.
      return { type: 'nested', path: entry.field, query: entry.entries.length === 1 ? entryNode(entry.entries[0]!) : { type: 'and', children: entry.entries.map(entryNode) } };
  }
}

const fieldName = (name: string): KqlField => ({ kind: 'name', name, quoted: true });
const phrase = (field: string, value: string): KqlNode => ({ type: 'is', field: fieldName(field), value: { kind: 'string', value, quoted: true } });
const or = (children: KqlNode[]): KqlNode => (children.length === 1 ? children[0]! : { type: 'or', children });
const not = (negate: boolean, child: KqlNode): KqlNode => (negate ? { type: 'not', child } : child);
const kql = (node: KqlNode, ctx: ItemCompileContext): Predicate => compileKql(node, { fieldTypes: ctx.fieldTypes, now: ctx.now });
const typeContext = (ctx: ItemCompileContext) => ({ fieldTypes: ctx.fieldTypes, pathPrefix: '' });

/** `excluded` is the clause under `must_not`: true for an event without the field too. */
function negateIf(negate: boolean, clause: Predicate): Predicate {
  return negate ? (event) => !clause(event) : clause;
}

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const scalarText = (v: Scalar) => (typeof v === 'string' ? v : String(v));
const lower = (s: string) => s.toLowerCase();

/**
 * buildMatchWildcardClause: `{ wildcard: { field: value } }` with no `case_insensitive`: the Query
 * DSL wildcard query of rule filters (src/filters), case-sensitive on keywords (a `lowercase`
 * normalizer applies to both sides), each token of a `text` value against the pattern as written.
 */
function wildcardTest(type: FieldType, entry: WildcardEntry): ValueTest {
  return wildcardMatcher(type, entry.value, false, 'wildcard');
}

/**
 * buildListClause: a keyword or ip list is a `terms` query on the field; an ip_range list is a
 * `range` per `a-b` value and a `terms` of its CIDR values. A `terms` query compares each value
 * the way a `term` query does for the field's type, so a keyword list on a keyword field is a set
 * lookup, not a scan of the list per event.
 */
function listTest(type: FieldType, entry: ListEntry, ctx: ItemCompileContext): ValueTest {
  const values = ctx.valueLists.get(entry.list.id);
  if (values === undefined) {
    throw new ItemCompileError(`the value list "${entry.list.id}" is not given: add --value-list ${entry.list.id}=FILE (one value a line)`);
  }
  if (entry.list.type !== 'ip_range') return termsTest(type, values);
  const dashes = values.filter((v) => v.includes('-'));
  const slashes = values.filter((v) => !v.includes('-'));
  if (dashes.length > MAX_IP_DASH_RANGES) {
    throw new ItemCompileError(`the ip_range list "${entry.list.id}" has ${dashes.length} a-b ranges; Kibana applies at most ${MAX_IP_DASH_RANGES} inside the rule's search. Write them as CIDR blocks`);
  }
  const tests: ValueTest[] = dashes.map((range) => ipRangeTest(type, range, entry.list.id));
  if (slashes.length > 0) tests.push(termsTest(type, slashes));
  return (value) => tests.some((t) => t(value));
}

function termsTest(type: FieldType, values: readonly string[]): ValueTest {
  switch (type.type) {
    case 'keyword': {
      const norm = type.normalizer === 'lowercase' ? lower : (s: string) => s;
      const set = new Set(values.map(norm));
      const max = type.ignoreAbove;
      return (value) => isScalar(value) && (max === undefined || scalarText(value).length <= max) && set.has(norm(scalarText(value)));
    }
    case 'constant_keyword':
    case 'wildcard':
    case 'flattened':
    case 'other':
    case 'dynamic': {
      const set = new Set(values);
      return (value) => isScalar(value) && set.has(scalarText(value));
    }
    case 'text':
    case 'match_only_text': {
      // A `terms` query is not analysed: a value matches when it is one of the field's tokens.
      const set = new Set(values);
      const analyzer = type.analyzer;
      return (value) => isScalar(value) && analyze(analyzer, scalarText(value), (token) => set.has(token));
    }
    case 'ip': {
      const addresses = new Set<string>();
      const blocks: Cidr[] = [];
      for (const v of values) {
        const cidr = parseCidr(v);
        if (cidr === null) throw new FieldQueryError(`'${v}' is not an IP string literal`);
        if (v.includes('/')) blocks.push(cidr);
        else addresses.add(cidr.bytes.join('.'));
      }
      return (value) => {
        if (typeof value !== 'string') return false;
        const ip = parseIp(value);
        return ip !== null && (addresses.has(ip.join('.')) || blocks.some((b) => bytesInCidr(ip, b)));
      };
    }
    default: {
      // Numbers, dates, booleans: each value read by the field's type, as a `term` query does.
      const tests = values.map((v) => compileTermMatcher(type, v, { phrase: true }));
      return (value) => tests.some((t) => t(value));
    }
  }
}

/** `a-b`: `{ range: { field: { gte: a, lte: b } } }`, per value of the field. */
function ipRangeTest(type: FieldType, range: string, listId: string): ValueTest {
  const dash = range.indexOf('-');
  const [from, to] = [range.slice(0, dash).trim(), range.slice(dash + 1).trim()];
  if (type.type === 'ip' || type.type === 'dynamic') {
    const lo = parseIp(from);
    const hi = parseIp(to);
    if (lo === null || hi === null) throw new ItemCompileError(`the ip_range list "${listId}" holds "${range}", which is not a range of two IP addresses`);
    const low = asV6(lo);
    const high = asV6(hi);
    return (value) => {
      if (typeof value !== 'string') return false;
      const ip = parseIp(value);
      if (ip === null) return false;
      const v6 = asV6(ip);
      return compareBytes(v6, low) >= 0 && compareBytes(v6, high) <= 0;
    };
  }
  const gte = compileRangeMatcher(type, 'gte', from);
  const lte = compileRangeMatcher(type, 'lte', to);
  return (value) => gte(value) && lte(value);
}

/** Elasticsearch's ip field orders every address as IPv6, IPv4 as `::ffff:a.b.c.d`. */
function asV6(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 16) return bytes;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(bytes, 12);
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}


