import type { Rule } from '../../rules/types.js';
import { printable } from '../../text/printable.js';

/**
 * The tactics of the MITRE ATT&CK Enterprise matrix, in the matrix's column order
 * (attack.mitre.org/tactics/enterprise/). A rule naming another tactic gets a column after these.
 */
const ENTERPRISE_TACTICS: ReadonlyArray<readonly [string, string]> = [
  ['TA0043', 'Reconnaissance'],
  ['TA0042', 'Resource Development'],
  ['TA0001', 'Initial Access'],
  ['TA0002', 'Execution'],
  ['TA0003', 'Persistence'],
  ['TA0004', 'Privilege Escalation'],
  ['TA0005', 'Defense Evasion'],
  ['TA0006', 'Credential Access'],
  ['TA0007', 'Discovery'],
  ['TA0008', 'Lateral Movement'],
  ['TA0009', 'Collection'],
  ['TA0011', 'Command and Control'],
  ['TA0010', 'Exfiltration'],
  ['TA0040', 'Impact'],
];

export interface AttackTechnique {
  id: string;
  name: string;
  /** Alerts of the rules that map this technique (or one of its subtechniques) under this tactic. */
  alerts: number;
  rules: string[];
  subtechniques: Array<{ id: string; name: string; alerts: number }>;
}

export interface AttackMatrix {
  /** Tactics with alerts, in matrix order; each with its techniques, most alerts first. */
  tactics: Array<{ id: string; name: string; alerts: number; techniques: AttackTechnique[] }>;
  /** Enterprise tactics no alerting rule maps. */
  quiet: string[];
  /** Alerts of rules with no ATT&CK mapping. */
  unmapped: number;
}

/**
 * The ATT&CK tactics and techniques that fired: each rule's `threat` mapping (framework MITRE
 * ATT&CK), weighted by the rule's alerts. A rule that maps a tactic without techniques counts
 * toward the tactic only.
 */
export function attackMatrix(rules: ReadonlyArray<{ rule: Rule; alerts: number }>): AttackMatrix {
  const tactics = new Map<string, { id: string; name: string; alerts: number; techniques: Map<string, AttackTechnique> }>();
  let unmapped = 0;
  for (const { rule, alerts } of rules) {
    if (alerts === 0) continue;
    const threats = rule.threat.filter((t) => t.framework === 'MITRE ATT&CK' && t.tactic !== undefined);
    if (threats.length === 0) unmapped += alerts;
    for (const threat of threats) {
      if (threat.tactic === undefined) continue;
      const id = printable(threat.tactic.id);
      const name = printable(threat.tactic.name);
      let tactic = tactics.get(id);
      if (tactic === undefined) tactics.set(id, (tactic = { id, name, alerts: 0, techniques: new Map() }));
      tactic.alerts += alerts;
      for (const t of threat.technique ?? []) {
        let tech = tactic.techniques.get(t.id);
        if (tech === undefined) tactic.techniques.set(t.id, (tech = { id: printable(t.id), name: printable(t.name), alerts: 0, rules: [], subtechniques: [] }));
        tech.alerts += alerts;
        if (!tech.rules.includes(printable(rule.name))) tech.rules.push(printable(rule.name));
        for (const s of t.subtechnique ?? []) {
          const sub = tech.subtechniques.find((x) => x.id === s.id);
          if (sub) sub.alerts += alerts;
          else tech.subtechniques.push({ id: printable(s.id), name: printable(s.name), alerts });
        }
      }
    }
  }
  const order = new Map(ENTERPRISE_TACTICS.map(([id], i) => [id, i]));
  const rank = (id: string) => order.get(id) ?? ENTERPRISE_TACTICS.length;
  const byCount = <T extends { id: string; alerts: number }>(a: T, b: T) => b.alerts - a.alerts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    tactics: [...tactics.values()]
      .sort((a, b) => rank(a.id) - rank(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((t) => ({
        id: t.id,
        name: t.name,
        alerts: t.alerts,
        techniques: [...t.techniques.values()].sort(byCount).map((tech) => ({ ...tech, subtechniques: tech.subtechniques.sort(byCount) })),
      })),
    quiet: ENTERPRISE_TACTICS.filter(([id]) => !tactics.has(id)).map(([, name]) => name),
    unmapped,
  };
}
