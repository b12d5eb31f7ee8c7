import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TOML from '@iarna/toml';
import { afterAll, describe, expect, it } from 'vitest';
import { extractPackRules } from '../../test/e2e/run.js';
import { schemaErrors } from '../../test/support/jsonSchema.js';
import { FieldTypeTable } from '../fieldTypes/index.js';
import { exceptionListsForExport, kibanaExport, readRuleTable } from './kibanaExport.js';
import { loadRulePack } from './pack.js';
import type { Rule } from './types.js';

const SCHEMA = 'kibana/rule-import.schema.json';
const types = FieldTypeTable.builtin();

function rules(paths: string[], bundled = false): Rule[] {
  const pack = loadRulePack({ bundled, paths });
  expect(pack.errors).toEqual([]);
  return pack.rules;
}

function exportOf(rs: Rule[], exceptions: string[] = []) {
  const result = kibanaExport(
    rs.map((rule) => ({ rule, table: readRuleTable(rule) })),
    exceptionListsForExport(exceptions, existsSync),
    types,
  );
  const lines = result.ndjson.trimEnd().split('\n').map((l): Record<string, unknown> => JSON.parse(l));
  for (const line of lines) expect(schemaErrors(SCHEMA, line), JSON.stringify(line).slice(0, 200)).toEqual([]);
  return { result, lines };
}

