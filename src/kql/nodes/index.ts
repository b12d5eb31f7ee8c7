import { sharedClause, tableIdentity } from '../../event/predicates.js';
import type { Predicate } from '../../event/types.js';
import { FieldTypeTable } from '../../fieldTypes/index.js';
import type { Need } from '../../prefilter/needles.js';
import type { Requirements } from '../../event/requirements.js';
import type { KqlNode, KqlNodeType } from '../ast.js';
import { existsKind } from './exists.js';
import { freeTextKind } from './freeText.js';
import { isKind } from './is.js';
import type { KqlCompileContext, KqlNodeKind, KqlNodeOf, KqlSubqueries, KqlTypeContext } from './kind.js';
import { andKind, matchAllKind, notKind, orKind } from './logical.js';
import { nestedKind } from './nested.js';
import { rangeKind } from './range.js';

export type { KqlCompileContext, KqlTypeContext } from './kind.js';

/** ECS and the integration fields, no user mapping: what a query means when no `--mapping` is given. */
export function builtinTypeContext(): KqlTypeContext {
  return { fieldTypes: FieldTypeTable.builtin(), pathPrefix: '' };
}

/**
 * Every node type and the module that says what it means. A mapped type over `KqlNodeType`, so
 * a node type added to ast.ts without a kind here does not compile.
 */
const KINDS: { readonly [T in KqlNodeType]: KqlNodeKind<KqlNodeOf<T>> } = {
  matchAll: matchAllKind,
  and: andKind,
  or: orKind,
  not: notKind,
  is: isKind,
  exists: existsKind,
  range: rangeKind,
  nested: nestedKind,
  freeText: freeTextKind,
};

function kindOf<T extends KqlNodeType>(node: KqlNodeOf<T>): KqlNodeKind<KqlNodeOf<T>> {
  return KINDS[node.type];
}

const SUBQUERIES: KqlSubqueries = {
  compile: (node, ctx) => compileKqlNode(node, ctx),
  need: (node, ctx) => kqlNeed(node, ctx),
  requirements: (node, ctx) => kqlRequirements(node, ctx),
};

/** The predicate of a query (see compile.ts for the entry point that handles hostile depth). */
export function compileKqlNode(node: KqlNode, ctx: KqlCompileContext): Predicate {
  if (!SHARED_LEAVES.has(node.type)) return kindOf(node).compile(node, ctx, SUBQUERIES);
  // A leaf is one predicate, answered once per event, for every rule that writes it
  // (event/predicates.ts sharedClause): its meaning is its AST, the table, the nested path and,
  // when a value may be date math (`now-1d`), the query's `now`.
  const text = JSON.stringify(node);
  const now = text.includes('now') ? String(ctx.now) : '';
  return sharedClause(`kql ${tableIdentity(ctx.fieldTypes)} ${JSON.stringify(ctx.pathPrefix)} ${now} ${text}`, () => kindOf(node).compile(node, ctx, SUBQUERIES));
}

/** Node types without sub-queries: their AST is small, and a pack repeats them across rules. */
const SHARED_LEAVES: ReadonlySet<KqlNodeType> = new Set(['is', 'exists', 'range', 'freeText']);

/**
 * The need of a KQL query (src/prefilter/needles.ts): what the raw line of every event it
 * matches contains. Each node type gives its own; positive `field:value` clauses are the source
 * of needles, since KQL on keyword fields is exact and case-sensitive (SPEC §B.3); a clause on
 * an analysed, normalised, numeric, ip or date field gives none (the line's bytes need not hold
 * the query's text).
 */
export function kqlNeed(node: KqlNode, ctx: KqlTypeContext = builtinTypeContext()): Need {
  return kindOf(node).need(node, ctx, SUBQUERIES);
}

/**
 * The exact field values an event must have for the query to match it (event/requirements.ts):
 * `field:X` or `field:(X or Y)` in the top-level conjunction, on a field the mapping makes a plain
 * keyword (exact, SPEC §B.3). Used to run, for each event, only the rules that can match it
 * (engine/dispatch.ts): a pack of 2,000 rules is mostly rules about other categories, systems and
 * actions.
 */
export function kqlRequirements(node: KqlNode, ctx: KqlTypeContext = builtinTypeContext()): Requirements {
  return kindOf(node).requirements(node, ctx, SUBQUERIES);
}

/** The `event.category` values of `kqlRequirements`, or undefined when it has none. */
export function kqlCategories(node: KqlNode, ctx: KqlTypeContext = builtinTypeContext()): readonly string[] | undefined {
  return kqlRequirements(node, ctx).get('event.category');
}
