// The supervisor's read service: reads that can block without a timeout (stdin, FIFOs, ttys) are
// served here, on the Node main thread's event loop, so that a worker never sits in a native read
// that `process.exit` would wait for forever (runtime.md §4.6). The worker waits interruptibly in
// `ThreadHost.callSupervisor`; exit ends the program while the read is still pending.
//
// Request (little-endian): u32 host fd, u32 max bytes. Answer: status = errno, data = the bytes
// read (empty at end of file).

import { read } from 'node:fs';
import type { Readable } from 'node:stream';
import type { SupervisorAnswer, SupervisorService } from '../shared/host-plugin.js';
import { Errno, errnoFromHostError } from './errno.js';

export enum ServiceOp {
  READ = 1,
}

export const READ_REQUEST_SIZE = 8;
/** Largest answer per request; the guest's read returns a short count beyond it. */
export const MAX_SERVED_READ = 65_536;

export function encodeReadRequest(hostFd: number, len: number): Uint8Array {
  const req = new Uint8Array(READ_REQUEST_SIZE);
  const view = new DataView(req.buffer);
  view.setUint32(0, hostFd, true);
  view.setUint32(4, Math.min(len, MAX_SERVED_READ), true);
  return req;
}

/**
 * Reads from a stream in paused mode, keeping whatever a chunk held beyond the request for the
 * next one. The stream is only touched on the first request, so a program that never reads
 * stdin leaves it alone (a tty stays cooked; nothing holds the event loop).
 */
class StreamReader {
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;
  constructor(private readonly stream: Readable) {}

  async read(max: number): Promise<Uint8Array> {
    while (this.pending.length === 0 && !this.ended) await this.fill();
    const out = this.pending.subarray(0, max);
    this.pending = this.pending.subarray(out.length);
    return out;
  }

  private fill(): Promise<void> {
    return new Promise((resolve, reject) => {
      const chunk = this.stream.read() as Buffer | string | null;
      if (chunk !== null) {
        this.pending = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        resolve();
        return;
      }
      if (this.stream.readableEnded) { this.ended = true; resolve(); return; }
      const done = (): void => { cleanup(); resolve(); };
      const onEnd = (): void => { this.ended = true; done(); };
      const onError = (err: Error): void => { cleanup(); reject(err); };
      const cleanup = (): void => {
        this.stream.off('readable', done);
        this.stream.off('end', onEnd);
        this.stream.off('error', onError);
      };
      this.stream.on('readable', done);
      this.stream.once('end', onEnd);
      this.stream.once('error', onError);
    });
  }
}

/** Other blocking fds (FIFOs opened by path_open) are read through libuv's thread pool. */
function readHostFd(fd: number, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const buf = Buffer.alloc(max);
    read(fd, buf, 0, max, null, (err, n) => (err ? reject(err) : resolve(buf.subarray(0, n))));
  });
}

export function createReadService(stdin: () => Readable): SupervisorService {
  let stdinReader: StreamReader | undefined;
  return async (op: number, request: Uint8Array): Promise<SupervisorAnswer> => {
    if (op !== ServiceOp.READ || request.length < READ_REQUEST_SIZE) return { status: Errno.INVAL, data: new Uint8Array() };
    const view = new DataView(request.buffer, request.byteOffset, request.byteLength);
    const fd = view.getUint32(0, true);
    const max = view.getUint32(4, true);
    try {
      if (fd === 0) {
        stdinReader ??= new StreamReader(stdin());
        return { status: Errno.SUCCESS, data: await stdinReader.read(max) };
      }
      return { status: Errno.SUCCESS, data: await readHostFd(fd, max) };
    } catch (err) {
      return { status: errnoFromHostError(err) ?? Errno.IO, data: new Uint8Array() };
    }
  };
}
