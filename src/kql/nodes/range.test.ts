import { describe, expect, it } from 'vitest';
import { parseJson } from '../../event/json.js';
import type { EcsEvent } from '../../event/types.js';
import { ANY } from '../../prefilter/needles.js';
import { compileKql } from '../compile.js';
import { parseKql } from '../parse.js';
import { kqlCategories, kqlNeed } from './index.js';

const matches = (query: string, event: EcsEvent, now?: number): boolean =>
  compileKql(parseKql(query), now === undefined ? {} : { now })(event);

describe('ranges (SPEC §B.3)', () => {
  it('compares strings lexicographically by code point', () => {
    expect(matches('f < b', { f: 'a' })).toBe(true);
    expect(matches('f < b', { f: 'c' })).toBe(false);
    expect(matches('f >= "10"', { f: '9' })).toBe(true);
    expect(matches('f > 5000', { f: '2024' })).toBe(false);
    expect(matches('f > "\uffff"', { f: '\u{1F600}' })).toBe(true);
  });

  it('compares ISO dates as dates, with missing parts rounded as Elasticsearch does', () => {
    const event = { '@timestamp': '2024-05-01T10:00:00Z' };
    expect(matches('@timestamp >= "2024-05-01"', event)).toBe(true);
    expect(matches('@timestamp > "2024-05-01"', event)).toBe(false);
    expect(matches('@timestamp <= 2024-05-01', event)).toBe(true);
    expect(matches('@timestamp < "2024-05-01T12:00:00+02:00"', event)).toBe(false);
    expect(matches('@timestamp > 1714557000000', event)).toBe(true);
  });

  it('evaluates date math once, relative to the compile-time now', () => {
    const now = Date.parse('2024-05-02T00:00:00Z');
    const event = { '@timestamp': '2024-05-01T10:00:00Z' };
    expect(matches('@timestamp >= now-1d', event, now)).toBe(true);
    expect(matches('@timestamp >= now-1h', event, now)).toBe(false);
    expect(matches('@timestamp >= now-1d/d', event, now)).toBe(true);
    expect(matches('@timestamp > now-1d/d', event, now)).toBe(false);
    expect(matches('@timestamp < "2024-04-30||+1d"', event, now)).toBe(false);
    expect(matches('@timestamp < now', { '@timestamp': Date.parse('2024-05-01T00:00:00Z') }, now)).toBe(true);
  });

  it('reads an event string of digits as epoch millis when the bound is a date (issue 9)', () => {
    // Elasticsearch's date fields default to strict_date_optional_time||epoch_millis.
    const event = { '@timestamp': '1600000000001' }; // 2020-09-13T12:26:40.001Z
    expect(matches('@timestamp >= "2020-09-13"', event)).toBe(true);
    expect(matches('@timestamp < "2020-09-13T12:26:40.002Z"', event)).toBe(true);
    expect(matches('@timestamp > "2020-09-13T12:26:40.001Z"', event)).toBe(false);
    expect(matches('@timestamp >= now-1d', event, Date.parse('2020-09-14T00:00:00Z'))).toBe(true);
    expect(matches('@timestamp >= "1600000000000||+1s"', event)).toBe(false);
    // A fraction of a millisecond is kept out, as a millisecond date field keeps it.
    expect(matches('@timestamp <= "2020-09-13T12:26:40.001Z"', { '@timestamp': '1600000000001.9' })).toBe(true);
    expect(matches('@timestamp < "1970-01-02"', { '@timestamp': '999' })).toBe(true);
  });

  it('reads a four-digit event value as a year when the bound is a date, as strict_date_optional_time does first', () => {
    expect(matches('@timestamp > "2023-06-01"', { '@timestamp': 2024 })).toBe(true);
    expect(matches('@timestamp > "2023-06-01"', { '@timestamp': '2024' })).toBe(true);
    expect(matches('@timestamp >= "2024-06-01"', { '@timestamp': '2024' })).toBe(false);
  });

  it('keeps years before 100 as they are written', () => {
    expect(matches('@timestamp < "0100-01-01"', { '@timestamp': '0050-06-01T00:00:00Z' })).toBe(true);
    expect(matches('@timestamp > "0099-12-31"', { '@timestamp': '0100-01-01' })).toBe(true);
  });

  it('compares epoch millis bounds with event numbers and ISO dates as instants', () => {
    expect(matches('@timestamp < 1600000000000', { '@timestamp': 1599999999999 })).toBe(true);
    expect(matches('@timestamp >= "1600000000000"', { '@timestamp': '2020-09-13T12:26:40Z' })).toBe(true);
    expect(matches('@timestamp >= "1600000000000"', { '@timestamp': '2020-09-13T12:26:39.999' })).toBe(false);
  });

  it('on @timestamp, a date in ECS, reads an epoch-millis string as a date, not as a keyword', () => {
    // As keywords "999999999999" sorts after "1600000000000"; as dates it is 2001, before 2020.
    expect(matches('@timestamp < 1600000000000', { '@timestamp': '999999999999' })).toBe(true);
    expect(matches('custom.time < 1600000000000', { custom: { time: '999999999999' } })).toBe(false);
    // `lte 2024-05` ends at 2024-05-01T23:59:59.999 (range query reference, "Missing date components").
    expect(matches('@timestamp <= "2024-05"', { '@timestamp': '2024-05-01T23:00:00Z' })).toBe(true);
    expect(matches('@timestamp <= "2024-05"', { '@timestamp': '2024-05-02T00:00:00Z' })).toBe(false);
  });

  it('matches nothing against a null bound on a typed field', () => {
    expect(matches('process.pid > null', { process: { pid: 5 } })).toBe(false);
    expect(matches('message:null', { message: 'null' })).toBe(false);
    expect(matches('message:(null or x)', { message: 'X' })).toBe(true);
  });

  it('refuses a bound the date field cannot read, as Elasticsearch fails the query', () => {
    expect(() => matches('@timestamp < "2024-05-01 10:00"', {})).toThrow(/failed to parse date field/);
  });

  it('never matches booleans, missing fields or null bounds', () => {
    expect(matches('f > 0', { f: true })).toBe(false);
    expect(matches('f > 0', {})).toBe(false);
    expect(matches('f > null', { f: 1 })).toBe(false);
  });

  it('promises no bytes and no category: the value in the line is some other number, date or word', () => {
    expect(kqlNeed(parseKql('process.pid > 5'))).toEqual(ANY);
    expect(kqlCategories(parseKql('event.category >= file'))).toBeUndefined();
  });
});

