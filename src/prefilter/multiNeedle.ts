/**
 * Finds many byte strings in one pass (Aho-Corasick over bytes). Buffer.indexOf is SIMD-fast for
 * one needle, but a pack like Elastic's Linux rules has hundreds: searching a buffer once per
 * needle, then each candidate line once per rule, cost two thirds of a scan (issue 11). Here each
 * byte of the input costs one table look-up however many needles there are.
 *
 * Bytes that occur in no needle share one class, so the transition table has one row per trie
 * node and one column per distinct needle byte (plus one), not 256.
 */
export class MultiNeedle {
  /** Byte value to column; 0 for bytes in no needle. */
  private readonly classes = new Uint8Array(256);
  private readonly width: number;
  /**
   * `step[row + class]`, `row = state * width`: the complete (failure links folded in) transition
   * table, giving the next state's row, or `-row - 1` when needles end at that state, so the scan
   * costs one look-up and one sign test per byte.
   */
  private readonly step: Int32Array;
  /** Needle ids ending at each state (its own and those of its failure chain): `ids[idStart[s] .. idStart[s + 1])`. */
  private readonly idStart: Int32Array;
  private readonly ids: Int32Array;

  /** Transition table entries beyond which `create` declines: the table must stay small (hostile rule packs). */
  static readonly MAX_TABLE_ENTRIES = 1 << 23;

  /** Undefined when the needles would make a table larger than MAX_TABLE_ENTRIES. */
  static create(needles: readonly Buffer[]): MultiNeedle | undefined {
    const seen = new Uint8Array(256);
    let totalBytes = 0;
    for (const n of needles) {
      totalBytes += n.length;
      for (let i = 0; i < n.length; i++) seen[n[i]!] = 1;
    }
    const used: number[] = [];
    for (let b = 0; b < 256; b++) if (seen[b] === 1) used.push(b);
    if ((totalBytes + 1) * (used.length + 1) > MultiNeedle.MAX_TABLE_ENTRIES) return undefined;
    return new MultiNeedle(needles, used);
  }

  private constructor(needles: readonly Buffer[], bytesUsed: readonly number[]) {
    bytesUsed.forEach((b, i) => (this.classes[b] = i + 1));
    const width = bytesUsed.length + 1;
    this.width = width;
    // The trie first, its edges in a map, so the table is allocated (and filled, and rewritten
    // below) for its states only: the whole Elastic pack's 4,335 needles hold 67,870 bytes but
    // make 40,532 states.
    const edges = new Map<number, number>();
    const ending: number[][] = [[]];
    let states = 1;
    needles.forEach((needle, id) => {
      let s = 0;
      for (let i = 0; i < needle.length; i++) {
        const at = s * width + this.classes[needle[i]!]!;
        let child = edges.get(at);
        if (child === undefined) {
          child = states++;
          edges.set(at, child);
          ending.push([]);
        }
        s = child;
      }
      ending[s]!.push(id);
    });
    // -1: no trie edge (replaced by the failure transition below).
    const next = new Int32Array(states * width).fill(-1);
    for (const [at, child] of edges) next[at] = child;
    // Breadth first, so a state's failure state (shallower) is complete before the state itself.
    const fail = new Int32Array(states);
    const queue: number[] = [];
    for (let c = 0; c < width; c++) {
      const child = next[c]!;
      if (child === -1) next[c] = 0;
      else queue.push(child);
    }
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head]!;
      ending[s]!.push(...ending[fail[s]!]!);
      for (let c = 0; c < width; c++) {
        const child = next[s * width + c]!;
        const viaFail = next[fail[s]! * width + c]!;
        if (child === -1) {
          next[s * width + c] = viaFail;
        } else {
          fail[child] = viaFail;
          queue.push(child);
        }
      }
    }
    // In place: a second table as large would double the peak (15 MB for the whole Elastic pack).
    const ends = new Uint8Array(states);
    for (let t = 0; t < states; t++) ends[t] = ending[t]!.length > 0 ? 1 : 0;
    for (let k = 0; k < states * width; k++) {
      const target = next[k]!;
      next[k] = ends[target] === 1 ? -(target * width) - 1 : target * width;
    }
    this.step = next;
    this.idStart = new Int32Array(states + 1);
    let total = 0;
    for (let s = 0; s < states; s++) {
      this.idStart[s] = total;
      total += ending[s]!.length;
    }
    this.idStart[states] = total;
    this.ids = new Int32Array(total);
    for (let s = 0; s < states; s++) this.ids.set(ending[s]!, this.idStart[s]);
  }

  /**
   * Scans `bytes[start..end)` line by line (split at `\n`, which no needle of a JSON line holds
   * unescaped). For each needle found, `hit(id, position after it)` is called; at the end of each
   * line that had a hit, `lineEnd(lineStart, lineEnd)` (lineEnd at the `\n` or at `end`).
   */
  scan(bytes: Buffer, start: number, end: number, hit: (id: number, after: number) => void, lineEnd: (lineStart: number, lineEnd: number) => void): void {
    const { classes, step, width, idStart, ids } = this;
    let row = 0;
    let lineStart = start;
    let anyHit = false;
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (b === 0x0a) {
        if (anyHit) lineEnd(lineStart, i);
        anyHit = false;
        lineStart = i + 1;
        row = 0;
        continue;
      }
      row = step[row + classes[b]!]!;
      if (row < 0) {
        row = -row - 1;
        anyHit = true;
        const s = row / width;
        const to = idStart[s + 1]!;
        for (let k = idStart[s]!; k < to; k++) hit(ids[k]!, i + 1);
      }
    }
    if (anyHit) lineEnd(lineStart, end);
  }
}
