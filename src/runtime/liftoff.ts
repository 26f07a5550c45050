// The Node 20 Liftoff workaround and its start-up self-test.
//
// V8 11.3's baseline compiler (Liftoff, Node 20) loses a local kept across `memory.atomic.wait32`
// when the wait's result feeds straight into a comparison: the official
// wasi-threads spawn test exits 134 instead of 22. Node ≥ 22 is fixed. The supervisor turns Liftoff
// off process-wide before compiling anything, and T0 runs the 79-byte reproduction below before the
// guest, so a Node where the workaround does not take effect fails loudly instead of miscomputing.

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

/** Supervisor: call before the first `WebAssembly.compile`. V8 flags are process-wide. */
export function applyLiftoffWorkaround(): boolean {
  if (!nodeNeedsLiftoffWorkaround()) return false;
  setFlagsFromString('--no-liftoff');
  return true;
}

/** Worker (T0): returns an error message if this process still miscompiles the pattern. */
export function liftoffSelfTest(): string | undefined {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(REPRODUCTION));
  const got = (instance.exports.test as () => number)();
  if (got === EXPECTED) return undefined;
  return (
    `this Node (${process.version}) miscompiles a local across memory.atomic.wait32 ` +
    `(self-test returned ${got}, expected ${EXPECTED}); run node with --no-liftoff or use Node >= ${FIRST_FIXED_NODE_MAJOR}`
  );
}
