import type { EventRef, ExpectedAlert, FieldValues, TestCase } from './testFile.js';

/** An alert the rule raised, in the terms a test expects it: which event, and its new terms or threshold group. */
export interface GotAlert {
  event: EventRef;
  events?: EventRef[];
  newTerms?: FieldValues;
  threshold?: { fields: FieldValues; count: number; cardinality?: number };
}

/** What keeps a case with `[[case.alert]]` from passing: expected alerts not raised, alerts not expected. */
export interface AlertDiff {
  missing: ExpectedAlert[];
  unexpected: GotAlert[];
}

/** Most expected × raised alerts paired up; beyond it a case is compared by count and in order only. */
const MAX_PAIRS = 1_000_000;

/**
 * Pairs expected alerts with raised ones, each used once, order aside (a stateful rule decides in
 * event time, not in the order the test lists its alerts). An expected alert says only what it
 * cares about, so one may fit several raised alerts: a maximum matching (Kuhn's augmenting paths)
 * finds a pairing whenever one exists, where taking the first fit could strand a stricter one.
 */
export function compareAlerts(expect: TestCase['expect'], got: readonly GotAlert[]): AlertDiff {
  const wanted = expect.alerts;
  if (wanted === undefined) return { missing: [], unexpected: [] };
  const fits: number[][] =
    wanted.length * got.length <= MAX_PAIRS ? wanted.map((w) => got.flatMap((g, j) => (fitsAlert(w, g) ? [j] : []))) : wanted.map((w, i) => (got[i] !== undefined && fitsAlert(w, got[i]) ? [i] : []));
  const owner = new Array<number>(got.length).fill(-1);
  const augment = (i: number, seen: boolean[]): boolean => {
    for (const j of fits[i]!) {
      if (seen[j]) continue;
      seen[j] = true;
      if (owner[j] === -1 || augment(owner[j]!, seen)) {
        owner[j] = i;
        return true;
      }
    }
    return false;
  };
  const matched = new Set<number>();
  wanted.forEach((_, i) => {
    if (augment(i, new Array<boolean>(got.length).fill(false))) matched.add(i);
  });
  return {
    missing: wanted.filter((_, i) => !matched.has(i)),
    unexpected: got.filter((_, j) => owner[j] === -1),
  };
}

/** True when the raised alert has everything the expected one names. */
export function fitsAlert(w: ExpectedAlert, g: GotAlert): boolean {
  if (w.event !== undefined && !sameRef(w.event, g.event)) return false;
  if (w.events !== undefined) {
    const events = g.events ?? [g.event];
    if (events.length !== w.events.length || !w.events.every((e, i) => sameRef(e, events[i]!))) return false;
  }
  if (w.newTerms !== undefined && (g.newTerms === undefined || !sameValues(w.newTerms, g.newTerms))) return false;
  if (w.threshold !== undefined) {
    const t = g.threshold;
    if (t === undefined) return false;
    if (w.threshold.fields !== undefined && !sameValues(w.threshold.fields, t.fields)) return false;
    if (w.threshold.count !== undefined && w.threshold.count !== t.count) return false;
    if (w.threshold.cardinality !== undefined && w.threshold.cardinality !== t.cardinality) return false;
  }
  return true;
}

function sameRef(a: EventRef, b: EventRef): boolean {
  return a.kind === 'file' ? b.kind === 'file' && a.file === b.file && a.line === b.line : b.kind === 'inline' && a.index === b.index;
}

function sameValues(a: FieldValues, b: FieldValues): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/** `events.ndjson:3` or `inline event 2`. */
export function describeRef(r: EventRef): string {
  return r.kind === 'file' ? `${r.file}:${r.line}` : `inline event ${r.index}`;
}
