import { describe, expect, it } from 'vitest';
import { parseRuleText } from '../rules/load.js';
import type { Rule } from '../rules/types.js';
import { fieldsRead } from './fieldsRead.js';

function rule(body: string): Rule {
  const r = parseRuleText(`[metadata]\nmaturity = "production"\n\n[rule]\nrule_id = "r"\nname = "r"\ndescription = "d"\nseverity = "low"\nrisk_score = 1\n${body}`, 'r.toml');
  if ('unsupported' in r) throw new Error('expected a supported rule');
  return r;
}

describe('fieldsRead', () => {
  it('lists every KQL field, a nested path joined to its fields, patterns apart, and notes free text', () => {
    const r = rule(`type = "query"\nlanguage = "kuery"\nquery = '''event.category:process and not (process.name:a or user:{ name:root and id > 0 }) and process.*:x and host.ip:* and "free"'''`);
    expect(fieldsRead(r)).toEqual({ fields: ['event.category', 'host.ip', 'process.name', 'user.id', 'user.name'], patterns: ['process.*'], freeText: true });
  });

  it('lists EQL fields of every step, join keys and the category field (or its override), array indexes dropped', () => {
    const r = rule(
      `type = "eql"\nlanguage = "eql"\nevent_category_override = "event.type"\nquery = '''sequence by host.id [process where process.args[0] == "x"] by process.entity_id [any where length(file.path) > 3] by process.parent.entity_id'''`,
    );
    expect(fieldsRead(r).fields).toEqual(['event.type', 'file.path', 'host.id', 'process.args', 'process.entity_id', 'process.parent.entity_id']);
  });

  it("leaves out the fields of a sequence's missing events: the data must not have them", () => {
    const r = rule(`type = "eql"\nlanguage = "eql"\nquery = '''sequence with maxspan=1m [process where process.name == "a"] ![file where file.path == "b"] by user.id'''`);
    expect(fieldsRead(r).fields).toEqual(['event.category', 'process.name']);
  });

  it('adds new_terms and threshold fields and the fields of enabled filters', () => {
    const nt = rule(
      `type = "new_terms"\nlanguage = "kuery"\nquery = "a:1"\n[rule.new_terms]\nfield = "new_terms_fields"\nvalue = ["user.name"]\n[[rule.new_terms.history_window_start]]\nfield = "history_window_start"\nvalue = "now-7d"\n` +
        `[[rule.filters]]\n[rule.filters.meta]\ndisabled = false\n[rule.filters.query.exists]\nfield = "file.hash.sha256"\n` +
        `[[rule.filters]]\n[rule.filters.meta]\ndisabled = true\n[rule.filters.query.exists]\nfield = "ignored.field"\n`,
    );
    expect(fieldsRead(nt).fields).toEqual(['a', 'file.hash.sha256', 'user.name']);
    const th = rule(`type = "threshold"\nlanguage = "kuery"\nquery = "b:1"\n[rule.threshold]\nfield = ["host.name"]\nvalue = 3\n[[rule.threshold.cardinality]]\nfield = "source.ip"\nvalue = 2\n`);
    expect(fieldsRead(th).fields).toEqual(['b', 'host.name', 'source.ip']);
  });
});
