import { leavesOf, type ClauseNode } from './clause.js';

/** Why a rule's query did not accept an event: the first clause that failed, in words. */
export interface Failure {
  /** The clause that failed (for `or`, the alternatives; for `not`, the clause it negates). */
  clause: string;
  field?: string;
  /** The value found there; null: the field is missing. */
  value?: string | null;
  /** What an analyst reads: "missing field: ...", "wrong case: ...", "wrong category: ...". */
  reason: string;
}

/**
 * The first clause that made the query false, read left to right as Elasticsearch's `bool` would
 * be written: in an `and` its first false part, an `or` whose alternatives all failed, a `not`
 * whose clause held. Undefined when the query held.
 */
export function firstFailure(node: ClauseNode): Failure | undefined {
  if (node.result) return undefined;
  if (node.op === 'and') {
    const failed = node.children?.find((c) => !c.result);
    return failed === undefined ? undefined : firstFailure(failed);
  }
  if (node.op === 'not') {
    const inner = node.children?.[0];
    const held = inner === undefined ? [] : leavesOf(inner).filter((l) => l.result && l.field !== undefined);
    const found = held.map((l) => `${l.field} is ${l.value ?? 'missing'}`).join(', ');
    return { clause: node.clause, reason: `excluded by the query: it leaves out events where ${inner?.clause ?? 'this'} holds${found ? ` (${found})` : ''}` };
  }
  if (node.op === 'or') {
    const seen = new Set<string>();
    const found: string[] = [];
    for (const leaf of leavesOf(node)) {
      if (leaf.field === undefined || seen.has(leaf.field)) continue;
      seen.add(leaf.field);
      found.push(`${leaf.field} is ${leaf.value ?? 'missing'}`);
    }
    const cases = leavesOf(node).some((l) => l.caseOnly === true) ? '; a value differs from one only in letter case, and the clause is case-sensitive' : '';
    return { clause: node.clause, reason: `none of the alternatives holds${found.length > 0 ? `: ${found.join(', ')}` : ''}${cases}` };
  }
  return { clause: node.clause, ...(node.field === undefined ? {} : { field: node.field, value: node.value ?? null }), reason: leafReason(node) };
}

function leafReason(leaf: ClauseNode): string {
  const is = leaf.value === null || leaf.value === undefined ? 'missing' : leaf.value;
  if (leaf.role === 'filter') return `ruled out by a rule filter${leaf.field === undefined ? '' : ` (${leaf.field} is ${is})`}`;
  if (leaf.role === 'category') {
    const wanted = leaf.literals?.[0] ?? '';
    return `wrong category: ${leaf.field} is ${is}, the query is about ${JSON.stringify(wanted)}${leaf.caseOnly ? ' (it differs only in letter case: categories are exact)' : ''}`;
  }
  if (leaf.field === undefined) return 'the clause does not hold';
  if (leaf.value === null) return `missing field: the event has no ${leaf.field}`;
  if (leaf.caseOnly) return `wrong case: ${leaf.field} is ${is}, which differs from what the clause wants only in letter case, and the clause is case-sensitive`;
  return `${leaf.field} is ${is}, which the clause does not accept`;
}
