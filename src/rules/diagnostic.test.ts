import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from './diagnostic.js';
import { relativeWindowMs } from './duration.js';

describe('formatDiagnostic', () => {
  it('draws the source line with a caret under the column', () => {
    expect(
      formatDiagnostic({ message: 'expected a value', file: 'r.toml', line: 35, column: 5, sourceLine: 'a = = b', length: 1, notes: ['n'] }),
    ).toBe(['error: expected a value', ' --> r.toml:35:5', '   |', '35 | a = = b', '   |     ^', 'note: n'].join('\n'));
  });

  it('puts the caret at the query column when the query shares its line with `query =`', () => {
    const text = formatDiagnostic({ message: 'm', file: 'r.toml', line: 3, column: 14, caretColumn: 4, sourceLine: 'a:(' });
    expect(text.split('\n').pop()).toBe('  |    ^');
  });
});

describe('relativeWindowMs', () => {
  it('reads Elastic date math windows', () => {
    expect(relativeWindowMs('now-5d')).toBe(5 * 86_400_000);
    expect(relativeWindowMs('now-119m')).toBe(119 * 60_000);
    expect(relativeWindowMs('now-30s')).toBe(30_000);
  });
  it('rejects anything else', () => {
    expect(relativeWindowMs('5d')).toBeUndefined();
    expect(relativeWindowMs('now+5d')).toBeUndefined();
  });
});
