// Events that make many rules of a rule pack fire: one event per KQL query or new_terms rule,
// built from its query by kqlWitness. Used to test output formats over a whole real pack.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseKql } from '../../src/kql/index.js';
import { isUnsupported, parseRuleText } from '../../src/rules/load.js';
import { kqlWitness, toEvent } from './kqlWitness.js';

function tomlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tomlFiles(path);
    return name.endsWith('.toml') ? [path] : [];
  });
}

/** NDJSON lines, one per rule a witness was found for, all at one time so windows do not matter. */
export function packEvents(dirs: readonly string[]): string[] {
  const lines: string[] = [];
  for (const dir of dirs) {
    for (const file of tomlFiles(dir)) {
      let rule;
      try {
        rule = parseRuleText(readFileSync(file, 'utf8'), file);
      } catch {
        continue;
      }
      if (isUnsupported(rule) || rule.language !== 'kuery' || (rule.type !== 'query' && rule.type !== 'new_terms')) continue;
      let witness;
      try {
        witness = kqlWitness(parseKql(rule.query));
      } catch {
        continue;
      }
      if (witness === undefined) continue;
      if (rule.type === 'new_terms') for (const f of rule.newTerms.fields) if (!witness.has(f)) witness.set(f, [`term-${f}`]);
      lines.push(JSON.stringify({ '@timestamp': '2024-05-01T10:00:00Z', 'event.ingested': '2024-05-01T10:00:00Z', ...toEvent(witness) }));
    }
  }
  return lines;
}
