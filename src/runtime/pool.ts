// The worker pool: pre-started, pre-instantiated workers waiting in IDLE slots of the control
// block, claimed by spawning threads with a CAS — no message to the supervisor, so a spawn works
// even while the supervisor's event loop is busy and costs one futex hand-off.
//
// Spawn (any worker): reserve a place under MAX_THREADS (LIVE_THREADS), take the next thread id,
// CAS an IDLE slot to CLAIMED, write tid/arg/function, store START and notify the slot (the new
// thread checks its isolation itself). If no slot is idle, the spawner registers in SPAWN_WAITERS
// and waits on POOL_IDLE. Past MAX_THREADS, or if no worker comes up within SPAWN_TIMEOUT_MS,
// spawn returns -EAGAIN, which wasi-libc turns into pthread_create's EAGAIN. A guest's spawn import
// is usually a wasm function doing the same on the same words (host-wrappers.ts `spawnBody`), which
// calls the JavaScript here only when it must wait or refuse.
//
// Who boots workers. Starting a Node worker costs 25-65 ms of CPU (Node 20-26, measured on 2 cores),
// the price of hundreds of spawn/join cycles, so the supervisor starts one only when nothing else
// will do. Workers that are building their next instance (RECYCLING) or booting (BOOTING) come to
// the pool by themselves within microseconds or milliseconds; a worker running a thread comes back
// when the thread ends, which for most threads is soon. So:
// - a waiting spawner gets a new worker only if no recycling or booting worker is coming for it;
// - the pool is refilled to `--pool-size` coming workers, where a thread that has been running
//   for less than REPLACE_GRACE_MS still counts as coming: a program that spawns and joins short
//   threads in a loop keeps using the same few workers, while threads that keep running have
//   their workers replaced once the grace is over.
// Spawners wake the supervisor (REFILL) only when the pool runs short; each wake costs the spawner
// a cross-thread notify (~10 µs) and the supervisor a turn of its event loop.

import { writeSync } from 'node:fs';
import { ControlBlock, SlotField, SlotState, Warned, Word } from './control-block.js';
import { ExitSignal } from './exit.js';
import { waitWhile } from './futex.js';
import { NO_BLOCKS, recordBlocks } from './tls.js';

/** wasi-threads gives no error codes; -EAGAIN (WASI errno 6) is what wasi-libc and emnapi use. */
export const SPAWN_EAGAIN = -6;
/** Largest thread id: the top three bits are reserved (wasi-threads ABI; wasi-libc `__lockfile`). */
export const MAX_TID = 0x1fffffff;
/** How long a spawn waits for the supervisor to boot a worker when the pool is empty. */
export const SPAWN_TIMEOUT_MS = 30_000;
/** A thread running for less than this still counts as coming back to the pool (see above). */
export const REPLACE_GRACE_MS = 10;
/** A waiting spawner re-checks this often whether the workers it counted on are still coming. */
const WAITER_SLICE_MS = 5;
/**
 * What one more thread costs the host: each thread is a Node worker with its own isolate, about
 * 8 MiB of resident memory (measured: 64 blocked threads, 8.1 MiB each on Node 20; emscripten's
 * pthreads cost the same). `--max-host-memory` refuses a spawn that would pass the budget.
 */
export const THREAD_MEMORY_BYTES = 8 << 20;

/** Prints a warning once per run (the first spawner to set the bit prints it). */
function warnOnce(cb: ControlBlock, bit: number, message: string): void {
  const old = Atomics.or(cb.words, Word.WARNED, bit);
  if ((old & bit) === 0) {
    try {
      writeSync(2, `wasmthreads: warning: ${message}\n`);
    } catch {
      // stderr closed: nothing to tell.
    }
  }
}

/** Whether one more thread fits the host memory budget (always, when there is none). */
function fitsMemoryBudget(cb: ControlBlock): boolean {
  const budgetMb = Atomics.load(cb.words, Word.MEMORY_BUDGET_MB);
  if (budgetMb === 0) return true;
  const rss = process.memoryUsage.rss();
  if (rss + THREAD_MEMORY_BYTES <= budgetMb * 1048576) return true;
  warnOnce(cb, Warned.MEMORY_BUDGET, `thread-spawn refused: the process uses ${(rss / 1048576).toFixed(0)} MiB and one more thread ` +
    `(~${THREAD_MEMORY_BYTES >> 20} MiB) would pass --max-host-memory (${budgetMb} MiB); thread-spawn returns EAGAIN from now on while it would`);
  return false;
}

