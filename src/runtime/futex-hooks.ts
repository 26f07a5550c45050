// The host side of futex-rewrite.ts: what a rewritten `memory.atomic.wait32/64` and
// `memory.atomic.notify` run. Each does exactly what the instruction does — the same bounds and
// alignment traps, `Atomics.wait`/`Atomics.notify` on the shared memory (the very operations the
// instructions are specified as), the same results (0 woken, 1 not-equal, 2 timed out; notify:
// waiters woken) — and leaves, around it, what the deadlock watchdog and the tracer read:
//
// - an untimed wait makes the slot's WAIT_GEN odd for its duration (WAIT_KIND/ADDR/VALUE/SINCE
//   say what it waits for), and a wait that was woken bumps Word.WOKEN *after* WAIT_GEN is even
//   again;
// - a notify adds the number of waiters it woke to Word.NOTIFIED before the notifier runs on.
// watchdog.ts explains why this ordering makes its verdict exact.
//
// The hooks reach the rewritten module as wasm functions, which the worker stores in the
// instance's hook table after instantiation. By default they are the fast hooks
// (futex-rewrite.ts's fastHookModuleBytes): the same bookkeeping done in wasm on the control
// block's memory, around the very instruction (a guest-ops module on the guest's memory), calling
// the JavaScript hooks below only for an effective address past 4 GiB, and this file's
// JavaScript for the exit and the deadlock dump. Under --trace, whose records only JavaScript
// writes, a tiny module (hookModuleBytes) wraps the JavaScript hooks instead. This file is the
// worker's side only: it loads nothing of the binary layer.

import { FastHookImport, WRAPPED_MODULE } from './host-module-names.js';
import { bufferCovering } from '../shared/memory-buffer.js';
import { CHANNEL_BYTES, SlotField, WaitKind, Word, type ControlBlock } from './control-block.js';
import { ExitSignal } from './exit.js';
import { compactFrame, wasmFrames, type CodeMap } from './wasm-stack.js';
import { RecordKind, TraceName, type Tracer } from './trace.js';

/** Export name of the table the host fills with FutexHook functions (futex-rewrite.ts adds it). */
export const FUTEX_TABLE_EXPORT = '__wasmthreads_futex_hooks';

/** Slots of the hook table. */
export const FutexHook = { WAIT32: 0, WAIT64: 1, NOTIFY: 2 } as const;
export type FutexHook = (typeof FutexHook)[keyof typeof FutexHook];

const WAIT_RESULT = { ok: 0, 'not-equal': 1, 'timed-out': 2 } as const;

/** Where a hook records: the worker's slot in the control block, its tracer. */
export interface HookContext {
  readonly cb: ControlBlock;
  readonly slot: number;
  readonly memory: WebAssembly.Memory;
  /** The memory holding the control block's words (the fast hooks write them from wasm). */
  readonly controlMemory: WebAssembly.Memory;
  readonly tracer?: Tracer;
  readonly codeMap?: CodeMap;
  tid: number;
}

/** Frames a deadlock report keeps per thread. */
const MAX_FRAMES = 10;

/**
 * At a deadlock the watchdog wakes each blocked thread with DUMP_STACKS set: the thread writes its
 * wasm stack (where it is stuck) into its channel bytes — idle, since it is not in a service call —
 * and unwinds; its worker then waits for the program's end.
 */
export function dumpStackAndUnwind(h: HookContext): never {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error('deadlock').stack ?? '';
  Error.stackTraceLimit = limit;
  const text = wasmFrames(stack, h.codeMap).slice(0, MAX_FRAMES).map(compactFrame).join('\n');
  const bytes = new TextEncoder().encode(text).subarray(0, CHANNEL_BYTES);
  h.cb.channel(h.slot).set(bytes);
  h.cb.publish(h.slot, SlotField.STACK_LEN, bytes.length + 1);
  // Unwind; the worker then waits for the exit the watchdog is about to request.
  throw new ExitSignal();
}

function trap(message: string): never {
  throw new WebAssembly.RuntimeError(message);
}

/** Views of the guest memory, refreshed when an address lies past the length they know. */
class GuestViews {
  i32: Int32Array<ArrayBufferLike> = new Int32Array(0);
  i64: BigInt64Array<ArrayBufferLike> = new BigInt64Array(0);
  constructor(private readonly memory: WebAssembly.Memory) {}

  /** The effective address of an access of `size` bytes, checked as the instruction checks it. */
  address(addr: number, offset: number, size: number): number {
    const ea = (addr >>> 0) + (offset >>> 0);
    if (ea % size !== 0) trap('operation does not support unaligned accesses');
    if (ea + size > (size === 4 ? this.i32.byteLength : this.i64.byteLength)) {
      const buffer = bufferCovering(this.memory, ea + size);
      if (!buffer) trap('memory access out of bounds');
      this.i32 = new Int32Array(buffer);
      this.i64 = new BigInt64Array(buffer, 0, buffer.byteLength >>> 3);
    }
    return ea;
  }
}

/** Marks the slot as in a watched wait (WAIT_GEN odd). */
export function beginWatchedWait(h: HookContext, kind: number, addr: number, value: number): void {
  const { cb, slot } = h;
  const w = cb.words;
  // Plain stores: the seq-cst add below publishes them to the watchdog, which reads them only
  // while WAIT_GEN is odd.
  w[cb.at(slot, SlotField.WAIT_KIND)] = kind;
  w[cb.at(slot, SlotField.WAIT_ADDR)] = addr;
  w[cb.at(slot, SlotField.WAIT_VALUE)] = value;
  Atomics.add(w, cb.at(slot, SlotField.WAIT_GEN), 1);
}

