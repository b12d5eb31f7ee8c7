import { parseEql, type EqlQuery } from '../eql/index.js';
import { parseKql, type KqlNode } from '../kql/index.js';
import type { Rule } from './types.js';

/** A rule's query parsed to its AST: what compileRule compiles, and what the rule cache keeps. */
export type ParsedQuery = { language: 'kuery'; ast: KqlNode } | { language: 'eql'; ast: EqlQuery };

/** Parses a rule's query in its language. Throws QuerySyntaxError (a position in the query). */
export function parseRuleQuery(rule: Rule): ParsedQuery {
  return rule.language === 'kuery' ? { language: 'kuery', ast: parseKql(rule.query) } : { language: 'eql', ast: parseEql(rule.query) };
}
