// Per-thread TLS and stack blocks, and the memory-isolation check.
//
// The check must never report a correct program, so it only compares ranges it knows belong to a
// thread, and it knows when a range stops belonging to one:
//
// - host-managed threads: the host chose the stack and TLS block itself (abi/host-managed.ts).
// - wasi-threads threads: the start argument is read only when the module's own
//   `wasi_thread_start` loads the stack pointer and TLS base from it (`StartArgLayout`, recognised
//   in module-info.ts). The TLS block is [tls_base, tls_base + __tls_size). The stack's size is
//   the libc's business (wasi-libc: pthread_attr_setstacksize, at least PTHREAD_STACK_MIN = 2048
//   bytes, minus the start arguments and, for a caller-provided stack, at most 1/8 for TLS), so only
//   the STACK_FLOOR bytes right below the stack top are taken as certainly this thread's.
// - the main thread: its stack is [__stack_low, __stack_high) when the module names them, else the
//   STACK_FLOOR bytes below `__stack_pointer`'s initial value; its TLS block is the static one
//   `__wasm_init_memory` points `__tls_base` at. Static data is not checked: a program may give a
//   thread a stack in a static array (pthread_attr_setstack).
//
// A thread's block stops being its own when the thread ends, and a libc may reuse it before the
// host sees that: wasi-libc's `wasi_thread_start` unlocks the thread list in wasm right before it
// returns, and from then on a joiner may free the block and the next pthread_create may get it
// back from malloc — while the finished thread is still between its last instruction and the host.
// So an overlap with another thread is reported only if it holds once that thread's slot has moved
// on, or after OVERLAP_RECHECK_MS with the other thread still in the same state: a thread with
// nothing left to do reaches the host in microseconds; one that still runs guest code keeps its
// blocks, and the overlap is real.

import { ControlBlock, SlotField, SlotState } from './control-block.js';
import { ExitSignal } from './exit.js';
import { waitWhile } from './futex.js';
import { bufferCovering } from '../shared/memory-buffer.js';
import type { StartArgLayout } from './module-info.js';

/** Bytes below a wasi-threads stack top that are certainly that thread's stack (see above). */
export const STACK_FLOOR = 1024;
/** How long an overlap with a thread that may be ending is re-checked before it is reported. */
export const OVERLAP_RECHECK_MS = 5000;

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
  /** The main thread's stack [lo, hi) (hi = 0: unknown). */
  mainStackLo: number;
  mainStackHi: number;
  /** The main thread's static TLS block [lo, hi) (hi = 0: unknown or no TLS). */
  mainTlsLo: number;
  mainTlsHi: number;
  /** wasi-threads: where the guest's trampoline reads the stack pointer and TLS base, if it does. */
  startArg?: StartArgLayout;
}

export const NO_BLOCKS: ThreadBlocks = { stackLo: 0, stackHi: 0, tlsLo: 0, tlsHi: 0 };

