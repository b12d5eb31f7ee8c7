// Builds, for a KQL query, one event it matches (best effort): the test data that makes many
// rules of a real pack fire at once, for tests of output formats over the whole pack. Not a
// solver: `or` takes its first branch, `not` is satisfied by leaving its field out, and a field
// that two clauses want different values for gets both (a KQL clause matches any array value).
import type { KqlField, KqlNode, KqlValue } from '../../src/kql/index.js';

type Json = string | number | boolean | Json[] | { [k: string]: Json };

/** Field → the values clauses want for it, in dotted form until `toEvent` nests them. */
export type Witness = Map<string, Json[]>;

function fieldName(field: KqlField): string | undefined {
  return field.kind === 'name' ? field.name : undefined;
}

function literal(value: KqlValue): Json | undefined {
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'wildcard':
      // `*` may match nothing, so the literal pieces side by side match the pattern.
      return value.parts.join('');
    case 'boolean':
      return value.value;
    case 'null':
      return undefined;
  }
}

function add(w: Witness, field: string, value: Json): void {
  const values = w.get(field);
  if (values === undefined) w.set(field, [value]);
  else if (!values.some((v) => JSON.stringify(v) === JSON.stringify(value))) values.push(value);
}

/** A witness for `node` (fields relative to `prefix`), or undefined when none is found. */
export function kqlWitness(node: KqlNode, prefix = ''): Witness | undefined {
  const w: Witness = new Map();
  switch (node.type) {
    case 'matchAll':
    case 'not':
      return w;
    case 'and':
      for (const child of node.children) {
        const cw = kqlWitness(child, prefix);
        if (cw === undefined) return undefined;
        for (const [field, values] of cw) for (const v of values) add(w, field, v);
      }
      return w;
    case 'or':
      for (const child of node.children) {
        const cw = kqlWitness(child, prefix);
        if (cw !== undefined) return cw;
      }
      return undefined;
    case 'is': {
      const field = fieldName(node.field);
      const value = literal(node.value);
      if (field === undefined || value === undefined) return undefined;
      add(w, prefix + field, value);
      return w;
    }
    case 'exists': {
      const field = fieldName(node.field);
      if (field === undefined) return undefined;
      add(w, prefix + field, 'present');
      return w;
    }
    case 'range': {
      const field = fieldName(node.field);
      const bound = Number(literal(node.value));
      if (field === undefined || !Number.isFinite(bound)) return undefined;
      add(w, prefix + field, node.operator === 'gt' ? bound + 1 : node.operator === 'lt' ? bound - 1 : bound);
      return w;
    }
    case 'nested':
      return kqlWitness(node.query, `${prefix}${node.path}.`);
    case 'freeText': {
      const value = literal(node.value);
      if (value === undefined) return undefined;
      add(w, 'message', value);
      return w;
    }
  }
}

/** The witness as an event: dotted keys kept as written (lkm-scan reads them, SPEC §C). */
export function toEvent(w: Witness): Record<string, Json> {
  const event: Record<string, Json> = {};
  for (const [field, values] of w) event[field] = values.length === 1 ? values[0]! : values;
  return event;
}
