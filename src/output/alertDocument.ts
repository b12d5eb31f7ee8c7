import type { Alert } from '../engine/alert.js';
import { formatTime } from '../engine/eventTime.js';

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
  location: { file: string; line: number };
  document: unknown;
}

export function toAlertDocument(alert: Alert): AlertDocument {
  const { rule } = alert;
  const doc: AlertDocument = {
    timestamp: formatTime(alert.timeMs),
    rule: {
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
    },
    location: { file: alert.location.file, line: alert.location.line },
    document: alert.event,
  };
  if (alert.newTerms) {
    // Insert before `location` to keep the documented key order.
    return { timestamp: doc.timestamp, rule: doc.rule, new_terms: alert.newTerms, location: doc.location, document: doc.document };
  }
  return doc;
}
