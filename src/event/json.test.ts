import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesHaveLongDigitRun, hasLongDigitRun, parseJson, parseWithExactIntegers, stringifyJson } from './json.js';

/** The error JSON.parse throws for a text, to check parseJson throws the same. */
function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error(`${text} parses`);
}

describe('parseJson: integers beyond 2^53 stay exact', () => {
  it('reads 9007199254740993 as that integer, where JSON.parse reads 9007199254740992', () => {
    expect(JSON.parse('{"pid":9007199254740993}')).toEqual({ pid: 9007199254740992 });
    expect(parseJson('{"pid":9007199254740993}')).toEqual({ pid: 9007199254740993n });
    expect(parseJson('{"pid":9007199254740992}')).toEqual({ pid: 9007199254740992 });
  });

  it('keeps every such integer of a line, in arrays, nested, negative, up to unsigned_long', () => {
    const text = '{"a":[1, -9007199254740993 ,18446744073709551615],"b":{"c":9223372036854775807},"d":"x"}';
    expect(parseJson(text)).toEqual({ a: [1, -9007199254740993n, 18446744073709551615n], b: { c: 9223372036854775807n }, d: 'x' });
  });

  it('leaves a number JSON writes as a double, or beyond unsigned_long, as JSON.parse reads it', () => {
    for (const token of ['9007199254740993.0', '9007199254740993e0', '90071992547409930000000', '10000000000000000']) {
      expect(parseJson(`{"n":${token}}`)).toEqual(JSON.parse(`{"n":${token}}`));
    }
  });

  it('leaves digits inside strings alone, also after escaped quotes', () => {
    const text = '{"id":"9007199254740993","q":"say \\"9007199254740993\\"","k\\\\":9007199254740993}';
    expect(parseJson(text)).toEqual({ id: '9007199254740993', q: 'say "9007199254740993"', 'k\\': 9007199254740993n });
  });

  it('does not mistake a string holding control characters for an integer', () => {
    // The marker parseJson uses is a control character the line's strings cannot hold.
    const text = '{"s":"\\u00009007199254740993","t":"\\u0001x","n":9007199254740993}';
    expect(parseJson(text)).toEqual({ s: '\u00009007199254740993', t: '\u0001x', n: 9007199254740993n });
  });

  it('keeps __proto__ an own key, as JSON.parse does', () => {
    const value = parseJson('{"__proto__":{"pid":9007199254740993}}');
    expect(Object.hasOwn(value as object, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it.each([
    '{"a":1, 9007199254740993: 2}', // a number as a key
    '{"a":09007199254740993}', // a leading zero
    '{"a":-09007199254740993}',
    '{"a" 9007199254740993}',
    '{"a":9007199254740993x}',
    '[9007199254740993 9007199254740993]',
    '{"a":9007199254740993',
  ])('refuses what JSON.parse refuses, with its message: %s', (text) => {
    expect(() => parseJson(text)).toThrow(jsonError(text));
  });
});

describe('hasLongDigitRun', () => {
  it('finds a run of 16 digits where a number stands wherever it starts, and never one of 15', () => {
    for (let offset = 0; offset < 40; offset++) {
      const pad = ' '.repeat(offset % 3);
      expect(hasLongDigitRun('{"' + 'x'.repeat(offset) + '":' + pad + '1'.repeat(16) + pad + '}')).toBe(true);
      expect(hasLongDigitRun('[' + '"x",'.repeat(offset) + '-' + '1'.repeat(16) + ']')).toBe(true);
      expect(hasLongDigitRun('{"' + 'x'.repeat(offset) + '":' + pad + '1'.repeat(15) + pad + '}')).toBe(false);
    }
    expect(hasLongDigitRun('1'.repeat(16))).toBe(true);
    expect(hasLongDigitRun('{"@timestamp":"2024-05-01T10:00:00.123456789Z","pid":123456789012345}')).toBe(false);
  });

  it('passes over digits glued to other characters, which no integer token is (hex hashes)', () => {
    for (let offset = 0; offset < 40; offset++) {
      expect(hasLongDigitRun('x'.repeat(offset) + '1'.repeat(16) + 'x'.repeat(1 + (offset % 7)))).toBe(false);
      expect(hasLongDigitRun('x'.repeat(1 + offset) + '1'.repeat(16))).toBe(false);
    }
    expect(hasLongDigitRun('{"Ext":{"header_bytes":"7f454c4602010100000085f46acdc7d9"}}')).toBe(false);
    expect(hasLongDigitRun('{"h":"12345678901234567"}')).toBe(false);
    expect(hasLongDigitRun('{"n":12345678901234567.5}')).toBe(false);
    expect(hasLongDigitRun('{"n":12345678901234567e3}')).toBe(false);
  });
});

describe('stringifyJson', () => {
  it('writes a bigint as its digits, everything else as JSON.stringify does', () => {
    const value = { pid: 9007199254740993n, list: [-9007199254740993n, 1, 'x'], s: '9007199254740993' };
    expect(stringifyJson(value)).toBe('{"pid":9007199254740993,"list":[-9007199254740993,1,"x"],"s":"9007199254740993"}');
    expect(stringifyJson({ a: [1, { b: 'c' }] })).toBe(JSON.stringify({ a: [1, { b: 'c' }] }));
    expect(stringifyJson({ a: 9007199254740993n }, 2)).toBe('{\n  "a": 9007199254740993\n}');
  });

  it('round-trips with parseJson', () => {
    const text = '{"a":9007199254740993,"b":["n9007199254740993",{"c":-18446744073709551615}],"d":1.5}';
    expect(stringifyJson(parseJson(text))).toBe(text.replace('-18446744073709551615', String(JSON.parse('-18446744073709551615'))));
    const exact = '{"a":9007199254740993,"b":["n9007199254740993",{"c":18446744073709551615}],"d":1.5}';
    expect(stringifyJson(parseJson(exact))).toBe(exact);
  });
});

describe('bytesHaveLongDigitRun', () => {
  it('answers as hasLongDigitRun does, wherever the line lies in its buffer', () => {
    const texts = [
      '',
      '1'.repeat(15),
      '1'.repeat(16),
      'ab' + '9'.repeat(16) + 'c',
      '{"a":"2024-05-01T10:00:00.123456789Z","h":"685c9a937a5be2bd1491351090760846"}',
      '{"n": -' + '9'.repeat(16) + ' }',
      '[1,' + '9'.repeat(17) + ']',
      '{"n":' + '9'.repeat(16) + '.5}',
    ];
    for (let offset = 0; offset < 24; offset++) {
      for (const body of [...texts, ...texts.map((t) => 'x'.repeat(offset % 5) + t + 'y'.repeat(offset % 3))]) {
        // The line between other digits, so a run must not be counted past its ends.
        const buffer = Buffer.from('7'.repeat(offset) + '|' + body + '|' + '7'.repeat(20));
        const start = offset + 1;
        const end = start + Buffer.byteLength(body);
        expect(bytesHaveLongDigitRun(buffer, start, end), JSON.stringify([offset, body])).toBe(hasLongDigitRun(body));
        // The same bytes in a slice of a larger pool, at an odd byte offset.
        const pool = Buffer.alloc(buffer.length + 7);
        buffer.copy(pool, 3);
        expect(bytesHaveLongDigitRun(pool.subarray(3), start, end)).toBe(hasLongDigitRun(body));
      }
    }
  });

  it('finds runs of 16 digits at every alignment, never runs of 15', () => {
    for (let at = 0; at < 12; at++) {
      const line = Buffer.from('{"' + 'x'.repeat(at) + '":' + '1'.repeat(16) + '}');
      expect(bytesHaveLongDigitRun(line, 0, line.length)).toBe(true);
      const short = Buffer.from('[' + '"x",'.repeat(at) + '1'.repeat(15) + ',' + '1'.repeat(15) + ']');
      expect(bytesHaveLongDigitRun(short, 0, short.length)).toBe(false);
      const glued = Buffer.from('x'.repeat(at) + '1'.repeat(16) + 'x');
      expect(bytesHaveLongDigitRun(glued, 0, glued.length)).toBe(false);
    }
  });
});

/** What parsing a text gives: the value, or JSON.parse's error message. */
function outcome(parse: (text: string) => unknown, text: string): unknown {
  try {
    return { value: parse(text) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

describe('the look for long integers never skips one', () => {
  // Texts built from the pieces that matter: long runs of digits, signs, strings, escapes, JSON punctuation.
  const piece = fc.constantFrom('{"a":', '"', '\\"', 'x', ',', ':', '[', ']', '{', '}', ' ', '\n', '-', '0', '.5', 'e3', '1234567890', '9007199254740993', '18446744073709551615', '99999999999999999999999');
  const text = fc.array(piece, { maxLength: 24 }).map((pieces) => pieces.join(''));

  it('parseJson gives what the exact parse of every text gives (values and errors)', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(outcome(parseJson, t)).toEqual(outcome(parseWithExactIntegers, t));
      }),
      { numRuns: 3000 },
    );
  });

  it('the look at the bytes answers as the look at the text', () => {
    fc.assert(
      fc.property(text, fc.nat(7), (t, offset) => {
        const bytes = Buffer.from('9'.repeat(offset) + t + '9'.repeat(20));
        expect(bytesHaveLongDigitRun(bytes, offset, offset + Buffer.byteLength(t))).toBe(hasLongDigitRun(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('JSON documents with exact integers in every position keep them', () => {
    const big = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }).filter((n) => n > 2n ** 53n || n < -(2n ** 53n));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 5 }), big), { minLength: 1, maxLength: 4 }), fc.constantFrom('', ' ', '\n'), (pairs, space) => {
        const line = '{' + pairs.map(([k, v], i) => `${JSON.stringify(k + i)}:${space}${v}${space}`).join(',') + '}';
        const bytes = Buffer.from(line);
        expect(bytesHaveLongDigitRun(bytes, 0, bytes.length)).toBe(true);
        expect(parseJson(line)).toEqual(Object.fromEntries(pairs.map(([k, v], i) => [k + i, BigInt(Number(v)) === v ? Number(v) : v])));
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseJson on any JSON text', () => {
  it('reads a bare integer exactly too', () => {
    expect(parseJson('9007199254740993')).toBe(9007199254740993n);
    expect(parseJson(' -9007199254740993 ')).toBe(-9007199254740993n);
    expect(() => parseJson('9007199254740993 9007199254740993')).toThrow(jsonError('9007199254740993 9007199254740993'));
  });
});

describe('parseJson on hostile lines', () => {
  it('reads a line of 20,000 such integers exactly', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => 9007199254740993n + 2n * BigInt(i));
    expect(parseJson(`{"a":[${values.join(',')}]}`)).toEqual({ a: values });
  });

  it('reads a line whose strings hold every control character as JSON.parse does (no marker is free)', () => {
    const controls = Array.from({ length: 32 }, (_, c) => '\\u' + c.toString(16).padStart(4, '0')).join('');
    const text = `{"s":"${controls}","n":9007199254740993}`;
    expect(parseJson(text)).toEqual(JSON.parse(text));
  });

  it('keeps digits in a long string of escapes and quotes to themselves', () => {
    const tricky = '\\\\\\"'.repeat(1000) + '9007199254740993';
    const text = `{"s":"${tricky}","n":9007199254740993}`;
    expect(parseJson(text)).toEqual({ s: (JSON.parse(`"${tricky}"`) as string), n: 9007199254740993n });
  });
});
