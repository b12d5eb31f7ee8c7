/**
 * The field-type layer against the real KQL rules of elastic/detection-rules
 * (test/fixtures/detection-rules-queries.ndjson): every query compiles
 * under the built-in types (ECS 9.5.0 and the integration fields), and the rules issue 9 names —
 * kernel-module and segfault rules on `message`, a match_only_text field — fire on real kernel lines
 * when the clauses are matched by type, through the KQL compiler (src/kql), which calls the
 * field-type matchers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EcsEvent } from '../../src/event/types.js';
import { FieldTypeTable } from '../../src/fieldTypes/index.js';
import { compileKql, parseKql } from '../../src/kql/index.js';
import type { KqlNode } from '../../src/kql/index.js';

interface RuleQuery {
  name: string;
  language: string;
  query: string;
}

const rules = readFileSync(new URL('../fixtures/detection-rules-queries.ndjson', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as RuleQuery)
  .filter((rule) => rule.language === 'kuery');

const table = FieldTypeTable.builtin();
const NOW = Date.UTC(2026, 0, 1);

type Test = (event: EcsEvent) => boolean;

/** The KQL compiler itself, with the built-in field types. */
function compile(node: KqlNode): Test {
  return compileKql(node, { now: NOW, fieldTypes: table });
}

function rule(name: string): Test {
  const found = rules.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no rule named ${name}`);
  return compile(parseKql(found.query));
}

function syslog(message: string, dataset: 'event' | 'data_stream' = 'data_stream'): EcsEvent {
  return {
    host: { os: { type: 'linux' } },
    [dataset === 'event' ? 'event' : 'data_stream']: { dataset: 'system.syslog' },
    process: { name: 'kernel' },
    message,
  };
}

describe('detection-rules KQL corpus under field types', () => {
  it('every query compiles against the built-in types', () => {
    const failures: string[] = [];
    let compiledRules = 0;
    const visit = (node: KqlNode, name: string): void => {
      try {
        compile(node);
        compiledRules++;
      } catch (e) {
        failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    for (const r of rules) visit(parseKql(r.query), r.name);
    expect(failures).toEqual([]);
    expect(compiledRules).toBe(rules.length);
  });

  it('Tainted Kernel Module Load fires on the kernel line inside a longer message', () => {
    const fire = rule('Tainted Kernel Module Load');
    expect(fire(syslog('[ 1234.567890] diamorphine: module verification failed: signature and/or required key missing - tainting kernel'))).toBe(true);
    expect(fire(syslog('diamorphine: module verification failed: signature missing'))).toBe(false);
  });

  it('Tainted Out-Of-Tree Kernel Module Load fires on its phrase, whatever the case', () => {
    const fire = rule('Tainted Out-Of-Tree Kernel Module Load');
    expect(fire(syslog('[   12.000000] reptile: Loading out-of-tree module taints kernel.'))).toBe(true);
    expect(fire(syslog('loading out-of-tree module'))).toBe(false);
  });

  it('Segfault Detected matches the token, not the whole message', () => {
    const fire = rule('Segfault Detected');
    expect(fire(syslog('sshd[4242]: segfault at 0 ip 00007f1e2d3c4b5a sp 00007ffd1234 error 4 in libc.so.6[7f1e2d200000+195000]', 'event'))).toBe(true);
    expect(fire(syslog('sshd[4242]: general protection fault', 'event'))).toBe(false);
  });

  it('Segfault from Sensitive Process Detected needs both tokens', () => {
    const fire = rule('Segfault from Sensitive Process Detected');
    expect(fire(syslog('sshd[4242]: segfault at 0 ip 00007f1e2d3c4b5a error 4', 'event'))).toBe(true);
    expect(fire(syslog('myapp[4242]: segfault at 0 ip 00007f1e2d3c4b5a error 4', 'event'))).toBe(false);
  });

  it('process.name stays a keyword: "Kernel" is not "kernel"', () => {
    const fire = rule('Segfault Detected');
    expect(fire({ ...syslog('segfault at 0', 'event'), process: { name: 'Kernel' } })).toBe(false);
  });
});
