import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { MappingSource } from '../fieldTypes/index.js';
import { decodeQuery, encodeQuery, parseRuleQuery, type ParsedQuery } from './parsedQuery.js';
import type { RuleFacts } from '../engine/compileRule.js';
import type { Rule } from './types.js';

/**
 * The rules a scan runs, sent to its worker threads. Compiled rules hold functions and cannot
 * cross threads, so each worker compiles the rules again, and reports its hits by index into this
 * list: both sides must hold the same rules in the same order. The main thread sends the rules
 * themselves with their parsed queries (as bytes, decoded by a worker only for a rule it
 * compiles) and what its compile of each gave (RuleFacts), serialised once into shared memory
 * that every worker reads: a worker neither reads rule files nor parses a query, and compiles a
 * rule's predicate only when one of its events reaches the rule, so N workers do not cost N
 * loads and compiles of the pack, and a rule file edited during the scan cannot reach them.
 * `fingerprint` still proves that what a worker compiles is what the main thread runs: a digest
 * of the bytes the main thread wrote (not of the rules as JSON, which cost each worker and the
 * main thread ~0.1 s for the Elastic pack).
 */
export interface SharedRuleSet {
  /** `serialize({ rules, queries, facts })` (node:v8), in a SharedArrayBuffer: one copy for every worker. */
  payload: Uint8Array;
  /** The rules' ids, in the main thread's order. */
  ids: string[];
  /**
   * `--mapping` files as the main thread read them: a worker compiles with the same field types
   * (a KQL clause matches by its field's type), without reading the files again.
   */
  mappings: MappingSource[];
  /** payloadFingerprint of the payload and mappings, as the main thread wrote them. */
  fingerprint: string;
}

/** Thrown where a worker's rules differ from the main thread's: its hits would go to the wrong rules. */
export class RuleSetMismatch extends Error {
  override readonly name = 'RuleSetMismatch';
}

/**
 * A digest of the rules in order (what tells two loads of a pack apart, e.g. with and without the
 * rule cache): each rule's id and every field it was loaded with (the query,
 * its type's parameters, the file it came from), then the mappings they are compiled with. Two
 * lists agree only if they hold equal rules in the same order under the same mappings. The loader
 * builds rule objects field by field in a fixed order, so equal rules serialise to equal JSON.
 */
export function ruleSetFingerprint(rules: readonly Rule[], mappings: readonly MappingSource[] = []): string {
  const hash = createHash('sha256');
  // JSON escapes control characters, so NUL cannot occur inside a part and separates them unambiguously.
  for (const rule of rules) hash.update(`${JSON.stringify(rule.id)}\0${JSON.stringify(rule)}\0`);
  for (const mapping of mappings) hash.update(`mapping\0${JSON.stringify(mapping.file)}\0${JSON.stringify(mapping.text)}\0`);
  return hash.digest('hex');
}

/** What the main thread knows of each rule's query, for its workers. */
export interface SharedQueryParts {
  /** The rule's parsed query as encodeQuery bytes (parsedQuery.ts); parsed now when absent. */
  encoded?: (rule: Rule) => Uint8Array;
  /** What the main thread's compile of each rule gave, by index; a worker compiles these lazily. */
  facts?: readonly (RuleFacts | undefined)[];
}

/**
 * What the main thread sends its workers about the rules it runs, typed by `mappings`. `parts`
 * gives each rule's parsed query (the pack's, so a cached AST is neither parsed nor read here)
 * and facts.
 */
export function shareRuleSet(rules: readonly Rule[], mappings: readonly MappingSource[] = [], parts: SharedQueryParts = {}): SharedRuleSet {
  const encoded = parts.encoded ?? ((rule: Rule) => encodeQuery(parseRuleQuery(rule)));
  const facts = rules.map((_, i) => parts.facts?.[i] ?? null);
  const bytes = serialize({ rules, queries: rules.map(encoded), facts });
  const payload = new Uint8Array(new SharedArrayBuffer(bytes.length));
  payload.set(bytes);
  return { payload, ids: rules.map((r) => r.id), mappings: [...mappings], fingerprint: payloadFingerprint(bytes, mappings) };
}

/** A digest of a payload's bytes and the mappings its rules are compiled with. */
function payloadFingerprint(payload: Uint8Array, mappings: readonly MappingSource[]): string {
  const hash = createHash('sha256').update(`${payload.length}\0`).update(payload);
  for (const mapping of mappings) hash.update(`\0mapping\0${JSON.stringify(mapping.file)}\0${JSON.stringify(mapping.text)}`);
  return hash.digest('hex');
}

/** What a worker holds of the main thread's rules. */
export interface LoadedRuleSet {
  rules: Rule[];
  /** The parsed query of rule `index`: the main thread's, decoded now (parsed again only if it would not decode). */
  query: (index: number) => ParsedQuery;
  /** By index: what the main thread's compile of the rule gave, if it said. */
  facts: (RuleFacts | undefined)[];
}

/**
 * In a worker: the rules the main thread sent, in its order, with their parsed queries and facts.
 * Throws RuleSetMismatch when they are not the rules it described, rather than report hits that
 * the main thread would credit to other rules.
 */
export function loadSharedRuleSet(shared: SharedRuleSet): LoadedRuleSet {
  // What the main thread serialised; the fingerprint below is what vouches for the rules.
  const { rules, queries, facts } = deserialize(shared.payload) as { rules: Rule[]; queries: Uint8Array[]; facts: (RuleFacts | null)[] };
  const ids = new Set(rules.map((r) => r.id));
  const missing = shared.ids.filter((id) => !ids.has(id));
  const fingerprint = payloadFingerprint(shared.payload, shared.mappings);
  if (missing.length === 0 && rules.length === shared.ids.length && queries.length === rules.length && facts.length === rules.length && fingerprint === shared.fingerprint) {
    return {
      rules,
      query: (index) => {
        const rule = rules[index]!;
        const bytes = queries[index];
        return (bytes === undefined ? undefined : decodeQuery(bytes, rule.language)) ?? parseRuleQuery(rule);
      },
      facts: facts.map((f) => f ?? undefined),
    };
  }
  const what =
    missing.length > 0
      ? `${missing.length} of its ${shared.ids.length} rules are missing (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`
      : `the same ${rules.length} rules differ in content (fingerprint ${fingerprint.slice(0, 12)}, main thread ${shared.fingerprint.slice(0, 12)})`;
  throw new RuleSetMismatch(`a scan worker loaded other rules than the main thread: ${what}. This is a bug in lkm-scan; meanwhile scan with --workers 1.`);
}
