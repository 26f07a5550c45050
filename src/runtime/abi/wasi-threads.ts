// The wasi-threads ABI (WebAssembly/wasi-threads): the guest imports
// `wasi`.`thread-spawn(start_arg) -> tid` and exports `wasi_thread_start(tid, start_arg)`.
// thread-spawn claims a pool worker and returns the new thread id at once (positive) or a negative
// error; the new instance then runs `wasi_thread_start`. As in wasmtime, the export is only
// required once a spawn happens, so modules that never spawn need not have it.

import { ExitKind } from '../control-block.js';
import { abortProgram, TRAP_EXIT_CODE } from '../exit.js';
import { claimThread, startClaimed } from '../pool.js';
import type { ThreadContext } from '../thread-context.js';
import { traceSpawn } from '../trace.js';
import { blocksFromStartArg, checkIsolation, recordBlocks } from '../tls.js';

import { WASI_THREAD_SPAWN, WASI_THREAD_START, WASI_THREADS_MODULE } from '../../shared/thread-abi-names.js';

function requireEntry(ctx: ThreadContext, instance: WebAssembly.Instance): (tid: number, arg: number) => void {
  const entry = instance.exports[WASI_THREAD_START];
  if (typeof entry !== 'function') {
    abortProgram(ctx.cb, ctx.tid, ExitKind.HOST, TRAP_EXIT_CODE,
      `module imports wasi.thread-spawn and spawned a thread, but does not export a function '${WASI_THREAD_START}'`);
  }
  return entry as (tid: number, arg: number) => void;
}

/**
 * `thread-spawn(start_arg)`, run in the spawning thread's worker: claims a worker and returns. The
 * isolation check runs in the new thread's worker before its first instruction (in wasm by the
 * starter, starter-module.ts, and here in `runWasiThread` where that cannot or finds an overlap),
 * off the spawner's path: with wasi-libc the new block is usually the one a thread that is still
 * returning to the host just freed, and waiting for that thread is the new thread's business.
 */
function threadSpawn(ctx: ThreadContext, arg: number): number {
  // Every instance has the module's exports: checked at this worker's first spawn only.
  if (!ctx.spawnChecked && ctx.instance) {
    requireEntry(ctx, ctx.instance);
    ctx.spawnChecked = true;
  }
  const claimed = claimThread(ctx.cb, { arg, func: 0 });
  if (typeof claimed === 'number') return claimed;
  if (ctx.tracer) traceSpawn(ctx.tracer, ctx.tid, claimed.tid);
  startClaimed(ctx.cb, claimed.slot);
  return claimed.tid;
}

export function wasiThreadsImports(ctx: ThreadContext): WebAssembly.Imports {
  return { [WASI_THREADS_MODULE]: { [WASI_THREAD_SPAWN]: (arg: number) => threadSpawn(ctx, arg >>> 0) } };
}

/** Checks the new thread's stack and TLS block (tls.ts), then runs it in the current (fresh) instance. */
export function runWasiThread(ctx: ThreadContext, instance: WebAssembly.Instance, tid: number, arg: number): void {
  // With a starter, the entry (of the ABI's type) is already in its table (thread-worker.ts).
  const entry = ctx.starter ? ctx.starter.start : requireEntry(ctx, instance);
  const blocks = ctx.checkIsolation ? blocksFromStartArg(ctx.memory, arg, ctx.layout) : undefined;
  if (blocks) {
    recordBlocks(ctx.cb, ctx.slot, blocks);
    const overlap = checkIsolation(ctx.cb, ctx.slot, ctx.layout);
    if (overlap) abortProgram(ctx.cb, tid, ExitKind.ISOLATION, TRAP_EXIT_CODE, `memory isolation violated: ${overlap}`);
  }
  entry(tid, arg);
}
