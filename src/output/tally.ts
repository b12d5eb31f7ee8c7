/** Longer keys are cut: counts are for reading, and memory stays bounded. */
export const MAX_KEY_CHARS = 200;

/**
 * Counts by a key that comes from events (a host, a user): a hostile input could make every alert
 * a new key, so past `maxKeys` distinct keys, further new keys are only counted together.
 */
export class Tally {
  private readonly counts = new Map<string, number>();
  private uncountedTotal = 0;

  constructor(private readonly maxKeys: number) {}

  /** Counts one for `key` (cut to MAX_KEY_CHARS); returns the key as counted, or undefined when it is one too many. */
  add(key: string): string | undefined {
    const k = key.length > MAX_KEY_CHARS ? `${key.slice(0, MAX_KEY_CHARS - 1)}…` : key;
    const n = this.counts.get(k);
    if (n !== undefined) this.counts.set(k, n + 1);
    else if (this.counts.size < this.maxKeys) this.counts.set(k, 1);
    else {
      this.uncountedTotal++;
      return undefined;
    }
    return k;
  }

  /** The `shown` keys with the highest counts (ties by key), how many other keys, and the count of uncounted keys. */
  top(shown: number): { items: Array<{ key: string; count: number }>; more: number; uncounted: number } {
    const items = [...this.counts].map(([key, count]) => ({ key, count }));
    items.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { items: items.slice(0, shown), more: Math.max(0, items.length - shown), uncounted: this.uncountedTotal };
  }

  /** Distinct keys counted. */
  get size(): number {
    return this.counts.size;
  }
}