export interface SpawnRequest {
  arg: number;
  /** host-managed: function-table index; wasi-threads: 0. */
  func: number;
}

/** CASes the first IDLE slot to CLAIMED; returns its index or -1. */
function claimIdleSlot(cb: ControlBlock): number {
  const inUse = cb.slotsInUse();
  for (let slot = 1; slot < inUse; slot++) {
    const at = cb.at(slot, SlotField.STATE);
    if (Atomics.load(cb.words, at) !== SlotState.IDLE) continue;
    if (Atomics.compareExchange(cb.words, at, SlotState.IDLE, SlotState.CLAIMED) === SlotState.IDLE) {
      Atomics.sub(cb.words, Word.POOL_IDLE, 1);
      return slot;
    }
  }
  return -1;
}

/** Workers on their way to the pool: idle, building their next instance, or booting. */
function comingWorkers(cb: ControlBlock): number {
  return Atomics.load(cb.words, Word.POOL_IDLE) + Atomics.load(cb.words, Word.RECYCLING) + Atomics.load(cb.words, Word.BOOTING);
}

/**
 * Waits (one slice) until some slot may be idle; false once the deadline passed. Wakes the
 * supervisor only if the workers already coming are fewer than the spawners waiting; the slice
 * re-checks that, since another spawner may take the worker this one counted on.
 * Throws ExitSignal on exit.
 */
function waitForIdle(cb: ControlBlock, deadline: number): boolean {
  const waiters = Atomics.add(cb.words, Word.SPAWN_WAITERS, 1) + 1;
  try {
    if (comingWorkers(cb) < waiters) cb.bump(Word.REFILL);
    const left = deadline - performance.now();
    if (left <= 0) return false;
    const r = waitWhile(cb.words, Word.POOL_IDLE, 0, Math.min(left, WAITER_SLICE_MS));
    if (r === 'exiting') throw new ExitSignal();
    return true;
  } finally {
    Atomics.sub(cb.words, Word.SPAWN_WAITERS, 1);
  }
}

/** Finds a worker for a new thread. Returns the claimed slot, or -1 if none came up in time. */
function claimSlot(cb: ControlBlock): number {
  const slot = claimIdleSlot(cb);
  if (slot >= 0) return slot;
  // Slow path only: the clock is read once the pool turned out to be empty.
  const deadline = performance.now() + SPAWN_TIMEOUT_MS;
  for (;;) {
    if (!waitForIdle(cb, deadline)) return -1;
    const next = claimIdleSlot(cb);
    if (next >= 0) return next;
  }
}

/**
 * Claims a slot and fills in the request, leaving it CLAIMED. Returns { slot, tid } or a negative
 * error. The caller records blocks, checks isolation, then calls `startClaimed`.
 */
export function claimThread(cb: ControlBlock, req: SpawnRequest): { slot: number; tid: number } | number {
  const live = Atomics.add(cb.words, Word.LIVE_THREADS, 1);
  const max = Atomics.load(cb.words, Word.MAX_THREADS);
  if (live >= max || !fitsMemoryBudget(cb)) {
    Atomics.sub(cb.words, Word.LIVE_THREADS, 1);
    if (live >= max) warnOnce(cb, Warned.MAX_THREADS, `thread-spawn refused: ${max} threads are alive (--max-threads ${max}); thread-spawn returns EAGAIN while they are`);
    return SPAWN_EAGAIN;
  }
  const tid = Atomics.add(cb.words, Word.NEXT_TID, 1);
  const slot = tid <= MAX_TID ? claimSlot(cb) : -1;
  if (slot < 0) {
    Atomics.sub(cb.words, Word.LIVE_THREADS, 1);
    return SPAWN_EAGAIN;
  }
  cb.store(slot, SlotField.TID, tid);
  cb.store(slot, SlotField.ARG, req.arg);
  cb.store(slot, SlotField.FUNC, req.func);
  cb.store(slot, SlotField.DETACHED, 0);
  return { slot, tid };
}

/**
 * Hands the claimed slot to its worker; wakes the supervisor once fewer than half the pool's
 * target are coming (idle, recycling or booting) and no worker is booting. Not on every spawn:
 * steady spawn/finish cycles and a pool still booting do not wake it.
 */
