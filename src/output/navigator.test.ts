import { describe, expect, it } from 'vitest';
import { schemaErrors } from '../../test/support/jsonSchema.js';
import { parseRuleText } from '../rules/load.js';
import type { Rule } from '../rules/types.js';
import { navigatorLayer, tacticShortName } from './navigator.js';

const SCHEMA = 'navigator/layer-4.5.schema.json';

function rule(id: string, threat: string): Rule {
  const text = `[metadata]\nmaturity = "production"\n\n[rule]\nrule_id = "${id}"\nname = "Rule ${id}"\ndescription = "d"\ntype = "query"\nlanguage = "kuery"\nquery = "a:b"\nseverity = "low"\nrisk_score = 1\n${threat}`;
  const r = parseRuleText(text, `${id}.toml`);
  if ('unsupported' in r) throw new Error('expected a supported rule');
  return r;
}

const persistence = (technique: string, sub?: string) =>
  `[[rule.threat]]\nframework = "MITRE ATT&CK"\n[[rule.threat.technique]]\nid = "${technique}"\nname = "t"\nreference = "https://attack.mitre.org/techniques/${technique}/"\n` +
  (sub ? `[[rule.threat.technique.subtechnique]]\nid = "${sub}"\nname = "s"\nreference = "https://attack.mitre.org/techniques/x/"\n` : '') +
  `[rule.threat.tactic]\nid = "TA0003"\nname = "Persistence"\nreference = "https://attack.mitre.org/tactics/TA0003/"\n`;

describe('navigatorLayer', () => {
  it('scores each technique and sub-technique by the rules that map it, per tactic, and is a valid 4.5 layer', () => {
    const rules = [rule('a', persistence('T1547', 'T1547.006')), rule('b', persistence('T1547')), rule('c', persistence('T1053', 'T1053.003'))];
    const layer = navigatorLayer(rules.map((r) => ({ rule: r })), { name: 'n', description: 'd', mode: 'rules' });
    expect(schemaErrors(SCHEMA, layer)).toEqual([]);
    expect(layer.techniques.map((t) => [t.techniqueID, t.tactic, t.score])).toEqual([
      ['T1053', 'persistence', 1],
      ['T1053.003', 'persistence', 1],
      ['T1547', 'persistence', 2],
      ['T1547.006', 'persistence', 1],
    ]);
    const t1547 = layer.techniques.find((t) => t.techniqueID === 'T1547');
    expect(t1547?.comment).toBe('2 rules');
    expect(t1547?.metadata).toEqual([
      { name: 'rule', value: 'Rule a (a)' },
      { name: 'rule', value: 'Rule b (b)' },
    ]);
    expect(layer.gradient).toEqual({ colors: ['#dbeafe', '#1d4ed8'], minValue: 1, maxValue: 2 });
    expect(layer.versions).toEqual({ navigator: '4.9.0', layer: '4.5' });
  });

  it('in a scan layer counts only the rules that fired, with their alerts in the comment', () => {
    const rules = [rule('a', persistence('T1547')), rule('b', persistence('T1547')), rule('c', persistence('T1053'))];
    const layer = navigatorLayer(
      [
        { rule: rules[0]!, alerts: 5 },
        { rule: rules[1]!, alerts: 0 },
        { rule: rules[2]!, alerts: 0 },
      ],
      { name: 'n', description: 'd', mode: 'alerts' },
    );
    expect(schemaErrors(SCHEMA, layer)).toEqual([]);
    expect(layer.techniques).toEqual([
      { techniqueID: 'T1547', tactic: 'persistence', score: 1, comment: '1 rule fired, 5 alerts', metadata: [{ name: '5 alerts', value: 'Rule a (a)' }], showSubtechniques: true },
    ]);
  });

  it('leaves out mappings of other frameworks and ids that are not ATT&CK technique ids, and stays valid when empty', () => {
    const other = rule('x', `[[rule.threat]]\nframework = "Other"\n[[rule.threat.technique]]\nid = "T1000"\nname = "t"\nreference = "r"\n[rule.threat.tactic]\nid = "X"\nname = "X"\nreference = "r"\n`);
    const typo = rule('y', persistence('T15470'));
    const layer = navigatorLayer([{ rule: other }, { rule: typo }], { name: 'n', description: 'd', mode: 'rules' });
    expect(layer.techniques).toEqual([]);
    expect(schemaErrors(SCHEMA, layer)).toEqual([]);
  });

  it('names tactics by ATT&CK short name, from the id or else the name', () => {
    expect(tacticShortName({ id: 'TA0011', name: 'Command and Control' })).toBe('command-and-control');
    expect(tacticShortName({ id: 'TA9999', name: 'Brand  New Tactic' })).toBe('brand-new-tactic');
  });

  it('the schema rejects what the spec forbids (it is not a schema that accepts anything)', () => {
    const layer = navigatorLayer([{ rule: rule('a', persistence('T1547')) }], { name: 'n', description: 'd', mode: 'rules' });
    expect(schemaErrors(SCHEMA, { ...layer, domain: 'mitre-enterprise' })).not.toEqual([]);
    expect(schemaErrors(SCHEMA, { ...layer, versions: { navigator: '4.8.0', layer: '4.5' } })).not.toEqual([]);
    expect(schemaErrors(SCHEMA, { ...layer, techniques: [{ score: 1 }] })).not.toEqual([]);
  });
});
