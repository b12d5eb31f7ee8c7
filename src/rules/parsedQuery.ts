import { deserialize, serialize } from 'node:v8';
import { parseEql, type EqlQuery } from '../eql/index.js';
import { parseKql, type KqlNode } from '../kql/index.js';
import type { Rule } from './types.js';

/** A rule's query parsed to its AST: what compileRule compiles, and what the rule cache keeps. */
export type ParsedQuery = { language: 'kuery'; ast: KqlNode } | { language: 'eql'; ast: EqlQuery };

/** Parses a rule's query in its language. Throws QuerySyntaxError (a position in the query). */
export function parseRuleQuery(rule: Rule): ParsedQuery {
  return rule.language === 'kuery' ? { language: 'kuery', ast: parseKql(rule.query) } : { language: 'eql', ast: parseEql(rule.query) };
}

/** A parsed query as bytes: what the rule cache keeps and scan workers are sent. */
export function encodeQuery(parsed: ParsedQuery): Uint8Array {
  return serialize(parsed);
}

/** The query `encodeQuery` gave, if these bytes are one in `language`; undefined for anything else. */
export function decodeQuery(bytes: Uint8Array, language: string): ParsedQuery | undefined {
  try {
    const parsed: unknown = deserialize(bytes);
    if (isParsedQuery(parsed) && parsed.language === language) return parsed;
  } catch {
    // Bytes that do not deserialise are no query: the caller parses the rule's text.
  }
  return undefined;
}

function isParsedQuery(v: unknown): v is ParsedQuery {
  return isRecord(v) && (v.language === 'kuery' || v.language === 'eql') && isRecord(v.ast);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
