import { describe, expect, it } from 'vitest';
import type { QueryRule, Threat } from '../../rules/types.js';
import { attackMatrix } from './attack.js';

function rule(name: string, threat: Threat[]): QueryRule {
  return {
    type: 'query', language: 'kuery', id: name, name, description: '', severity: 'low', riskScore: 21, tags: [], threat, author: [], references: [], falsePositives: [], index: [],
    buildingBlock: false, deprecated: false, query: 'a:b', filters: [], enabled: true, source: { file: 'r.toml', queryStart: { line: 1, column: 1 }, bundled: false },
  };
}
const tactic = (id: string, name: string) => ({ id, name });

describe('attackMatrix', () => {
  it('lists the tactics that fired in ATT&CK order, techniques by alerts, each weighted by its rules\' alerts', () => {
    const m = attackMatrix([
      { rule: rule('impact', [{ framework: 'MITRE ATT&CK', tactic: tactic('TA0040', 'Impact'), technique: [{ id: 'T1485', name: 'Data Destruction' }] }]), alerts: 2 },
      {
        rule: rule('persist', [
          { framework: 'MITRE ATT&CK', tactic: tactic('TA0003', 'Persistence'), technique: [{ id: 'T1547', name: 'Boot or Logon Autostart Execution', subtechnique: [{ id: 'T1547.006', name: 'Kernel Modules and Extensions' }] }] },
        ]),
        alerts: 3,
      },
      { rule: rule('persist-2', [{ framework: 'MITRE ATT&CK', tactic: tactic('TA0003', 'Persistence'), technique: [{ id: 'T1543', name: 'Create or Modify System Process' }, { id: 'T1547', name: 'Boot or Logon Autostart Execution' }] }]), alerts: 4 },
      { rule: rule('silent', [{ framework: 'MITRE ATT&CK', tactic: tactic('TA0001', 'Initial Access') }]), alerts: 0 },
      { rule: rule('unmapped', []), alerts: 5 },
      { rule: rule('tactic-only', [{ framework: 'MITRE ATT&CK', tactic: tactic('TA0007', 'Discovery') }]), alerts: 1 },
    ]);
    expect(m.tactics.map((t) => [t.name, t.alerts])).toEqual([
      ['Persistence', 7],
      ['Discovery', 1],
      ['Impact', 2],
    ]);
    const persistence = m.tactics[0]!;
    expect(persistence.techniques.map((t) => [t.id, t.alerts, t.rules])).toEqual([
      ['T1547', 7, ['persist', 'persist-2']],
      ['T1543', 4, ['persist-2']],
    ]);
    expect(persistence.techniques[0]?.subtechniques).toEqual([{ id: 'T1547.006', name: 'Kernel Modules and Extensions', alerts: 3 }]);
    expect(m.tactics[1]?.techniques).toEqual([]);
    expect(m.unmapped).toBe(5);
    expect(m.quiet).toContain('Initial Access');
    expect(m.quiet).not.toContain('Persistence');
  });

  it('puts a tactic outside the Enterprise matrix after its columns, and escapes names from rule files', () => {
    const m = attackMatrix([
      { rule: rule('ics', [{ framework: 'MITRE ATT&CK', tactic: tactic('TA0100', 'Collection\u001b[2J'), technique: [] }]), alerts: 1 },
      { rule: rule('exec', [{ framework: 'MITRE ATT&CK', tactic: tactic('TA0002', 'Execution') }]), alerts: 1 },
    ]);
    expect(m.tactics.map((t) => t.name)).toEqual(['Execution', 'Collection\\x1b[2J']);
  });
});