// A field no mapping names keeps the reading by the event value's JSON type (dynamic mapping):
// the same dates, epoch millis and years as on @timestamp, and keywords compared as text.
describe('ranges on an unmapped field', () => {
  it('reads a date bound as a date, and the event value as a date field would', () => {
    const event = { t: '2024-05-01T10:00:00Z' };
    expect(matches('t >= "2024-05-01"', event)).toBe(true);
    expect(matches('t > "2024-05-01"', event)).toBe(false);
    expect(matches('t < "2024-05-01 12:00:00"', event)).toBe(true);
    expect(matches('t > 1714557000000', event)).toBe(true);
    expect(matches('t >= "2020-09-13"', { t: '1600000000001' })).toBe(true);
    expect(matches('t >= "2020-09-13"', { t: 1600000000001 })).toBe(true);
    expect(matches('t > "2023-06-01"', { t: 2024 })).toBe(true);
    expect(matches('t >= now-1d', event, Date.parse('2024-05-02T00:00:00Z'))).toBe(true);
    expect(matches('t >= "1714557600000||-1h"', event)).toBe(true);
    expect(matches('t >= "2024-05-01||+1d"', event)).toBe(false);
    expect(matches('t > "2024-05-01"', { t: true })).toBe(false);
  });

  it('compares a value that is no date as a keyword, by code point', () => {
    expect(matches('t > "2024-05-01"', { t: 'zzz' })).toBe(true);
    expect(matches('t < "2024-05-01"', { t: 'abc' })).toBe(false);
    expect(matches('t > b', { t: 'c' })).toBe(true);
  });

  it('compares numbers, ISO dates against an epoch bound, and addresses as addresses', () => {
    expect(matches('n < 1600000000000', { n: 1599999999999 })).toBe(true);
    expect(matches('n >= "1600000000000"', { n: '2020-09-13T12:26:40Z' })).toBe(true);
    expect(matches('n < 1600000000000', { n: '999999999999' })).toBe(false);
    expect(matches('ip >= 10.0.0.2', { ip: '10.0.0.10' })).toBe(true);
    expect(matches('ip >= 10.0.0.2', { ip: '::1' })).toBe(false);
    expect(matches('ip >= 10.0.0.2', { ip: 'host' })).toBe(true);
    expect(matches('ip >= 10.0.0.2', { ip: '10.0.0.2' })).toBe(true);
    expect(matches('ip > 10.0.0.2', { ip: '10.0.0.2' })).toBe(false);
  });
});

describe('ranges on IP addresses (SPEC §B.3)', () => {
  const inRange = compileKql(parseKql('destination.ip >= 10.0.0.2 and destination.ip <= 10.0.0.10'));
  it('compares addresses as addresses, not as text', () => {
    expect(inRange({ destination: { ip: '10.0.0.9' } })).toBe(true);
    expect(inRange({ destination: { ip: '10.0.0.10' } })).toBe(true);
    expect(inRange({ destination: { ip: '10.0.0.11' } })).toBe(false);
    expect(inRange({ destination: { ip: '10.0.0.1' } })).toBe(false);
  });
  it('treats an IPv4-mapped IPv6 address as the IPv4 one, and other IPv6 as outside', () => {
    expect(inRange({ destination: { ip: '::ffff:10.0.0.5' } })).toBe(true);
    expect(inRange({ destination: { ip: '::1' } })).toBe(false);
  });
});

describe('ranges on integers beyond 2^53', () => {
  const event = (text: string) => parseJson(`{"pid":${text}}`) as EcsEvent;
  it('compare exactly with the bound', () => {
    expect(matches('pid > 9007199254740992', event('9007199254740993'))).toBe(true);
    expect(matches('pid > 9007199254740992', event('9007199254740992'))).toBe(false);
    expect(matches('pid >= 9007199254740993', event('9007199254740992'))).toBe(false);
    expect(matches('pid < 9007199254740993', event('9007199254740992'))).toBe(true);
    expect(matches('pid <= 9007199254740992', event('9007199254740993'))).toBe(false);
    expect(matches('pid < 9007199254740994', event('9007199254740993'))).toBe(true);
    expect(matches('pid > 1', event('-9007199254740993'))).toBe(false);
  });
});