describe('kibanaExport', () => {
  it('writes a new_terms rule as the API does: new_terms_fields and history_window_start at the top, version, enabled, typed required_fields', () => {
    const { lines } = exportOf(rules([], true).filter((r) => r.type === 'new_terms'));
    const [rule, summary] = lines;
    expect(rule).toMatchObject({
      rule_id: '80084fa9-8677-4453-8680-b891d3c0c778',
      type: 'new_terms',
      new_terms_fields: ['process.executable'],
      history_window_start: 'now-5d',
      from: 'now-119m',
      interval: '60m',
      version: 1,
      enabled: true,
    });
    expect(rule).not.toHaveProperty('new_terms');
    expect(rule?.required_fields).toContainEqual({ name: 'file.path', type: 'keyword' });
    expect(summary).toMatchObject({ exported_count: 1, exported_rules_count: 1, exported_exception_list_count: 0, missing_exception_lists_count: 0 });
  });

  it('keeps a threshold rule\'s threshold and cardinality as the file has them', () => {
    const { lines } = exportOf(rules(['test/fixtures/rules/threshold_brute_force.toml']));
    expect(lines[0]).toMatchObject({ type: 'threshold', threshold: { field: ['user.name'], value: 3, cardinality: [{ field: 'source.ip', value: 2 }] } });
  });

  it('passes a Kibana exception export on verbatim after the rules and references its list from the rules RULES= names', () => {
    const ndjson = 'test/fixtures/exceptions/kernel-allow.ndjson';
    const source = readFileSync(ndjson, 'utf8').trim().split('\n').map((l): Record<string, unknown> => JSON.parse(l));
    const { lines, result } = exportOf(rules([], true), [`80084fa9-8677-4453-8680-b891d3c0c778=${ndjson}`]);
    const newTerms = lines.find((l) => l.rule_id === '80084fa9-8677-4453-8680-b891d3c0c778');
    const eql = lines.find((l) => l.rule_id === '947827c6-9ed6-4dec-903e-c856c86e72f3');
    expect(newTerms?.exceptions_list).toEqual([{ id: '2c3e5a10-8f2b-11ef-9a4e-3d5c1e2f0a11', list_id: 'lkm-linux-kernel-allow', type: 'detection', namespace_type: 'single' }]);
    expect(eql).not.toHaveProperty('exceptions_list');
    // The list and its items as Kibana exported them; the export's own summary line is replaced by ours.
    expect(lines.slice(2, -1)).toEqual(source.filter((d) => !('exported_exception_list_count' in d)));
    expect(result).toMatchObject({ rules: 2, lists: 1, items: 5 });
    expect(lines.at(-1)).toMatchObject({ exported_count: 8, exported_exception_list_count: 1, exported_exception_list_item_count: 5 });
  });

  it('takes a Kibana export whose items come before their list (RULES=* applies it to every rule), and names a list no selected rule uses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lkm-kibana-order-'));
    try {
      const docs = readFileSync('test/fixtures/exceptions/kernel-allow.ndjson', 'utf8').trim().split('\n').map((l): Record<string, unknown> => JSON.parse(l));
      const reordered = [...docs.filter((d) => 'entries' in d), ...docs.filter((d) => !('entries' in d))];
      const itemsFirst = join(dir, 'items-first.ndjson');
      writeFileSync(itemsFirst, reordered.map((d) => JSON.stringify(d)).join('\n') + '\n');
      const { lines, result } = exportOf(rules([], true), [`*=${itemsFirst}`, 'no-such-rule=test/fixtures/exceptions/process-kill.toml']);
      const list = docs.find((d) => !('entries' in d) && !('exported_exception_list_count' in d));
      for (const id of ['80084fa9-8677-4453-8680-b891d3c0c778', '947827c6-9ed6-4dec-903e-c856c86e72f3']) {
        expect(lines.find((l) => l.rule_id === id)?.exceptions_list).toEqual([{ id: list?.id, list_id: list?.list_id, type: 'detection', namespace_type: 'single' }]);
      }
      expect(result.unusedLists.length).toBeGreaterThan(0);
      expect(result.unusedLists).not.toContain(list?.list_id);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the TOML exception form as Kibana list and item objects, and reports lists rules reference but no file holds', () => {
    const file = 'test/fixtures/exceptions/process-kill.toml';
    const rule = rules([], true).filter((r) => r.type === 'eql');
    const { lines, result } = exportOf(rule, [`*=${file}`]);
    const listId = `lkm-scan:${file}:exception[0]`;
    expect(lines[0]?.exceptions_list).toEqual([{ id: listId, list_id: listId, type: 'detection', namespace_type: 'single' }]);
    expect(lines[1]).toMatchObject({ list_id: listId, type: 'detection', namespace_type: 'single' });
    expect(lines[2]).toEqual({
      item_id: 'ansible-restarts',
      list_id: listId,
      name: 'Ansible restarts services with pkill -f',
      description: 'Ansible restarts services with pkill -f',
      type: 'simple',
      namespace_type: 'single',
      entries: [
        { field: 'process.parent.name', operator: 'included', type: 'match', value: 'ansible-playbook' },
        { field: 'user.name', operator: 'excluded', type: 'match', value: 'root' },
      ],
      os_types: [],
      tags: [],
      comments: [],
    });
    expect(result.missingLists).toEqual([]);
  });

  describe('rules of the detection-rules pack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lkm-kibana-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    // One file per feature of the [rule] table that the conversion must carry over.
    const files = [
      'rules/cross-platform/guided_onboarding_sample_rule.toml', // threshold
      'rules/promotions/m365_defender_alert_external_alerts.toml', // alert_suppression, severity_mapping
      'rules/windows/execution_posh_psreflect.toml', // filters
      'rules/cross-platform/execution_aws_ssm_sendcommand_with_command_parameters.toml', // investigation_fields
      'rules/integrations/endpoint/execution_elastic_malicious_file_detected.toml', // exceptions_list, risk_score_mapping
      'rules/network/discovery_potential_syn_port_scan_detected.toml', // threshold cardinality
      'rules/cross-platform/defense_evasion_genai_config_modification.toml', // new_terms
      'rules/integrations/aws/persistence_rds_db_instance_password_modified.toml', // event_category_override
    ];
    extractPackRules(dir, files);

    it('carry every [rule] key over (new_terms converted), validate against the import schema, and name missing lists', () => {
      const loaded = rules(files.map((f) => join(dir, f)));
      expect(loaded).toHaveLength(files.length);
      const { lines, result } = exportOf(loaded);
      for (const rule of loaded) {
        const table = (TOML.parse(readFileSync(rule.source.file, 'utf8')) as { rule: Record<string, unknown> }).rule;
        const exported = lines.find((l) => l.rule_id === rule.id);
        for (const key of Object.keys(table)) {
          if (key === 'new_terms') continue;
          expect(exported?.[key], `${rule.source.file} ${key}`).toEqual(JSON.parse(JSON.stringify(table[key])));
        }
      }
      expect(result.missingLists).toEqual(['endpoint_list']);
      expect(lines.at(-1)).toMatchObject({ missing_exception_lists: [{ list_id: 'endpoint_list' }], missing_exception_lists_count: 1 });
    });
  });

  it('the import schema rejects what Kibana rejects (it is not a schema that accepts anything)', () => {
    const { lines } = exportOf(rules([], true));
    const newTerms = lines.find((l) => l.type === 'new_terms') ?? {};
    const { new_terms_fields: _f, ...withoutFields } = newTerms;
    expect(schemaErrors(SCHEMA, withoutFields)).not.toEqual([]);
    expect(schemaErrors(SCHEMA, { ...newTerms, risk_score: 101 })).not.toEqual([]);
    expect(schemaErrors(SCHEMA, { description: 'd', entries: [{ field: 'a', type: 'exists', operator: 'included' }], item_id: 'i', list_id: 'l', name: 'n', type: 'simple', extra: 1 })).not.toEqual([]);
  });
});

describe('kibanaExport of a hostile rule file', () => {
  it('exports an integer beyond 2^63 (a bigint to the TOML reader) as a number, not a crash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lkm-kibana-big-'));
    try {
      const file = join(dir, 'big.toml');
      writeFileSync(file, '[metadata]\nmaturity = "production"\n\n[rule]\nrule_id = "big"\nname = "n"\ndescription = "d"\nseverity = "low"\nrisk_score = 1\ntype = "query"\nlanguage = "kuery"\nquery = "a:b"\ncustom_count = 99999999999999999999\n');
      const { lines } = exportOf(rules([file]));
      expect(typeof lines[0]?.custom_count).toBe('number');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
