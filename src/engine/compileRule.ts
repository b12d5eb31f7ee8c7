import { compileEql } from '../eql/index.js';
import type { CompiledPipe, JoinKey } from '../eql/compile.js';
import { compileKql, kqlNeed, kqlRequirements } from '../kql/index.js';
import { parseRuleQuery, type ParsedQuery } from '../rules/parsedQuery.js';
import type { Requirements } from '../event/requirements.js';
import { positionAt, QuerySyntaxError } from '../query/syntaxError.js';
import { RuleError } from '../rules/ruleError.js';
import type { EqlRule, NewTermsRule, QueryRule, Rule, ThresholdRule } from '../rules/types.js';
import type { Predicate } from '../event/types.js';
import { compileEventTime, type EventTimeReader } from './eventTime.js';
import { eqlNeed } from '../prefilter/fromEql.js';
import type { Need } from '../prefilter/needles.js';
import type { CompiledSample } from './sample.js';
import type { CompiledSequence } from './sequence.js';
import { eqlRequirements } from '../eql/categories.js';
import { anyOf } from '../event/predicates.js';
import { FieldQueryError, FieldTypeTable } from '../fieldTypes/index.js';
import { applyRuleFilters } from './ruleFilters.js';

/** What every compiled rule has, whatever its kind. */
interface CompiledCommon {
  /**
   * True for every event the rule's runner needs to see (a filter in front of the engine may drop
   * the others). For a sequence or sample it is any of its queries, `until` and `![...]` included;
   * the runner then tells them apart.
   */
  matches: Predicate;
  eventTime: EventTimeReader;
  /** What a raw line must contain for this rule to match it (the prefilter, src/prefilter). */
  need: Need;
  /** Exact field values an event needs for the rule to match (event/requirements.ts; eql/categories.ts, kql/nodes/). */
  requirements: Requirements;
}

/** A query rule (KQL, or an EQL event query): every matching event is an alert, through the pipes. */
export interface CompiledQueryRule extends CompiledCommon {
  kind: 'query';
  rule: QueryRule | EqlRule;
  /** EQL `| head N` / `| tail N` (empty for KQL). */
  pipes: CompiledPipe[];
}

/** A new_terms rule: a matching event alerts when it brings a term not seen within the history window. */
export interface CompiledNewTermsRule extends CompiledCommon {
  kind: 'new_terms';
  rule: NewTermsRule;
}

/** A threshold rule: a group of matching events alerts when it reaches the count (and cardinality). */
export interface CompiledThresholdRule extends CompiledCommon {
  kind: 'threshold';
  rule: ThresholdRule;
}

/** An EQL sequence rule: events joined in `@timestamp` order; a completed sequence alerts, through the pipes. */
export interface CompiledSequenceRule extends CompiledCommon {
  kind: 'sequence';
  rule: EqlRule;
  pipes: CompiledPipe[];
  sequence: CompiledSequence;
}

/** An EQL sample rule: events joined by key in any order; a completed sample alerts, through the pipes. */
export interface CompiledSampleRule extends CompiledCommon {
  kind: 'sample';
  rule: EqlRule;
  pipes: CompiledPipe[];
  sample: CompiledSample;
}

/**
 * A rule ready to run: its query compiled once into a predicate over one event. `kind` says which
 * runner (runners/) evaluates it and decides what else it carries.
 */
export type CompiledRule = CompiledQueryRule | CompiledNewTermsRule | CompiledThresholdRule | CompiledSequenceRule | CompiledSampleRule;

export interface CompileRuleOptions {
  /** Field types KQL and EQL match by (`--mapping`); ECS and the integration fields when absent. */
  fieldTypes?: FieldTypeTable;
  /**
   * Gives the rule's parsed query: the rule cache's copy (src/rules/cache.ts) or the one a worker
   * was sent. Parses the query when absent. Throws QuerySyntaxError for a query that does not parse.
   */
  parse?: (rule: Rule) => ParsedQuery;
  /**
   * What earlier clean compiles of rules gave (the rule cache's, src/rules/cache.ts). A rule it
   * knows is compiled lazily: its predicate (and its query's AST) on the first event offered to
   * it, so the rules no event reaches cost nothing. A rule compiled now is told to it.
   */
  facts?: RuleFactsStore;
}

