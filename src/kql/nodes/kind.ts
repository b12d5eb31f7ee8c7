import type { Predicate } from '../../event/types.js';
import type { FieldTypeTable } from '../../fieldTypes/index.js';
import type { Need } from '../../prefilter/needles.js';
import type { Requirements } from '../../event/requirements.js';
import type { KqlNode, KqlNodeType } from '../ast.js';

/**
 * What a node's meaning depends on besides its AST: the mapping. Elasticsearch answers a clause by
 * the field's type (README "Field types"), so evaluation, needles and requirements all ask it.
 */
export interface KqlTypeContext {
  /** Each field's Elasticsearch type (ECS, integrations, `--mapping`). */
  readonly fieldTypes: FieldTypeTable;
  /**
   * Inside `path:{ query }`, `path.` (nested ones joined): the inner query's names are relative to
   * it, so `user:{ name:x }` asks the mapping for `user.name`. Empty at the top.
   */
  readonly pathPrefix: string;
}

/** What compiling a query may depend on besides its AST, the same for every node of one query. */
export interface KqlCompileContext extends KqlTypeContext {
  /** The instant `now` means in date math (`@timestamp >= now-1d`), in epoch millis, fixed per query. */
  readonly now: number;
}

/**
 * The same three questions, asked of the queries inside a node (`and`, `or`, `not`, `nested`).
 * The table in index.ts answers them, so a node module never imports another node's dispatcher.
 */
export interface KqlSubqueries {
  compile(node: KqlNode, ctx: KqlCompileContext): Predicate;
  need(node: KqlNode, ctx: KqlTypeContext): Need;
  requirements(node: KqlNode, ctx: KqlTypeContext): Requirements;
}

/**
 * Everything one KQL node type means, side by side, as Kibana's kuery `functions/<name>.ts` keeps
 * one operator's back-ends together. The prefilter and category dispatch may only skip events
 * that `compile` rejects, so `need` and `requirements` must stay *necessary* conditions of it:
 * when in doubt, `ANY` and no requirement.
 */
export interface KqlNodeKind<N extends KqlNode> {
  /**
   * A predicate over one event (SPEC §B.3, §C). Work that does not depend on the event (field
   * paths, value sets, patterns, date math) is done here, once per rule.
   */
  compile(node: N, ctx: KqlCompileContext, sub: KqlSubqueries): Predicate;
  /** What the raw NDJSON line of every event `compile` accepts contains (src/prefilter/needles.ts). */
  need(node: N, ctx: KqlTypeContext, sub: KqlSubqueries): Need;
  /**
   * Exact values of fields every event `compile` accepts has one of (`event.category`,
   * `process.name`, ..., event/requirements.ts); empty when there is no such condition.
   */
  requirements(node: N, ctx: KqlTypeContext, sub: KqlSubqueries): Requirements;
}

/** The node shape of one `type`. */
export type KqlNodeOf<T extends KqlNodeType> = Extract<KqlNode, { type: T }>;
