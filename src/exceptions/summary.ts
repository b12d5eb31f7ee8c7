import { printable } from '../text/printable.js';
import type { CompiledItem } from './gate.js';
import { formatCount } from '../text/count.js';

/** Items listed one by one in the summary; the rest are counted together. */
export const ITEMS_SHOWN = 50;

const n = formatCount;

/** What one exception item dropped: the counts the stderr summary and `--stats` both show. */
export interface ExceptionItemCounts {
  listId: string;
  itemId: string;
  name: string;
  /** Events a rule's query matched that this item then left out, over all rules. */
  dropped: number;
  /** The same by rule, most first (ties by rule id), only rules it dropped something from. */
  byRule: Array<{ id: string; name: string; dropped: number }>;
}

/** Reads the items' counters once, at the end of a scan, into the summary's model. */
export function exceptionCounts(items: readonly CompiledItem[], ruleNames: ReadonlyMap<string, string>): ExceptionItemCounts[] {
  return items.map((item) => {
    const byRule = [...item.dropped]
      .filter(([, count]) => count > 0)
      .map(([id, count]) => ({ id, name: ruleNames.get(id) ?? id, dropped: count }))
      .sort((a, b) => b.dropped - a.dropped || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { listId: item.listId, itemId: item.itemId, name: item.name, dropped: byRule.reduce((a, r) => a + r.dropped, 0), byRule };
  });
}

/**
 * The summary's exception lines: per item, the events it dropped, that is events a rule's query
 * matched and the item then left out (for a query rule, alerts it prevented). An item that dropped
 * nothing is marked stale, so exceptions that no longer match anything stand out.
 */
export function formatExceptionSummary(items: readonly ExceptionItemCounts[]): string {
  if (items.length === 0) return '';
  const dropped = items.reduce((a, item) => a + item.dropped, 0);
  const active = items.filter((item) => item.dropped > 0).length;
  const lines = [`  exceptions: ${n(dropped)} matching event${dropped === 1 ? '' : 's'} dropped by ${n(active)} of ${n(items.length)} item${items.length === 1 ? '' : 's'}`];
  for (const item of items.slice(0, ITEMS_SHOWN)) {
    let line = `    ${n(item.dropped).padStart(6)}  ${printable(item.name)} [${printable(item.listId)}/${printable(item.itemId)}]`;
    if (item.dropped === 0) line += '  (stale: dropped nothing)';
    else {
      const shown = item.byRule.slice(0, 3).map((r) => `${printable(r.name)}: ${n(r.dropped)}`);
      if (item.byRule.length > 3) shown.push(`${n(item.byRule.length - 3)} more rules`);
      line += `  (${shown.join(', ')})`;
    }
    lines.push(line);
  }
  if (items.length > ITEMS_SHOWN) lines.push(`    and ${n(items.length - ITEMS_SHOWN)} more items`);
  return lines.join('\n') + '\n';
}
