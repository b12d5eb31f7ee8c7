import { describe, expect, it } from 'vitest';
import { judgeNothingEvaluated, type ReadTotals } from './nothingEvaluated.js';

const read = (t: Partial<ReadTotals>): ReadTotals => ({ inputs: 1, unreadable: 0, lines: 0, bytes: 0, events: 0, skipped: 0, malformed: 0, evaluated: 0, ...t });
const judge = (t: Partial<ReadTotals>, windowed = false, allowEmpty = false) => judgeNothingEvaluated(read(t), { windowed, allowEmpty });

describe('judgeNothingEvaluated', () => {
  it('has nothing to say once one event was evaluated', () => {
    expect(judge({ lines: 5, bytes: 50, events: 5, evaluated: 1, malformed: 4 })).toBeUndefined();
  });

  it.each([
    ['an empty input', {}, false, 'read 1 input: it is empty; pass --allow-empty if that is expected', true],
    ['empty inputs', { inputs: 2 }, false, 'read 2 inputs: they are empty; pass --allow-empty if that is expected', true],
    ['blank lines or []', { lines: 2, bytes: 4 }, false, 'read 1 input (2 lines, 4 bytes): no event in it; pass --allow-empty if that is expected', true],
    ['malformed records only', { lines: 3, bytes: 20, malformed: 3 }, false, 'read 1 input (3 lines, 20 bytes): no event in it, 3 malformed records; see the reports above', false],
    ['events all outside the window', { lines: 4, bytes: 90, events: 1, skipped: 3 }, true, 'read 1 input (4 lines, 90 bytes): none of the 4 events lies within --since/--until; pass --allow-empty if that is expected', true],
    ['an input that could not be read', { unreadable: 1 }, false, 'read 1 input: it could not be read; see the reports above', false],
    ['1 malformed record', { lines: 1, bytes: 5, malformed: 1 }, false, 'read 1 input (1 line, 5 bytes): no event in it, 1 malformed record; see the reports above', false],
  ])('says what was read and why nothing was evaluated: %s', (_name, totals, windowed, message, empty) => {
    expect(judge(totals, windowed)).toEqual({ message: `no event was evaluated: ${message}`, fails: true });
    // --allow-empty accepts inputs that held no event, never malformed or unreadable ones.
    expect(judge(totals, windowed, true)?.fails).toBe(!empty);
  });
});
