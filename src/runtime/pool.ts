// The worker pool: pre-started, pre-instantiated workers waiting in IDLE slots of the control
// block, claimed by spawning threads with a CAS — no message to the supervisor, so a spawn works
// even while the supervisor's event loop is busy and costs one futex hand-off.
//
// Spawn (any worker): reserve a place under MAX_THREADS (LIVE_THREADS), take the next thread id,
// CAS an IDLE slot to CLAIMED, write tid/arg/function, run the isolation check, store START and
// notify the slot; then, once the pool is half empty, bump REFILL so the supervisor boots
// replacements in the background. If no
// slot is idle, the spawner registers in SPAWN_WAITERS (the supervisor boots one more worker per
// waiter) and waits on POOL_IDLE. Past MAX_THREADS, or if no worker comes up within
// SPAWN_TIMEOUT_MS, spawn returns -EAGAIN, which wasi-libc turns into pthread_create's EAGAIN.

import { writeSync } from 'node:fs';
import { ControlBlock, SlotField, SlotState, Warned, Word } from './control-block.js';
import { ExitSignal } from './exit.js';
import { waitWhile } from './futex.js';

/** wasi-threads gives no error codes; -EAGAIN (WASI errno 6) is what wasi-libc and emnapi use. */
export const SPAWN_EAGAIN = -6;
/** Largest thread id: the top three bits are reserved (wasi-threads ABI; wasi-libc `__lockfile`). */
export const MAX_TID = 0x1fffffff;
/** How long a spawn waits for the supervisor to boot a worker when the pool is empty. */
export const SPAWN_TIMEOUT_MS = 30_000;
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

/** Waits until some slot may be idle; false on timeout. Throws ExitSignal on exit. */
function waitForIdle(cb: ControlBlock, deadline: number): boolean {
  Atomics.add(cb.words, Word.SPAWN_WAITERS, 1);
  cb.bump(Word.REFILL);
  try {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    const r = waitWhile(cb.words, Word.POOL_IDLE, 0, left);
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
 * Hands the claimed slot to its worker; wakes the supervisor to boot more workers once the pool is
 * down to half its target (or empty). Not on every spawn: a finished wasi-threads thread's worker
 * comes back to the pool by itself, so steady spawn/finish cycles never wake the supervisor (whose
 * wake-up would compete with the new thread for a core, and the notify costs a cross-thread post).
 */
export function startClaimed(cb: ControlBlock, slot: number): void {
  cb.publish(slot, SlotField.STATE, SlotState.START);
  // Workers building their next instance come back by themselves: only a pool that stays short
  // needs new workers. (Waking the supervisor costs the spawner a cross-thread notify, ~10 µs.)
  const soon = Atomics.load(cb.words, Word.POOL_IDLE) + Atomics.load(cb.words, Word.RECYCLING);
  if (soon * 2 < Atomics.load(cb.words, Word.POOL_TARGET)) cb.bump(Word.REFILL);
}

/**
 * Worker side: marks this slot IDLE (fresh instance ready) and wakes waiting spawners. After a
 * boot (`firstTime`) it also wakes the supervisor, which limits how many workers boot at once.
 */
export function becomeIdle(cb: ControlBlock, slot: number, firstTime: boolean): void {
  cb.publish(slot, SlotField.STATE, SlotState.IDLE);
  cb.bump(Word.POOL_IDLE);
  if (firstTime) cb.bump(Word.REFILL);
  else Atomics.sub(cb.words, Word.RECYCLING, 1);
}

/** Worker side: this worker's thread ended; it builds its next instance and then `becomeIdle`s. */
export function beginRecycling(cb: ControlBlock): void {
  Atomics.add(cb.words, Word.RECYCLING, 1);
}

/** Supervisor side: counts slots by state to decide how many workers to boot. */
export function poolCensus(cb: ControlBlock): { idle: number; booting: number; empty: number[] } {
  let idle = 0;
  let booting = 0;
  const empty: number[] = [];
  for (let slot = 1; slot < cb.slotCount; slot++) {
    const s = cb.load(slot, SlotField.STATE);
    if (s === SlotState.IDLE) idle++;
    else if (s === SlotState.BOOTING) booting++;
    else if (s === SlotState.EMPTY) empty.push(slot);
  }
  return { idle, booting, empty };
}

/**
 * Supervisor side: how many new workers to start now — enough for `poolSize` idle workers plus one
 * per waiting spawner, at most `maxConcurrentBoots` booting at once (booting many workers at once
 * on a small machine slows every one of them).
 */
export function workersToBoot(cb: ControlBlock, poolSize: number, maxConcurrentBoots: number): number[] {
  const { idle, booting, empty } = poolCensus(cb);
  const waiters = Atomics.load(cb.words, Word.SPAWN_WAITERS);
  const wanted = Math.max(0, poolSize + waiters - idle - booting);
  const room = Math.max(0, maxConcurrentBoots - booting);
  return empty.slice(0, Math.min(wanted, room));
}
