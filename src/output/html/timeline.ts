/**
 * Bucket widths a timeline may use, each a whole multiple of the one before, so that widening
 * merges whole buckets (floor(t / w1) / k floors to floor(t / (w1 * k))).
 */
const SECOND = 1000;
const DAY = 86_400 * SECOND;
const WIDTHS: readonly number[] = [
  SECOND,
  5 * SECOND,
  15 * SECOND,
  60 * SECOND,
  5 * 60 * SECOND,
  15 * 60 * SECOND,
  3600 * SECOND,
  3 * 3600 * SECOND,
  6 * 3600 * SECOND,
  12 * 3600 * SECOND,
  DAY,
  7 * DAY,
  28 * DAY,
  364 * DAY,
  3640 * DAY,
  36_400 * DAY,
  364_000 * DAY,
  3_640_000 * DAY,
  // Wider than any date JavaScript can hold (±8.64e15 ms): the ladder cannot run out.
  36_400_000 * DAY,
];

/** At most this many buckets from the first alert's to the last one's: a chart's width, and memory. */
export const MAX_BUCKETS = 240;
/** Hosts given their own row of counts; alerts on further hosts go to one row of others. */
export const MAX_TIMELINE_HOSTS = 1000;

export interface TimelineData {
  /** Bucket width in ms; bucket i covers [ (first + i) * width, (first + i + 1) * width ). */
  widthMs: number;
  first: number;
  buckets: number;
  /** Hosts with most alerts, each with its count per bucket, then "other hosts" when there are more. */
  rows: Array<{ host: string; other?: true; counts: number[] }>;
  /** Alerts whose event has no usable time: in no bucket. */
  untimed: number;
}

/**
 * Alerts per host over time, in memory bounded by MAX_BUCKETS × MAX_TIMELINE_HOSTS whatever the
 * alert count or time span: buckets start a second wide and widen (merging) as the span grows.
 */
export class Timeline {
  private width = 0;
  private min = Infinity;
  private max = -Infinity;
  private readonly byHost = new Map<string, Map<number, number>>();
  private readonly others = new Map<number, number>();
  private untimed = 0;

  constructor(private readonly maxHosts = MAX_TIMELINE_HOSTS) {}

  add(host: string, timeMs: number | undefined): void {
    if (timeMs === undefined || !Number.isFinite(timeMs)) {
      this.untimed++;
      return;
    }
    let bucket = Math.floor(timeMs / this.widthMs());
    this.min = Math.min(this.min, bucket);
    this.max = Math.max(this.max, bucket);
    while (this.max - this.min >= MAX_BUCKETS && this.width < WIDTHS.length - 1) {
      this.widen();
      bucket = Math.floor(timeMs / this.widthMs());
    }
    let counts = this.byHost.get(host);
    if (counts === undefined) {
      if (this.byHost.size < this.maxHosts) this.byHost.set(host, (counts = new Map<number, number>()));
      else counts = this.others;
    }
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  }

  private widthMs(): number {
    return WIDTHS[this.width] ?? DAY;
  }

  private widen(): void {
    const before = this.widthMs();
    this.width++;
    const ratio = this.widthMs() / before;
    this.min = Math.floor(this.min / ratio);
    this.max = Math.floor(this.max / ratio);
    for (const counts of [...this.byHost.values(), this.others]) {
      const merged = new Map<number, number>();
      for (const [bucket, n] of counts) {
        const wide = Math.floor(bucket / ratio);
        merged.set(wide, (merged.get(wide) ?? 0) + n);
      }
      counts.clear();
      for (const [bucket, n] of merged) counts.set(bucket, n);
    }
  }

  /** The `shown` hosts with most alerts as rows (ties by name), the rest summed into one row. */
  data(shown: number): TimelineData {
    const buckets = this.max >= this.min ? this.max - this.min + 1 : 0;
    const dense = (counts: ReadonlyMap<number, number>) => {
      const row = new Array<number>(buckets).fill(0);
      for (const [bucket, n] of counts) row[bucket - this.min] = (row[bucket - this.min] ?? 0) + n;
      return row;
    };
    const total = (counts: ReadonlyMap<number, number>) => {
      let sum = 0;
      for (const n of counts.values()) sum += n;
      return sum;
    };
    const hosts = [...this.byHost].map(([host, counts]) => ({ host, counts, alerts: total(counts) })).filter((h) => h.alerts > 0);
    hosts.sort((a, b) => b.alerts - a.alerts || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    const rows: TimelineData['rows'] = hosts.slice(0, shown).map((h) => ({ host: h.host, counts: dense(h.counts) }));
    const rest = new Map(this.others);
    for (const h of hosts.slice(shown)) for (const [bucket, n] of h.counts) rest.set(bucket, (rest.get(bucket) ?? 0) + n);
    if (rest.size > 0) rows.push({ host: 'other hosts', other: true, counts: dense(rest) });
    return { widthMs: this.widthMs(), first: buckets > 0 ? this.min : 0, buckets, rows, untimed: this.untimed };
  }
}
