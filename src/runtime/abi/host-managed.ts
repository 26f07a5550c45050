// The host-managed thread ABI, for libc-free modules (Rust wasm32-unknown-unknown with atomics,
// freestanding C, our linker's output for `.o` inputs). The README section "host-managed" is the
// user-facing definition. In short:
//
// Imports (module `wasmthreads`):
//   thread_spawn(func: i32, arg: i32) -> i32   run table entry `func` as `void(i32)` with `arg` on a
//                                              new thread; returns its id (> 0) or -EAGAIN (-6)
//   thread_join(tid: i32) -> i32               wait until that thread returned; 0, -ESRCH (-71)
//                                              if no such unjoined thread exists, -EINVAL (-28)
//                                              if it is detached
//   thread_detach(tid: i32) -> i32             never join it: its worker goes back to the pool
//                                              and its place under --max-threads is given back
//                                              as soon as it returns; 0, -ESRCH, or -EINVAL if
//                                              already detached
// Exports the module must provide once it spawns: `__indirect_function_table`, `__stack_pointer`
// (mutable i32 global; wasm-ld `--export=__stack_pointer`), and, if it has TLS, `__wasm_init_tls`
// and `__tls_size`/`__tls_align` (globals, exported or named in the name section).
//
// For every spawned thread the host takes a block of fresh pages with `memory.grow` — once per
// pool worker, reused by later threads on that worker, so spawn/join cycles do not grow memory —
// holding the stack (STACK_SIZE bytes, growing down) and above it the TLS block aligned to
// `__tls_align`. In the new instance it sets `__stack_pointer` to the stack top, calls
// `__wasm_init_tls(block)` exactly once, then calls the table entry. Every thread must be joined
// or detached once; until then it counts against --max-threads and keeps its worker.

import { ExitKind, SlotField, SlotState, WaitKind, Word } from '../control-block.js';
import { beginWatchedWait, dumpStackAndUnwind, endWatchedWait } from '../futex-hooks.js';
import { abortProgram, ExitSignal, START_FAILURE_EXIT_CODE, TRAP_EXIT_CODE } from '../exit.js';
import { waitWhile } from '../futex.js';
import { claimThread, startClaimed } from '../pool.js';
import type { ThreadContext } from '../thread-context.js';
import { traceSpawn } from '../trace.js';
import { checkIsolation, hostBlockLayout, recordBlocks } from '../tls.js';

import { HOST_MANAGED_MODULE, HOST_MANAGED_SPAWN } from '../../shared/thread-abi-names.js';
/** Default stack per host-managed thread (`--stack-size`). */
export const DEFAULT_THREAD_STACK_SIZE = 1 << 20;
const ESRCH = 71;
/** WASI errno EINVAL: the thread is detached (join), or already detached (detach), as in POSIX. */
const EINVAL = 28;
const PAGE_BYTES = 65536;
const JOIN_SLICE_MS = 50;

function threadSpawn(ctx: ThreadContext, func: number, arg: number): number {
  const claimed = claimThread(ctx.cb, { arg, func });
  if (typeof claimed === 'number') return claimed;
  if (ctx.tracer) traceSpawn(ctx.tracer, ctx.tid, claimed.tid);
  startClaimed(ctx.cb, claimed.slot);
  return claimed.tid;
}

const JOINABLE: ReadonlySet<number> = new Set([SlotState.START, SlotState.RUNNING, SlotState.FINISHED]);

function findThreadSlot(ctx: ThreadContext, tid: number): number {
  const inUse = ctx.cb.slotsInUse();
  for (let slot = 1; slot < inUse; slot++) {
    if (ctx.cb.load(slot, SlotField.TID) === tid && JOINABLE.has(ctx.cb.load(slot, SlotField.STATE))) return slot;
  }
  return -1;
}

/**
 * The release point of a finished thread (FINISHED → JOINED): exactly one of joiner, detacher and
 * the detached thread itself wins it and gives the place under --max-threads back.
 */
function release(ctx: ThreadContext, slot: number): boolean {
  const at = ctx.cb.at(slot, SlotField.STATE);
  if (Atomics.compareExchange(ctx.cb.words, at, SlotState.FINISHED, SlotState.JOINED) !== SlotState.FINISHED) return false;
  Atomics.notify(ctx.cb.words, at);
  Atomics.sub(ctx.cb.words, Word.LIVE_THREADS, 1);
  return true;
}

function threadJoin(ctx: ThreadContext, tid: number): number {
  const slot = findThreadSlot(ctx, tid);
  if (slot < 0) return -ESRCH;
  if (ctx.cb.load(slot, SlotField.DETACHED) !== 0) return -EINVAL;
  const at = ctx.cb.at(slot, SlotField.STATE);
  // Only the joined thread can end this wait: the deadlock watchdog counts it as blocked.
  beginWatchedWait(ctx, WaitKind.JOIN, slot, tid);
  try {
    for (;;) {
      const state = Atomics.load(ctx.cb.words, at);
      if (state === SlotState.FINISHED && release(ctx, slot)) return 0;
      if (state !== SlotState.START && state !== SlotState.RUNNING && state !== SlotState.FINISHED) return -ESRCH;
      // In slices, to see the deadlock watchdog's request for this thread's stack.
      if (waitWhile(ctx.cb.words, at, state, JOIN_SLICE_MS) === 'exiting') throw new ExitSignal();
      if (Atomics.load(ctx.cb.words, Word.DUMP_STACKS) !== 0) dumpStackAndUnwind(ctx);
    }
  } finally {
    endWatchedWait(ctx);
  }
}

