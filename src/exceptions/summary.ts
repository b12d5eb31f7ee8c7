import { printable } from '../text/printable.js';
import type { CompiledItem } from './gate.js';

/** Items listed one by one in the summary; the rest are counted together. */
export const ITEMS_SHOWN = 50;

const n = (x: number) => x.toLocaleString('en-US');

/**
 * The summary's exception lines: per item, the events it dropped, that is events a rule's query
 * matched and the item then left out (for a query rule, alerts it prevented). An item that dropped
 * nothing is marked stale, so exceptions that no longer match anything stand out.
 */
export function formatExceptionSummary(items: readonly CompiledItem[], ruleNames: ReadonlyMap<string, string>): string {
  if (items.length === 0) return '';
  const totals = items.map((item) => [...item.dropped.values()].reduce((a, b) => a + b, 0));
  const dropped = totals.reduce((a, b) => a + b, 0);
  const active = totals.filter((t) => t > 0).length;
  const lines = [`  exceptions: ${n(dropped)} matching event${dropped === 1 ? '' : 's'} dropped by ${n(active)} of ${n(items.length)} item${items.length === 1 ? '' : 's'}`];
  items.slice(0, ITEMS_SHOWN).forEach((item, i) => {
    const total = totals[i] ?? 0;
    let line = `    ${n(total).padStart(6)}  ${printable(item.name)} [${printable(item.listId)}/${printable(item.itemId)}]`;
    if (total === 0) line += '  (stale: dropped nothing)';
    else {
      const byRule = [...item.dropped].sort((a, b) => b[1] - a[1]);
      const shown = byRule.slice(0, 3).map(([id, count]) => `${printable(ruleNames.get(id) ?? id)}: ${n(count)}`);
      if (byRule.length > 3) shown.push(`${n(byRule.length - 3)} more rules`);
      line += `  (${shown.join(', ')})`;
    }
    lines.push(line);
  });
  if (items.length > ITEMS_SHOWN) lines.push(`    and ${n(items.length - ITEMS_SHOWN)} more items`);
  return lines.join('\n') + '\n';
}
