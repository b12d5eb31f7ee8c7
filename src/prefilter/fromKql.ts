import type { KqlNode, KqlValue } from '../kql/ast.js';
import { parseCidr } from '../event/cidr.js';
import { ANY, and, exactStringNeed, or, wildcardNeed, type Need } from './needles.js';

/**
 * The need of a KQL query (see needles.ts). Only positive `field:value` clauses give needles:
 * KQL on keyword fields is exact and case-sensitive (SPEC §B.3). `not`, ranges, exists and free
 * text give none.
 */
export function kqlNeed(node: KqlNode): Need {
  switch (node.type) {
    case 'and':
      return and(node.children.map(kqlNeed));
    case 'or':
      return or(node.children.map(kqlNeed));
    case 'is':
      return valueNeed(node.value);
    case 'nested':
      // Inner values are still values of the line, whatever their path.
      return kqlNeed(node.query);
    case 'not':
    case 'range':
    case 'exists':
    case 'freeText':
    case 'matchAll':
      return ANY;
  }
}

function valueNeed(value: KqlValue): Need {
  switch (value.kind) {
    case 'string':
      // An address or block matches other spellings of the address (SPEC §B.3: CIDR on ip values).
      if ((value.value.includes('.') || value.value.includes(':')) && parseCidr(value.value) !== null) return ANY;
      return exactStringNeed(value.value);
    case 'wildcard':
      return wildcardNeed(value.parts);
    case 'boolean':
    case 'null':
      return ANY;
  }
}