export function startClaimed(cb: ControlBlock, slot: number): void {
  cb.publish(slot, SlotField.STATE, SlotState.START);
  // A booting worker wakes the supervisor itself when it comes up (becomeIdle).
  if (Atomics.load(cb.words, Word.BOOTING) === 0 && comingWorkers(cb) * 2 < Atomics.load(cb.words, Word.POOL_TARGET)) cb.bump(Word.REFILL);
}

/**
 * Worker side: marks this slot IDLE (fresh instance ready) and wakes waiting spawners. After a
 * boot (`firstTime`) it also wakes the supervisor, which limits how many workers boot at once.
 */
export function becomeIdle(cb: ControlBlock, slot: number, firstTime: boolean): void {
  // The slot's blocks are the next thread's business from its claim on: cleared here, off the
  // spawner's path, so an isolation check never compares them while the next thread is starting.
  recordBlocks(cb, slot, NO_BLOCKS);
  cb.publish(slot, SlotField.STATE, SlotState.IDLE);
  cb.bump(Word.POOL_IDLE);
  if (firstTime) {
    Atomics.sub(cb.words, Word.BOOTING, 1);
    cb.bump(Word.REFILL);
  } else {
    Atomics.sub(cb.words, Word.RECYCLING, 1);
  }
}

/** Worker side: this worker's thread ended; it builds its next instance and then `becomeIdle`s. */
export function beginRecycling(cb: ControlBlock): void {
  Atomics.add(cb.words, Word.RECYCLING, 1);
}

/** Supervisor side: since when it has seen each busy slot's thread (slot → thread id, time). */
export type RunningSince = Map<number, { tid: number; since: number }>;

/** Slot states in which a thread holds the worker (host-managed FINISHED: until it is joined). */
const BUSY: ReadonlySet<number> = new Set([SlotState.CLAIMED, SlotState.START, SlotState.RUNNING, SlotState.FINISHED]);

export interface BootPlan {
  /** Slots to start a worker in now. */
  boot: number[];
  /** Look again after this many ms (a thread's grace ends), if that may change the plan. */
  recheckMs?: number;
}

/**
 * Supervisor side: which slots to start workers in now (see the header), at most
 * `maxConcurrentBoots` booting at once (booting many workers at once on a small machine slows
 * every one of them). `seen` is the supervisor's record of busy slots, updated here; `now` in ms.
 */
export function planBoots(cb: ControlBlock, poolSize: number, maxConcurrentBoots: number, seen: RunningSince, now: number): BootPlan {
  let idle = 0;
  let booting = 0;
  let returning = 0;
  let young = 0;
  let graceEnds = Infinity;
  const empty: number[] = [];
  for (let slot = 1; slot < cb.slotCount; slot++) {
    const state = cb.load(slot, SlotField.STATE);
    if (state === SlotState.IDLE) idle++;
    else if (state === SlotState.BOOTING) booting++;
    else if (state === SlotState.EMPTY) empty.push(slot);
    // The thread is over; the worker is building its next instance (or about to).
    else if (state === SlotState.RETIRED || state === SlotState.JOINED) returning++;
    if (!BUSY.has(state)) {
      seen.delete(slot);
      continue;
    }
    const tid = cb.load(slot, SlotField.TID);
    let thread = seen.get(slot);
    if (!thread || thread.tid !== tid) seen.set(slot, (thread = { tid, since: now }));
    if (now - thread.since < REPLACE_GRACE_MS) {
      young++;
      graceEnds = Math.min(graceEnds, thread.since + REPLACE_GRACE_MS);
    }
  }
  const coming = idle + booting + returning;
  const waiters = Atomics.load(cb.words, Word.SPAWN_WAITERS);
  const wanted = Math.max(0, waiters - coming, poolSize + waiters - coming - young);
  const room = Math.max(0, maxConcurrentBoots - booting);
  const boot = empty.slice(0, Math.min(wanted, room));
  // Once a young thread's grace is over it no longer counts as coming: look again then, if the
  // pool would be short without it.
  const recheck = young > 0 && poolSize + waiters > coming + boot.length;
  return { boot, recheckMs: recheck ? Math.max(1, graceEnds - now) : undefined };
}
