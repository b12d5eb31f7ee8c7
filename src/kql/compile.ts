import { hasAnyValue } from '../event/fields.js';
import type { EcsEvent, Predicate } from '../event/types.js';
import { QuerySyntaxError } from '../query/syntaxError.js';
import type { KqlNode } from './ast.js';
import { anyLeaf, compileFieldClause } from './fieldAccess.js';
import { compileRangeTest } from './range.js';
import { addValue, compileValueSet, emptyValueSet } from './valueSet.js';
import type { ValueSet } from './valueSet.js';
import { allOf, anyOf } from '../event/predicates.js';

export interface KqlCompileOptions {
  /** The instant `now` means in date math (`@timestamp >= now-1d`); defaults to compile time. */
  now?: number;
}

/**
 * Compiles a KQL AST into a predicate over one event, with the detection engine's semantics
 * (SPEC §B.3, §C): exact, case-sensitive matching; a clause holds when any value of the field
 * satisfies it; a missing field makes a positive clause false and its `not` true.
 * All work that does not depend on the event (field paths, value sets, patterns, date math) is
 * done here, once per rule.
 */
export function compileKql(node: KqlNode, options: KqlCompileOptions = {}): Predicate {
  const now = options.now ?? Date.now();
  try {
    return compileNode(node, now);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new QuerySyntaxError('The query is nested too deeply to compile.', { offset: 0, line: 1, column: 1 }, 1);
    }
    throw error;
  }
}

function compileNode(node: KqlNode, now: number): Predicate {
  switch (node.type) {
    case 'matchAll':
      return () => true;
    case 'not': {
      const inner = compileNode(node.child, now);
      return (event) => !inner(event);
    }
    case 'and':
      return allOf(node.children.map((child) => compileNode(child, now)));
    case 'or':
      return anyOf(compileOrChildren(node.children, now));
    case 'is': {
      const set = emptyValueSet();
      addValue(set, node.value);
      return compileFieldClause(node.field, compileValueSet(set));
    }
    case 'exists':
      // SPEC §B.1: `field:*` is Elasticsearch's exists query; an object with a value inside exists.
      return compileFieldClause(node.field, valueExists);
    case 'range':
      return compileFieldClause(node.field, compileRangeTest(node.operator, node.value, now));
    case 'freeText': {
      const set = emptyValueSet();
      addValue(set, node.value);
      const test = compileValueSet(set);
      return (event) => anyLeaf(event, test);
    }
    case 'nested': {
      // SPEC §B.1: the inner query runs against each object of the field, with relative paths, so
      // both of its conditions must hold in the same object.
      const inner = compileNode(node.query, now);
      return compileFieldClause(
        { kind: 'name', name: node.path, quoted: true },
        (value) => typeof value === 'object' && value !== null && inner(value as EcsEvent),
      );
    }
  }
}

function valueExists(value: unknown): boolean {
  return typeof value !== 'object' || hasAnyValue([value]);
}

/**
 * `f:(a or b or c)` arrives as an `or` of `is` clauses on one field. Each is "any value of f
 * equals a", so their disjunction is "any value of f is in {a, b, c}": one read of the field and
 * one set lookup instead of three reads. Other children are compiled on their own.
 */
function compileOrChildren(children: readonly KqlNode[], now: number): Predicate[] {
  const sets = new Map<string, ValueSet>();
  const out: Predicate[] = [];
  for (const child of children) {
    if (child.type === 'is' && child.field.kind === 'name') {
      let set = sets.get(child.field.name);
      if (set === undefined) {
        set = emptyValueSet();
        sets.set(child.field.name, set);
      }
      addValue(set, child.value);
    } else {
      out.push(compileNode(child, now));
    }
  }
  for (const [name, set] of sets) {
    out.unshift(compileFieldClause({ kind: 'name', name, quoted: true }, compileValueSet(set)));
  }
  return out;
}

