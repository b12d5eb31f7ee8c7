import { loadRulePack, type RulePack } from './pack.js';
import { SEVERITIES, type Rule, type Severity } from './types.js';

export interface RuleSelection {
  /** Extra rule files or folders (`--rules`, repeatable). */
  rulePaths: string[];
  /** Include the bundled rules (`--no-bundled` turns this off). */
  bundled: boolean;
  /** `--rule ID_OR_NAME`: keep only these (id exactly, or name case-insensitively). */
  only: string[];
  /** `--exclude-rule ID_OR_NAME`: leave these out (same matching as `only`), after `only`. */
  exclude?: string[];
  /** `--tag TAG`: keep rules that carry any of these tags (case-insensitive). */
  tags: string[];
  minSeverity?: Severity;
  /** The rule cache folder (src/rules/cache.ts, `ruleCacheDir`); undefined: no cache. */
  cacheDir?: string;
  /** Keep `enabled = false` rules among `rules` (the `rules` listing shows them, marked). */
  includeDisabled?: boolean;
}

export interface SelectedRules extends RulePack {
  /** `--rule` values that matched no rule: an error, since a typo would otherwise scan nothing. */
  unknown: string[];
  /** `--exclude-rule` values that matched no rule: an error, since a typo would run the rule. */
  unknownExcluded: string[];
  /**
   * `enabled = false` rules the selection left out: Kibana does not run them, so neither does a
   * scan unless `--rule` names them (then they are in `rules`). Empty with `includeDisabled`.
   */
  disabled: Rule[];
}

export function selectRules(sel: RuleSelection): SelectedRules {
  const pack = loadRulePack({ bundled: sel.bundled, paths: sel.rulePaths, cacheDir: sel.cacheDir });
  let rules = pack.rules;
  const unknown: string[] = [];
  if (sel.only.length > 0) {
    const wanted = new Set<Rule>();
    for (const key of sel.only) {
      const hits = findRules(rules, key);
      if (hits.length === 0) unknown.push(key);
      for (const r of hits) wanted.add(r);
    }
    rules = rules.filter((r) => wanted.has(r));
  }
  const unknownExcluded: string[] = [];
  if (sel.exclude !== undefined && sel.exclude.length > 0) {
    const unwanted = new Set<Rule>();
    for (const key of sel.exclude) {
      // Matched against the whole pack, so excluding a rule that --rule or --tag already left
      // out is not mistaken for a typo.
      const hits = findRules(pack.rules, key);
      if (hits.length === 0) unknownExcluded.push(key);
      for (const r of hits) unwanted.add(r);
    }
    rules = rules.filter((r) => !unwanted.has(r));
  }
  if (sel.tags.length > 0) {
    const tags = sel.tags.map((t) => t.toLowerCase());
    rules = rules.filter((r) => r.tags.some((t) => tags.includes(t.toLowerCase())));
  }
  if (sel.minSeverity) {
    const min = SEVERITIES.indexOf(sel.minSeverity);
    rules = rules.filter((r) => SEVERITIES.indexOf(r.severity) >= min);
  }
  const disabled = sel.only.length > 0 || sel.includeDisabled === true ? [] : rules.filter((r) => !r.enabled);
  if (disabled.length > 0) rules = rules.filter((r) => r.enabled);
  return { ...pack, rules, unknown, unknownExcluded, disabled };
}

/** A rule by exact id, id prefix (at least 4 characters), or name (case-insensitive, exact, then substring). */
export function findRules(rules: readonly Rule[], key: string): Rule[] {
  const byId = rules.filter((r) => r.id === key);
  if (byId.length) return byId;
  const lower = key.toLowerCase();
  const byName = rules.filter((r) => r.name.toLowerCase() === lower);
  if (byName.length) return byName;
  if (key.length >= 4) {
    const byPrefix = rules.filter((r) => r.id.startsWith(lower));
    if (byPrefix.length) return byPrefix;
  }
  return rules.filter((r) => r.name.toLowerCase().includes(lower));
}
