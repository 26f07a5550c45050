// Futex helpers over the control block's Int32 words: synchronous waits for worker threads (which
// may block) and asynchronous waits for the supervisor (which must never block its event loop).
// Every synchronous wait here is bounded by the program's exit: waits are cut into slices and
// re-check EXIT_STATE, and an exit request also notifies the words threads wait on.

import { Word } from './control-block.js';

/** Longest single `Atomics.wait` slice before re-checking for exit (a safety net, not the wake-up path). */
export const WAIT_SLICE_MS = 50;

/** Typing for `Atomics.waitAsync` (ES2024; present since Node 16, absent from the ES2022 lib). */
type WaitAsyncResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsyncFn = (Atomics as unknown as {
  waitAsync(a: Int32Array, i: number, v: number, t?: number): WaitAsyncResult;
}).waitAsync;

/**
 * Worker side: waits while `words[index] === value`, up to `timeoutMs` (Infinity allowed).
 * Returns 'changed', 'timed-out', or 'exiting' (the program is exiting; the caller must unwind).
 */
export function waitWhile(words: Int32Array, index: number, value: number, timeoutMs: number): 'changed' | 'timed-out' | 'exiting' {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (Atomics.load(words, Word.EXIT_STATE) !== 0) return 'exiting';
    if (Atomics.load(words, index) !== value) return 'changed';
    const left = deadline - performance.now();
    if (left <= 0) return 'timed-out';
    Atomics.wait(words, index, value, Math.min(left, WAIT_SLICE_MS));
  }
}

/** Supervisor side: resolves once `words[index] !== value` (or after `timeoutMs`). Never blocks. */
export async function waitAsyncWhile(words: Int32Array, index: number, value: number, timeoutMs = Infinity): Promise<void> {
  if (Atomics.load(words, index) !== value) return;
  const r = waitAsyncFn(words, index, value, timeoutMs);
  if (r.async) await r.value;
}
