import { createHash } from 'node:crypto';
import { loadRulePack } from './pack.js';
import type { MappingSource } from '../fieldTypes/index.js';
import type { Rule } from './types.js';

/**
 * The rules a scan runs, described so that a worker thread can load the very same ones. Compiled
 * rules hold functions and cannot cross threads, so each worker loads and compiles the rules
 * again, and reports its hits by index into this list: both sides must hold the same rules in the
 * same order. The worker loads the whole pack and `ids` pick the rules and their order, so no
 * selection option (--rule, --exclude-rule, --tag, …) has to be repeated in step, and the main
 * thread may run fewer rules than it selected (`baseline` keeps only the new_terms ones).
 * `fingerprint` proves the worker read the same rule text (a rule file edited during the scan
 * would not be).
 */
export interface SharedRuleSet {
  /** Where the rules are loaded from (loadRulePack's options), as the main thread loaded them. */
  pack: { bundled: boolean; paths: string[] };
  /** The rules the main thread runs, in its order. */
  ids: string[];
  /**
   * `--mapping` files as the main thread read them: a worker compiles with the same field types
   * (a KQL clause matches by its field's type), without reading the files again.
   */
  mappings: MappingSource[];
  /** ruleSetFingerprint of those rules and mappings. */
  fingerprint: string;
}

/** Thrown where a worker's rules differ from the main thread's: its hits would go to the wrong rules. */
export class RuleSetMismatch extends Error {
  override readonly name = 'RuleSetMismatch';
}

/**
 * A digest of the rules in order: each rule's id and every field it was loaded with (the query,
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

/** What the main thread sends its workers about the rules it runs (`rules`, loaded from `pack`, typed by `mappings`). */
export function shareRuleSet(pack: SharedRuleSet['pack'], rules: readonly Rule[], mappings: readonly MappingSource[] = []): SharedRuleSet {
  return { pack, ids: rules.map((r) => r.id), mappings: [...mappings], fingerprint: ruleSetFingerprint(rules, mappings) };
}

/**
 * In a worker: loads the rules the main thread described, in its order. Throws RuleSetMismatch
 * when they are not the same rules, rather than report hits that the main thread would credit to
 * other rules.
 */
export function loadSharedRuleSet(shared: SharedRuleSet): Rule[] {
  const byId = new Map(loadRulePack(shared.pack).rules.map((r) => [r.id, r]));
  const missing = shared.ids.filter((id) => !byId.has(id));
  const rules = shared.ids.flatMap((id) => byId.get(id) ?? []);
  const fingerprint = ruleSetFingerprint(rules, shared.mappings);
  if (missing.length === 0 && fingerprint === shared.fingerprint) return rules;
  const what =
    missing.length > 0
      ? `${missing.length} of its ${shared.ids.length} rules are missing (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''})`
      : `the same ${rules.length} rules differ in content (fingerprint ${fingerprint.slice(0, 12)}, main thread ${shared.fingerprint.slice(0, 12)})`;
  throw new RuleSetMismatch(
    `a scan worker loaded other rules than the main thread: ${what}. Was a rule file changed during the scan? Scan again, or with --workers 1.`,
  );
}
