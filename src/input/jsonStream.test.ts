import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonElementReader, type ElementOrigin } from './jsonStream.js';

type Seen = { text: string; line: number; origin: ElementOrigin } | { malformed: number; reason: string };

/** Reads `input` cut into chunks of `size` bytes (each chunk in a reused buffer, as files are read). */
function read(input: string | Buffer, size = Infinity, options: { maxElementBytes?: number; maxDepth?: number } = {}): { seen: Seen[]; lines: number } {
  const seen: Seen[] = [];
  const reader = new JsonElementReader(
    {
      element: (bytes, start, end, line, origin) => seen.push({ text: bytes.toString('utf8', start, end), line, origin }),
      malformed: (line, reason) => seen.push({ malformed: line, reason }),
    },
    options.maxElementBytes,
    options.maxDepth,
  );
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  const shared = Buffer.alloc(Math.min(size, bytes.length) || 1);
  for (let i = 0; i < bytes.length; i += size) {
    const piece = bytes.subarray(i, Math.min(i + size, bytes.length));
    piece.copy(shared);
    reader.push(shared.subarray(0, piece.length));
    shared.fill(0x21);
  }
  reader.end();
  return { seen, lines: reader.lines };
}

/** The same input read whole and byte by byte (and in a few sizes between) must give the same result. */
function readEverySize(input: string, options?: { maxElementBytes?: number; maxDepth?: number }): Seen[] {
  const whole = read(input, Infinity, options);
  for (const size of [1, 2, 3, 7, 64]) expect(read(input, size, options)).toEqual(whole);
  return whole.seen;
}

const events = [{ '@timestamp': '2024-05-01T10:00:00Z', host: { name: 'a' } }, { event: { category: ['process'] }, msg: 'x' }, { n: 3 }];

