import { describe, expect, it } from 'vitest';
import { analyze, lowerCase, tokenize } from './analysis.js';

// Expected tokens follow Lucene's StandardTokenizerImpl.jflex (UAX#29 word rules) and
// LowerCaseFilter; each row names the rule that decides it.
describe('standard analyzer (StandardTokenizer + LowerCaseFilter)', () => {
  it.each([
    ['a kernel line', 'module verification failed: signature and/or required key missing - tainting kernel', ['module', 'verification', 'failed', 'signature', 'and', 'or', 'required', 'key', 'missing', 'tainting', 'kernel']],
    ['lowercases', 'Segfault AT', ['segfault', 'at']],
    ['letters and digits join (WB9/WB10)', 'abc123 x86', ['abc123', 'x86']],
    ['_ joins and may lead or trail (WB13a/b)', '_foo_ x86_64', ['_foo_', 'x86_64']],
    ['a run of _ alone is no token', 'a ___ b', ['a', 'b']],
    ['. between letters stays (WB6/7)', 'www.example.com', ['www.example.com']],
    [': between letters stays (MidLetter)', 'foo:bar', ['foo:bar']],
    ["' between letters stays (Single_Quote)", "can't", ["can't"]],
    ['. , between digits stay (WB11/12)', '3.14 1,000 10.0.0.1', ['3.14', '1,000', '10.0.0.1']],
    ['a MidNumLet needs the same class on both sides', 'a.1 1.a libc.so.6', ['a', '1', '1', 'a', 'libc.so', '6']],
    ['a trailing mid character is dropped', 'end. kernel:', ['end', 'kernel']],
    ['symbols separate', 'C:\\Windows\\System32 /usr/bin user@host a-b', ['c', 'windows', 'system32', 'usr', 'bin', 'user', 'host', 'a', 'b']],
    ['each ideograph and hiragana is a token, katakana runs are one', '日本語テキストです', ['日', '本', '語', 'テキスト', 'で', 'す']],
    ['a Thai run is one token (Complex_Context)', 'ภาษาไทย ok', ['ภาษาไทย', 'ok']],
    ['emoji are tokens, with modifiers and ZWJ sequences', 'hi 👍🏽 👨‍👩‍👧 ©', ['hi', '👍🏽', '👨‍👩‍👧', '©']],
    ['a flag is a pair of regional indicators; a lone one is dropped', '🇫🇷 x 🇫', ['🇫🇷', 'x']],
    ['combining marks stay with their letter', 'cafe\u0301 ok', ['cafe\u0301', 'ok']],
    ['soft hyphen (Format) stays inside', 'co\u00adop', ['co\u00adop']],
    ['zero width space separates', 'a\u200bb', ['a', 'b']],
    ['İ lowercases to i and a final Σ to σ (Character.toLowerCase)', 'İSTANBUL ΣΟΦΟΣ', ['istanbul', 'σοφοσ']],
    ['empty and symbol-only text has no token', ' -- // ', []],
  ])('%s', (_name, text, expected) => {
    expect(tokenize('standard', text)).toEqual(expected);
  });

  it('cuts a token at 255 UTF-16 units and scans the rest afresh (max_token_length)', () => {
    const tokens = tokenize('standard', 'a'.repeat(600));
    expect(tokens.map((t) => t.length)).toEqual([255, 255, 90]);
  });

  it('stops when the sink says so', () => {
    const seen: string[] = [];
    const stopped = analyze('standard', 'one two three', (t) => {
      seen.push(t);
      return t === 'two';
    });
    expect(stopped).toBe(true);
    expect(seen).toEqual(['one', 'two']);
  });

  it('reads a hostile value in linear time', () => {
    // Patterns that make a backtracking tokenizer quadratic: long runs of almost-joining characters.
    const hostile = 'a.'.repeat(200_000) + '1,'.repeat(200_000) + '\u0301'.repeat(200_000);
    const started = performance.now();
    let count = 0;
    analyze('standard', hostile, () => {
      count++;
    });
    expect(count).toBeGreaterThan(0);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('other analyzers', () => {
  it('pattern [\\W&&[^-]]+ (powershell_script_analyzer) keeps hyphens and splits on every other non-word character', () => {
    expect(tokenize('pattern_word_hyphen', 'Invoke-Expression [Convert]::ToInt16 $x.Foo é')).toEqual(['invoke-expression', 'convert', 'toint16', 'x', 'foo']);
  });
  it('pattern \\W+ splits on hyphens too', () => {
    expect(tokenize('pattern_word', 'Invoke-Expression')).toEqual(['invoke', 'expression']);
  });
  it('simple: letter runs, lowercased', () => {
    expect(tokenize('simple', "Don't x86 Ünïcode")).toEqual(['don', 't', 'x', 'ünïcode']);
  });
  it('whitespace: case kept', () => {
    expect(tokenize('whitespace', ' A-b\tC\u00a0d ')).toEqual(['A-b', 'C\u00a0d']);
  });
  it('keyword: the whole value', () => {
    expect(tokenize('keyword', 'A b')).toEqual(['A b']);
  });
});

describe('lowerCase', () => {
  it('maps code points one to one', () => {
    expect(lowerCase('ABC')).toBe('abc');
    expect(lowerCase('ÀÉ𐐀')).toBe('àé𐐨');
  });
});