/**
 * What the scan needs of a compiled rule before any event: which runner, which lines
 * (prefilter), which events (rule index), which pipes, and for a sequence or sample the shape its
 * state machine is built from (steps, `runs`, `![...]`, join keys by name, `until`, maxspan).
 * Plain data, so the rule cache can keep it beside the parsed query.
 */
export type RuleFacts = SingleEventFacts | JoinedFacts;

interface FactsCommon {
  need: Need;
  requirements: Requirements;
  pipes: CompiledPipe[];
}

export interface SingleEventFacts extends FactsCommon {
  kind: 'query' | 'new_terms' | 'threshold';
}

/** A join key as its name and `?`: what a lazily compiled key reads is the compiled rule's. */
export interface JoinKeyFacts {
  text: string;
  optional: boolean;
}

export interface JoinedStepFacts {
  keys: JoinKeyFacts[];
  /** A sequence step's `runs` and `![...]` (1 and false for a sample's). */
  runs: number;
  missing: boolean;
}

export interface JoinedFacts extends FactsCommon {
  kind: 'sequence' | 'sample';
  steps: JoinedStepFacts[];
  until: { keys: JoinKeyFacts[] } | null;
  maxspanMs: number | null;
  keyCount: number;
}

/** Where compileRule finds and leaves RuleFacts: per rule, under one field types table (README "Rule cache"). */
export interface RuleFactsStore {
  get(rule: Rule): RuleFacts | undefined;
  put(rule: Rule, facts: RuleFacts): void;
}

/**
 * Parses and compiles a rule's query. A query error becomes a RuleError pointing into the rule
 * file (line:column of the TOML, the source line, a caret), so the author can fix it in place; so
 * does a clause Elasticsearch would refuse for its field's type (a wildcard on an ip field).
 */
export function compileRule(rule: Rule, options: CompileRuleOptions = {}): CompiledRule {
  const store = options.facts !== undefined && mayCompileLazily(rule) ? options.facts : undefined;
  const known = store?.get(rule);
  if (known !== undefined) return compileLazily(rule, known, options);
  const compiled = compileNow(rule, options);
  store?.put(rule, factsOf(compiled));
  return compiled;
}

/** The facts of a compiled rule (its compile succeeded). */
export function factsOf(compiled: CompiledRule): RuleFacts {
  const common = { need: compiled.need, requirements: compiled.requirements };
  const keyFacts = (keys: readonly JoinKey[]): JoinKeyFacts[] => keys.map((k) => ({ text: k.text, optional: k.optional }));
  switch (compiled.kind) {
    case 'sequence': {
      const { steps, until, maxspanMs, keyCount } = compiled.sequence;
      return {
        kind: 'sequence',
        ...common,
        pipes: compiled.pipes,
        steps: steps.map((s) => ({ keys: keyFacts(s.keys), runs: s.runs, missing: s.missing })),
        until: until === null ? null : { keys: keyFacts(until.keys) },
        maxspanMs,
        keyCount,
      };
    }
    case 'sample': {
      const { steps, keyCount } = compiled.sample;
      return { kind: 'sample', ...common, pipes: compiled.pipes, steps: steps.map((s) => ({ keys: keyFacts(s.keys), runs: 1, missing: false })), until: null, maxspanMs: null, keyCount };
    }
    case 'query':
      return { kind: 'query', ...common, pipes: compiled.pipes };
    default:
      return { kind: compiled.kind, ...common, pipes: [] };
  }
}

/**
 * Whether a rule's compile may wait for its first event. Laziness must not move a rule error
 * from before the scan into it, nor change what the rule matches, so it needs a compile that is a
 * function of what the facts are kept under (the rule file's content, lkm-scan's code, the field
 * types): one that succeeded then succeeds again, to the same predicate. Date math is the one
 * input from elsewhere, the clock (`now-5m` is resolved when the clause is compiled), so a rule
 * whose query or filters may hold it (`now` at the start of a word, in any case) is compiled at
 * once, as before.
 */
export function mayCompileLazily(rule: Rule): boolean {
  return !MAY_BE_DATE_MATH.test(rule.query) && !rule.filters.some((f) => MAY_BE_DATE_MATH.test(JSON.stringify(f)));
}

