import { conjoin, disjoin, foldedRequirement, isIndexableValue, NO_REQUIREMENTS, requiredField, requirement, type Requirements } from '../event/requirements.js';
import { hasWildcard } from '../event/wildcard.js';
import type { FieldTypeTable } from '../fieldTypes/index.js';
import { eventFiltersOf, type EqlQuery, type Expr, type FieldRef } from './ast.js';
import { eqlFieldOf } from './fieldTypes.js';
import { EVENT_FILTER } from './operators/index.js';

/**
 * The exact field values an event must have for an EQL query to match it (event/requirements.ts).
 * Each `X where condition` requires its category (operators/eventFilter.ts; not when the rule reads
 * the category from another field, `event_category_override`) and what the condition's top-level
 * conjuncts require; a sequence or sample needs any of its queries, so it keeps only the fields
 * every query constrains. Used to run, for each event, only the rules that can match it
 * (engine/dispatch.ts).
 */
export function eqlRequirements(query: EqlQuery, overridden: boolean, fieldTypes: FieldTypeTable | undefined): Requirements {
  return disjoin(
    eventFiltersOf(query).map((filter) => {
      const category = overridden ? undefined : EVENT_FILTER.category(filter);
      const own = category === undefined ? NO_REQUIREMENTS : requirement('event.category', [category]);
      return conjoin([own, conditionRequirements(filter.condition, fieldTypes)]);
    }),
  );
}

/** The `event.category` values of `eqlRequirements`, or undefined when the query has no such condition. */
export function eqlCategories(query: EqlQuery, overridden: boolean, fieldTypes?: FieldTypeTable): readonly string[] | undefined {
  return eqlRequirements(query, overridden, fieldTypes).get('event.category');
}

/**
 * What a condition requires: `field == "text"` and `field in ("a", "b")` (case-sensitive, exact on
 * a string, SPEC §A.4: comparison.ts `equalsTest`, in.ts `membershipTest`; as a query leaf or a
 * script alike, neither holds unless some value of the field is one of the strings); `field :
 * ("a", "b")`, `like~` and `in~` the same strings folded (match.ts `patternListTest`, which
 * compares a folded value with the folded patterns when they have no `*` or `?`), and `like`
 * without a wildcard exactly; the conjuncts of `and`, and of `or` the fields all operands
 * require. Anything else (a wildcard, a null pattern, which `:` reads as "missing", `regex`,
 * `not`, functions) requires nothing here.
 */
function conditionRequirements(expr: Expr, fieldTypes: FieldTypeTable | undefined): Requirements {
  switch (expr.type) {
    case 'and':
      return conjoin(expr.operands.map((e) => conditionRequirements(e, fieldTypes)));
    case 'or': {
      // One operand holds: what every operand requires of one field (event/requirements.ts
      // disjoin). Pack rules nest long lists in `or`s: stop at the first operand that leaves no
      // field every operand so far requires.
      const parts: Requirements[] = [];
      let fields: Set<string> | undefined;
      for (const operand of expr.operands) {
        const part = conditionRequirements(operand, fieldTypes);
        const own = new Set<string>();
        for (const key of part.keys()) {
          const { field } = requiredField(key);
          if (fields === undefined || fields.has(field)) own.add(field);
        }
        if (own.size === 0) return NO_REQUIREMENTS;
        fields = own;
        parts.push(part);
      }
      return disjoin(parts);
    }
    case 'compare': {
      if (expr.op !== '==') return NO_REQUIREMENTS;
      const [field, literal] = expr.left.type === 'field' ? [expr.left, expr.right] : [expr.right, expr.left];
      if (field.type !== 'field' || literal.type !== 'string') return NO_REQUIREMENTS;
      return fieldRequirement(field, [literal.value], false, fieldTypes);
    }
    case 'in': {
      if (expr.negated || expr.value.type !== 'field') return NO_REQUIREMENTS;
      const values: string[] = [];
      for (const item of expr.list) {
        // A null matches nothing (in.ts), so it adds no value; a number or boolean is not indexed.
        if (item.type === 'null') continue;
        if (item.type !== 'string') return NO_REQUIREMENTS;
        values.push(item.value);
      }
      return fieldRequirement(expr.value, values, expr.caseInsensitive, fieldTypes);
    }
    case 'match': {
      if (expr.negated || expr.op === 'regex' || expr.op === 'regex~') return NO_REQUIREMENTS;
      // `"net.EXE" : field` reads as `field : "net.EXE"` (match.ts).
      const [field, patterns] = expr.left.type !== 'field' && expr.patterns.length === 1 ? [expr.patterns[0]!, [expr.left]] : [expr.left, expr.patterns];
      if (field.type !== 'field') return NO_REQUIREMENTS;
      const values: string[] = [];
      for (const pattern of patterns) {
        if (pattern.type !== 'string' || hasWildcard(pattern.value, true)) return NO_REQUIREMENTS;
        values.push(pattern.value);
      }
      return fieldRequirement(field, values, expr.op !== 'like', fieldTypes);
    }
    default:
      return NO_REQUIREMENTS;
  }
}

/**
 * A requirement on a field the dispatch reads as the condition does: a plain path (no `[N]`) whose
 * mapping compares the raw value (eql/fieldTypes.ts `plain`; not a multi-field read at its
 * parent's path, not a keyword with a `null_value` or a normaliser), and values only strings equal.
 */
function fieldRequirement(field: FieldRef, values: readonly string[], folded: boolean, fieldTypes: FieldTypeTable | undefined): Requirements {
  if (values.length === 0 || !values.every(isIndexableValue)) return NO_REQUIREMENTS;
  const names: string[] = [];
  for (const part of field.path) {
    if (typeof part !== 'string') return NO_REQUIREMENTS;
    names.push(part);
  }
  const path = names.join('.');
  if (fieldTypes !== undefined) {
    if (eqlFieldOf(fieldTypes, field).kind !== 'plain') return NO_REQUIREMENTS;
    const { type, valuePath } = fieldTypes.resolve(path);
    if (valuePath !== path) return NO_REQUIREMENTS;
    if (type.type === 'keyword' && (type.nullValue !== undefined || type.normalizer !== undefined)) return NO_REQUIREMENTS;
  }
  return folded ? foldedRequirement(path, values) : requirement(path, [...new Set(values)]);
}
