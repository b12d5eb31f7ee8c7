import { compileEql, parseEql } from '../eql/index.js';
import { compileKql, parseKql } from '../kql/index.js';
import { QuerySyntaxError } from '../query/syntaxError.js';
import { RuleError } from '../rules/ruleError.js';
import type { Rule } from '../rules/types.js';
import type { Predicate } from '../event/types.js';
import { compileEventTime, type EventTimeReader } from './eventTime.js';
import { eqlNeed } from '../prefilter/fromEql.js';
import { kqlNeed } from '../prefilter/fromKql.js';
import type { Need } from '../prefilter/needles.js';

/** A rule ready to run: its query compiled once into a predicate over one event. */
export interface CompiledRule {
  rule: Rule;
  /** Which runner evaluates it: one event at a time, or a stateful rule type. */
  kind: 'event' | 'new_terms' | 'threshold';
  matches: Predicate;
  eventTime: EventTimeReader;
  /** What a raw line must contain for this rule to match it (the prefilter, src/prefilter). */
  need: Need;
}

/**
 * Parses and compiles a rule's query. A query error becomes a RuleError pointing into the rule
 * file (line:column of the TOML, the source line, a caret), so the author can fix it in place.
 */
export function compileRule(rule: Rule): CompiledRule {
  const kind = rule.type === 'new_terms' || rule.type === 'threshold' ? rule.type : 'event';
  return { rule, kind, ...compileQuery(rule), eventTime: compileEventTime(rule.timestampOverride) };
}

function compileQuery(rule: Rule): { matches: Predicate; need: Need } {
  try {
    if (rule.language === 'kuery') {
      const ast = parseKql(rule.query);
      return { matches: compileKql(ast), need: kqlNeed(ast) };
    }
    const ast = parseEql(rule.query);
    const compiled = compileEql(ast, { eventCategoryField: rule.eventCategoryOverride });
    if (compiled.kind !== 'event') {
      throw new QuerySyntaxError(`${compiled.kind} queries are not supported yet; only single-event EQL queries run`, {
        offset: 0,
        line: 1,
        column: 1,
      });
    }
    return { matches: compiled.predicate, need: eqlNeed(ast) };
  } catch (e) {
    if (e instanceof QuerySyntaxError) throw queryErrorInFile(rule, e);
    throw e;
  }
}

/** Maps a position inside the query text to the rule file. */
export function queryErrorInFile(rule: Rule, e: QuerySyntaxError): RuleError {
  const { line, column } = e.position;
  const start = rule.source.queryStart;
  const fileLine = start.line + line - 1;
  const fileColumn = line === 1 ? start.column + column - 1 : column;
  const queryLines = rule.query.split('\n');
  return new RuleError({
    message: e.message,
    file: rule.source.file,
    line: fileLine,
    column: fileColumn,
    sourceLine: queryLines[line - 1]?.replace(/\r$/, ''),
    caretColumn: column,
    length: e.length,
    notes: [`in the ${rule.language === 'eql' ? 'EQL' : 'KQL'} query of rule "${rule.name}" (query line ${line}, column ${column})`],
  });
}
