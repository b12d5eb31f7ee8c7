import { describe, expect, it } from 'vitest';
import { readRawTimestamp } from './rawTimestamp.js';

const read = (line: string) => {
  // Inside a larger buffer, as lines are: nothing outside the line may be looked at.
  const bytes = Buffer.from(`{"@timestamp":"1999-01-01T00:00:00Z"}\n${line}\n{"@timestamp":"2001-01-01T00:00:00Z"}`);
  const start = bytes.indexOf('\n') + 1;
  return readRawTimestamp(bytes, start, start + Buffer.byteLength(line));
};

describe('readRawTimestamp', () => {
  it('reads a string or number @timestamp that occurs once', () => {
    expect(read('{"@timestamp":"2024-05-01T10:00:00Z","a":1}')).toEqual({ kind: 'once', value: '2024-05-01T10:00:00Z' });
    expect(read('{"a":1, "@timestamp" : 1714557600000}')).toEqual({ kind: 'once', value: 1714557600000 });
  });

  it('says absent when the line has no "@timestamp" at all, whatever the rest of the buffer holds', () => {
    expect(read('{"a":1}')).toEqual({ kind: 'absent' });
    expect(read('{"timestamp":"2024-05-01"}')).toEqual({ kind: 'absent' });
  });

  it('gives up (only a parse can tell) on several occurrences, escapes, or a value it cannot read plainly', () => {
    expect(read('{"@timestamp":"2024-05-01","x":{"@timestamp":"2030-01-01"}}')).toEqual({ kind: 'unknown' });
    expect(read('{"@timestamp":"2024\\u002d05-01"}')).toEqual({ kind: 'unknown' });
    expect(read('{"@timestamp":["2024-05-01"]}')).toEqual({ kind: 'unknown' });
    expect(read('{"@timestamp":null}')).toEqual({ kind: 'unknown' });
    expect(read('{"k":"@timestamp"}')).toEqual({ kind: 'unknown' });
    expect(read('{"@timestamp":"open')).toEqual({ kind: 'unknown' });
  });

  it('does not take "@timestamp" quoted inside a string value for the key (its quotes are escaped)', () => {
    expect(read('{"m":"\\"@timestamp\\":\\"2024-05-01\\""}')).toEqual({ kind: 'absent' });
  });

  it('reads a nested occurrence too: it is then not the top-level field, which the caller allows for', () => {
    expect(read('{"a":{"@timestamp":"2024-05-01"}}')).toEqual({ kind: 'once', value: '2024-05-01' });
  });
});