const MAY_BE_DATE_MATH = /(?<![A-Za-z0-9_])now/i;

/**
 * The rule with its facts as known, and predicates (and join key readers) that compile the rule
 * on the first call of any of them and then call the compiled rule's own. A compile that fails
 * there (the facts cannot come from a compile that failed, so only a bug in lkm-scan gets here),
 * or gives a rule the facts do not describe, is thrown from the scan, as any bug is.
 */
function compileLazily(rule: Rule, facts: RuleFacts, options: CompileRuleOptions): CompiledRule {
  let full: CompiledRule | undefined;
  const compiled = (): CompiledRule => {
    if (full === undefined) {
      const now = compileNow(rule, options);
      if (shapeOf(factsOf(now)) !== shapeOf(facts)) throw new Error(`rule ${rule.id} compiled to other than its cached facts say (a ${now.kind} rule; facts of a ${facts.kind} rule)`);
      full = now;
    }
    return full;
  };
  const common = { matches: lazily(() => compiled().matches), eventTime: compileEventTime(rule.timestampOverride), need: facts.need, requirements: facts.requirements };
  if (facts.kind === 'sequence' || facts.kind === 'sample') {
    if (rule.type !== 'eql') return compileNow(rule, options);
    const joined = (): CompiledSequence | CompiledSample => {
      const c = compiled();
      if (c.kind === 'sequence') return c.sequence;
      if (c.kind === 'sample') return c.sample;
      throw new Error(`rule ${rule.id} compiled to a ${c.kind} rule, but its cached facts say ${facts.kind}`);
    };
    const keys = (of: JoinKeyFacts[], compiledKeys: () => readonly JoinKey[]): JoinKey[] =>
      of.map((k, j) => ({ text: k.text, optional: k.optional, read: lazily(() => element(compiledKeys(), j).read) }));
    const steps = facts.steps.map((s, i) => ({
      predicate: lazily(() => element(joined().steps, i).predicate),
      keys: keys(s.keys, () => element(joined().steps, i).keys),
      runs: s.runs,
      missing: s.missing,
    }));
    if (facts.kind === 'sample') {
      const sample: CompiledSample = { kind: 'sample', steps: steps.map(({ predicate, keys: k }) => ({ predicate, keys: k })), keyCount: facts.keyCount, pipes: facts.pipes };
      return { kind: 'sample', rule, ...common, pipes: facts.pipes, sample };
    }
    const untilOf = () => {
      const j = joined();
      const until = j.kind === 'sequence' ? j.until : null;
      if (until === null) throw new Error(`rule ${rule.id} compiled without the until its cached facts say`);
      return until;
    };
    const until = facts.until === null ? null : { predicate: lazily(() => untilOf().predicate), keys: keys(facts.until.keys, () => untilOf().keys) };
    const sequence: CompiledSequence = { kind: 'sequence', steps, until, maxspanMs: facts.maxspanMs, keyCount: facts.keyCount, pipes: facts.pipes };
    return { kind: 'sequence', rule, ...common, pipes: facts.pipes, sequence };
  }
  switch (facts.kind) {
    case 'new_terms':
      if (rule.type !== 'new_terms') break;
      return { kind: 'new_terms', rule, ...common };
    case 'threshold':
      if (rule.type !== 'threshold') break;
      return { kind: 'threshold', rule, ...common };
    case 'query':
      if (rule.type !== 'query' && rule.type !== 'eql') break;
      return { kind: 'query', rule, ...common, pipes: facts.pipes };
  }
  // Facts of another rule type cannot come from this rule's compile: compiled at once instead.
  return compileNow(rule, options);
}

/** What the runners are built from, the rule index's and prefilter's parts aside: what a lazy compile must agree with. */
function shapeOf(facts: RuleFacts): string {
  return JSON.stringify({ ...facts, need: undefined, requirements: undefined });
}

/** A function that asks `resolve` for the function to call on its first call, and calls that from then on. */
function lazily<A, R>(resolve: () => (arg: A) => R): (arg: A) => R {
  // One argument, as predicates and key readers take: no rest array on every event.
  let f: ((arg: A) => R) | undefined;
  return (arg) => (f ??= resolve())(arg);
}

function element<T>(list: readonly T[], i: number): T {
  const item = list[i];
  if (item === undefined) throw new Error(`a lazily compiled rule has fewer parts than its cached facts say`);
  return item;
}

