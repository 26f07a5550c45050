// Per-thread TLS and stack blocks, and the memory-isolation check.
//
// Every live thread's stack range and TLS block are recorded in its control-block slot. For
// host-managed threads the host chose them (see abi/host-managed.ts); for wasi-threads guests that
// follow wasi-libc's convention the start argument points at { stack pointer @0, TLS base @4 }
// (runtime.md §2.1 item 6), and the block is [tls_base, tls_base + __tls_size). Only the top of a
// wasi-threads stack is known (its size is libc-internal), so its size is estimated as wasi-libc
// chooses its default (runtime.md §5.6): `__default_stacksize = min(__stack_high - __stack_low,
// 8 MiB)`, the main stack's size, when the module exposes those globals; otherwise only the
// STACK_PROBE bytes just below the top are checked. A thread created with a smaller explicit
// stack size (pthread_attr_setstacksize) next to another thread's block can trip the estimate:
// --no-isolation-check turns the check off. When a thread starts, its ranges are compared with every other live
// thread's, and with the static region below `__heap_base` (static data and the main stack); an
// overlap ends the program with a diagnostic naming both threads and the ranges. The check is a
// scan over the slots (O(max threads) per spawn) and runs by default.

import { ControlBlock, SlotField, SlotState } from './control-block.js';

/** Bytes below a wasi-threads stack top that the overlap check treats as that thread's stack. */
export const STACK_PROBE = 16;
/** wasi-libc's cap on the default thread stack size (DEFAULT_STACK_MAX, 8 MiB). */
export const DEFAULT_STACK_MAX = 8 << 20;

/** The estimated wasi-threads stack size: min(__stack_high - __stack_low, 8 MiB), or STACK_PROBE. */
export function threadStackEstimate(stackLow: number | undefined, stackHigh: number | undefined): number {
  if (stackLow === undefined || stackHigh === undefined || stackHigh <= stackLow) return STACK_PROBE;
  return Math.min(stackHigh - stackLow, DEFAULT_STACK_MAX);
}

/** Offsets in a wasi-libc `struct start_args`, hard-coded in its `wasi_thread_start` trampoline. */
export const START_ARG_STACK_POINTER = 0;
export const START_ARG_TLS_BASE = 4;

export interface ThreadBlocks {
  stackLo: number;
  stackHi: number;
  tlsLo: number;
  tlsHi: number;
}

/** Facts about the module's static layout used by the check. */
export interface StaticLayout {
  tlsSize: number;
  tlsAlign: number;
  /** End of static data and the main stack: thread blocks must lie at or above it (0: unknown). */
  staticEnd: number;
  /** Bytes below a wasi-threads stack top taken as that thread's stack (`threadStackEstimate`). */
  threadStackSize: number;
}

/** Reads the wasi-libc start argument; undefined if it does not point into memory. */
export function blocksFromStartArg(memory: WebAssembly.Memory, arg: number, layout: StaticLayout): ThreadBlocks | undefined {
  const buffer = memory.buffer;
  if (arg === 0 || arg + 8 > buffer.byteLength) return undefined;
  const view = new DataView(buffer);
  const sp = view.getUint32(arg + START_ARG_STACK_POINTER, true);
  const tls = view.getUint32(arg + START_ARG_TLS_BASE, true);
  return {
    stackLo: sp >= layout.threadStackSize ? sp - layout.threadStackSize : 0,
    stackHi: sp,
    tlsLo: layout.tlsSize > 0 ? tls : 0,
    tlsHi: layout.tlsSize > 0 ? tls + layout.tlsSize : 0,
  };
}

export function recordBlocks(cb: ControlBlock, slot: number, b: ThreadBlocks): void {
  cb.store(slot, SlotField.STACK_LO, b.stackLo);
  cb.store(slot, SlotField.STACK_HI, b.stackHi);
  cb.store(slot, SlotField.TLS_LO, b.tlsLo);
  cb.store(slot, SlotField.TLS_HI, b.tlsHi);
}

function readBlocks(cb: ControlBlock, slot: number): ThreadBlocks {
  return {
    stackLo: cb.load(slot, SlotField.STACK_LO) >>> 0,
    stackHi: cb.load(slot, SlotField.STACK_HI) >>> 0,
    tlsLo: cb.load(slot, SlotField.TLS_LO) >>> 0,
    tlsHi: cb.load(slot, SlotField.TLS_HI) >>> 0,
  };
}

