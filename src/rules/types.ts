/** A rule as lkm-scan understands it, validated from an Elastic detection-rule TOML file. */

import type { RuleFilter } from '../filters/index.js';

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export type QueryLanguage = 'eql' | 'kuery';

/** MITRE ATT&CK mapping, kept exactly as the TOML has it (snake_case) so alerts can copy it verbatim. */
export interface ThreatEntry {
  id: string;
  name: string;
  reference?: string;
}
export interface ThreatTechnique extends ThreatEntry {
  subtechnique?: ThreatEntry[];
}
export interface Threat {
  framework: string;
  tactic?: ThreatEntry;
  technique?: ThreatTechnique[];
}

/** Where the rule came from, so errors and `rules show` can point into the file. */
export interface RuleSource {
  /** Path as the user gave it (or `rules/<file>` for bundled rules). */
  file: string;
  /** Text of the query as written in the TOML, and where it starts in the file (1-based). */
  queryStart: { line: number; column: number };
  bundled: boolean;
}

/** A rule's `alert_suppression` table, as Kibana reads it. */
export interface AlertSuppression {
  /** 1 to 3 fields; a threshold rule groups by its threshold fields instead (Kibana has no group_by for it). */
  groupBy: string[];
  /** `duration` in ms; undefined: suppress within one rule execution. */
  durationMs?: number;
  /** `suppress` (Kibana's default): events missing a field form one group; `doNotSuppress`: each such event alerts alone. */
  missingFields: 'suppress' | 'doNotSuppress';
}

/** One `[[rule.exceptions_list]]` entry: an exception list Kibana applies to the rule (README "### Exceptions"). */
export interface ExceptionListRef {
  listId: string;
  namespaceType: 'single' | 'agnostic';
  /** The list's saved-object id and type, as Kibana writes them; lists are matched by `listId` and `namespaceType`. */
  id?: string;
  type?: string;
}

/** Fields every rule type shares. */
export interface RuleCommon {
  id: string;
  name: string;
  description: string;
  severity: Severity;
  riskScore: number;
  tags: string[];
  threat: Threat[];
  author: string[];
  license?: string;
  references: string[];
  falsePositives: string[];
  /** `exceptions_list`: the exception lists whose items leave events out of the rule's search (`--exceptions`); absent is none. */
  exceptionsList?: ExceptionListRef[];
  setup?: string;
  note?: string;
  index: string[];
  /** `building_block_type = "default"` (SPEC §D): a normal alert, marked as building block. */
  buildingBlock: boolean;
  /** `maturity = "deprecated"` (SPEC §D): still run, marked. */
  deprecated: boolean;
  maturity?: string;
  /** `event.ingested` for most Elastic rules: the event time used by stateful rules (SPEC §D). */
  timestampOverride?: string;
  /** EQL `event_category_override`: the field `X where` reads instead of `event.category`. */
  eventCategoryOverride?: string;
  from?: string;
  interval?: string;
  /** `max_signals`: most alerts one execution of the rule creates; Kibana's default (100) when absent. */
  maxSignals?: number;
  /** `alert_suppression`: alerts grouped by field values (README "max_signals and alert suppression"). */
  alertSuppression?: AlertSuppression;
  language: QueryLanguage;
  query: string;
  /**
   * `filters`: Kibana filter objects ANDed with the query in every search the rule makes
   * (src/filters/, README "Rule filters"); disabled ones are kept but not applied.
   */
  filters: RuleFilter[];
  /** `enabled = false`: Kibana does not run it; lkm-scan runs it only when `--rule` names it. */
  enabled: boolean;
  source: RuleSource;
}

export interface QueryRule extends RuleCommon {
  type: 'query';
  language: 'kuery';
}
export interface EqlRule extends RuleCommon {
  type: 'eql';
  language: 'eql';
}
export interface NewTermsRule extends RuleCommon {
  type: 'new_terms';
  newTerms: {
    fields: string[];
    /** `history_window_start` as written, e.g. `now-5d`. */
    historyWindowStart: string;
    historyWindowMs: number;
  };
}
export interface ThresholdRule extends RuleCommon {
  type: 'threshold';
  threshold: {
    fields: string[];
    value: number;
    cardinality?: { field: string; value: number };
  };
}

export type Rule = QueryRule | EqlRule | NewTermsRule | ThresholdRule;
export type RuleType = Rule['type'];