function compileNow(rule: Rule, options: CompileRuleOptions): CompiledRule {
  const eventTime = compileEventTime(rule.timestampOverride);
  const fieldTypes = options.fieldTypes ?? FieldTypeTable.builtin();
  // Kibana ANDs the rule's filters with its query in every search (README "Rule filters").
  const { joined, pipes, ...query } = applyRuleFilters(rule, compileQuery(rule, fieldTypes, options.parse ?? parseRuleQuery), fieldTypes);
  if (joined && rule.type !== 'eql') {
    // Elastic runs sequences and samples only as EQL rules; a new_terms or threshold rule has no place for them.
    const e = new QuerySyntaxError(`a ${joined.kind} query needs an EQL rule (type = "eql"), not a ${rule.type} rule`, { offset: 0, line: 1, column: 1 });
    throw queryErrorInFile(rule, e);
  }
  const common = { ...query, eventTime };
  switch (rule.type) {
    case 'new_terms':
      return { kind: 'new_terms', rule, ...common };
    case 'threshold':
      return { kind: 'threshold', rule, ...common };
    case 'query':
      return { kind: 'query', rule, ...common, pipes };
    case 'eql':
      if (joined?.kind === 'sequence') return { kind: 'sequence', rule, ...common, pipes, sequence: joined };
      if (joined?.kind === 'sample') return { kind: 'sample', rule, ...common, pipes, sample: joined };
      return { kind: 'query', rule, ...common, pipes };
  }
}

/** The compiled query, before the rule's type says what runs it. */
export interface CompiledQuery extends Omit<CompiledCommon, 'eventTime'> {
  pipes: CompiledPipe[];
  /** A sequence or sample query (EQL): events joined by the runner. */
  joined?: CompiledSequence | CompiledSample;
}

function compileQuery(rule: Rule, fieldTypes: FieldTypeTable, parse: (rule: Rule) => ParsedQuery): CompiledQuery {
  try {
    const parsed = parse(rule);
    if (parsed.language === 'kuery') {
      const ast = parsed.ast;
      const types = { fieldTypes, pathPrefix: '' };
      return { matches: compileKql(ast, { fieldTypes }), need: kqlNeed(ast, types), pipes: [], requirements: kqlRequirements(ast, types) };
    }
    const ast = parsed.ast;
    const compiled = compileEql(ast, { eventCategoryField: rule.eventCategoryOverride, fieldTypes });
    const need = eqlNeed(ast, fieldTypes);
    const requirements = eqlRequirements(ast, rule.eventCategoryOverride !== undefined, fieldTypes);
    if (compiled.kind === 'event') return { matches: compiled.predicate, need, pipes: compiled.pipes, requirements };
    const predicates = [...compiled.steps.map((s) => s.predicate)];
    if (compiled.kind === 'sequence' && compiled.until) predicates.push(compiled.until.predicate);
    return { matches: anyOf(predicates), need, pipes: compiled.pipes, joined: compiled, requirements };
  } catch (e) {
    if (e instanceof QuerySyntaxError) throw queryErrorInFile(rule, e);
    if (e instanceof FieldQueryError) throw queryErrorInFile(rule, refusedClause(rule.query, e));
    throw e;
  }
}

/**
 * A clause Elasticsearch refuses for its field's type, as a query error at the field's first
 * clause in the query (the AST keeps no positions; a field named twice points at the first).
 */
function refusedClause(query: string, e: FieldQueryError): QuerySyntaxError {
  const field = e.field ?? '';
  let offset = 0;
  let length = 1;
  if (field !== '') {
    const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const clause = new RegExp(`(^|[\\s({:])${escaped}\\s*[:<>]`).exec(query);
    if (clause !== null) {
      offset = clause.index + (clause[1] ?? '').length;
      length = field.length;
    }
  }
  const on = field === '' ? '' : ` on ${e.fieldType === undefined ? '' : `the ${e.fieldType} field `}${field}`;
  return new QuerySyntaxError(
    `Elasticsearch would refuse this clause${on}: ${e.message}. Change the value, or if your index maps the field otherwise, say so with --mapping FILE`,
    positionAt(query, offset),
    length,
  );
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
