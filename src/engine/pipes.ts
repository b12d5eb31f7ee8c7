import type { CompiledPipe } from '../eql/compile.js';

/** A result on its way through the pipes, with its place in event-time order. */
interface Placed<T> {
  item: T;
  /** Event time; results without one sort after every timed one. */
  timeMs: number;
  seq: number;
}

export interface Pipeline<T> {
  push(item: T, timeMs: number | undefined, seq: number): void;
  /** Releases what the pipes held back (`tail`, or `head` over a whole file). */
  finish(): void;
}

interface Stage<T> {
  push(p: Placed<T>): void;
  finish(): void;
}

/**
 * EQL `| head N` and `| tail N` over a rule's alerts (SPEC §A.9), applied left to right. Over files
 * the order is event time (ties in input order), so `head` and `tail` do not depend on the order of
 * lines: both keep only N results in a sorted buffer and release it at the end. Live, `head` lets
 * the first N arrivals through at once and `tail` holds the last N until the stream ends.
 */
export function createPipeline<T>(pipes: readonly CompiledPipe[], live: boolean, emit: (item: T) => void): Pipeline<T> {
  let stage: Stage<T> = { push: (p) => emit(p.item), finish: () => {} };
  for (const pipe of [...pipes].reverse()) {
    const next = stage;
    if (pipe.kind === 'head') stage = live ? liveHead(pipe.count, next) : sortedKeep(pipe.count, 'first', next);
    else stage = live ? liveTail(pipe.count, next) : sortedKeep(pipe.count, 'last', next);
  }
  const first = stage;
  return {
    push: (item, timeMs, seq) => first.push({ item, timeMs: timeMs ?? Infinity, seq }),
    finish: () => first.finish(),
  };
}

const before = <T>(a: Placed<T>, b: Placed<T>): boolean => a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);

/** Keeps the N first (or last) results in event-time order, bounded to N whatever the input size. */
function sortedKeep<T>(count: number, which: 'first' | 'last', next: Stage<T>): Stage<T> {
  const kept: Array<Placed<T>> = [];
  return {
    push(p) {
      if (count === 0) return;
      if (kept.length === count) {
        if (which === 'first' && !before(p, kept[kept.length - 1]!)) return;
        if (which === 'last' && before(p, kept[0]!)) return;
      }
      // Binary search for the insertion point; results mostly come in order, so this is usually the end.
      let lo = 0;
      let hi = kept.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (before(p, kept[mid]!)) hi = mid;
        else lo = mid + 1;
      }
      kept.splice(lo, 0, p);
      if (kept.length > count) {
        if (which === 'first') kept.pop();
        else kept.shift();
      }
    },
    finish() {
      for (const p of kept) next.push(p);
      kept.length = 0;
      next.finish();
    },
  };
}

function liveHead<T>(count: number, next: Stage<T>): Stage<T> {
  let passed = 0;
  return {
    push(p) {
      if (passed < count) {
        passed++;
        next.push(p);
      }
    },
    finish: () => next.finish(),
  };
}

function liveTail<T>(count: number, next: Stage<T>): Stage<T> {
  const kept: Array<Placed<T>> = [];
  return {
    push(p) {
      if (count === 0) return;
      kept.push(p);
      if (kept.length > count) kept.shift();
    },
    finish() {
      for (const p of kept) next.push(p);
      kept.length = 0;
      next.finish();
    },
  };
}
