import type { Alert } from '../engine/alert.js';
import { formatTime } from '../engine/eventTime.js';
import type { SuppressionResult } from '../engine/alertStages/suppression.js';

/** The documented JSON shape of one alert (README "JSON output"). Key order is part of the contract. */
export interface AlertDocument {
  timestamp: string | null;
  rule: {
    id: string;
    name: string;
    type: string;
    language: string;
    severity: string;
    risk_score: number;
    building_block: boolean;
    deprecated: boolean;
    tags: string[];
    threat: unknown[];
  };
  new_terms?: Record<string, unknown>;
  threshold?: { fields: Record<string, unknown>; count: number; cardinality?: { field: string; value: number } };
  suppression?: SuppressionDocument;
  events?: Array<{ location: { file: string; line: number }; document: unknown }>;
  location: { file: string; line: number };
  document: unknown;
}

/** `kibana.alert.suppression.*` of Kibana's alert, under its own names: terms, start, end, docs_count. */
export interface SuppressionDocument {
  terms: Array<{ field: string; value: unknown }>;
  start: string | null;
  end: string | null;
  docs_count: number;
}

export function suppressionDocument(s: SuppressionResult): SuppressionDocument {
  return { terms: s.terms, start: formatTime(s.start), end: formatTime(s.end), docs_count: s.docsCount };
}

/** The `rule` part of an alert document: the same for every alert of the rule. */
export function ruleDocument(rule: Alert['rule']): AlertDocument['rule'] {
  return {
    id: rule.id,
    name: rule.name,
    type: rule.type,
    language: rule.language,
    severity: rule.severity,
    risk_score: rule.riskScore,
    building_block: rule.buildingBlock,
    deprecated: rule.deprecated,
    tags: rule.tags,
    threat: rule.threat,
  };
}

export function toAlertDocument(alert: Alert): AlertDocument {
  const { rule } = alert;
  // Keys are added in the documented order; optional ones only for the rule types that have them.
  return {
    timestamp: formatTime(alert.timeMs),
    rule: ruleDocument(rule),
    ...(alert.newTerms && { new_terms: alert.newTerms }),
    ...(alert.threshold && { threshold: alert.threshold }),
    ...(alert.suppression && { suppression: suppressionDocument(alert.suppression) }),
    ...(alert.events && { events: alert.events.map((e) => ({ location: { file: e.location.file, line: e.location.line }, document: e.event })) }),
    location: { file: alert.location.file, line: alert.location.line },
    document: alert.event,
  };
}
