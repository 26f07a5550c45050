// The Node 20 Liftoff workaround and its start-up self-test.
//
// V8 11.3's baseline compiler (Liftoff, Node 20) loses a local kept across `memory.atomic.wait32`
// when the wait's result feeds straight into a comparison: the official
// wasi-threads spawn test exits 134 instead of 22. Node ≥ 22 is fixed.
//
// The bug lives in the code Liftoff emits for the wait instruction itself. A module whose waits
// were all rewritten into calls (futex-rewrite.ts: the deadlock watchdog's default) no longer has
// the pattern: the guest's functions call a wrapper, and the wrapper's own wait (its fallback
// while the hook table is empty) keeps nothing alive across the wait and returns its result. Such
// a module, and a module without any wait, compiles with Liftoff as usual. Only a module that
// still has raw waits turns Liftoff off, process-wide (V8 flags are) and for good: V8 compiles
// functions lazily, on first call, with the flags of that moment, so a later run must not turn it
// back on under a module compiled without it. Turning it off costs every run after it V8's
// optimising compiler on each function's first call — on a small wasi-libc program, ~130 ms of
// start-up (0.36 s instead of 0.24 s).
//
// T0 runs the 79-byte reproduction below, in the form the run's guest has (rewritten or raw),
// before the guest, so a Node where the workaround does not hold fails loudly instead of
// miscomputing.

import { setFlagsFromString } from 'node:v8';

/** First Node major version whose V8 compiles the pattern correctly with Liftoff on. */
const FIRST_FIXED_NODE_MAJOR = 22;
const EXPECTED = 42;

/**
 * The reproduction, built with `wat2wasm --enable-threads` from:
 *   (module (memory 1 1 shared) (func $f (result i32) i32.const 42)
 *     (func (export "test") (result i32) (local $t i32)
 *       call $f  local.tee $t  i32.const 0  i32.le_s  if unreachable end
 *       i32.const 0  i32.const 1  i64.const 0  memory.atomic.wait32   ;; not-equal: returns 1
 *       i32.const 2  i32.eq  if unreachable end
 *       local.get $t))                                                 ;; must be 42
 */
const REPRODUCTION = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 3, 2, 0, 0, 5, 4, 1, 3, 1, 1, 7, 8, 1, 4, 116, 101, 115,
  116, 0, 1, 10, 41, 2, 4, 0, 65, 42, 11, 34, 1, 1, 127, 16, 0, 34, 0, 65, 0, 76, 4, 64, 0, 11, 65, 0, 65, 1, 66, 0,
  254, 1, 2, 0, 65, 2, 70, 4, 64, 0, 11, 32, 0, 11,
]);

export function nodeNeedsLiftoffWorkaround(version = process.versions.node): boolean {
  return Number(version.split('.')[0]) < FIRST_FIXED_NODE_MAJOR;
}

/** What the run's module still has, as far as the bug goes. */
export type GuestWaits = 'none' | 'rewritten' | 'raw';

let liftoffTurnedOff = false;

/**
 * Supervisor: call before compiling the run's module. Turns Liftoff off (once, for the process)
 * if this Node needs it for `waits`; returns which form of the reproduction T0 must check —
 * `'raw'` while Liftoff is off, `'rewritten'` while it is on — or undefined on a fixed Node.
 */
export function applyLiftoffWorkaround(waits: GuestWaits): 'raw' | 'rewritten' | undefined {
  if (!nodeNeedsLiftoffWorkaround()) return undefined;
  if (waits === 'raw' && !liftoffTurnedOff) {
    setFlagsFromString('--no-liftoff');
    liftoffTurnedOff = true;
  }
  return liftoffTurnedOff ? 'raw' : 'rewritten';
}

/** The reproduction, for the supervisor to rewrite as it rewrites guests. */
export function liftoffReproduction(): Uint8Array {
  return REPRODUCTION.slice();
}

/**
 * Worker (T0): returns an error message if this process miscompiles the pattern in `bytes` (the
 * reproduction, raw or rewritten; the rewritten one runs its wrapper's own wait, no hook installed).
 */
export function liftoffSelfTest(bytes: Uint8Array = REPRODUCTION): string | undefined {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const got = (instance.exports.test as () => number)();
  if (got === EXPECTED) return undefined;
  return (
    `this Node (${process.version}) miscompiles a local across memory.atomic.wait32 ` +
    `(self-test returned ${got}, expected ${EXPECTED}); run node with --no-liftoff or use Node >= ${FIRST_FIXED_NODE_MAJOR}`
  );
}
