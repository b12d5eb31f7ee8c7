import { describe, expect, it } from 'vitest';
import { formatSummary, type ScanSummary } from './summary.js';

const base: ScanSummary = {
  files: 1, lines: 3, events: 3, skipped: 0, malformed: 0, blank: 0, warnings: 0, bytes: 300, inputErrors: 0, elapsedMs: 10,
  alertsByRule: [],
};

describe('formatSummary', () => {
  it('says how many pending sequences a rule dropped at its state cap, only when it dropped some', () => {
    const text = formatSummary({
      ...base,
      alertsByRule: [
        { name: 'Seq', id: 'a', alerts: 2, untimed: 0, dropped: 1_500 },
        { name: 'Quiet', id: 'b', alerts: 0, untimed: 0, dropped: 0 },
      ],
    });
    expect(text).toContain('     2  Seq  (1,500 partial matches dropped at the state cap)\n');
    expect(text).toContain('     0  Quiet\n');
  });

  it('says threshold groups for a threshold rule that dropped some', () => {
    const text = formatSummary({
      ...base,
      alertsByRule: [
        { name: 'Sweep', id: 'a', alerts: 0, untimed: 0, dropped: 1, droppedWhat: 'threshold group' },
        { name: 'Flood', id: 'b', alerts: 3, untimed: 0, dropped: 2_000, droppedWhat: 'threshold group' },
      ],
    });
    expect(text).toContain('     0  Sweep  (1 threshold group dropped at the state cap)\n');
    expect(text).toContain('     3  Flood  (2,000 threshold groups dropped at the state cap)\n');
  });
});
