import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileEventTime } from './eventTime.js';
import { parseTimeBound } from './timeWindow.js';

const savedTz = process.env.TZ;
beforeAll(() => {
  process.env.TZ = 'America/New_York';
});
afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe('event time and time bounds do not depend on the machine zone', () => {
  it('reads a zone-less @timestamp or timestamp_override as UTC', () => {
    expect(compileEventTime()({ '@timestamp': '2020-01-01T00:00:00' })).toBe(Date.UTC(2020, 0, 1));
    expect(compileEventTime('event.ingested')({ event: { ingested: '2020-01-01T05:00:00' } })).toBe(Date.UTC(2020, 0, 1, 5));
  });

  it('reads a zone-less --since / --until as UTC', () => {
    expect(parseTimeBound('2020-01-01T00:00:00')).toBe(Date.UTC(2020, 0, 1));
  });
});
