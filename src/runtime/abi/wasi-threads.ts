// The wasi-threads ABI (WebAssembly/wasi-threads; runtime.md §1.1): the guest imports
// `wasi`.`thread-spawn(start_arg) -> tid` and exports `wasi_thread_start(tid, start_arg)`.
// thread-spawn claims a pool worker and returns the new thread id at once (positive) or a negative
// error; the new instance then runs `wasi_thread_start`. As in wasmtime, the export is only
// required once a spawn happens, so modules that never spawn need not have it.

import { ExitKind } from '../control-block.js';
import { abortProgram, TRAP_EXIT_CODE } from '../exit.js';
import { claimThread, startClaimed } from '../pool.js';
import type { ThreadContext } from '../thread-context.js';
import { blocksFromStartArg, checkIsolation, NO_BLOCKS, recordBlocks } from '../tls.js';

export const WASI_THREAD_START = 'wasi_thread_start';

function requireEntry(ctx: ThreadContext, instance: WebAssembly.Instance): (tid: number, arg: number) => void {
  const entry = instance.exports[WASI_THREAD_START];
  if (typeof entry !== 'function') {
    abortProgram(ctx.cb, ctx.tid, ExitKind.HOST, TRAP_EXIT_CODE,
      `module imports wasi.thread-spawn and spawned a thread, but does not export a function '${WASI_THREAD_START}'`);
  }
  return entry as (tid: number, arg: number) => void;
}

/** `thread-spawn(start_arg)`, run in the spawning thread's worker. */
function threadSpawn(ctx: ThreadContext, arg: number): number {
  if (ctx.instance) requireEntry(ctx, ctx.instance);
  const claimed = claimThread(ctx.cb, { arg, func: 0 });
  if (typeof claimed === 'number') return claimed;
  const blocks = ctx.checkIsolation ? blocksFromStartArg(ctx.memory, arg, ctx.layout) : undefined;
  recordBlocks(ctx.cb, claimed.slot, blocks ?? NO_BLOCKS);
  const overlap = blocks && checkIsolation(ctx.cb, claimed.slot, ctx.layout);
  if (overlap) abortProgram(ctx.cb, ctx.tid, ExitKind.ISOLATION, TRAP_EXIT_CODE, `memory isolation violated: ${overlap}`);
  startClaimed(ctx.cb, claimed.slot);
  return claimed.tid;
}

export function wasiThreadsImports(ctx: ThreadContext): WebAssembly.Imports {
  return { wasi: { 'thread-spawn': (arg: number) => threadSpawn(ctx, arg >>> 0) } };
}

/** Runs a spawned thread in the current (fresh) instance. */
export function runWasiThread(ctx: ThreadContext, instance: WebAssembly.Instance, tid: number, arg: number): void {
  requireEntry(ctx, instance)(tid, arg);
}