/** Reads a wasi-threads start argument; undefined if the layout is unknown or it is out of memory. */
export function blocksFromStartArg(memory: WebAssembly.Memory, arg: number, layout: StaticLayout): ThreadBlocks | undefined {
  const s = layout.startArg;
  if (!s || arg === 0) return undefined;
  const end = arg + Math.max(s.stackPointer, s.tlsBase ?? 0) + 4;
  const buffer = bufferCovering(memory, end);
  if (!buffer) return undefined;
  const view = new DataView(buffer);
  const sp = view.getUint32(arg + s.stackPointer, true);
  const tls = s.tlsBase === undefined ? 0 : view.getUint32(arg + s.tlsBase, true);
  const hasTls = s.tlsBase !== undefined && layout.tlsSize > 0;
  return {
    stackLo: Math.max(0, sp - STACK_FLOOR),
    stackHi: sp,
    tlsLo: hasTls ? tls : 0,
    tlsHi: hasTls ? tls + layout.tlsSize : 0,
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

// starter-module.ts makes the comparisons below (`blocksFromStartArg`, `findOverlap`) in wasm
// too, for wasi-threads threads, and leaves any overlap it finds to `checkIsolation`: a change to
// what a block is or what counts as live must be made there as well
// (test/runtime/starter-module.test.ts checks that the two agree).

/** States in which a slot's recorded blocks belong to a thread that may still run guest code. */
export const LIVE_SLOT_STATES = [SlotState.CLAIMED, SlotState.START, SlotState.RUNNING] as const;
const LIVE_STATES: ReadonlySet<number> = new Set(LIVE_SLOT_STATES);

function overlaps(aLo: number, aHi: number, bLo: number, bHi: number): boolean {
  return aLo < aHi && bLo < bHi && aLo < bHi && bLo < aHi;
}

/** Whether any of `a`'s stack and TLS block overlaps any of `b`'s (numbers only: it runs on every spawn). */
function blocksOverlap(a: ThreadBlocks, b: ThreadBlocks): boolean {
  return overlaps(a.tlsLo, a.tlsHi, b.tlsLo, b.tlsHi) || overlaps(a.tlsLo, a.tlsHi, b.stackLo, b.stackHi) ||
    overlaps(a.stackLo, a.stackHi, b.tlsLo, b.tlsHi) || overlaps(a.stackLo, a.stackHi, b.stackLo, b.stackHi);
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const range = (lo: number, hi: number): string => `[${hex(lo)}, ${hex(hi)})`;

/** Names the thread running on `slot` for messages. */
function threadName(cb: ControlBlock, slot: number): string {
  return slot === 0 ? 'main thread' : `thread ${cb.load(slot, SlotField.TID)}`;
}

/** An overlap found: with the main thread's static blocks (`slot` 0) or another live thread's. */
export interface Overlap {
  slot: number;
  message: string;
}

function staticOverlap(cb: ControlBlock, self: number, mine: ThreadBlocks, layout: StaticLayout): Overlap | undefined {
  const { mainStackLo, mainStackHi, mainTlsLo, mainTlsHi } = layout;
  const { tlsLo, tlsHi, stackLo, stackHi } = mine;
  // The message (and its allocations) only for an overlap.
  if (!blocksOverlap(mine, { stackLo: mainStackLo, stackHi: mainStackHi, tlsLo: mainTlsLo, tlsHi: mainTlsHi })) return undefined;
  const main: [string, number, number][] = [['stack', mainStackLo, mainStackHi], ['TLS block', mainTlsLo, mainTlsHi]];
  for (const [what, lo, hi] of [['TLS block', tlsLo, tlsHi], ['stack', stackLo, stackHi]] as const) {
    for (const [mainWhat, mainLo, mainHi] of main) {
      if (overlaps(lo, hi, mainLo, mainHi)) {
        return { slot: 0, message: `${threadName(cb, self)}'s ${what} ${range(lo, hi)} overlaps the main thread's ${mainWhat} ${range(mainLo, mainHi)}` };
      }
    }
  }
  return undefined;
}

/** Compares slot `self`'s recorded blocks with the main thread's and every other live thread's. */
export function findOverlap(cb: ControlBlock, self: number, layout: StaticLayout): Overlap | undefined {
  const mine = readBlocks(cb, self);
  const fixed = staticOverlap(cb, self, mine, layout);
  if (fixed) return fixed;
  const inUse = cb.slotsInUse();
  for (let slot = 1; slot < inUse; slot++) {
    if (slot === self || !LIVE_STATES.has(cb.load(slot, SlotField.STATE))) continue;
    const other = readBlocks(cb, slot);
    // The message (and its allocations) only for an overlap.
    if (blocksOverlap(mine, other)) {
      return { slot, message: describeOverlap(cb, self, mine, slot, other) };
    }
  }
  return undefined;
}

/**
 * The isolation check of slot `self`'s recorded blocks: undefined if they are the thread's own, or
 * the message describing an overlap that held (see the header: an overlap with a thread that may be
 * past its last instruction is re-checked once that thread moved on, for up to OVERLAP_RECHECK_MS).
 * Throws ExitSignal if the program exits meanwhile.
 */
export function checkIsolation(cb: ControlBlock, self: number, layout: StaticLayout): string | undefined {
  let deadline: number | undefined;
  for (;;) {
    const hit = findOverlap(cb, self, layout);
    if (!hit || hit.slot === 0) return hit?.message;
    deadline ??= performance.now() + OVERLAP_RECHECK_MS;
    const left = deadline - performance.now();
    // Still overlapping a live thread once the window is over: it is real.
    if (left <= 0) return hit.message;
    const at = cb.at(hit.slot, SlotField.STATE);
    const state = Atomics.load(cb.words, at);
    if (LIVE_STATES.has(state) && waitWhile(cb.words, at, state, left) === 'exiting') throw new ExitSignal();
  }
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