describe('JsonElementReader', () => {
  it('reads each item of a pretty-printed array with the line it starts on', () => {
    const text = JSON.stringify(events, null, 2);
    const seen = readEverySize(text);
    expect(seen.map((s) => ('text' in s ? JSON.parse(s.text) : s))).toEqual(events);
    const starts = text.split('\n').flatMap((l, i) => (l === '  {' ? [i + 1] : []));
    expect(seen.map((s) => ('line' in s ? s.line : 0))).toEqual(starts);
    expect(seen.every((s) => 'origin' in s && s.origin === 'value')).toBe(true);
  });

  it('reads a compact one-line array, and arrays one after another', () => {
    const seen = readEverySize(JSON.stringify(events) + '\n' + JSON.stringify([{ z: 1 }]));
    expect(seen).toEqual([...events.map((e) => ({ text: JSON.stringify(e), line: 1, origin: 'value' })), { text: '{"z":1}', line: 2, origin: 'value' }]);
  });

  it('reads concatenated pretty-printed objects (jq output) and compact ones on one line', () => {
    const seen = readEverySize(events.map((e) => JSON.stringify(e, null, 2)).join('\n') + '\n{"a":1}{"b":2} {"c":3}\n');
    expect(seen.map((s) => ('text' in s ? JSON.parse(s.text) : s))).toEqual([...events, { a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('keeps strings with brackets, quotes and escapes inside one element', () => {
    const tricky = { a: '}{][', b: 'say "hi" \\', c: '\\"}', d: ['[', '{"x":1}'], 'k}': 'v]' };
    const seen = readEverySize(`[${JSON.stringify(tricky)}, ${JSON.stringify(tricky, null, 1)}]`);
    expect(seen.map((s) => ('text' in s ? JSON.parse(s.text) : s))).toEqual([tricky, tricky]);
  });

  it('hands non-object items and top-level scalars to the sink, which decides they are not events', () => {
    const seen = readEverySize('[1, "two", null, [3], true]\n42 "s"\n');
    expect(seen.map((s) => ('text' in s ? s.text : s))).toEqual(['1', '"two"', 'null', '[3]', 'true', '42', '"s"']);
  });

  it('reads nothing from an empty array, empty input or whitespace', () => {
    expect(readEverySize('[]')).toEqual([]);
    expect(readEverySize('[ \n ]\n')).toEqual([]);
    expect(readEverySize('')).toEqual([]);
    expect(readEverySize('  \n\n')).toEqual([]);
  });

  describe('Elasticsearch search responses', () => {
    const response = {
      took: 5,
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: {
        total: { value: 2, relation: 'eq' },
        max_score: 1.5,
        hits: [
          { _index: 'logs-1', _id: 'a', _score: 1.5, _source: events[0] },
          { _index: 'logs-1', _id: 'b', _score: null, _source: events[1] },
        ],
      },
      // top_hits aggregations have hits.hits too: they are not the response's hits.
      aggregations: { top: { hits: { hits: [{ _source: { not: 'an event' } }] } } },
    };

    it.each([
      ['pretty-printed', JSON.stringify(response, null, 2)],
      ['compact', JSON.stringify(response)],
      ['scrolled (_scroll_id first)', JSON.stringify({ _scroll_id: 'FGluY2x1ZGVfY29udGV4dF91dWlk', ...response }, null, 2)],
      ['with a point in time (pit_id first)', JSON.stringify({ pit_id: 'abc', ...response })],
    ])('hands each hit of a %s response to the sink as a hit', (_name, text) => {
      const seen = readEverySize(text);
      expect(seen.map((s) => ('text' in s ? [s.origin, JSON.parse(s.text)._id] : s))).toEqual([
        ['hit', 'a'],
        ['hit', 'b'],
      ]);
    });

    it('reads one response after another (scroll pages appended to one file, one per line)', () => {
      const seen = readEverySize(JSON.stringify(response) + '\n' + JSON.stringify({ ...response, hits: { ...response.hits, hits: [response.hits.hits[0]] } }) + '\n');
      expect(seen.map((s) => ('line' in s ? [s.line, JSON.parse(s.text)._id] : s))).toEqual([
        [1, 'a'],
        [1, 'b'],
        [2, 'a'],
      ]);
    });

    it('gives the line where each hit starts in a pretty-printed response', () => {
      const text = JSON.stringify(response, null, 2);
      const seen = readEverySize(text);
      const lines = text.split('\n');
      for (const s of seen) {
        if (!('line' in s)) throw new Error('unexpected malformed');
        expect(lines[s.line - 1]).toBe('      {');
        expect(lines[s.line]).toContain('"_index"');
      }
    });

    it('reports a response cut off before its end, after the hits before the cut', () => {
      const text = JSON.stringify(response, null, 2);
      const cut = text.slice(0, text.indexOf('"_id": "b"'));
      const seen = readEverySize(cut);
      expect(seen[0]).toMatchObject({ origin: 'hit' });
      expect(seen[1]).toEqual({ malformed: expect.any(Number), reason: 'truncated: the input ends inside the value that starts here' });
      expect(seen).toHaveLength(2);
    });
  });

  describe('hostile and broken input', () => {
    it('reports a value cut off at the end of the input, after the complete ones', () => {
      expect(readEverySize('[{"a":1},\n{"b":')).toEqual([
        { text: '{"a":1}', line: 1, origin: 'value' },
        { malformed: 2, reason: 'truncated: the input ends inside the value that starts here' },
      ]);
      expect(readEverySize('[{"a":1}')).toEqual([
        { text: '{"a":1}', line: 1, origin: 'value' },
        { malformed: 1, reason: 'truncated: the input ends before the array that starts here is closed' },
      ]);
      expect(readEverySize('{"a":"open string')).toEqual([{ malformed: 1, reason: 'truncated: the input ends inside the value that starts here' }]);
    });

    it('reports an element with a mismatched bracket and resumes at its next sibling', () => {
      const text = '[\n  {\n    "a": [1, 2}\n  },\n  {\n    "b": 2\n  }\n]\n';
      const seen = readEverySize(text);
      expect(seen).toEqual([
        { malformed: 2, reason: "invalid JSON (at line 3, in the value that starts here): '}' closes a '['; reading resumes at the next line that starts with '{' indented by 2" },
        { text: '{\n    "b": 2\n  }', line: 5, origin: 'value' },
      ]);
    });

    it('reports a string left open at the end of its line instead of reading the rest of the file into it', () => {
      const seen = readEverySize('{\n  "a": "no end\n}\n{\n  "b": 2\n}\n');
      expect(seen).toEqual([
        { malformed: 1, reason: expect.stringContaining('a string is not closed before the end of its line') },
        { text: '{\n  "b": 2\n}', line: 4, origin: 'value' },
      ]);
    });

    it('reports stray text between documents and reads on at the next document', () => {
      const seen = readEverySize('{"a":1}\nhello world\n{"b":2}\n');
      expect(seen).toEqual([
        { text: '{"a":1}', line: 1, origin: 'value' },
        { malformed: 2, reason: "invalid JSON: expected a JSON value but found 'h'; reading resumes at the next line that starts with '{' or '['" },
        { text: '{"b":2}', line: 3, origin: 'value' },
      ]);
    });

    it('reports a missing comma between array items', () => {
      const seen = readEverySize('[\n  {"a":1}\n  {"b":2}\n]');
      expect(seen[0]).toEqual({ text: '{"a":1}', line: 2, origin: 'value' });
      expect(seen[1]).toMatchObject({ malformed: 3, reason: expect.stringContaining("expected ',' or ']' but found '{'") });
    });

    it('bounds nesting depth: deeper input is reported once, not followed into memory or the stack', () => {
      const deep = '['.repeat(200_000) + ']'.repeat(200_000);
      const seen = read(`{"a":${deep}}\n{"ok":1}\n`).seen;
      expect(seen).toEqual([
        { malformed: 1, reason: expect.stringContaining('nested deeper than 10,000 levels') },
        { text: '{"ok":1}', line: 2, origin: 'value' },
      ]);
      expect(readEverySize('{"a":[[[1]]]}\n{"ok":1}', { maxDepth: 3 })).toEqual([
        { malformed: 1, reason: expect.stringContaining('nested deeper than 3 levels') },
        { text: '{"ok":1}', line: 2, origin: 'value' },
      ]);
    });

    it('reports an element over the size limit without holding it, and reads on', () => {
      const big = JSON.stringify({ blob: 'x'.repeat(5000) });
      const seen = readEverySize(`[\n${big},\n{"ok":1}\n]`, { maxElementBytes: 1000 });
      expect(seen).toEqual([
        { malformed: 2, reason: `value longer than 1000 bytes (${big.length} bytes)` },
        { text: '{"ok":1}', line: 3, origin: 'value' },
      ]);
    });

    it('counts lines like the NDJSON reader: a last line without a newline counts', () => {
      expect(read('{"a":1}\n{"b":2}').lines).toBe(2);
      expect(read('{"a":1}\n{"b":2}\n').lines).toBe(2);
      expect(read('').lines).toBe(0);
    });

    it('never throws and finds every balanced top-level object, whatever bytes surround them', () => {
      fc.assert(
        fc.property(fc.array(fc.oneof(fc.jsonValue(), fc.string()), { maxLength: 6 }), fc.integer({ min: 1, max: 16 }), (values, size) => {
          const objects = values.map((v) => ({ v }));
          const text = objects.map((o) => JSON.stringify(o, null, 2)).join('\n');
          const seen = read(text, size).seen;
          expect(seen.map((s) => ('text' in s ? JSON.parse(s.text) : s))).toEqual(objects.map((o) => JSON.parse(JSON.stringify(o))));
        }),
      );
    });
  });
});
