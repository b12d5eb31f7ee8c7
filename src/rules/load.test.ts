import { describe, expect, it } from 'vitest';
import { isUnsupported, parseRuleText } from './load.js';
import { loadRulePack } from './pack.js';
import { RuleError } from './ruleError.js';
import type { Rule } from './types.js';

function bundled(): Rule[] {
  const pack = loadRulePack({ bundled: true, paths: [] });
  expect(pack.errors).toEqual([]);
  return pack.rules;
}

function loadError(text: string): RuleError {
  try {
    parseRuleText(text, 'x.toml');
  } catch (e) {
    if (e instanceof RuleError) return e;
    throw e;
  }
  throw new Error('expected a RuleError');
}

const minimal = (rule: string) => `[metadata]\nmaturity = "production"\n\n[rule]\n${rule}\n`;

describe('bundled rules', () => {
  it('load both rules with every field of the seed documents', () => {
    const rules = bundled();
    expect(rules.map((r) => r.id).sort()).toEqual(['80084fa9-8677-4453-8680-b891d3c0c778', '947827c6-9ed6-4dec-903e-c856c86e72f3']);
    const kmod = rules.find((r) => r.id.startsWith('9478'))!;
    expect(kmod).toMatchObject({
      name: 'Deprecated - Creation of Kernel Module',
      type: 'eql',
      language: 'eql',
      severity: 'low',
      riskScore: 21,
      buildingBlock: true,
      deprecated: true,
      timestampOverride: 'event.ingested',
      from: 'now-119m',
      interval: '60m',
      index: ['logs-endpoint.events.*', 'endgame-*'],
    });
    expect(kmod.threat).toEqual([
      {
        framework: 'MITRE ATT&CK',
        tactic: { id: 'TA0003', name: 'Persistence', reference: 'https://attack.mitre.org/tactics/TA0003/' },
        technique: [
          {
            id: 'T1547',
            name: 'Boot or Logon Autostart Execution',
            reference: 'https://attack.mitre.org/techniques/T1547/',
            subtechnique: [{ id: 'T1547.006', name: 'Kernel Modules and Extensions', reference: 'https://attack.mitre.org/techniques/T1547/006/' }],
          },
        ],
      },
    ]);
    const proc = rules.find((r) => r.id.startsWith('8008'))!;
    expect(proc.type).toBe('new_terms');
    if (proc.type !== 'new_terms') return;
    expect(proc.newTerms).toEqual({ fields: ['process.executable'], historyWindowStart: 'now-5d', historyWindowMs: 5 * 86_400_000 });
    expect(proc.buildingBlock).toBe(true);
    expect(proc.deprecated).toBe(false);
    expect(proc.falsePositives[0]).toMatch(/Security tools and device drivers/);
    expect(proc.setup).toMatch(/-w \/proc\/ -p r -k audit_proc/);
    expect(proc.threat[0]!.technique!.map((t) => t.id)).toEqual(['T1082', 'T1518']);
  });

  it('records where the query starts in the file, for caret diagnostics', () => {
    const kmod = bundled().find((r) => r.id.startsWith('9478'))!;
    expect(kmod.source.queryStart).toEqual({ line: 34, column: 1 });
    expect(kmod.source.file).toBe('rules/persistence_creation_of_kernel_module.toml');
  });
});

