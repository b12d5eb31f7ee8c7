import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileTermsOf, termKey, type Term } from '../engine/newTerms.js';
import { parseJson } from '../event/json.js';
import { writeFileAtomic } from './atomicWrite.js';
import { InvalidStateError, parseTermHistory, readTermHistory, serializeTermHistory, StateFileError, STATE_VERSION, writeTermHistory } from './historyFile.js';
import { bindTermHistory, pruneTermHistory, ruleTermHistory, type TermHistory } from './termHistory.js';
import { parseRuleText } from '../rules/load.js';
import type { NewTermsRule } from '../rules/types.js';

const DAY = 86_400_000;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lkm-state-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function sample(): TermHistory {
  return new Map([
    ['r1', ruleTermHistory('One "quoted" rule', ['process.executable'], 5 * DAY, [[['/bin/kmod'], 1_700_000_000_000]])],
    ['r2', ruleTermHistory('Two fields', ['host.name', 'user.name'], 7 * DAY, [[['web-1', 'root'], 5], [['web-2', 'ü\u2028\u0000'], 6.5]])],
  ]);
}

describe('state file format', () => {
  it('round-trips every scalar term type, terms of 1 to 3 fields, as termKey sees them', () => {
    // Terms as the scanner makes them: from parsed event lines, integers beyond 2^53 exact (parseJson).
    const event = parseJson(
      '{"a": ["x", "", "\\ud800 lone", 0, -0, 1.5, -2e-7, 1e21, 12345678901234567890, 9007199254740993, true, false, "5", "true"], "b": ["y", 5], "c": [false]}',
    ) as Record<string, unknown>;
    const history: TermHistory = new Map();
    for (const fields of [['a'], ['a', 'b'], ['a', 'b', 'c']]) {
      const lastSeen = new Map<string, number>();
      compileTermsOf(fields)(event).forEach((term, i) => lastSeen.set(termKey(term), 1_700_000_000_000 + i * 0.25));
      history.set(fields.join('+'), { name: fields.join(' and '), fields, historyWindowMs: DAY, lastSeen });
    }
    const text = serializeTermHistory(history);
    const back = parseTermHistory(text);
    expect(back).toEqual(history);
    expect([...back.get('a')!.lastSeen.keys()]).toEqual([...history.get('a')!.lastSeen.keys()]);
    // The number 5 and the string "5" stay two terms; so do true and "true".
    expect(back.get('a')!.lastSeen.has(termKey([5]))).toBe(false);
    expect(back.get('a')!.lastSeen.has(termKey(['5']))).toBe(true);
    expect(back.get('a')!.lastSeen.has(termKey([true]))).toBe(true);
    expect(back.get('a')!.lastSeen.has(termKey(['true']))).toBe(true);
    expect(serializeTermHistory(back)).toBe(text);
  });

  it('reads integers beyond 2^53 back exactly, so 9007199254740993 and 9007199254740992 stay two terms', () => {
    const termsOf = compileTermsOf(['pid']);
    const lastSeen = new Map<string, number>();
    for (const [i, text] of ['{"pid":9007199254740993}', '{"pid":9007199254740992}'].entries()) {
      for (const term of termsOf(parseJson(text) as Record<string, unknown>)) lastSeen.set(termKey(term), i);
    }
    const history: TermHistory = new Map([['r', { name: 'pids', fields: ['pid'], historyWindowMs: DAY, lastSeen }]]);
    const text = serializeTermHistory(history);
    expect(text).toContain('[[9007199254740993], 0]');
    const back = parseTermHistory(text).get('r')!.lastSeen;
    expect(back).toEqual(new Map([['[9007199254740993]', 0], ['[9007199254740992]', 1]]));
  });

  it('writes one term per line, with a format name and version', () => {
    const text = serializeTermHistory(sample());
    expect(JSON.parse(text)).toMatchObject({ format: 'lkm-scan new_terms history', version: STATE_VERSION });
    expect(text).toContain('\n        [["web-1","root"], 5],\n');
  });

  it('leaves out rules that remember no term', () => {
    const history = sample();
    history.set('empty', ruleTermHistory('Nothing yet', ['x'], DAY));
    expect([...parseTermHistory(serializeTermHistory(history)).keys()]).toEqual(['r1', 'r2']);
    expect(parseTermHistory(serializeTermHistory(new Map()))).toEqual(new Map());
  });

  const good = () => JSON.parse(serializeTermHistory(sample())) as Record<string, any>;
  const corrupt: Array<[string, string, RegExp]> = [
    ['empty', '', /empty/],
    ['truncated', serializeTermHistory(sample()).slice(0, 120), /not valid JSON, perhaps truncated/],
    ['an events file', '{"@timestamp": "2024-05-01T00:00:00Z"}\n', /not an lkm-scan state file/],
    ['a JSON array', '[]', /not an lkm-scan state file/],
    ['no version', JSON.stringify({ ...good(), version: undefined }), /"version" must be a whole number/],
    ['rules not an object', JSON.stringify({ ...good(), rules: [] }), /"rules" must be an object/],
    ['a term of the wrong width', JSON.stringify({ ...good(), rules: { r: { ...good().rules.r2, terms: [[['web-1'], 5]] } } }), /rules\["r"\]\.terms\[0\] must be \[\[2 values\]/],
    ['a term holding an object', JSON.stringify({ ...good(), rules: { r: { ...good().rules.r1, terms: [[[{}], 5]] } } }), /rules\["r"\]\.terms\[0\]/],
    ['a time that is text', JSON.stringify({ ...good(), rules: { r: { ...good().rules.r1, terms: [[['x'], '5']] } } }), /terms\[0\]/],
    ['four fields', JSON.stringify({ ...good(), rules: { r: { ...good().rules.r1, fields: ['a', 'b', 'c', 'd'] } } }), /fields must list 1 to 3/],
    ['no window', JSON.stringify({ ...good(), rules: { r: { ...good().rules.r1, history_window_ms: 0 } } }), /history_window_ms must be a positive number/],
  ];
  it.each(corrupt)('rejects a state that is %s, saying where', (_what, text, message) => {
    expect(() => parseTermHistory(text)).toThrow(InvalidStateError);
    expect(() => parseTermHistory(text)).toThrow(message);
  });

  it('rejects a state written by a newer version, as such', () => {
    const text = JSON.stringify({ ...good(), version: STATE_VERSION + 1, rules: 'a shape this version does not know' });
    let error: unknown;
    try {
      parseTermHistory(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error).toMatchObject({ newer: true, message: expect.stringMatching(/newer lkm-scan \(state format version 2; this one reads version 1\)/) });
  });

  it('keeps the latest time when a term is listed twice', () => {
    const text = JSON.stringify({ ...good(), rules: { r: { ...good().rules.r1, terms: [[['x'], 9], [['x'], 3]] } } });
    expect(parseTermHistory(text).get('r')!.lastSeen).toEqual(new Map([[termKey(['x']), 9]]));
  });
});

describe('reading and writing the state file', () => {
  it('reads a missing file as no history (a first run)', () => {
    expect(readTermHistory(join(dir, 'none.json'))).toBeUndefined();
  });

  it('names the file and what to do when it is corrupt, newer or unreadable', () => {
    const file = join(dir, 'state.json');
    writeFileSync(file, '{"format": "lkm-scan new_terms history", "version": 1, "rules": {');
    expect(() => readTermHistory(file)).toThrow(StateFileError);
    expect(() => readTermHistory(file)).toThrow(`state file ${file}: it is not valid JSON`);
    try {
      readTermHistory(file);
    } catch (e) {
      expect((e as StateFileError).format()).toMatch(/delete it to start a new history.*Nothing was scanned/s);
    }
    writeFileSync(file, JSON.stringify({ format: 'lkm-scan new_terms history', version: 99, rules: {} }));
    expect(() => readTermHistory(file)).toThrow(/newer lkm-scan/);
    try {
      readTermHistory(file);
    } catch (e) {
      expect((e as StateFileError).remedy).toMatch(/Upgrade lkm-scan/);
    }
    expect(() => readTermHistory(dir)).toThrow(/cannot be read \(EISDIR\)/);
  });

  it('writes atomically and reads back what it wrote', () => {
    const file = join(dir, 'state.json');
    writeTermHistory(file, sample());
    expect(readTermHistory(file)).toEqual(sample());
    writeTermHistory(file, new Map([['r3', ruleTermHistory('Three', ['x'], DAY, [[['y'], 1]])]]));
    expect([...readTermHistory(file)!.keys()]).toEqual(['r3']);
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it.each(['openSync', 'writeSync', 'fsyncSync', 'renameSync'] as const)('leaves the old file intact and no temporary file when %s fails', (failing) => {
    const file = join(dir, 'state.json');
    writeTermHistory(file, sample());
    const before = readFileSync(file, 'utf8');
    const disk = {
      ...fs,
      [failing]: (...args: unknown[]) => {
        // A full disk: a write that got part of the way first, then ENOSPC.
        if (failing === 'writeSync') (fs.writeSync as (...a: unknown[]) => number)(args[0], Buffer.from('{"format": "lkm-s'));
        throw Object.assign(new Error(`${failing}: no space left on device`), { code: 'ENOSPC' });
      },
    };
    const bigger = sample();
    bigger.get('r1')!.lastSeen.set(termKey(['/bin/other']), 2);
    expect(() => writeTermHistory(file, bigger, disk)).toThrow(/could not be saved \(ENOSPC\); the file is as it was/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('writes whole text even when the system writes it in pieces', () => {
    const file = join(dir, 'piecewise.txt');
    const text = 'x'.repeat(10_000) + 'é';
    const disk = { ...fs, writeSync: (fd: number, b: Buffer, off: number, len: number) => fs.writeSync(fd, b, off, Math.min(len, 777)) };
    writeFileAtomic(file, text, disk as typeof fs);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe('what is kept between runs', () => {
  const rule = (id: string, fields: string[], windowMs: number): NewTermsRule => {
    const loaded = parseRuleText(
      `[metadata]\nmaturity = "production"\n[rule]\nrule_id = "${id}"\nname = "rule ${id}"\ntype = "new_terms"\nlanguage = "kuery"\n` +
        `query = "a:b"\nseverity = "low"\nrisk_score = 1\n[rule.new_terms]\nfield = "new_terms_fields"\nvalue = ${JSON.stringify(fields)}\n` +
        `[[rule.new_terms.history_window_start]]\nfield = "history_window_start"\nvalue = "now-${windowMs / DAY}d"\n`,
      `${id}.toml`,
    );
    if (loaded.type !== 'new_terms' || !('newTerms' in loaded)) throw new Error('expected a new_terms rule');
    return loaded;
  };

  it('forgets terms last seen more than the window before the rule’s newest sighting (event time, not the clock)', () => {
    const history: TermHistory = new Map([
      ['a', ruleTermHistory('a', ['x'], 5 * DAY, [[['old'], 0], [['edge'], 5 * DAY], [['new'], 10 * DAY]])],
      ['b', ruleTermHistory('b', ['x'], 20 * DAY, [[['old'], 0], [['new'], 10 * DAY]])],
    ]);
    expect(pruneTermHistory(history)).toBe(1);
    expect([...history.get('a')!.lastSeen.keys()]).toEqual([termKey(['edge']), termKey(['new'])]);
    expect(history.get('b')!.lastSeen.size).toBe(2);
  });

  it('keeps the history of rules not in this run and takes the current window of those that are', () => {
    const history: TermHistory = new Map([
      ['kept', ruleTermHistory('kept', ['x'], DAY, [[['t'], 1]])],
      ['widened', ruleTermHistory('widened', ['x'], DAY, [[['t'], 1]])],
    ]);
    expect(bindTermHistory(history, [rule('widened', ['x'], 9 * DAY), rule('fresh', ['y'], DAY)])).toEqual([]);
    expect(history.get('kept')).toEqual(ruleTermHistory('kept', ['x'], DAY, [[['t'], 1]]));
    expect(history.get('widened')).toEqual(ruleTermHistory('rule widened', ['x'], 9 * DAY, [[['t'], 1]]));
    expect(history.get('fresh')).toEqual(ruleTermHistory('rule fresh', ['y'], DAY));
  });

  it('starts a rule over when its fields changed, and says so', () => {
    const history: TermHistory = new Map([['r', ruleTermHistory('r', ['host.name'], DAY, [[['web-1'], 1]])]]);
    expect(bindTermHistory(history, [rule('r', ['user.name'], DAY)])).toEqual([{ id: 'r', name: 'rule r', before: ['host.name'], now: ['user.name'] }]);
    expect(history.get('r')!.lastSeen.size).toBe(0);
  });

  it('round-trips through the file after pruning', () => {
    const terms: Array<[Term, number]> = [[['a'], 0], [['b'], 3 * DAY]];
    const history: TermHistory = new Map([['r', ruleTermHistory('r', ['x'], DAY, terms)]]);
    pruneTermHistory(history);
    expect(parseTermHistory(serializeTermHistory(history))).toEqual(new Map([['r', ruleTermHistory('r', ['x'], DAY, [[['b'], 3 * DAY]])]]));
  });
});
