// Rules for tests, written as the TOML a user would (parseRuleText), so the code under test sees
// what the scan compiles. Not used outside tests.
import { compileRule, type CompiledRule } from '../../src/engine/compileRule.js';
import { FieldTypeTable } from '../../src/fieldTypes/index.js';
import { isUnsupported, parseRuleText } from '../../src/rules/load.js';
import type { Rule } from '../../src/rules/types.js';

export function testRule(id: string, type: 'query' | 'eql' | 'new_terms' | 'threshold', query: string, extra = ''): CompiledRule {
  const language = type === 'eql' ? 'eql' : 'kuery';
  const text = `[rule]\nauthor = ["t"]\ndescription = "t"\nlanguage = "${language}"\nname = "${id}"\nrisk_score = 1\nrule_id = "${id}"\nseverity = "low"\ntype = "${type}"\nquery = '''\n${query}\n'''\n${extra}`;
  const loaded = parseRuleText(text, `${id}.toml`);
  if (isUnsupported(loaded)) throw new Error(`unsupported: ${id}`);
  return compileRule(loaded, { fieldTypes: FieldTypeTable.builtin() });
}

/** A supported rule `r` of `type` and `language` with `query`; `extra` is more TOML of its [rule] table. */
export function queryRule(type: string, language: string, query: string, extra = ''): Rule {
  const loaded = parseRuleText(
    `[metadata]\nmaturity = "production"\n[rule]\nrule_id = "r"\nname = "r"\ntype = "${type}"\nlanguage = "${language}"\n` +
      `query = '''\n${query}\n'''\nseverity = "low"\nrisk_score = 1\n${extra}`,
    'r.toml',
  );
  if (!('query' in loaded)) throw new Error('expected a supported rule');
  return loaded;
}
