// A ThreadHost for unit tests: one shared memory, exit as an exception, sleep as a timed futex
// wait, and supervisor calls answered by a test-supplied function (the real service is async and
// cannot answer a blocking call on the same thread).

import type { SupervisorAnswer, ThreadHost } from '../../src/shared/host-plugin.js';
import { wasiImports, wasiSupervisorPlugin, type WasiOptions, type WasiShared } from '../../src/wasi/index.js';

export class FakeExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export interface FakeHost extends ThreadHost {
  sleeps: number[];
  calls: Array<{ service: string; op: number; request: Uint8Array }>;
  exitRequested: boolean;
}

export function fakeHost(answer?: (op: number, req: Uint8Array) => SupervisorAnswer): FakeHost {
  const word = new Int32Array(new SharedArrayBuffer(4));
  const host: FakeHost = {
    tid: 0,
    memory: new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true }),
    sleeps: [],
    calls: [],
    exitRequested: false,
    exit(code: number): never {
      throw new FakeExit(code);
    },
    exiting: () => host.exitRequested,
    sleep(ms: number): boolean {
      host.sleeps.push(ms);
      if (host.exitRequested) return false;
      Atomics.wait(word, 0, 0, ms);
      return !host.exitRequested;
    },
    callSupervisor(service, op, request) {
      host.calls.push({ service, op, request: request.slice() });
      if (!answer) throw new Error('no supervisor in this test');
      return answer(op, request);
    },
  };
  return host;
}

export type Imports = Record<string, (...args: any[]) => number>;

export function setupWasi(options: Partial<WasiOptions> = {}, host = fakeHost()): { wasi: Imports; host: FakeHost; shared: WasiShared } {
  const plugin = wasiSupervisorPlugin({ args: [], env: [], preopens: [], ...options });
  const { shared } = plugin.setup(host.memory);
  return { wasi: wasiImports(shared, host) as Imports, host, shared };
}

/** Little helpers over the guest memory for arranging inputs and reading outputs. */
export function view(host: ThreadHost): DataView {
  return new DataView(host.memory.buffer);
}

export function putString(host: ThreadHost, ptr: number, s: string): number {
  const b = Buffer.from(s, 'utf8');
  new Uint8Array(host.memory.buffer).set(b, ptr);
  return b.length;
}

export function getBytes(host: ThreadHost, ptr: number, len: number): Buffer {
  return Buffer.from(new Uint8Array(host.memory.buffer, ptr, len).slice());
}

/** Writes one iovec {buf, len} at `at`. */
export function putIovec(host: ThreadHost, at: number, buf: number, len: number): void {
  const v = view(host);
  v.setUint32(at, buf, true);
  v.setUint32(at + 4, len, true);
}

/** Guest-side path arguments: puts `s` at a scratch address and returns [ptr, len]. */
export function guestPath(host: ThreadHost, s: string, ptr = 40_000): [number, number] {
  return [ptr, putString(host, ptr, s)];
}
