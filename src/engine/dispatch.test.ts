import { describe, expect, it } from 'vitest';
import { compileFieldReader } from '../event/fields.js';
import { compileDispatch } from './dispatch.js';
import type { CompiledRule } from './compileRule.js';
import { foldedKey, NO_REQUIREMENTS, type Requirements } from '../event/requirements.js';

const requires = (categories?: string[]): Requirements => (categories === undefined ? NO_REQUIREMENTS : new Map([['event.category', categories]]));

// The categories a rule implies are tested beside their clause: src/eql/operators/eventFilter.test.ts
// (EQL `X where`) and src/kql/nodes/ (KQL).
describe('compileDispatch', () => {
  const rule = (categories?: string[], index: string[] = []) => ({ requirements: requires(categories), rule: { index } }) as unknown as CompiledRule;

  it('runs, in rule order, the rules without a category and those of the event’s categories', () => {
    const dispatch = compileDispatch([rule(['file']), rule(), rule(['process', 'file']), rule(['network'])]);
    expect(dispatch({ event: { category: ['file'] } })).toEqual([0, 1, 2]);
    expect(dispatch({ event: { category: ['network', 'process'] } })).toEqual([1, 2, 3]);
    expect(dispatch({ 'event.category': 'network' })).toEqual([1, 3]);
    expect(dispatch({})).toEqual([1]);
    expect(dispatch({ event: { category: 'File' } })).toEqual([1]);
  });
});

describe('shared field readers', () => {
  it('read each new event afresh, even one equal to the last', () => {
    const read = compileFieldReader('process.name');
    expect(compileFieldReader('process.name')).toBe(read);
    const a = { process: { name: 'a' } };
    expect(read(a)).toEqual(['a']);
    expect(read({ process: { name: 'b' } })).toEqual(['b']);
    expect(read(a)).toEqual(['a']);
  });
});

describe('compileDispatch by index', () => {
  const rule = (index: string[], categories?: string[]) => ({ requirements: requires(categories), rule: { index } }) as unknown as CompiledRule;
  const rules = [rule(['logs-system.syslog-*']), rule(['auditbeat-*', 'logs-system.*']), rule([]), rule(['.alerts-security.*']), rule(['logs-*'], ['process'])];
  const syslog = { data_stream: { type: 'logs', dataset: 'system.syslog', namespace: 'default' } };

  it('runs on an event only the rules whose patterns take its index in (rules without index take all)', () => {
    const dispatch = compileDispatch(rules);
    expect(dispatch(syslog)).toEqual([0, 1, 2]);
    expect(dispatch({ ...syslog, event: { category: 'process' } })).toEqual([0, 1, 2, 4]);
    expect(dispatch({ _index: 'auditbeat-8.0.0' })).toEqual([1, 2]);
    expect(dispatch({ _index: 'winlogbeat-8.0.0', event: { category: 'process' } })).toEqual([2]);
    // Asked again, from the cache: the same answer.
    expect(dispatch({ _index: 'auditbeat-8.0.0' })).toEqual([1, 2]);
  });

  it('runs every events rule on an event that does not say its index, and never an alerts rule', () => {
    const dispatch = compileDispatch(rules);
    expect(dispatch({})).toEqual([0, 1, 2]);
    expect(dispatch({ event: { dataset: 'system.syslog', category: ['process'] } })).toEqual([0, 1, 2, 4]);
    expect(dispatch({ _index: '.alerts-security.alerts-default' })).toEqual([2]);
  });

  it('runs only the alerts rules on the alerts stream', () => {
    const dispatch = compileDispatch(rules, 'alerts');
    expect(dispatch({ 'event.kind': 'signal' })).toEqual([3]);
  });
});

