import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressLine, formatDuration } from './progress.js';

function terminal(columns?: number) {
  const out = Object.assign(new PassThrough(), { columns });
  let text = '';
  out.setEncoding('utf8').on('data', (d: string) => (text += d));
  return { out, text: () => text };
}

/** Lets a scheduled draw run (it waits for the event loop), and the stream deliver it. */
const turn = () => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

describe('ProgressLine', () => {
  it('draws bytes of the total, lines per second, alerts and the time left, in place', async () => {
    const t = terminal();
    let now = 0;
    const line = new ProgressLine(t.out, 4_000_000, () => 3, () => now);
    now = 1000;
    line.update(1_000_000, 5_000);
    expect(t.text()).toBe('');
    await turn();
    expect(t.text()).toBe('\r\x1b[2Klkm-scan: 1.0 MB of 4.0 MB (25%), 5,000 events/s, 3 alerts, ETA 0:03');
  });

  it('redraws at most ten times a second however often it is told', async () => {
    const t = terminal();
    let now = 0;
    const line = new ProgressLine(t.out, 1000, () => 0, () => now);
    for (let i = 1; i <= 1000; i++) {
      now = i; // one millisecond apart: one second in all
      line.update(i, i);
      await turn();
    }
    expect(t.text().split('\r\x1b[2K').length - 1).toBe(10);
  });

  it('erases itself before other text, drops a draw scheduled before that, and draws again at the next update', async () => {
    const t = terminal();
    let now = 0;
    const line = new ProgressLine(t.out, 1000, () => 0, () => now);
    line.clear();
    await turn();
    expect(t.text()).toBe('');
    now = 500;
    line.update(10, 1);
    await turn();
    line.clear();
    await turn();
    expect(t.text().endsWith('events/s, 0 alerts, ETA 0:50\r\x1b[2K')).toBe(true);
    const erased = t.text().length;
    // A draw scheduled, then other text written (an alert on the same terminal): the draw is dropped.
    line.update(20, 2);
    line.clear();
    await turn();
    expect(t.text().length).toBe(erased);
    // The next update draws at once, not a tenth of a second later: the line does not vanish.
    line.update(30, 3);
    await turn();
    expect(t.text().length).toBeGreaterThan(erased);
  });

  it('adds up the inputs already read', async () => {
    const t = terminal();
    let now = 0;
    const line = new ProgressLine(t.out, 3000, () => 0, () => now);
    line.update(1000, 10);
    line.nextInput();
    now = 1000;
    line.update(500, 5);
    await turn();
    expect(t.text()).toContain('1.5 kB of 3.0 kB (50%), 15 events/s');
  });

  it('stays shorter than the terminal is wide, so that it never wraps', async () => {
    const t = terminal(30);
    const line = new ProgressLine(t.out, 4_000_000_000, () => 12_345, () => 1000);
    line.update(1, 1);
    await turn();
    expect(t.text().replace('\r\x1b[2K', '')).toHaveLength(29);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [7.2, '0:08'],
    [754, '12:34'],
    [3723, '1:02:03'],
  ])('%s s is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
