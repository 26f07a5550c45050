// The supervisor's read service: reads that can block without a timeout (stdin, FIFOs, ttys) are
// served here, on the Node main thread's event loop, so that a worker never sits in a native read
// that `process.exit` would wait for forever (a libuv thread-pool read blocked on
// a FIFO also hangs exit, so FIFOs are read through epoll as Node reads a piped stdin). The worker
// waits interruptibly in `ThreadHost.callSupervisor`; exit ends the program while a request pends.
//
// Operations (requests little-endian; every answer's status is an errno):
// - READ   u32 host fd, u32 max bytes → the bytes (empty at end of file);
// - POLL   f64 timeout ms (negative: none), u32 count, count × u32 host fd → count × (u32 nbytes,
//          u32 eof); answers when one fd is ready or the timeout passed, whichever comes first;
// - ATTACH u32 host fd → starts reading a FIFO/tty the guest just opened (its own descriptor,
//          opened through /proc/self/fd, so closing it never closes the guest's);
// - DETACH u32 host fd → stops reading it (the guest closed its fd);
// - WRITE  u32 guest fd (1 or 2), then the bytes → hands them to the embedder's sink for that fd
//          (captured stdout/stderr); one request is one guest write, delivered whole.

import { constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { isatty, ReadStream } from 'node:tty';
import type { SupervisorAnswer, SupervisorService } from '../shared/host-plugin.js';
import { Errno, errnoFromHostError } from './errno.js';
import { ReadSource, type Readiness } from './read-source.js';

export enum ServiceOp {
  READ = 1,
  POLL = 2,
  ATTACH = 3,
  DETACH = 4,
  WRITE = 5,
}

/** Where captured guest output goes: a sink for fd 1 and/or fd 2. */
export type OutputSinks = { 1?: (data: Uint8Array) => void; 2?: (data: Uint8Array) => void };

export function encodeWriteRequest(fd: number, data: Uint8Array): Uint8Array {
  const req = new Uint8Array(4 + data.length);
  new DataView(req.buffer).setUint32(0, fd, true);
  req.set(data, 4);
  return req;
}

export const READ_REQUEST_SIZE = 8;
/** Largest answer per request; the guest's read returns a short count beyond it. */
export const MAX_SERVED_READ = 65_536;
const POLL_HEADER_SIZE = 12;
const POLL_ANSWER_WORDS = 2;
/** The guest's fd 0 is the process's stdin, read through the `stdin` stream the embedder gives. */
const STDIN_HOST_FD = 0;

export function encodeReadRequest(hostFd: number, len: number): Uint8Array {
  const req = new Uint8Array(READ_REQUEST_SIZE);
  const view = new DataView(req.buffer);
  view.setUint32(0, hostFd, true);
  view.setUint32(4, Math.min(len, MAX_SERVED_READ), true);
  return req;
}

export function encodeFdRequest(hostFd: number): Uint8Array {
  return new Uint8Array(new Uint32Array([hostFd]).buffer);
}

/** `timeoutMs` < 0 waits without a timeout. */
export function encodePollRequest(hostFds: number[], timeoutMs: number): Uint8Array {
  const req = new Uint8Array(POLL_HEADER_SIZE + 4 * hostFds.length);
  const view = new DataView(req.buffer);
  view.setFloat64(0, timeoutMs, true);
  view.setUint32(8, hostFds.length, true);
  hostFds.forEach((fd, i) => view.setUint32(POLL_HEADER_SIZE + 4 * i, fd, true));
  return req;
}

export function decodePollAnswer(data: Uint8Array, count: number): Readiness[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return Array.from({ length: count }, (_, i) => ({
    nbytes: view.getUint32(i * 8, true),
    eof: view.getUint32(i * 8 + 4, true) !== 0,
  }));
}

/** A second descriptor on the same FIFO/tty, non-blocking, as a stream Node reads through epoll. */
function openStream(hostFd: number): Readable {
  const fd = openSync(`/proc/self/fd/${hostFd}`, constants.O_RDONLY | constants.O_NONBLOCK);
  return isatty(fd) ? new ReadStream(fd) : new Socket({ fd, readable: true, writable: false });
}

const EMPTY: Uint8Array = new Uint8Array();
const answer = (status: Errno, data: Uint8Array = EMPTY): SupervisorAnswer => ({ status, data });

/** Resolves after `ms` (never if negative); `cancel` clears the timer so nothing keeps Node alive. */
function timeout(ms: number): { done: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    if (ms >= 0) timer = setTimeout(resolve, ms);
  });
  return { done, cancel: () => clearTimeout(timer) };
}

