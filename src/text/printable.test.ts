import { describe, expect, it } from 'vitest';
import { printable, printableBlock, printableSpan } from './printable.js';

describe('printable', () => {
  it.each([
    ['ESC sequences (retitle, clear)', 'a\x1b]0;pwned\x07\x1b[2Jb', 'a\\x1b]0;pwned\\x07\\x1b[2Jb'],
    ['line breaks that forge output lines', '/x\r\n  rule  forged', '/x\\r\\n  rule  forged'],
    ['tab and NUL', 'a\tb\0', 'a\\tb\\x00'],
    ['DEL and the C1 controls (one-byte CSI)', '\x7f\x80\x9b\x9f', '\\x7f\\x80\\x9b\\x9f'],
    ['line and paragraph separators', 'a\u2028b\u2029', 'a\\u2028b\\u2029'],
    ['bidi embeddings, overrides and isolates', '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069', '\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069'],
  ])('escapes %s', (_what, input, shown) => {
    expect(printable(input)).toBe(shown);
  });

  it('leaves ordinary text alone, including backslashes and non-ASCII letters', () => {
    for (const text of ['C:\\Windows\\System32', 'naïve café ☃ 日本', '/usr/bin/x --flag="1"', '\u00a0\u00ff\u202f\u2065']) {
      expect(printable(text)).toBe(text);
    }
  });

  it('returns text without a character a terminal acts on, for every code unit', () => {
    let all = '';
    for (let c = 0; c < 0x2100; c++) all += String.fromCharCode(c);
    expect(printable(all)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  });
});

describe('printableBlock', () => {
  it('keeps newlines and tabs of multi-line text and escapes the rest', () => {
    expect(printableBlock('line 1\n\tline 2\r\x1b[2J\u202e')).toBe('line 1\n\tline 2\\r\\x1b[2J\\u202e');
  });
});

describe('printableSpan', () => {
  it('moves a caret column and width past the escapes before and inside the span', () => {
    const line = 'a\x1bb == "\x07x"';
    const shown = printableSpan(line, 8, 3);
    expect(shown.text).toBe('a\\x1bb == "\\x07x"');
    expect(shown.text.slice(shown.column - 1, shown.column - 1 + shown.length)).toBe('"\\x07x');
  });

  it('counts a tab as one column, like the caret does', () => {
    expect(printableSpan('\tx', 2, 1)).toEqual({ text: ' x', column: 2, length: 1 });
  });
});
