import { eventFiltersOf, type EqlQuery, type Expr } from '../eql/ast.js';
import { parseEql } from '../eql/index.js';
import { operandsOf } from '../eql/operators/index.js';
import { parseKql, type KqlNode } from '../kql/index.js';
import type { Rule } from '../rules/types.js';

/**
 * The event fields a rule reads: every field its query names (KQL `field:…` clauses, a `nested`
 * path joined to its inner fields; EQL field references, the category field of `X where`, join
 * keys; not those of a sequence's missing events), its new_terms and threshold fields, and the
 * fields of its `filters`. A list of names, not
 * a judgement of what the rule needs: which values it requires is the rule index's job
 * (event/requirements.ts). `coverage` says which of them the data holds, and the Kibana export
 * lists them as `required_fields`.
 */
export interface FieldsRead {
  /** Field names, sorted, each once. */
  fields: string[];
  /** Field name patterns with `*` (KQL `process.*:x`), which match names in the event itself. */
  patterns: string[];
  /** A KQL value with no field: it reads every field of the event. */
  freeText: boolean;
}

/** The fields of a rule (the query must parse: call it on rules that compiled). */
export function fieldsRead(rule: Rule): FieldsRead {
  const fields = new Set<string>();
  const patterns = new Set<string>();
  let freeText = false;
  if (rule.language === 'kuery') {
    // A stack, not recursion: a hostile query may nest thousands of levels deep.
    const stack: Array<{ node: KqlNode; prefix: string }> = [{ node: parseKql(rule.query), prefix: '' }];
    for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
      const { node, prefix } = item;
      switch (node.type) {
        case 'matchAll':
          break;
        case 'and':
        case 'or':
          for (const child of node.children) stack.push({ node: child, prefix });
          break;
        case 'not':
          stack.push({ node: node.child, prefix });
          break;
        case 'is':
        case 'exists':
        case 'range':
          if (node.field.kind === 'name') fields.add(prefix + node.field.name);
          else patterns.add(prefix + node.field.parts.join('*'));
          break;
        case 'nested':
          stack.push({ node: node.query, prefix: `${prefix}${node.path}.` });
          break;
        case 'freeText':
          freeText = true;
          break;
      }
    }
  } else {
    eqlFields(parseEql(rule.query), rule.eventCategoryOverride ?? 'event.category', fields);
  }
  if (rule.type === 'new_terms') for (const f of rule.newTerms.fields) fields.add(f);
  if (rule.type === 'threshold') {
    for (const f of rule.threshold.fields) fields.add(f);
    if (rule.threshold.cardinality) fields.add(rule.threshold.cardinality.field);
  }
  for (const filter of rule.filters) {
    if (filter.disabled) continue;
    const clauses = [filter.clause];
    for (let clause = clauses.pop(); clause !== undefined; clause = clauses.pop()) {
      if (clause.kind === 'bool') clauses.push(...clause.must, ...clause.mustNot, ...clause.should);
      else if (clause.kind !== 'matchAll' && clause.kind !== 'matchNone') fields.add(clause.field);
    }
  }
  return { fields: [...fields].sort(), patterns: [...patterns].sort(), freeText };
}

function eqlFields(query: EqlQuery, categoryField: string, into: Set<string>): void {
  const stack: Expr[] = [];
  // A missing event (`![...]`) is a step the data must *not* have: its fields are no evidence the
  // rule can fire, so they are left out (coverage would call their absence a missing field).
  const missing = new Set(query.type === 'sequence' ? query.steps.filter((s) => s.missing).map((s) => s.filter) : []);
  for (const filter of eventFiltersOf(query)) {
    if (missing.has(filter)) continue;
    if (filter.category.kind === 'name') into.add(categoryField);
    stack.push(filter.condition);
  }
  if (query.type !== 'event') {
    stack.push(...query.by);
    for (const step of query.steps) if (!('missing' in step && step.missing)) stack.push(...step.by);
    if (query.type === 'sequence' && query.until) stack.push(...query.until.by);
  }
  for (let expr = stack.pop(); expr !== undefined; expr = stack.pop()) {
    if (expr.type === 'field') {
      // `a.b[0].c` reads `a.b.c`'s values; the index only picks one of them.
      const name = expr.path.filter((p): p is string => typeof p === 'string').join('.');
      if (name !== '') into.add(name);
      continue;
    }
    stack.push(...operandsOf(expr));
  }
}
