// What every syscall family works on: the calling thread's view of the program's WASI state. One
// `WasiContext` is built per instance (per thread); everything in it that is shared between threads
// lives in SharedArrayBuffers (the fd table) or is immutable (args, env, preopen names).

import type { ThreadHost } from '../shared/host-plugin.js';
import { FdTable } from './fd-table.js';
import { GuestMemory } from './guest-memory.js';

/** Name of the plug-in, and of its supervisor service. */
export const WASI_PLUGIN_NAME = 'wasi';

/** Built once by the supervisor half, structured-cloned to every worker. */
export interface WasiShared {
  /** The fd table (see fd-table.ts). */
  table: SharedArrayBuffer;
  /** Each argument as UTF-8 bytes, NUL-terminated. */
  args: Uint8Array[];
  /** Each `NAME=VALUE` as UTF-8 bytes, NUL-terminated. */
  env: Uint8Array[];
  /** Guest names of the preopened directories, indexed by the fd entry's `preopen`. */
  preopenNames: string[];
}

export class WasiContext {
  readonly mem: GuestMemory;
  readonly table: FdTable;
  /** A word private to this thread, for timed waits that only exit may cut short. */
  readonly privateWord = new Int32Array(new SharedArrayBuffer(4));

  constructor(readonly shared: WasiShared, readonly host: ThreadHost) {
    this.mem = new GuestMemory(() => host.memory);
    this.table = new FdTable(shared.table);
  }
}

/** A syscall as imported by the guest: numbers (and bigints for i64) in, an errno out. */
export type Syscall = (...args: never[]) => number;
export type SyscallFamily = Record<string, (...args: any[]) => number | void>;
