// `__wasm_init_memory`, the start function that initialises passive segments (lld Writer.cpp
// createInitMemoryFunction).
//
// With shared memory every instance runs it, so the first one must initialise memory exactly once
// while the others wait: a cmpxchg on `__wasm_init_memory_flag` from 0 to 1 elects the
// initialiser; it copies every segment with `memory.init` (pointing `__tls_base` at the static
// `.tdata` copy for the first thread), zero-fills `.bss` with `memory.fill`, stores 2 and wakes
// all waiters; losers sleep while the flag is 1. Finally every instance drops its passive
// segments except `.tdata`, which `__wasm_init_tls` still needs for new threads. Without shared
// memory (imported memory, bulk-memory) there is no flag: the body only clears `.bss`.

import { ByteWriter } from '../../binary/byte-writer.js';
import type { OutputSegment } from '../symbols.js';
import { I32_ALIGN_LOG2, Op } from '../../binary/opcodes.js';

export interface InitMemoryPlan {
  /** Segments initialised here, in output order. */
  segments: OutputSegment[];
  /** Address of `__wasm_init_memory_flag` (shared memory only). */
  flag: number | undefined;
  /** Output index of the mutable `__tls_base` global, when a `.tdata` segment exists. */
  tlsBaseGlobal: number | undefined;
}

const FLAG_UNINITIALISED = 0;
const FLAG_INITIALISING = 1;
const FLAG_DONE = 2;
const WAKE_ALL = -1;
const WAIT_FOREVER = -1n;

function atomic(w: ByteWriter, op: number): void {
  w.u8(Op.atomicPrefix);
  w.u32(op);
  w.u32(I32_ALIGN_LOG2);
  w.u32(0);
}

function i32(w: ByteWriter, v: number): void {
  w.u8(Op.i32Const);
  w.s32(v | 0);
}

function bulk(w: ByteWriter, op: number, ...imm: number[]): void {
  w.u8(Op.bulkPrefix);
  w.u32(op);
  for (const x of imm) w.u32(x);
}

function initSegment(w: ByteWriter, seg: OutputSegment, tlsBaseGlobal: number | undefined): void {
  i32(w, seg.startVA);
  if (seg.isTLS && tlsBaseGlobal !== undefined) {
    i32(w, seg.startVA);
    w.u8(Op.globalSet);
    w.u32(tlsBaseGlobal);
  }
  if (seg.index < 0) {
    // Not in the binary (.bss): zero it.
    i32(w, 0);
    i32(w, seg.size);
    bulk(w, Op.memoryFill, 0);
  } else {
    i32(w, 0);
    i32(w, seg.size);
    bulk(w, Op.memoryInit, seg.index, 0);
  }
}

export function initMemoryBody(plan: InitMemoryPlan): Uint8Array {
  const w = new ByteWriter(128);
  w.u32(0);
  const shared = plan.flag !== undefined;
  if (shared) {
    for (let i = 0; i < 3; i++) {
      w.u8(Op.block);
      w.u8(Op.void);
    }
    i32(w, plan.flag!);
    i32(w, FLAG_UNINITIALISED);
    i32(w, FLAG_INITIALISING);
    atomic(w, Op.i32AtomicRmwCmpxchg);
    // old value 0 → $init (we won), 1 → $wait, anything else (2) → $drop.
    w.u8(Op.brTable);
    w.u32(2);
    w.u32(0);
    w.u32(1);
    w.u32(2);
    w.u8(Op.end);
  }
  for (const seg of plan.segments) initSegment(w, seg, plan.tlsBaseGlobal);
  if (shared) {
    i32(w, plan.flag!);
    i32(w, FLAG_DONE);
    atomic(w, Op.i32AtomicStore);
    i32(w, plan.flag!);
    i32(w, WAKE_ALL);
    atomic(w, Op.memoryAtomicNotify);
    w.u8(Op.drop);
    w.u8(Op.br);
    w.u32(1);
    w.u8(Op.end);
    i32(w, plan.flag!);
    i32(w, FLAG_INITIALISING);
    w.u8(Op.i64Const);
    w.s64(WAIT_FOREVER);
    atomic(w, Op.memoryAtomicWait32);
    w.u8(Op.drop);
    w.u8(Op.end);
  }
  for (const seg of plan.segments) {
    if (seg.index >= 0 && !seg.isTLS) bulk(w, Op.dataDrop, seg.index);
  }
  w.u8(Op.end);
  return w.finish();
}
