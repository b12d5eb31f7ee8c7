import type { DslClause, DslValue, RuleFilter } from './ast.js';

/** One line a reader understands for a filter (`rules show`): `NOT file.path wildcard "C:\\x\\*" (case-insensitive)`. */
export function describeFilter(filter: RuleFilter): string {
  return `${filter.disabled ? '(disabled) ' : ''}${filter.negate ? 'NOT ' : ''}${describeClause(filter.clause)}`;
}

const OPERATORS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

function describeClause(c: DslClause): string {
  switch (c.kind) {
    case 'matchAll':
      return 'every event';
    case 'matchNone':
      return 'no event';
    case 'term': {
      const ci = c.caseInsensitive ? ' (case-insensitive)' : '';
      return c.values.length === 1 ? `${c.field} term ${value(c.values[0]!)}${ci}` : `${c.field} terms [${c.values.map(value).join(', ')}]${ci}`;
    }
    case 'match':
      return `${c.field} ${c.phrase ? 'match_phrase' : 'match'} ${value(c.query)}`;
    case 'wildcard':
      return `${c.field} ${c.from} ${value(c.pattern)}${c.caseInsensitive ? ' (case-insensitive)' : ''}`;
    case 'exists':
      return `${c.field} exists`;
    case 'range':
      return `${c.field} ${c.bounds.map((b) => `${OPERATORS[b.operator]} ${value(b.value)}`).join(' and ')}`;
    case 'bool': {
      const parts = [...c.must.map(describeClause), ...c.mustNot.map((m) => `NOT ${describeClause(m)}`)];
      if (c.minimumShouldMatch > 0) parts.push(`${c.minimumShouldMatch === 1 ? 'any' : `at least ${c.minimumShouldMatch}`} of (${c.should.map(describeClause).join('; ')})`);
      return parts.length === 0 ? 'every event' : `(${parts.join(' AND ')})`;
    }
  }
}

/** A string as the DSL holds it (a wildcard pattern keeps its own `\` escapes), in quotes; the caller escapes for the terminal. */
function value(v: DslValue): string {
  return typeof v === 'string' ? `"${v}"` : String(v);
}
