import { conjoin, disjoin, NO_REQUIREMENTS } from '../../event/requirements.js';
import type { Predicate } from '../../event/types.js';
import { allOf, anyOf } from '../../event/predicates.js';
import { ANY, and, or } from '../../prefilter/needles.js';
import type { KqlField, KqlNode, KqlValue } from '../ast.js';
import type { KqlCompileContext, KqlNodeKind, KqlNodeOf, KqlSubqueries } from './kind.js';
import { compileIsGroup } from './is.js';

/** The empty query (and `*:*`): every event. */
export const matchAllKind: KqlNodeKind<KqlNodeOf<'matchAll'>> = {
  compile: () => () => true,
  need: () => ANY,
  requirements: () => NO_REQUIREMENTS,
};

/** `a and b`: the line needs what each needs; the requirements of every conjunct bind the event. */
export const andKind: KqlNodeKind<KqlNodeOf<'and'>> = {
  compile(node, ctx, sub) {
    return allOf(node.children.map((child) => sub.compile(child, ctx)));
  },
  need(node, ctx, sub) {
    return and(node.children.map((child) => sub.need(child, ctx)));
  },
  requirements(node, ctx, sub) {
    return conjoin(node.children.map((child) => sub.requirements(child, ctx)));
  },
};

/** `a or b`: the line needs what one of them needs; requirements only on fields every branch constrains. */
export const orKind: KqlNodeKind<KqlNodeOf<'or'>> = {
  compile(node, ctx, sub) {
    return anyOf(compileOrChildren(node.children, ctx, sub));
  },
  need(node, ctx, sub) {
    return or(node.children.map((child) => sub.need(child, ctx)));
  },
  requirements(node, ctx, sub) {
    return disjoin(node.children.map((child) => sub.requirements(child, ctx)));
  },
};

/**
 * `f:(a or b or c)` arrives as an `or` of `is` clauses on one field. Each is "any value of f
 * equals a", so their disjunction is "any value of f is in {a, b, c}": one read of the field and
 * one set lookup instead of three reads (on a keyword or unmapped field; on other types one read
 * and a test per value). Other children are compiled on their own.
 */
function compileOrChildren(children: readonly KqlNode[], ctx: KqlCompileContext, sub: KqlSubqueries): Predicate[] {
  const groups = new Map<string, { field: KqlField; values: KqlValue[] }>();
  const out: Predicate[] = [];
  for (const child of children) {
    if (child.type === 'is' && child.field.kind === 'name') {
      let group = groups.get(child.field.name);
      if (group === undefined) {
        group = { field: child.field, values: [] };
        groups.set(child.field.name, group);
      }
      group.values.push(child.value);
    } else {
      out.push(sub.compile(child, ctx));
    }
  }
  for (const { field, values } of groups.values()) out.unshift(compileIsGroup(field, values, ctx));
  return out;
}

/** `not a`: true where `a` is false, a missing field included (SPEC §B.3), so it promises nothing. */
export const notKind: KqlNodeKind<KqlNodeOf<'not'>> = {
  compile(node, ctx, sub) {
    const inner = sub.compile(node.child, ctx);
    return (event) => !inner(event);
  },
  need: () => ANY,
  requirements: () => NO_REQUIREMENTS,
};