describe('rule validation', () => {
  it('names the TOML position of a syntax error', () => {
    const e = loadError('[rule]\nname = = "x"\n');
    expect(e.diagnostic).toMatchObject({ file: 'x.toml', line: 2 });
    expect(e.format()).toMatch(/invalid TOML/);
  });

  it('names a missing required field', () => {
    const e = loadError(minimal('name = "n"\ntype = "query"\nlanguage = "kuery"\nquery = "a:b"\nseverity = "low"\nrisk_score = 1'));
    expect(e.message).toBe('rule field `rule.rule_id` is missing');
  });

  it('describes a table found where a value belongs in words, not as [object Object]', () => {
    const e = loadError(minimal('rule_id = "r"\nname = "n"\ntype = "query"\nlanguage = "kuery"\nquery = "a:b"\nseverity = "low"\nrisk_score = { a = 1 }'));
    expect(e.message).toBe('rule field `rule.risk_score` must be a number from 0 to 100, found a table');
  });

  it('rejects an unknown severity and points at its line', () => {
    const e = loadError(minimal('rule_id = "r"\nname = "n"\ntype = "query"\nlanguage = "kuery"\nquery = "a:b"\nseverity = "urgent"\nrisk_score = 1'));
    expect(e.message).toMatch(/rule\.severity.*urgent.*low, medium, high, critical/);
    expect(e.diagnostic.line).toBe(10);
    expect(e.format()).toContain('severity = "urgent"');
  });

  it('rejects a new_terms rule with a malformed history window', () => {
    const e = loadError(
      minimal(
        'rule_id = "r"\nname = "n"\ntype = "new_terms"\nlanguage = "kuery"\nquery = "a:b"\nseverity = "low"\nrisk_score = 1\n' +
          '[rule.new_terms]\nfield = "new_terms_fields"\nvalue = ["host.name"]\n[[rule.new_terms.history_window_start]]\nfield = "history_window_start"\nvalue = "yesterday"',
      ),
    );
    expect(e.message).toMatch(/history_window_start.*now-5d/);
  });

  it('returns rule types that need a cluster as unsupported instead of failing', () => {
    const r = parseRuleText(minimal('rule_id = "r"\nname = "ml"\ntype = "machine_learning"\nseverity = "low"\nrisk_score = 1'), 'ml.toml');
    expect(isUnsupported(r)).toBe(true);
  });

  it('locates the query and a bad field inside [rule], not a look-alike line in another table or a string', () => {
    // Elastic's files put osquery investigation guides (with their own `query =`) before [rule].
    const text = [
      '[metadata]',
      'severity = "not the rule severity"',
      '[[transform.osquery]]',
      'label = "Processes"',
      'query = "SELECT * FROM processes"',
      '[rule]',
      'rule_id = "r"',
      'name = "n"',
      'type = "eql"',
      'language = "eql"',
      'note = """',
      'query = "a line of the note"',
      '"""',
      "query = '''",
      'process where process.name == "x"',
      "'''",
      'risk_score = 1',
      'severity = "urgent"',
    ].join('\n');
    const e = loadError(text);
    expect(e.message).toMatch(/rule\.severity.*urgent/);
    expect(e.diagnostic.line).toBe(18);
    const rule = parseRuleText(text.replace('"urgent"', '"low"'), 'x.toml');
    expect(isUnsupported(rule)).toBe(false);
    if (isUnsupported(rule)) return;
    expect(rule.source.queryStart).toEqual({ line: 15, column: 1 });
  });

  it('reports a duplicate rule_id within the user’s packs', () => {
    const pack = loadRulePack({ bundled: false, paths: ['rules', 'rules/discovery_kernel_module_enumeration_via_proc.toml'] });
    expect(pack.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^duplicate rule_id 80084fa9.*already defined in rules\//)]);
  });

  it('lets a user’s copy of a bundled rule replace the bundled one', () => {
    const pack = loadRulePack({ bundled: true, paths: ['rules/discovery_kernel_module_enumeration_via_proc.toml'] });
    expect(pack.errors).toEqual([]);
    expect(pack.rules).toHaveLength(2);
    expect(pack.rules.find((r) => r.id.startsWith('8008'))!.source).toMatchObject({ bundled: false, file: 'rules/discovery_kernel_module_enumeration_via_proc.toml' });
    expect(pack.replaced).toEqual([
      { id: '80084fa9-8677-4453-8680-b891d3c0c778', name: 'Enumeration of Kernel Modules via Proc', file: 'rules/discovery_kernel_module_enumeration_via_proc.toml' },
    ]);
  });

  it('reports a missing rules path without throwing', () => {
    const pack = loadRulePack({ bundled: false, paths: ['no/such/dir'] });
    expect(pack.errors[0]!.message).toBe('no such rule file or directory');
  });
});

describe('rule filters and enabled', () => {
  const base = 'rule_id = "r"\nname = "n"\ntype = "query"\nlanguage = "kuery"\nquery = "a:b"\nseverity = "low"\nrisk_score = 1';
  const filters = '\n[[rule.filters]]\n[rule.filters.meta]\nnegate = true\n[rule.filters.query.exists]\nfield = "x"\n\n[[rule.filters]]\n[rule.filters.query.term]\n"user.name" = "bob"\n';

  it('parses [[rule.filters]] with the line of each filter, and enabled (true when absent)', () => {
    const rule = parseRuleText(minimal(base + '\nenabled = false' + filters), 'x.toml');
    if (isUnsupported(rule)) throw new Error('expected a rule');
    const text = minimal(base + '\nenabled = false' + filters).split('\n');
    const headers = text.flatMap((l, i) => (l === '[[rule.filters]]' ? [i + 1] : []));
    expect(rule.filters).toEqual([
      { negate: true, disabled: false, clause: { kind: 'exists', field: 'x' }, line: headers[0] },
      { negate: false, disabled: false, clause: { kind: 'term', field: 'user.name', values: ['bob'], caseInsensitive: false }, line: headers[1] },
    ]);
    expect(rule.enabled).toBe(false);
    const plain = parseRuleText(minimal(base), 'x.toml');
    expect(!isUnsupported(plain) && plain.enabled && plain.filters).toEqual([]);
  });

  it('points a filter it cannot evaluate at the deepest key the file defines', () => {
    const text = minimal(base + '\n[[rule.filters]]\n[rule.filters.query.regexp."process.name"]\nvalue = "ba.*"\n');
    const e = loadError(text);
    expect(e.message).toBe('rule field `rule.filters[0].query.regexp` is a `regexp` query, which lkm-scan does not evaluate; supported: bool, term, terms, match, match_phrase, wildcard, prefix, exists, range, match_all, match_none');
    expect(e.diagnostic.line).toBe(text.split('\n').indexOf('[rule.filters.query.regexp."process.name"]') + 1);
  });

  it('refuses an enabled that is not a boolean', () => {
    expect(loadError(minimal(base + '\nenabled = "no"')).message).toBe('rule field `rule.enabled` must be true or false, found "no"');
  });
});

describe('rule exceptions_list', () => {
  const base = 'rule_id = "r"\nname = "n"\ntype = "query"\nlanguage = "kuery"\nquery = "a:b"\nseverity = "low"\nrisk_score = 1';

  it('keeps each referenced list with its list_id and namespace_type (single when absent)', () => {
    const rule = parseRuleText(minimal(`${base}\n\n[[rule.exceptions_list]]\nid = "x1"\nlist_id = "ops"\ntype = "detection"\n\n[[rule.exceptions_list]]\nlist_id = "endpoint_list"\nnamespace_type = "agnostic"`), 'x.toml');
    if (isUnsupported(rule)) throw new Error('unsupported');
    expect(rule.exceptionsList).toEqual([
      { listId: 'ops', namespaceType: 'single', id: 'x1', type: 'detection' },
      { listId: 'endpoint_list', namespaceType: 'agnostic' },
    ]);
  });

  it('refuses a reference without list_id or with an unknown namespace_type', () => {
    expect(loadError(minimal(`${base}\n\n[[rule.exceptions_list]]\nid = "x1"`)).message).toBe('rule field `rule.exceptions_list[0].list_id` must be the list_id of an exception list');
    expect(loadError(minimal(`${base}\n\n[[rule.exceptions_list]]\nlist_id = "a"\nnamespace_type = "global"`)).message).toMatch(/namespace_type` must be "single" or "agnostic", found "global"/);
  });
});