const LIVE_STATES: ReadonlySet<number> = new Set([SlotState.CLAIMED, SlotState.START, SlotState.RUNNING]);

function overlaps(aLo: number, aHi: number, bLo: number, bHi: number): boolean {
  return aLo < aHi && bLo < bHi && aLo < bHi && bLo < aHi;
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const range = (lo: number, hi: number): string => `[${hex(lo)}, ${hex(hi)})`;

/** Names the thread running on `slot` for messages. */
function threadName(cb: ControlBlock, slot: number): string {
  return slot === 0 ? 'main thread' : `thread ${cb.load(slot, SlotField.TID)}`;
}

/**
 * Compares slot `self`'s recorded blocks with the static region and every other live thread.
 * Returns a message describing the first overlap, or undefined.
 */
export function findOverlap(cb: ControlBlock, self: number, layout: StaticLayout): string | undefined {
  const mine = readBlocks(cb, self);
  if (layout.staticEnd > 0) {
    for (const [what, lo, hi] of [['TLS block', mine.tlsLo, mine.tlsHi], ['stack', mine.stackLo, mine.stackHi]] as const) {
      if (overlaps(lo, hi, 0, layout.staticEnd)) {
        return `${threadName(cb, self)}'s ${what} ${range(lo, hi)} overlaps static data and the main stack ${range(0, layout.staticEnd)}`;
      }
    }
  }
  const inUse = cb.slotsInUse();
  for (let slot = 1; slot < inUse; slot++) {
    if (slot === self || !LIVE_STATES.has(cb.load(slot, SlotField.STATE))) continue;
    const other = readBlocks(cb, slot);
    // Numbers first; the message (and its allocations) only for a real overlap: this runs on
    // every spawn.
    if (overlaps(mine.tlsLo, mine.tlsHi, other.tlsLo, other.tlsHi) || overlaps(mine.tlsLo, mine.tlsHi, other.stackLo, other.stackHi) ||
        overlaps(mine.stackLo, mine.stackHi, other.tlsLo, other.tlsHi) || overlaps(mine.stackLo, mine.stackHi, other.stackLo, other.stackHi)) {
      return describeOverlap(cb, self, mine, slot, other);
    }
  }
  return undefined;
}

/** The message for an overlap `findOverlap` found between two live threads' blocks. */
function describeOverlap(cb: ControlBlock, self: number, mine: ThreadBlocks, slot: number, o: ThreadBlocks): string {
  const pairs: [string, number, number, string, number, number][] = [
    ['TLS block', mine.tlsLo, mine.tlsHi, 'TLS block', o.tlsLo, o.tlsHi],
    ['TLS block', mine.tlsLo, mine.tlsHi, 'stack', o.stackLo, o.stackHi],
    ['stack', mine.stackLo, mine.stackHi, 'TLS block', o.tlsLo, o.tlsHi],
    ['stack', mine.stackLo, mine.stackHi, 'stack', o.stackLo, o.stackHi],
  ];
  const [w1, lo1, hi1, w2, lo2, hi2] = pairs.find(([, lo1, hi1, , lo2, hi2]) => overlaps(lo1, hi1, lo2, hi2))!;
  return `${threadName(cb, self)}'s ${w1} ${range(lo1, hi1)} overlaps ${threadName(cb, slot)}'s ${w2} ${range(lo2, hi2)}`;
}

/** Layout of one host-managed thread block: stack (growing down) then the aligned TLS block. */
export interface HostBlockLayout {
  /** Bytes to reserve for the whole block. */
  bytes: number;
  /** Offset of the stack top within the block. */
  stackTop: number;
  /** Offset of the TLS block within the block. */
  tls: number;
}

const STACK_ALIGN = 16;

export function hostBlockLayout(stackSize: number, layout: StaticLayout): HostBlockLayout {
  const align = Math.max(layout.tlsAlign, STACK_ALIGN);
  const stackTop = Math.ceil(stackSize / align) * align;
  return { bytes: stackTop + layout.tlsSize + align, stackTop, tls: stackTop };
}
