// Rules for the tests of src/explain, written as the TOML a user would (parseRuleText), so the
// explainers see what the scan compiles. Not used outside tests.
import { compileRule, type CompiledRule } from '../../src/engine/compileRule.js';
import { FieldTypeTable } from '../../src/fieldTypes/index.js';
import { isUnsupported, parseRuleText } from '../../src/rules/load.js';

export function testRule(id: string, type: 'query' | 'eql' | 'new_terms' | 'threshold', query: string, extra = ''): CompiledRule {
  const language = type === 'eql' ? 'eql' : 'kuery';
  const text = `[rule]\nauthor = ["t"]\ndescription = "t"\nlanguage = "${language}"\nname = "${id}"\nrisk_score = 1\nrule_id = "${id}"\nseverity = "low"\ntype = "${type}"\nquery = '''\n${query}\n'''\n${extra}`;
  const loaded = parseRuleText(text, `${id}.toml`);
  if (isUnsupported(loaded)) throw new Error(`unsupported: ${id}`);
  return compileRule(loaded, { fieldTypes: FieldTypeTable.builtin() });
}
