// What one thread worker knows while it runs threads: the shared buffers, the memory, the module's
// static layout and run options, and which slot and thread id it currently serves. Built once per
// worker from `workerData`; `tid` changes each time a pool worker takes a new thread.

import type { ControlBlock } from './control-block.js';
import type { StaticLayout } from './tls.js';
import type { Tracer } from './trace.js';
import type { CodeMap } from './wasm-stack.js';

export interface ThreadContext {
  readonly cb: ControlBlock;
  /** The memory holding the control block's words (`cb.words`), for the import wrappers. */
  readonly controlMemory: WebAssembly.Memory;
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  readonly file: string;
  readonly slot: number;
  readonly layout: StaticLayout;
  /** Memory-isolation checks on (see tls.ts). */
  readonly checkIsolation: boolean;
  /** host-managed: bytes of stack per spawned thread. */
  readonly stackSize: number;
  /** Present with `run --trace`. */
  readonly tracer?: Tracer;
  /** Thread id of the thread running now (0 for the main thread); a pool worker between threads: its last thread's. */
  readonly tid: number;
  /** How the rewritten module's code moved (for stacks), when it was rewritten. */
  readonly codeMap?: CodeMap;
  /** Fills a new instance's futex-hook table (when the module was rewritten, futex-rewrite.ts). */
  installHooks?: (instance: WebAssembly.Instance) => void;
  /** wasi-threads: this worker has seen that the module exports `wasi_thread_start`. */
  spawnChecked?: boolean;
  /** wasi-threads: calls the current instance's `wasi_thread_start`, set into `table` when the instance is built. */
  starter?: { start: (tid: number, arg: number) => void; run: (slotBase: number) => number; table: WebAssembly.Table };
  /** The instance the current thread runs in; replaced for every thread. */
  instance?: WebAssembly.Instance;
}

/** "main thread" or "thread N", for messages. */
export function describeThread(tid: number): string {
  return tid === 0 ? 'main thread' : `thread ${tid}`;
}