class ReadService {
  private readonly sources = new Map<number, ReadSource>();
  constructor(private readonly stdin: () => Readable, private readonly sinks: OutputSinks = {}) {}

  private write(request: Uint8Array): SupervisorAnswer {
    const fd = new DataView(request.buffer, request.byteOffset, 4).getUint32(0, true);
    const sink = fd === 1 || fd === 2 ? this.sinks[fd] : undefined;
    if (!sink) return answer(Errno.BADF);
    sink(request.slice(4));
    return answer(Errno.SUCCESS);
  }

  private source(hostFd: number): ReadSource {
    let s = this.sources.get(hostFd);
    if (!s) {
      s = new ReadSource(hostFd === STDIN_HOST_FD ? this.stdin() : openStream(hostFd));
      this.sources.set(hostFd, s);
    }
    return s;
  }

  async read(view: DataView): Promise<SupervisorAnswer> {
    return answer(Errno.SUCCESS, await this.source(view.getUint32(0, true)).read(view.getUint32(4, true)));
  }

  async poll(view: DataView): Promise<SupervisorAnswer> {
    const count = view.getUint32(8, true);
    const sources = Array.from({ length: count }, (_, i) => this.source(view.getUint32(POLL_HEADER_SIZE + 4 * i, true)));
    const ready = (): boolean => sources.some((s) => { const r = s.readiness(); return r.nbytes > 0 || r.eof; });
    if (!ready()) {
      const timer = timeout(view.getFloat64(0, true));
      await Promise.race([timer.done, ...sources.map((s) => s.whenReady())]);
      timer.cancel();
    }
    const out = new Uint32Array(count * POLL_ANSWER_WORDS);
    sources.forEach((s, i) => {
      const r = s.readiness();
      out[i * POLL_ANSWER_WORDS] = r.nbytes;
      out[i * POLL_ANSWER_WORDS + 1] = r.eof ? 1 : 0;
    });
    return answer(Errno.SUCCESS, new Uint8Array(out.buffer));
  }

  attach(hostFd: number): SupervisorAnswer {
    this.source(hostFd);
    return answer(Errno.SUCCESS);
  }

  detach(hostFd: number): SupervisorAnswer {
    this.sources.get(hostFd)?.destroy();
    this.sources.delete(hostFd);
    return answer(Errno.SUCCESS);
  }

  /** Stops reading every FIFO/tty (stdin belongs to the embedder, which releases it). */
  close(): void {
    for (const [fd, s] of this.sources) if (fd !== STDIN_HOST_FD) s.destroy();
    this.sources.clear();
  }

  async serve(op: number, request: Uint8Array): Promise<SupervisorAnswer> {
    const view = new DataView(request.buffer, request.byteOffset, request.byteLength);
    const minSize = op === ServiceOp.READ ? READ_REQUEST_SIZE : op === ServiceOp.POLL ? POLL_HEADER_SIZE : 4;
    if (request.length < minSize) return answer(Errno.INVAL);
    try {
      switch (op) {
        case ServiceOp.READ: return await this.read(view);
        case ServiceOp.POLL: return await this.poll(view);
        case ServiceOp.ATTACH: return this.attach(view.getUint32(0, true));
        case ServiceOp.DETACH: return this.detach(view.getUint32(0, true));
        case ServiceOp.WRITE: return this.write(request);
        default: return answer(Errno.INVAL);
      }
    } catch (err) {
      return answer(errnoFromHostError(err) ?? Errno.IO);
    }
  }
}

export interface ReadServiceHandle {
  service: SupervisorService;
  /** Stops reading the FIFOs/ttys the guest opened, so they keep nothing alive after the run. */
  close(): void;
}

export function createReadService(stdin: () => Readable, sinks?: OutputSinks): ReadServiceHandle {
  const s = new ReadService(stdin, sinks);
  return { service: (op, request) => s.serve(op, request), close: () => s.close() };
}
