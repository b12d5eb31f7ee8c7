import { isScalar } from '../event/fields.js';
import { stringifyJson } from '../event/json.js';
import { compileWildcard } from '../event/wildcard.js';
import type { EcsEvent } from '../event/types.js';
import { printable } from '../text/printable.js';

/**
 * One clause of a rule's query (or filter) as it was decided for one event: the boolean structure
 * (`and`, `or`, `not`, the steps of a sequence) with its children, or a leaf clause with the field
 * it reads and the value the event has there. Every `result` comes from the scan's own compiled
 * predicates (src/kql/nodes, src/eql/operators, src/filters); this folder only walks the and/or/not
 * above the leaves, so an explanation cannot disagree with the scan.
 */
export interface ClauseNode {
  /** The clause as written in the query (EQL: its source text; KQL: printed back from the AST). */
  clause: string;
  result: boolean;
  /** How `children` combine; absent for a leaf. */
  op?: 'and' | 'or' | 'not';
  children?: ClauseNode[];
  /** The field a leaf reads, as written (undefined: none, or several). */
  field?: string;
  /** The value found, printable and cut short (shown for a leaf with a field); null: the field is missing. */
  value?: string | null;
  /** The literal strings the leaf compares with (not shown): what events are built from in tests. */
  literals?: readonly string[];
  /** A false leaf whose field has a value that one of its literals matches but for letter case. */
  caseOnly?: true;
  /** Why this leaf is there besides the query: a rule filter, the category of an EQL filter. */
  role?: 'filter' | 'category';
}

/** A clause as a function of the event. */
export type ClauseExplainer = (event: EcsEvent) => ClauseNode;

/** Longest value shown: an explanation names what was found, the event itself is elsewhere. */
export const MAX_VALUE_CHARS = 120;

/**
 * What an event holds in a field, for a reader: JSON text of the value (an array for several),
 * escaped for a terminal (src/text/printable.ts) and cut at MAX_VALUE_CHARS; null when the field
 * has no value. Objects are left out: a clause compares values, not objects.
 */
export function shownValue(values: readonly unknown[]): string | null {
  const scalars = values.filter(isScalar);
  if (scalars.length === 0) return null;
  // Only as many values as can be shown: a hostile array of 100,000 values costs no more.
  const few = scalars.slice(0, MAX_VALUE_CHARS);
  const text = stringifyJson(few.length === 1 ? few[0] : few);
  const cut = text.length > MAX_VALUE_CHARS || few.length < scalars.length ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
  return printable(cut);
}

/** `text` cut to `max` characters and escaped, for a clause from a hostile rule file. */
export function shownClause(text: string, max = 200): string {
  const flat = text.slice(0, 2 * max).replace(/\s+/g, ' ').trim();
  return printable(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}

/** Combines children the way the compiled query does: `and` all, `or` any, `not` the negation. */
export function combine(op: 'and' | 'or' | 'not', clause: string, children: ClauseNode[]): ClauseNode {
  const result = op === 'and' ? children.every((c) => c.result) : op === 'or' ? children.some((c) => c.result) : !children[0]!.result;
  return { clause, result, op, children };
}

/** The leaves of a tree, depth first. */
export function leavesOf(node: ClauseNode): ClauseNode[] {
  return node.children === undefined ? [node] : node.children.flatMap(leavesOf);
}

/** How many values and literals the case check looks at: it words a message, it decides nothing. */
const MAX_CASE_CHECKS = 64;

/**
 * True when a string value of the field equals a literal, or matches it as a `*` pattern, once
 * both are lower-cased: a clause that failed on it failed on letter case alone (a keyword is
 * exact, SPEC §B.3; EQL `==` is case-sensitive, SPEC §A.4). Words an explanation only; whether
 * the clause held is decided by the compiled clause.
 */
export function differsOnlyInCase(values: readonly unknown[], literals: readonly string[]): boolean {
  const strings = values.filter((v): v is string => typeof v === 'string').slice(0, MAX_CASE_CHECKS);
  if (strings.length === 0) return false;
  let folded = false;
  for (const literal of literals.slice(0, MAX_CASE_CHECKS)) {
    // A value that matches as written: the clause failed for another reason (`!=`, `not`).
    const exact = compileWildcard(literal, { caseInsensitive: false, questionMark: false });
    if (strings.some(exact)) return false;
    const matches = compileWildcard(literal.toLowerCase(), { caseInsensitive: false, questionMark: false });
    if (strings.some((s) => matches(s.toLowerCase()))) folded = true;
  }
  return folded;
}
