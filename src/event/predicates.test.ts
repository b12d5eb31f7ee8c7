import { describe, expect, it } from 'vitest';
import { compileEqlCondition } from '../eql/compile.js';
import { clauseText } from '../eql/operators/index.js';
import { parseEql } from '../eql/parse.js';
import { FieldTypeTable } from '../fieldTypes/index.js';
import { compileKql, parseKql } from '../kql/index.js';
import { memoizedPerEvent, sharedClause, tableIdentity } from './predicates.js';
import type { EcsEvent } from './types.js';

describe('sharedClause', () => {
  it('compiles a key once, and answers each event once for every rule that asks', () => {
    let compiled = 0;
    let runs = 0;
    const compile = () => {
      compiled++;
      return (e: EcsEvent) => {
        runs++;
        return e.x === 1;
      };
    };
    const key = `test ${Math.random()}`;
    const a = sharedClause(key, compile);
    const b = sharedClause(key, compile);
    expect(compiled).toBe(1);
    const one = { x: 1 };
    const two = { x: 2 };
    expect([a(one), b(one), a(one), b(two), a(two), a(one)]).toEqual([true, true, true, false, false, true]);
    expect(runs).toBe(3);
  });

  it('does not remember a compile that failed: the next rule with the clause compiles it again', () => {
    const key = `test ${Math.random()}`;
    expect(() =>
      sharedClause(key, () => {
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(sharedClause(key, () => () => true)({})).toBe(true);
  });

  it('memoizedPerEvent answers again only for the last event', () => {
    let runs = 0;
    const p = memoizedPerEvent((e) => {
      runs++;
      return e.ok === true;
    });
    const e = { ok: true };
    expect([p(e), p(e), p({ ok: false }), p(e)]).toEqual([true, true, false, true]);
    expect(runs).toBe(3);
  });

  it('names tables by identity', () => {
    const t1 = FieldTypeTable.builtin();
    const t2 = FieldTypeTable.builtin();
    expect(tableIdentity(t1)).toBe(tableIdentity(t1));
    expect(tableIdentity(t1)).not.toBe(tableIdentity(t2));
  });
});

describe('clauses shared between rules keep each rule’s meaning', () => {
  const table = FieldTypeTable.builtin();
  const conditionOf = (text: string) => {
    const q = parseEql(`any where ${text}`);
    if (q.type !== 'event') throw new Error('an event query');
    return q.filter.condition;
  };
  const eql = (text: string) => compileEqlCondition(conditionOf(text), { fieldTypes: table });

  it('EQL literals JSON would write alike stay apart (bigint, -0, infinities, decimals)', () => {
    const texts = ['n == 9007199254740993', 'n == "9007199254740993"', 'n < 0', 'n < -0', 'n < 1e999', 'n < -1e999', 'n / 2 == 1', 'n / 2.0 == 1', 'n : "a"', 'n like "a"', 'n == "a"', 'n in ("a")', 'n in~ ("a")'];
    const keys = texts.map((t) => clauseText(conditionOf(t)));
    expect(new Set(keys).size).toBe(texts.length);
  });

  it('the same EQL clause in two rules, written at other positions, is one clause with one answer', () => {
    const a = eql('process.name == "x"');
    const b = eql('true and   process.name == "x"');
    const e = { process: { name: 'x' } };
    expect([a(e), b(e), a({ process: { name: 'y' } })]).toEqual([true, true, false]);
  });

  it('KQL date math is read at each query’s own `now`', () => {
    const day = 86_400_000;
    const event = { '@timestamp': '2024-05-01T12:00:00Z' };
    const at = Date.parse('2024-05-01T12:00:00Z');
    const before = compileKql(parseKql('@timestamp < now-1h'), { now: at + 2 * 3_600_000, fieldTypes: table });
    const after = compileKql(parseKql('@timestamp < now-1h'), { now: at - day, fieldTypes: table });
    expect([before(event), after(event)]).toEqual([true, false]);
  });

  it('KQL clauses under two mappings stay apart', () => {
    const other = FieldTypeTable.builtin();
    const a = compileKql(parseKql('x:1'), { fieldTypes: table });
    const b = compileKql(parseKql('x:1'), { fieldTypes: other });
    expect(a).not.toBe(b);
    expect([a({ x: 1 }), b({ x: '1' })]).toEqual([true, true]);
  });
});
