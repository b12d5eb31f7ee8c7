import type { Alert } from '../engine/alert.js';
import { formatTime } from '../engine/eventTime.js';
import type { Rule, Severity } from '../rules/types.js';
import { mitreIds } from './mitre.js';

/** SARIF 2.1.0 levels: GitHub code scanning and most CI viewers sort and filter by these. */
const LEVEL: Record<Severity, 'note' | 'warning' | 'error'> = {
  low: 'note',
  medium: 'warning',
  high: 'error',
  critical: 'error',
};

/** Builds one SARIF log for a whole scan: `tool.driver.rules` lists the rules run, `results` the alerts. */
export function buildSarif(rules: readonly Rule[], alerts: readonly Alert[], version: string): unknown {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'lkm-scan',
            version,
            informationUri: 'https://github.com/elastic/detection-rules',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.name },
              fullDescription: { text: r.description.trim() },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: {
                tags: [...r.tags, ...mitreIds(r.threat)],
                severity: r.severity,
                risk_score: r.riskScore,
                type: r.type,
                building_block: r.buildingBlock,
                deprecated: r.deprecated,
              },
            })),
          },
        },
        results: alerts.map((a) => ({
          ruleId: a.rule.id,
          ruleIndex: index.get(a.rule.id),
          level: LEVEL[a.rule.severity],
          message: {
            text:
              `${a.rule.name} (${a.rule.severity}, risk ${a.rule.riskScore})` +
              (a.newTerms ? `: new term ${Object.entries(a.newTerms).map(([k, v]) => `${k}=${String(v)}`).join(', ')}` : ''),
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: a.location.file === '<stdin>' ? 'stdin' : a.location.file },
                region: { startLine: a.location.line },
              },
            },
          ],
          properties: { timestamp: formatTime(a.timeMs), ...(a.newTerms ? { new_terms: a.newTerms } : {}) },
        })),
      },
    ],
  };
}
