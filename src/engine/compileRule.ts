import { compileEql, parseEql } from '../eql/index.js';
import type { CompiledPipe } from '../eql/compile.js';
import { compileKql, parseKql } from '../kql/index.js';
import { QuerySyntaxError } from '../query/syntaxError.js';
import { RuleError } from '../rules/ruleError.js';
import type { Rule } from '../rules/types.js';
import type { Predicate } from '../event/types.js';
import { compileEventTime, type EventTimeReader } from './eventTime.js';
import { eqlNeed } from '../prefilter/fromEql.js';
import { kqlNeed } from '../prefilter/fromKql.js';
import type { Need } from '../prefilter/needles.js';
import type { CompiledSample } from './sample.js';
import type { CompiledSequence } from './sequence.js';
import { eqlCategories, kqlCategories } from './categories.js';
import { anyOf } from '../event/predicates.js';

/** A rule ready to run: its query compiled once into a predicate over one event. */
export interface CompiledRule {
  rule: Rule;
  /** Which runner evaluates it: one event at a time, or a stateful rule type. */
  kind: 'event' | 'new_terms' | 'threshold' | 'sequence' | 'sample';
  /**
   * True for every event the rule's runner needs to see (a filter in front of the engine may drop
   * the others). For a sequence or sample it is any of its queries, `until` and `![...]` included;
   * the runner then tells them apart.
   */
  matches: Predicate;
  /** EQL `| head N` / `| tail N` (empty for KQL). */
  pipes: CompiledPipe[];
  /** The compiled sequence, for kind 'sequence'. */
  sequence?: CompiledSequence;
  /** The compiled sample, for kind 'sample'. */
  sample?: CompiledSample;
  eventTime: EventTimeReader;
  /** What a raw line must contain for this rule to match it (the prefilter, src/prefilter). */
  need: Need;
  /** `event.category` values an event needs for the rule to match (categories.ts); undefined: no such condition. */
  categories?: string[];
}

/**
 * Parses and compiles a rule's query. A query error becomes a RuleError pointing into the rule
 * file (line:column of the TOML, the source line, a caret), so the author can fix it in place.
 */
export function compileRule(rule: Rule): CompiledRule {
  const eventTime = compileEventTime(rule.timestampOverride);
  const query = compileQuery(rule);
  if (query.sequence || query.sample) return { rule, ...query, eventTime };
  const kind = rule.type === 'new_terms' || rule.type === 'threshold' ? rule.type : 'event';
  return { rule, ...query, kind, eventTime };
}

type CompiledQuery = Pick<CompiledRule, 'kind' | 'matches' | 'need' | 'pipes' | 'sequence' | 'sample' | 'categories'>;

function compileQuery(rule: Rule): CompiledQuery {
  try {
    if (rule.language === 'kuery') {
      const ast = parseKql(rule.query);
      return { kind: 'event', matches: compileKql(ast), need: kqlNeed(ast), pipes: [], categories: kqlCategories(ast) };
    }
    const ast = parseEql(rule.query);
    const compiled = compileEql(ast, { eventCategoryField: rule.eventCategoryOverride });
    const need = eqlNeed(ast);
    const categories = eqlCategories(ast, rule.eventCategoryOverride !== undefined);
    if (compiled.kind === 'event') return { kind: 'event', matches: compiled.predicate, need, pipes: compiled.pipes, categories };
    if (rule.type !== 'eql') {
      // Elastic runs sequences and samples only as EQL rules; a new_terms or threshold rule has no place for them.
      throw new QuerySyntaxError(`a ${compiled.kind} query needs an EQL rule (type = "eql"), not a ${rule.type} rule`, { offset: 0, line: 1, column: 1 });
    }
    const predicates = [...compiled.steps.map((s) => s.predicate)];
    if (compiled.kind === 'sequence' && compiled.until) predicates.push(compiled.until.predicate);
    const matches = anyOf(predicates);
    if (compiled.kind === 'sequence') return { kind: 'sequence', matches, need, pipes: compiled.pipes, sequence: compiled, categories };
    return { kind: 'sample', matches, need, pipes: compiled.pipes, sample: compiled, categories };
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
