import { describe, expect, it } from 'vitest';
import { compileEql, parseEql } from '../eql/index.js';
import { createPipeline } from './pipes.js';

const pipesOf = (text: string) => compileEql(parseEql(`any where true ${text}`)).pipes;

/** Pushes [time, name] results (seq = position) and returns the names that come out, in order. */
function through(text: string, live: boolean, results: Array<[number | undefined, string]>): string[] {
  const out: string[] = [];
  const p = createPipeline<string>(pipesOf(text), live, (s) => out.push(s));
  results.forEach(([t, name], i) => p.push(name, t, i));
  p.finish();
  return out;
}

const shuffled: Array<[number | undefined, string]> = [[30, 'c'], [10, 'a'], [undefined, 'untimed'], [40, 'd'], [20, 'b']];

describe('head and tail pipes (SPEC §A.9)', () => {
  it('over files, head keeps the first N in event-time order', () => {
    expect(through('| head 2', false, shuffled)).toEqual(['a', 'b']);
  });

  it('over files, tail keeps the last N in event-time order (untimed results sort last)', () => {
    expect(through('| tail 2', false, shuffled)).toEqual(['d', 'untimed']);
  });

  it('applies pipes left to right', () => {
    expect(through('| head 3 | tail 1', false, shuffled)).toEqual(['c']);
    expect(through('| tail 3 | head 1', false, shuffled)).toEqual(['c']);
  });

  it('head 0 lets nothing through; no pipe lets everything through in arrival order', () => {
    expect(through('| head 0', false, shuffled)).toEqual([]);
    expect(through('', false, shuffled)).toEqual(['c', 'a', 'untimed', 'd', 'b']);
  });

  it('live, head passes the first N arrivals at once and tail holds the last N until the end', () => {
    const out: string[] = [];
    const p = createPipeline<string>(pipesOf('| head 2'), true, (s) => out.push(s));
    p.push('x', 5, 1);
    expect(out).toEqual(['x']);
    p.push('y', 1, 2);
    p.push('z', 0, 3);
    expect(out).toEqual(['x', 'y']);
    expect(through('| tail 2', true, shuffled)).toEqual(['d', 'b']);
  });
});