/**
 * Marks the thread detached. If it already finished, releases it here; otherwise the thread
 * releases itself when it returns (awaitJoin). Both sides write their flag, then read the other's
 * (seq-cst), so at least one of them sees both and the release CAS picks exactly one.
 */
function threadDetach(ctx: ThreadContext, tid: number): number {
  const slot = findThreadSlot(ctx, tid);
  if (slot < 0) return -ESRCH;
  if (Atomics.compareExchange(ctx.cb.words, ctx.cb.at(slot, SlotField.DETACHED), 0, 1) !== 0) return -EINVAL;
  release(ctx, slot);
  return 0;
}

export function hostManagedImports(ctx: ThreadContext): WebAssembly.Imports {
  return {
    [HOST_MANAGED_MODULE]: {
      [HOST_MANAGED_SPAWN]: (func: number, arg: number) => threadSpawn(ctx, func >>> 0, arg),
      thread_join: (tid: number) => threadJoin(ctx, tid),
      thread_detach: (tid: number) => threadDetach(ctx, tid),
    },
  };
}

/** A worker's block of pages for its threads' stack and TLS; allocated on its first thread. */
export interface HostBlock {
  base: number;
}

function allocateBlock(ctx: ThreadContext, bytes: number): HostBlock {
  try {
    const pages = Math.ceil(bytes / PAGE_BYTES);
    return { base: ctx.memory.grow(pages) * PAGE_BYTES };
  } catch {
    abortProgram(ctx.cb, ctx.tid, ExitKind.HOST, TRAP_EXIT_CODE,
      `cannot grow memory by ${bytes} bytes for the stack and TLS of thread ${ctx.tid} (memory maximum reached)`);
  }
}

function missingExport(ctx: ThreadContext, name: string, flag: string): never {
  abortProgram(ctx.cb, ctx.tid, ExitKind.HOST, START_FAILURE_EXIT_CODE,
    `host-managed thread ${ctx.tid} needs the export '${name}' (link with ${flag})`);
}

/** Sets up the stack and TLS of a spawned thread in a fresh instance, then runs it. */
export function runHostManagedThread(ctx: ThreadContext, instance: WebAssembly.Instance, block: { current?: HostBlock }, func: number, arg: number): void {
  const ex = instance.exports;
  const table = ex.__indirect_function_table;
  const sp = ex.__stack_pointer;
  if (!(table instanceof WebAssembly.Table)) missingExport(ctx, '__indirect_function_table', '--export-table');
  if (!(sp instanceof WebAssembly.Global)) missingExport(ctx, '__stack_pointer', '--export=__stack_pointer');
  const layout = hostBlockLayout(ctx.stackSize, ctx.layout);
  block.current ??= allocateBlock(ctx, layout.bytes);
  const base = block.current.base;
  const tls = base + layout.tls;
  recordBlocks(ctx.cb, ctx.slot, { stackLo: base, stackHi: base + layout.stackTop, tlsLo: tls, tlsHi: tls + ctx.layout.tlsSize });
  const overlap = ctx.checkIsolation ? checkIsolation(ctx.cb, ctx.slot, ctx.layout) : undefined;
  if (overlap) abortProgram(ctx.cb, ctx.tid, ExitKind.ISOLATION, TRAP_EXIT_CODE, `memory isolation violated: ${overlap}`);
  sp.value = base + layout.stackTop;
  const initTls = ex.__wasm_init_tls;
  if (typeof initTls === 'function') initTls(tls);
  else if (ctx.layout.tlsSize > 0) missingExport(ctx, '__wasm_init_tls', '--export=__wasm_init_tls');
  const entry = table.get(func);
  if (typeof entry !== 'function') {
    abortProgram(ctx.cb, ctx.tid, ExitKind.TRAP, TRAP_EXIT_CODE, `thread ${ctx.tid}: thread_spawn function index ${func} is not a function in __indirect_function_table`);
  }
  entry(arg);
}

/**
 * After the thread returned: release itself if detached, else wait to be joined (the worker keeps
 * the thread's block until then).
 */
export function awaitJoin(ctx: ThreadContext): void {
  ctx.cb.publish(ctx.slot, SlotField.STATE, SlotState.FINISHED);
  if (ctx.cb.load(ctx.slot, SlotField.DETACHED) !== 0 && release(ctx, ctx.slot)) return;
  const at = ctx.cb.at(ctx.slot, SlotField.STATE);
  while (Atomics.load(ctx.cb.words, at) === SlotState.FINISHED) {
    if (waitWhile(ctx.cb.words, at, SlotState.FINISHED, Infinity) === 'exiting') throw new ExitSignal();
  }
}