export function endWatchedWait(h: HookContext): void {
  Atomics.add(h.cb.words, h.cb.at(h.slot, SlotField.WAIT_GEN), 1);
}

/** The three hook functions, in FutexHook order. */
function hookFunctions(h: HookContext): [(...a: never[]) => number, (...a: never[]) => number, (...a: never[]) => number] {
  const views = new GuestViews(h.memory);
  const { words } = h.cb;
  /**
   * One wait, bracketed by what the watchdog and the tracer read. `shown` is the expected value
   * as the report shows it (a wait64's low 32 bits). Order matters (watchdog.ts): WAIT_GEN odd
   * before the wait; after it, WAIT_GEN even before WOKEN counts a wake-up.
   */
  const watched = (kind: number, name: number, ea: number, shown: number, timeout: number, wait: (ms: number) => 'ok' | 'not-equal' | 'timed-out'): number => {
    const untimed = timeout < 0;
    if (untimed) beginWatchedWait(h, kind, ea, shown);
    h.tracer?.record(RecordKind.BEGIN, h.tid, name, ea, shown);
    const result = wait(untimed ? Infinity : timeout / 1e6);
    // The program is over (the supervisor wakes watched waits at exit): unwind, do not go back.
    if (Atomics.load(words, Word.EXIT_STATE) !== 0) throw new ExitSignal();
    if (untimed && Atomics.load(words, Word.DUMP_STACKS) !== 0) dumpStackAndUnwind(h);
    if (untimed) endWatchedWait(h);
    if (result === 'ok') Atomics.add(words, Word.WOKEN, 1);
    h.tracer?.record(RecordKind.END, h.tid, name, 0, WAIT_RESULT[result]);
    return WAIT_RESULT[result];
  };
  const wait32 = (addr: number, expected: number, timeout: number, offset: number): number => {
    const ea = views.address(addr, offset, 4);
    return watched(WaitKind.WAIT32, TraceName.WAIT32, ea, expected, timeout, (ms) => Atomics.wait(views.i32, ea >>> 2, expected, ms));
  };
  const wait64 = (addr: number, expected: bigint, timeout: number, offset: number): number => {
    const ea = views.address(addr, offset, 8);
    const low = Number(BigInt.asIntN(32, expected));
    return watched(WaitKind.WAIT64, TraceName.WAIT64, ea, low, timeout, (ms) => Atomics.wait(views.i64, ea >>> 3, expected, ms));
  };
  const notify = (addr: number, count: number, offset: number): number => {
    const ea = views.address(addr, offset, 4);
    const woken = Atomics.notify(views.i32, ea >>> 2, count >>> 0);
    if (woken > 0) {
      Atomics.add(words, Word.NOTIFIED, woken);
      h.tracer?.record(RecordKind.INSTANT, h.tid, TraceName.WAKE, ea, woken);
    }
    return woken;
  };
  return [wait32 as never, wait64 as never, notify as never];
}

/** The modules that make the hooks wasm functions: JS hooks wrapped, or the fast hooks (futex-rewrite.ts). */
export interface HookModules {
  /** Wraps the JS hooks (imports "h" "0".."2"); what --trace uses, whose spans the JS hooks write. */
  wrapped: WebAssembly.Module;
  /** The fast hooks and the guest-ops module they wait and notify through. */
  fast?: { hooks: WebAssembly.Module; guestOps: WebAssembly.Module };
}

/** Builds this worker's hook functions once; `install` puts them in each new instance's table. */
export function futexHookInstaller(h: HookContext, modules: HookModules): (instance: WebAssembly.Instance) => void {
  const fns = hookFunctions(h);
  let wrapped: WebAssembly.Exports;
  if (modules.fast && !h.tracer) {
    const ops = new WebAssembly.Instance(modules.fast.guestOps, { [WRAPPED_MODULE]: { [FastHookImport.MEMORY]: h.memory } }).exports;
    wrapped = new WebAssembly.Instance(modules.fast.hooks, {
      [WRAPPED_MODULE]: {
        0: fns[0], 1: fns[1], 2: fns[2],
        [FastHookImport.GUEST_WAIT32]: ops[FastHookImport.GUEST_WAIT32],
        [FastHookImport.GUEST_WAIT64]: ops[FastHookImport.GUEST_WAIT64],
        [FastHookImport.GUEST_NOTIFY]: ops[FastHookImport.GUEST_NOTIFY],
        [FastHookImport.PROBE32]: ops[FastHookImport.PROBE32],
        [FastHookImport.PROBE64]: ops[FastHookImport.PROBE64],
        [FastHookImport.UNWIND]: () => {
          throw new ExitSignal();
        },
        [FastHookImport.DUMP]: () => dumpStackAndUnwind(h),
        [FastHookImport.CONTROL]: h.controlMemory,
        [FastHookImport.SLOT_BASE]: new WebAssembly.Global({ value: 'i32', mutable: false }, h.cb.slotByteOffset(h.slot)),
      },
    }).exports;
  } else {
    wrapped = new WebAssembly.Instance(modules.wrapped, { [WRAPPED_MODULE]: { 0: fns[0], 1: fns[1], 2: fns[2] } }).exports;
  }
  return (instance) => {
    const table = instance.exports[FUTEX_TABLE_EXPORT] as WebAssembly.Table;
    for (let i = 0; i < fns.length; i++) table.set(i, wrapped[String(i)]);
  };
}
