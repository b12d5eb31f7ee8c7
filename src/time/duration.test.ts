import { describe, expect, it } from 'vitest';
import { parseEql } from '../eql/parse.js';
import type { SequenceQuery } from '../eql/ast.js';
import { relativeWindowMs } from '../rules/duration.js';
import { parseTimeBound } from '../engine/timeWindow.js';
import { parseDateMath as parseMath } from './dates.js';
import { parseIsoDate } from './dates.js';

const parseDateMath = (text: string, now: number, roundUp: boolean) => parseMath(text, now, roundUp, (t, r) => parseIsoDate(t, r));
import { MS_PER_UNIT, msPerUnit, type DurationUnit } from './duration.js';

const UNITS = Object.keys(MS_PER_UNIT) as DurationUnit[];

describe('one duration-unit table', () => {
  // grammars/eql.peggy cannot import the table; this keeps its copy in step with it.
  it.each(UNITS.filter((u) => u !== 'w'))('EQL maxspan=3%s is 3 units of the table', (unit) => {
    const q = parseEql(`sequence with maxspan=3${unit} [any where true] [any where true]`) as SequenceQuery;
    expect(q.maxspan).toMatchObject({ value: 3, unit, ms: 3 * MS_PER_UNIT[unit] });
  });

  it('EQL has no week unit, as in Elasticsearch', () => {
    expect(() => parseEql('sequence with maxspan=3w [any where true] [any where true]')).toThrow(/time unit/);
  });

  it.each(UNITS)("a rule's now-2%s is 2 units of the table", (unit) => {
    expect(relativeWindowMs(`now-2${unit}`)).toBe(2 * MS_PER_UNIT[unit]);
  });

  it.each(UNITS.filter((u) => u !== 'ms'))('--since 2%s is 2 units of the table back from now', (unit) => {
    expect(parseTimeBound(`2${unit}`, 1e12)).toBe(1e12 - 2 * MS_PER_UNIT[unit]);
  });

  it.each(['w', 'd', 'h', 'm', 's'] as const)('KQL date math now-2%s is 2 units of the table', (unit) => {
    expect(parseDateMath(`now-2${unit}`, 1e12, false)).toBe(1e12 - 2 * MS_PER_UNIT[unit]);
  });

  it('KQL date math reads H as hours', () => {
    expect(parseDateMath('now+3H', 1e12, false)).toBe(1e12 + 3 * MS_PER_UNIT.h);
  });

  it('knows only the units of the table', () => {
    expect(msPerUnit('h')).toBe(3_600_000);
    expect(msPerUnit('y')).toBeUndefined();
    expect(msPerUnit('toString')).toBeUndefined();
    expect(msPerUnit(undefined)).toBeUndefined();
  });
});
