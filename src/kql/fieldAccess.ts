import { compileFieldTester, compileSharedFieldTester, listFieldNames } from '../event/fields.js';
import type { FieldTester } from '../event/fields.js';
import { compileWildcardParts } from '../event/wildcard.js';
import type { EcsEvent } from '../event/types.js';
import { FieldQueryError } from '../fieldTypes/index.js';
import type { ResolvedField } from '../fieldTypes/index.js';
import type { KqlField } from './ast.js';
import type { KqlTypeContext } from './nodes/kind.js';

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
export function compileFieldClause(field: KqlField, test: ValueTest, nullValue?: string): FieldClause {
  if (field.kind === 'name') {
    const tester = compileSharedFieldTester(field.name, nullValue);
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
 * A field clause whose test depends on the field's Elasticsearch type: `testFor` is asked once per
 * field name with what the mapping says of it, and the value is read from the field it indexes (a
 * multi-field such as `process.command_line.text` reads `process.command_line`). Inside a nested
 * query the mapping is asked for the full path and the value read relative to the nested object.
 * A pattern name resolves each event field it expands to, once per name; a test Elasticsearch
 * would refuse on one of them (FieldQueryError) makes that field match nothing, as a query over
 * many fields cannot fail on one offline.
 */
export function compileTypedFieldClause(field: KqlField, ctx: KqlTypeContext, testFor: (resolved: ResolvedField) => ValueTest): FieldClause {
  if (field.kind === 'name') {
    const resolved = resolveField(ctx, field.name);
    let test: ValueTest;
    try {
      test = testFor(resolved);
    } catch (e) {
      // Name the field as the query wrote it, for the rule error that points at it.
      if (e instanceof FieldQueryError) throw new FieldQueryError(e.message, field.name, typeName(resolved));
      throw e;
    }
    return compileFieldClause({ kind: 'name', name: resolved.valuePath, quoted: true }, test, nullValueOf(resolved));
  }
  const nameMatches = compileWildcardParts(field.parts, false);
  const clauses = new Map<string, FieldClause>();
  const clauseFor = (name: string): FieldClause => {
    let clause = clauses.get(name);
    if (clause === undefined) {
      const resolved = resolveField(ctx, name);
      let test: ValueTest;
      try {
        test = testFor(resolved);
      } catch (e) {
        if (!(e instanceof FieldQueryError)) throw e;
        test = () => false;
      }
      clause = compileFieldClause({ kind: 'name', name: resolved.valuePath, quoted: true }, test, nullValueOf(resolved));
      if (clauses.size < PATTERN_TESTER_CACHE_LIMIT) clauses.set(name, clause);
    }
    return clause;
  };
  return (event) => {
    for (const name of listFieldNames(event)) {
      if (nameMatches(name) && clauseFor(name)(event)) return true;
    }
    return false;
  };
}

/** What the mapping says of `name` (relative to the nested path, if any), with `valuePath` relative too. */
export function resolveField(ctx: KqlTypeContext, name: string): ResolvedField {
  const resolved = ctx.fieldTypes.resolve(ctx.pathPrefix + name);
  if (ctx.pathPrefix === '') return resolved;
  const valuePath = resolved.valuePath.startsWith(ctx.pathPrefix) ? resolved.valuePath.slice(ctx.pathPrefix.length) : name;
  return { ...resolved, valuePath };
}

function typeName({ type }: ResolvedField): string {
  return type.type === 'other' || type.type === 'unindexed' ? type.esType : type.type;
}

/**
 * A keyword's `null_value`: Elasticsearch indexes it in place of a JSON null of the field
 * (KeywordFieldMapper), so `f:NULL` finds `{"f": null}` when the mapping says `null_value: "NULL"`.
 */
export function nullValueOf(resolved: ResolvedField): string | undefined {
  return resolved.type.type === 'keyword' ? resolved.type.nullValue : undefined;
}
