import { compileFieldReader } from '../event/fields.js';
import type { EcsEvent } from '../event/types.js';

/**
 * Which index an event belongs to, and which of a rule's `index` patterns take it in
 * (README "Alert chains and index patterns").
 *
 * Patterns follow Elasticsearch's multi-target syntax (docs: "Multi-target syntax", and
 * `IndexNameExpressionResolver` in elasticsearch/server): a comma-separated list, `*` matches any
 * run of characters, and a `-name` expression that follows a wildcard expression removes what it
 * matches. Every `index` of the rule pack is a plain name or uses `*` only.
 */

/** The index Kibana writes security alerts of the default space to (an alias of `.internal.alerts-security.alerts-default-*`). */
export const ALERTS_INDEX = '.alerts-security.alerts-default';

/** A compiled list of index patterns: true for an index name one of them takes in. */
export type IndexMatcher = (index: string) => boolean;

/**
 * Compiles a rule's `index` list. Rules mostly share a few lists (Elastic's pack: 1,864 rules,
 * 388 lists), so each list is compiled once per process; a matcher is a pure function of it.
 */
export function compileIndexPatterns(patterns: readonly string[]): IndexMatcher {
  const key = JSON.stringify(patterns);
  let matcher = compiledPatterns.get(key);
  if (matcher === undefined) {
    matcher = compilePatternList(patterns);
    compiledPatterns.set(key, matcher);
  }
  return matcher;
}

const compiledPatterns = new Map<string, IndexMatcher>();

function compilePatternList(patterns: readonly string[]): IndexMatcher {
  const expressions = patterns.flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '');
  const steps: Array<{ exclude: boolean; test: (name: string) => boolean }> = [];
  let sawWildcard = false;
  for (const expression of expressions) {
    // Elasticsearch reads `-x` as an exclusion only after a wildcard expression; before one, it is a name.
    const exclude = expression.startsWith('-') && sawWildcard;
    const body = exclude ? expression.slice(1) : expression;
    if (body.includes('*')) sawWildcard = true;
    steps.push({ exclude, test: wildcardTest(body) });
  }
  return (index) => {
    let taken = false;
    for (const step of steps) {
      if (step.exclude) {
        if (taken && step.test(index)) taken = false;
      } else if (!taken && step.test(index)) taken = true;
    }
    return taken;
  };
}

/**
 * `*` as any run of characters, everything else literal. Matched by walking the literal pieces
 * left to right (first fit), which is linear in the name for each piece: no backtracking regex.
 */
function wildcardTest(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*')) return (name) => name === pattern;
  const pieces = pattern.split('*');
  const first = pieces[0] ?? '';
  const last = pieces[pieces.length - 1] ?? '';
  const middle = pieces.slice(1, -1).filter((p) => p !== '');
  return (name) => {
    if (name.length < first.length + last.length) return false;
    if (!name.startsWith(first) || !name.endsWith(last)) return false;
    let at = first.length;
    const end = name.length - last.length;
    for (const piece of middle) {
      const found = name.indexOf(piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}

/**
 * True when a rule's patterns name only the security alerts index (`.alerts-security.*`): such
 * a higher-order rule runs over the alerts of this scan, never over input events. A pattern that
 * also takes in other indices (`*`, `logs-*`) does not count: that rule reads events.
 */
export function namesAlertsOnly(patterns: readonly string[]): boolean {
  // Nearly every rule names no alerts index at all: said without splitting its patterns.
  if (!patterns.some((p) => p.includes('.alerts-security.'))) return false;
  const expressions = patterns.flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== '' && !p.startsWith('-'));
  return expressions.length > 0 && expressions.every((p) => p.startsWith('.alerts-security.') && wildcardTest(p)(ALERTS_INDEX));
}

const readIndex = compileFieldReader('_index');
const readType = compileFieldReader('data_stream.type');
const readDataset = compileFieldReader('data_stream.dataset');
const readNamespace = compileFieldReader('data_stream.namespace');

/** A data stream's backing index: `.ds-<stream>-<yyyy.MM.dd>-<generation>`. */
const BACKING_INDEX = /^\.ds-(.+)-\d{4}\.\d{2}\.\d{2}-\d{6}$/;

/**
 * The index names an event says it belongs to, or undefined when it says nothing. `_index` (an
 * export of search hits) wins; for a data stream's backing index the stream's name is added,
 * since a pattern such as `logs-system.syslog-*` selects the stream. Else the data stream fields
 * name `<type>-<dataset>-<namespace>` when all three are there. `event.dataset` alone says
 * nothing about the index: Filebeat writes `system.syslog` events to `filebeat-*` indices.
 */
export function eventIndexNames(event: EcsEvent): readonly string[] | undefined {
  const index = single(readIndex(event));
  if (index !== undefined) {
    const stream = BACKING_INDEX.exec(index)?.[1];
    return stream === undefined ? [index] : [index, stream];
  }
  const type = single(readType(event));
  const dataset = single(readDataset(event));
  const namespace = single(readNamespace(event));
  if (type === undefined || dataset === undefined || namespace === undefined) return undefined;
  return [`${type}-${dataset}-${namespace}`];
}

/** The one non-empty string a field holds; anything else (none, several, not text) says nothing. */
function single(values: readonly unknown[]): string | undefined {
  return values.length === 1 && typeof values[0] === 'string' && values[0] !== '' ? values[0] : undefined;
}
