// One blocking input as the supervisor sees it: a Node stream (stdin, or a FIFO/socket/tty the
// guest opened) read in paused mode into a buffer of our own. The buffer is what makes readiness
// answerable without consuming data: `poll_oneoff` asks "is a read ready?" (bytes buffered, or end
// of file), `fd_read` then takes from the same buffer. Runs on the supervisor's event loop only.

import type { Readable } from 'node:stream';

export interface Readiness {
  /** Bytes a read would return at once. */
  nbytes: number;
  /** End of file (or a read error) was reached: a read returns at once. */
  eof: boolean;
}

export class ReadSource {
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;
  private failure: Error | undefined;
  /** The one in-flight wait for data, shared by every poll and read so listeners never pile up. */
  private filling: Promise<void> | undefined;

  constructor(private readonly stream: Readable) {}

  readiness(): Readiness {
    return { nbytes: this.pending.length, eof: this.ended };
  }

  private isReady(): boolean {
    return this.pending.length > 0 || this.ended;
  }

  /** Resolves once a read would not wait (data buffered or end of file). */
  whenReady(): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    this.filling ??= this.fill().finally(() => { this.filling = undefined; });
    return this.filling;
  }

  /** Up to `max` bytes; empty at end of file. Rejects with the stream's error. */
  async read(max: number): Promise<Uint8Array> {
    while (!this.isReady()) await this.whenReady();
    if (this.pending.length === 0 && this.failure) throw this.failure;
    const out = this.pending.subarray(0, max);
    this.pending = this.pending.subarray(out.length);
    return out;
  }

  destroy(): void {
    this.stream.destroy();
  }

  private async fill(): Promise<void> {
    while (!this.isReady()) {
      const chunk = this.stream.read() as Buffer | string | null;
      if (chunk !== null) {
        this.pending = Buffer.concat([this.pending, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
        return;
      }
      if (this.stream.readableEnded || this.stream.destroyed) {
        this.ended = true;
        return;
      }
      await this.nextEvent();
    }
  }

  /** Waits for the stream's next 'readable', 'end', 'close' or 'error'. */
  private nextEvent(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('readable', done);
        this.stream.off('end', onEnd);
        this.stream.off('close', onEnd);
        this.stream.off('error', onError);
        resolve();
      };
      const onEnd = (): void => { this.ended = true; done(); };
      const onError = (err: Error): void => { this.failure = err; this.ended = true; done(); };
      this.stream.on('readable', done);
      this.stream.on('end', onEnd);
      this.stream.on('close', onEnd);
      this.stream.on('error', onError);
    });
  }
}
