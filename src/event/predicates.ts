import type { Predicate } from './types.js';

/**
 * AND / OR of compiled predicates, shared by the EQL and KQL compilers and the rule compiler.
 * Small arities get closures without a loop: these run for every clause of every rule on every event.
 */
export function allOf(predicates: readonly Predicate[]): Predicate {
  switch (predicates.length) {
    case 0:
      return () => true;
    case 1:
      return predicates[0]!;
    case 2: {
      const a = predicates[0]!;
      const b = predicates[1]!;
      return (event) => a(event) && b(event);
    }
    default:
      return (event) => {
        for (let i = 0; i < predicates.length; i++) if (!predicates[i]!(event)) return false;
        return true;
      };
  }
}

export function anyOf(predicates: readonly Predicate[]): Predicate {
  switch (predicates.length) {
    case 0:
      return () => false;
    case 1:
      return predicates[0]!;
    case 2: {
      const a = predicates[0]!;
      const b = predicates[1]!;
      return (event) => a(event) || b(event);
    }
    default:
      return (event) => {
        for (let i = 0; i < predicates.length; i++) if (predicates[i]!(event)) return true;
        return false;
      };
  }
}