describe('the rule index', () => {
  const rule = (requirements: Record<string, string[]>) => ({ requirements: new Map(Object.entries(requirements)), rule: { index: [] } }) as unknown as CompiledRule;

  it('offers an event the rules whose most selective indexed requirement it meets, and the rules with none', () => {
    const rules = [
      rule({ 'event.category': ['process'], 'process.name': ['cp', 'mv'] }),
      rule({ 'host.os.type': ['linux'] }),
      rule({}),
      rule({ 'event.category': ['file'], 'custom.field': ['x'] }),
      rule({ 'custom.field': ['x'] }),
    ];
    const dispatch = compileDispatch(rules);
    // Rule 0 is filed under process.name only: its category alone does not reach it.
    expect(dispatch({ event: { category: 'process' } })).toEqual([2, 4]);
    expect(dispatch({ process: { name: ['ls', 'mv'] } })).toEqual([0, 2, 4]);
    expect(dispatch({ 'process.name': 'cp', host: { os: { type: 'linux' } }, event: { category: ['network', 'file'] } })).toEqual([0, 1, 2, 3, 4]);
    // Only strings are indexed: a number never stands for an indexed value (isIndexableValue).
    expect(dispatch({ host: { os: { type: ['Linux', 7] } } })).toEqual([2, 4]);
    expect(dispatch.stats).toEqual({ events: 4, indexed: 2 + 3 + 5 + 2, offered: 2 + 3 + 5 + 2 });
  });

  it("offers of the index's choice only the rules the event's line may match (prefilter/lineRules.ts)", () => {
    const rules = [rule({ 'host.os.type': ['linux'] }), rule({}), rule({ 'host.os.type': ['linux'] }), rule({})];
    const dispatch = compileDispatch(rules);
    const event = { host: { os: { type: 'linux' } } };
    const free = Uint8Array.from([0, 1, 0, 0]);
    expect(dispatch(event)).toEqual([0, 1, 2, 3]);
    // Rule 1 is offered every line unchecked; of the others, the listed ones the index chose.
    expect(dispatch(event, { listed: [2, 3], free })).toEqual([1, 2, 3]);
    expect(dispatch(event, { listed: [], free })).toEqual([1]);
    expect(dispatch(event, { listed: [], free })).toEqual([1]);
    expect(dispatch({ host: { os: { type: 'windows' } } }, { listed: [0, 3], free })).toEqual([1, 3]);
    // Undefined: every rule (an escape in the line may hide a needle).
    expect(dispatch(event, { listed: undefined, free })).toEqual([0, 1, 2, 3]);
    expect(dispatch.stats).toEqual({ events: 6, indexed: 4 * 5 + 2, offered: 4 + 3 + 1 + 1 + 2 + 4 });
  });

  it('files a rule with a category and an operating system under the pair', () => {
    const rules = [rule({ 'event.category': ['process', 'file'], 'host.os.type': ['windows'] }), rule({ 'event.category': ['process'] }), rule({ 'host.os.type': ['linux', 'macos'] })];
    const dispatch = compileDispatch(rules);
    expect(dispatch({ event: { category: 'process' }, host: { os: { type: 'linux' } } })).toEqual([1, 2]);
    expect(dispatch({ event: { category: ['network', 'file', 'file'] }, host: { os: { type: ['linux', 'windows'] } } })).toEqual([0, 2]);
    expect(dispatch({ event: { category: 'process' } })).toEqual([1]);
    expect(dispatch({ host: { os: { type: 'windows' } } })).toEqual([]);
  });

  it('answers a hostile event of many values in linear time', () => {
    const dispatch = compileDispatch([rule({ 'process.name': Array.from({ length: 5000 }, (_, i) => `p${i}`) }), rule({})]);
    const names = Array.from({ length: 200_000 }, (_, i) => `p${i % 6000}`);
    expect(dispatch({ process: { name: names } })).toEqual([0, 1]);
    const pair = compileDispatch([rule({ 'event.category': ['process'], 'host.os.type': ['linux'] })]);
    const many = Array.from({ length: 200_000 }, (_, i) => (i % 2 === 0 ? 'process' : `o${i}`));
    expect(pair({ event: { category: many }, host: { os: { type: many } } })).toEqual([]);
  });

  it('looks a case-folded requirement up by the folded values of the event, and prefers an exact one', () => {
    const rules = [
      rule({ [foldedKey('process.name')]: ['cmd.exe', 'net.exe'] }),
      rule({ 'process.name': ['cmd.exe'], [foldedKey('process.name')]: ['cmd.exe'] }),
      rule({ [foldedKey('event.category')]: ['process'], 'host.os.type': ['windows'] }),
    ];
    const dispatch = compileDispatch(rules);
    expect(dispatch({ process: { name: 'CMD.exe' } })).toEqual([0]);
    expect(dispatch({ 'process.name': ['x', 'cmd.exe'] })).toEqual([0, 1]);
    // ASCII only, as the evaluator folds (event/wildcard.ts asciiFold): `É` is not `é`.
    const accented = compileDispatch([rule({ [foldedKey('process.name')]: ['é.exe'] })]);
    expect(accented({ process: { name: 'É.EXE' } })).toEqual([]);
    expect(accented({ process: { name: 'é.EXE' } })).toEqual([0]);
    expect(dispatch({ event: { category: 'Process' }, host: { os: { type: 'windows' } } })).toEqual([2]);
    expect(dispatch({ event: { category: 'Process' }, host: { os: { type: 'Windows' } } })).toEqual([]);
  });
});
