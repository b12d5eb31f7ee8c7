import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from './lines.js';

type Seen = { line: number; text: string } | { line: number; overlong: number };

function split(chunks: (string | Buffer)[], maxLineBytes?: number, finish: 'end' | 'discard' = 'end'): Seen[] {
  const seen: Seen[] = [];
  const splitter = new LineSplitter(
    {
      line: (bytes, start, end, line) => seen.push({ line, text: bytes.toString('latin1', start, end) }),
      overlong: (line, length) => seen.push({ line, overlong: length }),
    },
    maxLineBytes,
  );
  // One reused buffer, overwritten after each push, as the file reader does.
  const shared = Buffer.alloc(1024 * 1024);
  for (const chunk of chunks) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    bytes.copy(shared);
    splitter.push(shared.subarray(0, bytes.length));
    shared.fill(0x58, 0, bytes.length);
  }
  if (finish === 'end') splitter.end();
  else splitter.discardPartialLine();
  expect(splitter.lines).toBe(seen.length);
  return seen;
}

const texts = (seen: Seen[]) => seen.map((s) => ('text' in s ? s.text : `<overlong ${s.overlong}>`));

describe('LineSplitter', () => {
  it('numbers lines from 1 and hands them out without their newline', () => {
    expect(split(['a\nbb\n'])).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: 'bb' },
    ]);
  });

  it('counts a final line without a newline', () => {
    expect(texts(split(['a\nlast']))).toEqual(['a', 'last']);
  });

  it('finds no lines in empty input', () => {
    expect(split([])).toEqual([]);
    expect(split(['', ''])).toEqual([]);
  });

  it('keeps empty lines as lines', () => {
    expect(texts(split(['\n\nx\n']))).toEqual(['', '', 'x']);
  });

  it('strips one trailing carriage return (CRLF files)', () => {
    expect(texts(split(['a\r\nb\r\r\nc\r']))).toEqual(['a', 'b\r', 'c']);
  });

  it('strips a UTF-8 byte order mark from line 1 only', () => {
    expect(texts(split(['\xef\xbb\xbf{}\n\xef\xbb\xbf{}\n']))).toEqual(['{}', '\xef\xbb\xbf{}']);
  });

  it('strips a byte order mark that arrives split across chunks', () => {
    expect(texts(split(['\xef', '\xbb', '\xbf{', '}\n']))).toEqual(['{}']);
  });

  it('rebuilds a line spanning many chunks even though the caller reuses its buffer', () => {
    expect(texts(split(['ab', 'cd', 'e\nf', 'g', '\r', '\nh']))).toEqual(['abcde', 'fg', 'h']);
  });

  it('reports a line over the limit inside one chunk instead of delivering it', () => {
    expect(split(['12345\nabc\n'], 4)).toEqual([
      { line: 1, overlong: 5 },
      { line: 2, text: 'abc' },
    ]);
  });

  it('reports a line over the limit spanning chunks, with its full length', () => {
    expect(split(['ab', 'cd', 'efg', 'h\nok\n'], 4)).toEqual([
      { line: 1, overlong: 8 },
      { line: 2, text: 'ok' },
    ]);
  });

  it('accepts a line of exactly the limit', () => {
    expect(texts(split(['ab', 'cd\n'], 4))).toEqual(['abcd']);
  });

  it('drops an unfinished line on discardPartialLine', () => {
    expect(texts(split(['a\nhalf', ' a line'], undefined, 'discard'))).toEqual(['a']);
  });

  it('rejects a limit that is not a positive integer', () => {
    const sink = { line() {}, overlong() {} };
    expect(() => new LineSplitter(sink, 0)).toThrow(/positive integer/);
  });

  it('gives the same lines however the input is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', '\n', '\r', ' '), maxLength: 60 }),
        fc.array(fc.nat(60), { maxLength: 8 }),
        (text, cuts) => {
          const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((x, y) => x - y);
          const chunks: string[] = [];
          let last = 0;
          for (const p of [...points, text.length]) {
            chunks.push(text.slice(last, p));
            last = p;
          }
          const expected = text === '' ? [] : text.split('\n');
          if (text.endsWith('\n')) expected.pop();
          expect(texts(split(chunks))).toEqual(expected.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)));
        },
      ),
    );
  });
});
