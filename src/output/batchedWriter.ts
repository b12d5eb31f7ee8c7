import type { Writable } from 'node:stream';

/**
 * Gathers output text and writes it in large pieces. One write per alert cost a third of the
 * scan time when every line alerts (a syscall each), and joining strings before writing cost
 * another fifth; here text is encoded straight into a buffer that is written when full, and
 * otherwise as soon as the event loop is free (after the current read buffer is handled), so a
 * live stream still sees each alert right away.
 *
 * It also carries the stream's back-pressure to the reader: `pace()` says when the stream has
 * more than its high-water mark waiting, and the read loop waits for `drain` before reading on.
 * Without it a slow consumer of stdout (a pager, a slow pipe) made every alert of the scan pile
 * up in the stream's memory.
 */
export class BatchedWriter {
  private buffer: Buffer;
  private used = 0;
  private scheduled = false;
  /** Set while the stream is over its high-water mark: resolves on `drain` (or when it fails). */
  private draining: Promise<void> | undefined;

  constructor(
    private readonly out: Writable,
    private readonly capacity = 1 << 20,
  ) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  write(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (this.used + text.length * 3 > this.capacity) {
      this.flush();
      if (text.length * 3 > this.capacity) {
        this.hand(text);
        return;
      }
    }
    this.used += this.buffer.write(text, this.used);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  flush(): void {
    if (this.used === 0) return;
    // The stream may hold on to what it was given (pipes, slow consumers): hand it this buffer
    // and take a fresh one rather than overwrite bytes not yet written.
    const chunk = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafe(this.capacity);
    this.used = 0;
    this.hand(chunk);
  }

  /**
   * Hands what is pending to the stream, then: undefined when the stream can take more, or a
   * promise that resolves once it has drained. A reader awaits it between input chunks, so what
   * waits in memory is bounded by the stream's high-water mark plus the output of one chunk.
   */
  pace(): Promise<void> | undefined {
    this.flush();
    return this.draining;
  }

  /** Writes what is pending and resolves once the stream has taken it. */
  end(): Promise<void> {
    const chunk = this.buffer.subarray(0, this.used);
    this.used = 0;
    return new Promise((resolve) => {
      if (chunk.length === 0) return resolve();
      this.out.write(chunk, () => resolve());
    });
  }

  private hand(chunk: Buffer | string): void {
    if (this.out.write(chunk) || this.draining !== undefined) return;
    this.draining = new Promise<void>((resolve) => {
      // A stream that fails or closes never drains: the reader must not wait for it forever
      // (the scan notices the closed output on its own).
      const done = () => {
        this.out.off('drain', done).off('close', done).off('error', done);
        this.draining = undefined;
        resolve();
      };
      this.out.on('drain', done).on('close', done).on('error', done);
    });
  }
}
