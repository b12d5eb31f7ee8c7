// Shared by the tests of src/eql/operators/: each operator's test file states, side by side, what
// a condition evaluates to on an event and which needles it promises the prefilter.
import { describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../src/event/types.js';
import { compileEql, compileEqlCondition, parseEql } from '../../src/eql/index.js';
import { eqlNeed } from '../../src/prefilter/fromEql.js';
import { defaultNeedles, type Need } from '../../src/prefilter/needles.js';
import { candidateLineStarts, compilePrefilter } from '../../src/prefilter/compile.js';
import { isJsonObject } from '../../src/event/types.js';
import { parseJson } from '../../src/event/json.js';
import { QuerySyntaxError } from '../../src/query/syntaxError.js';
import { FieldTypeTable, loadMapping } from '../../src/fieldTypes/index.js';

function conditionOf(condition: string) {
  const query = parseEql(`any where ${condition}`);
  if (query.type !== 'event') throw new Error(`expected an event query: ${condition}`);
  return query.filter.condition;
}

/** Evaluates `any where <condition>` on an event. */
export function holds(condition: string, event: EcsEvent): boolean {
  return compileEqlCondition(conditionOf(condition))(event);
}

/** The need of `any where <condition>`. */
export function needOf(condition: string): Need {
  return eqlNeed(parseEql(`any where ${condition}`));
}

/** The needles the prefilter would search for `any where <condition>`; undefined: none (parse every line). */
export function needlesOf(condition: string): string[] | undefined {
  return defaultNeedles(needOf(condition));
}

export type Row = [condition: string, event: EcsEvent, expected: boolean];

/** One `it` per row: the condition on the event gives `expected`. */
export function table(title: string, rows: Row[]): void {
  describe(title, () => {
    it.each(rows)('%s on %j → %s', (condition, event, expected) => {
      expect(holds(condition, event)).toBe(expected);
    });
  });
}

/** One `it` per row: the condition's needles (undefined: none). */
export function needleTable(title: string, rows: Array<[condition: string, needles: string[] | undefined]>): void {
  describe(title, () => {
    it.each(rows)('%s → %j', (condition, needles) => {
      expect(needlesOf(condition)).toEqual(needles);
    });
  });
}

/** The QuerySyntaxError compiling `query` raises. */
export function compileError(query: string): QuerySyntaxError {
  try {
    compileEql(parseEql(query));
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${query} to be rejected`);
}

/** One `it` per row: compiling the query fails with the message, pointing at the 1-based column. */
export function rejectionTable(title: string, rows: Array<[query: string, message: RegExp, column: number]>): void {
  describe(title, () => {
    it.each(rows)('%s', (query, message, column) => {
      const error = compileError(query);
      expect(error.message).toMatch(message);
      expect(error.position.column).toBe(column);
    });
  });
}

/**
 * Whether the prefilter built from the query's need lets the raw line through to be parsed, as
 * the scanner does: the line must be a candidate (holds a needle or an escape) and pass the need.
 */
export function prefilterAdmits(query: string, line: string): boolean {
  const prefilter = compilePrefilter([eqlNeed(parseEql(query))]);
  if (prefilter === undefined) return true;
  const bytes = Buffer.from(line + '\n');
  const end = bytes.length - 1;
  return candidateLineStarts(bytes, 0, bytes.length, prefilter).includes(0) && prefilter.mayMatch(bytes, 0, end);
}

/**
 * One `it` per row: the query matches the event of the raw NDJSON line, and the prefilter keeps
 * the line (the invariant: the prefilter never changes results).
 */
export function prefilterKeepsTable(title: string, rows: Array<[query: string, line: string]>): void {
  describe(title, () => {
    it.each(rows)('%s keeps %s', (query, line) => {
      const compiled = compileEql(parseEql(query));
      if (compiled.kind !== 'event') throw new Error(`expected an event query: ${query}`);
      // As the scanner reads it (integers beyond 2^53 exact).
      const event: unknown = parseJson(line);
      if (!isJsonObject(event)) throw new Error(`expected a JSON object: ${line}`);
      expect(compiled.predicate(event)).toBe(true);
      expect(prefilterAdmits(query, line)).toBe(true);
    });
  });
}

/** A field-type table from a mapping's `properties` (as `--mapping` would load it). */
export function mappingTable(properties: Record<string, unknown>): FieldTypeTable {
  return FieldTypeTable.withMapping(loadMapping({ properties }));
}

/** As `table`, with the fields typed by `properties` (README "### EQL and field types"). */
export function typedTable(title: string, properties: Record<string, unknown>, rows: Row[]): void {
  const fieldTypes = mappingTable(properties);
  describe(title, () => {
    it.each(rows)('%s on %j → %s', (condition, event, expected) => {
      expect(compileEqlCondition(conditionOf(condition), { fieldTypes })(event)).toBe(expected);
    });
  });
}

/** As `rejectionTable`, with the fields typed by `properties`. */
export function typedRejectionTable(title: string, properties: Record<string, unknown>, rows: Array<[query: string, message: RegExp, column: number]>): void {
  const fieldTypes = mappingTable(properties);
  describe(title, () => {
    it.each(rows)('%s', (query, message, column) => {
      let error: unknown;
      try {
        compileEql(parseEql(query), { fieldTypes });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(QuerySyntaxError);
      if (!(error instanceof QuerySyntaxError)) return;
      expect(error.message).toMatch(message);
      expect(error.position.column).toBe(column);
    });
  });
}

/** As `needleTable`, with the fields typed by `properties`. */
export function typedNeedleTable(title: string, properties: Record<string, unknown>, rows: Array<[condition: string, needles: string[] | undefined]>): void {
  const fieldTypes = mappingTable(properties);
  describe(title, () => {
    it.each(rows)('%s → %j', (condition, needles) => {
      expect(defaultNeedles(eqlNeed(parseEql(`any where ${condition}`), fieldTypes))).toEqual(needles);
    });
  });
}
