// The starter: how a pool worker of a wasi-threads module waits for its next thread and starts it,
// in wasm, so that nothing runs in JavaScript between the spawner's notify and the new thread's
// first instruction.
//
// A worker instantiates the starter once and, with each fresh instance of the guest it builds,
// puts that instance's `wasi_thread_start` into the starter's one-slot table while it is idle.
// Its `run(base)` then does what thread-worker.ts and tls.ts do in JavaScript for a wasi-threads
// thread: wait on the slot's STATE word until a spawner stores START, store RUNNING, read the start
// argument's stack pointer and TLS base (with the isolation check on and a trampoline that reads
// them, module-info.ts `StartArgLayout`), record the thread's blocks, compare them with the main
// thread's and every live thread's, and call the entry with the slot's TID and ARG. Whatever needs
// more — an overlap, which may be a block freed by a thread still returning to the host (tls.ts
// re-checks it, with waits and a message), or a start argument past the memory's length as this
// instance knows it — returns to JavaScript, which takes it from there with the blocks recorded.
// The blocks and the comparisons are tls.ts's own, restated in wasm (`blocksFromStartArg`,
// `findOverlap`, LIVE_SLOT_STATES); test/runtime/starter-module.test.ts checks that they agree.
// Measured against the same steps in JavaScript (benchmarks/runtime/spawn-latency.mjs, one run,
// Node 24): warm spawn to the thread's first instruction 13.0 → 11.1 µs, and 17.1 → 10.9 µs with
// the isolation check made (spawn-latency-libc.wat), against a raw futex hand-off of 10.0 µs.
//
// Node 20's V8 has no multi-memory, so the start argument is read by a second small module that
// imports the guest's memory (`startArgReaderBytes`), and the starter imports its function.

import { encodeS32, encodeU32 } from '../binary/leb.js';
import { I32_ALIGN_LOG2, Op } from '../binary/opcodes.js';
import { writeModule } from '../binary/write-module.js';
import { LimitsFlag } from '../binary/format.js';
import { ExternalKind, SectionId, ValTypeCode, type FuncType, type Import, type TypeIndex } from '../binary/types.js';
import { HEADER_WORDS, SLOT_WORDS, SlotField, SlotState, Word } from './control-block.js';
import { WAIT_SLICE_MS } from './futex.js';
import { atomicOp, hostNameSection, i32Const, loadWord, sharedMemoryImport } from './host-wrappers.js';
import { CONTROL_MEMORY_IMPORT, GUEST_MEMORY_IMPORT, START_ARG_READ, StartResult, STARTER_RUN, STARTER_START, STARTER_TABLE, WRAPPED_MODULE } from './host-module-names.js';
import { THREAD_ENTRY_TYPE } from './import-types.js';
import { LIVE_SLOT_STATES, STACK_FLOOR, type StaticLayout } from './tls.js';
import type { StartArgLayout } from './module-info.js';

/** What the start-argument reader's `read(arg)` returns first (then the stack pointer and TLS base). */
const ReadStatus = { NO_ARGUMENT: 0, FOUND: 1, PAST_MEMORY: 2 } as const;

const at = { offset: 0, contentOffset: 0 };
const i32 = ValTypeCode.i32;
const READ_TYPE: FuncType = { params: [i32], results: [i32, i32, i32] };
const RUN_TYPE: FuncType = { params: [i32], results: [i32] };
const OVERLAP_TYPE: FuncType = { params: [i32, i32, i32, i32, i32, i32, i32, i32], results: [i32] };
const entryTable = { type: { elemType: ValTypeCode.funcref, limits: { flags: LimitsFlag.HAS_MAX, min: 1n, max: 1n } } };
const body = (bytes: number[]): { bytes: Uint8Array; offset: number; bytesOffset: number } => ({ bytes: Uint8Array.from(bytes), offset: 0, bytesOffset: 0 });
/** An i32 constant from a number that may be an unsigned 32-bit value. */
const u32Const = (v: number): number[] => i32Const(v | 0);

/**
 * The reader of a start argument laid out as `startArg` says: `read(arg) -> (status, sp, tls)`,
 * status a ReadStatus: NO_ARGUMENT for arg 0, PAST_MEMORY when the words lie past the memory's
 * length as this instance knows it (JavaScript then refreshes its view, tls.ts
 * `blocksFromStartArg`), else FOUND. Imports the guest's shared memory as `h`.`memory`.
 */
export function startArgReaderBytes(startArg: StartArgLayout): Uint8Array {
  const arg = 0;
  const end = Math.max(startArg.stackPointer, startArg.tlsBase ?? 0) + 4;
  const load = (offset: number): number[] => [Op.localGet, arg, Op.i32Load, 0, ...encodeU32(offset)];
  const read = [
    0,
    Op.block, Op.void, // $none
    Op.block, Op.void, // $past
    Op.localGet, arg, Op.i32Eqz, Op.brIf, 1,
    Op.localGet, arg, Op.i64ExtendI32U, Op.i64Const, ...encodeS32(end), Op.i64Add,
    Op.memorySize, 0, Op.i64ExtendI32U, Op.i64Const, 16, Op.i64Shl, Op.i64GtU, Op.brIf, 0,
    ...i32Const(ReadStatus.FOUND), ...load(startArg.stackPointer), ...(startArg.tlsBase === undefined ? i32Const(0) : load(startArg.tlsBase)), Op.return,
    Op.end, // $past
    ...i32Const(ReadStatus.PAST_MEMORY), ...i32Const(0), ...i32Const(0), Op.return,
    Op.end, // $none
    ...i32Const(ReadStatus.NO_ARGUMENT), ...i32Const(0), ...i32Const(0),
    Op.end,
  ];
  const memory: Import = sharedMemoryImport(GUEST_MEMORY_IMPORT, 0);
  return writeModule({
    version: 1,
    sections: [
      { id: SectionId.Type, types: [READ_TYPE], ...at },
      { id: SectionId.Import, imports: [memory], ...at },
      { id: SectionId.Function, functions: [0 as TypeIndex], ...at },
      { id: SectionId.Export, exports: [{ name: START_ARG_READ, kind: ExternalKind.Func, index: 0 }], ...at },
      { id: SectionId.Code, bodies: [body(read)], ...at },
      hostNameSection(),
    ],
  });
}

/**
 * `overlap(aStackLo, aStackHi, aTlsLo, aTlsHi, b…) -> i32`: whether any of a's two ranges overlaps
 * any of b's, unsigned, empty ranges overlapping nothing (tls.ts `blocksOverlap`).
 */
function overlapBody(): number[] {
  const ltU = (x: number, y: number): number[] => [Op.localGet, x, Op.localGet, y, Op.i32LtU];
  const ranges = (lo1: number, lo2: number): number[] => {
    const [hi1, hi2] = [lo1 + 1, lo2 + 1];
    return [...ltU(lo1, hi1), ...ltU(lo2, hi2), Op.i32And, ...ltU(lo1, hi2), Op.i32And, ...ltU(lo2, hi1), Op.i32And];
  };
  return [0, ...ranges(2, 6), ...ranges(2, 4), Op.i32Or, ...ranges(0, 6), Op.i32Or, ...ranges(0, 4), Op.i32Or, Op.end];
}

/** What the starter's isolation check compares: the module's static layout (its `startArg` set). */
export type StartCheck = Pick<StaticLayout, 'tlsSize' | 'mainStackLo' | 'mainStackHi' | 'mainTlsLo' | 'mainTlsHi'> & { startArg: StartArgLayout };

/**
 * The starter module. Exports: STARTER_TABLE, the one-slot table for the entry; STARTER_START,
 * `start(tid, arg)`, which calls the entry; STARTER_RUN, `run(base) -> StartResult`, the whole
 * wait-and-start described above, on the slot whose words begin at byte `base` of the control
 * memory (imported as `h`.`control`). Its waits are cut into WAIT_SLICE_MS slices that re-check
 * EXIT_STATE, as futex.ts's `waitWhile` does (an exit also notifies every slot's STATE word). With
 * `check`, it imports the start-argument reader's `read` as `h`.`read`.
 */
export function starterModuleBytes(check?: StartCheck): Uint8Array {
  const c = i32Const;
  const slotWord = (op: number, field: number): number[] => atomicOp(op, I32_ALIGN_LOG2, field * 4);
  // Type indices, in the type section's order.
  const [ENTRY_T, RUN_T, READ_T, OVERLAP_T] = [0, 1, 2, 3] as TypeIndex[];
  const imports: Import[] = [sharedMemoryImport(CONTROL_MEMORY_IMPORT, 1)];
  if (check) imports.push({ module: WRAPPED_MODULE, name: START_ARG_READ, desc: { kind: ExternalKind.Func, typeIndex: READ_T } });
  const read = 0;
  const [start, run, overlap] = check ? [1, 2, 3] : [0, 1, 2];
  // run's locals: the parameter, then these.
  const [base, state, tid, arg, status, stackLo, stackHi, tlsLo, tlsHi, other, end] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const mine = [Op.localGet, stackLo, Op.localGet, stackHi, Op.localGet, tlsLo, Op.localGet, tlsHi];
  const record = (field: number, local: number): number[] => [Op.localGet, base, Op.localGet, local, ...slotWord(Op.i32AtomicStore, field)];
  const otherWord = (field: number): number[] => [Op.localGet, other, ...slotWord(Op.i32AtomicLoad, field)];
  const isState = (s: number): number[] => [Op.localGet, state, ...c(s), Op.i32Eq];
  const hasTls = check !== undefined && check.startArg.tlsBase !== undefined && check.tlsSize > 0;
  const mainBlocks = check ? [check.mainStackLo, check.mainStackHi, check.mainTlsLo, check.mainTlsHi] : [];
  // Depths of `br` from the scan loop's inner `if`s: if (live) ⊂ if (not self) ⊂ loop ⊂ $js ⊂ $start.
  const isolation = !check ? [] : [
    Op.block, Op.void, // $js
    Op.localGet, arg, Op.call, read, Op.localSet, tlsLo, Op.localSet, stackHi, Op.localTee, status,
    Op.i32Eqz, Op.brIf, 1,
    Op.localGet, status, ...c(ReadStatus.FOUND), Op.i32Ne, Op.brIf, 0,
    // The STACK_FLOOR bytes below the stack top, and the TLS block (tls.ts `blocksFromStartArg`).
    Op.localGet, stackHi, ...c(STACK_FLOOR), Op.i32Sub, ...c(0), Op.localGet, stackHi, ...c(STACK_FLOOR), Op.i32GtU, Op.select, Op.localSet, stackLo,
    ...(hasTls ? [Op.localGet, tlsLo, ...u32Const(check.tlsSize), Op.i32Add, Op.localSet, tlsHi] : [...c(0), Op.localSet, tlsLo]),
    ...record(SlotField.STACK_LO, stackLo), ...record(SlotField.STACK_HI, stackHi), ...record(SlotField.TLS_LO, tlsLo), ...record(SlotField.TLS_HI, tlsHi),
    ...mine, ...mainBlocks.flatMap(u32Const), Op.call, overlap, Op.brIf, 0,
    // Every other slot in use whose thread may still run guest code (tls.ts LIVE_SLOT_STATES).
    ...c(HEADER_WORDS * 4), ...loadWord(Word.SLOTS_IN_USE), ...c(SLOT_WORDS * 4), Op.i32Mul, Op.i32Add, Op.localSet, end,
    ...c((HEADER_WORDS + SLOT_WORDS) * 4), Op.localSet, other,
    Op.loop, Op.void, // $scan
    Op.localGet, other, Op.localGet, end, Op.i32LtU, Op.i32Eqz, Op.brIf, 2,
    Op.localGet, other, Op.localGet, base, Op.i32Ne,
    Op.if, Op.void,
    ...otherWord(SlotField.STATE), Op.localSet, state,
    ...LIVE_SLOT_STATES.flatMap((s, i) => (i === 0 ? isState(s) : [...isState(s), Op.i32Or])),
    Op.if, Op.void,
    ...mine, ...otherWord(SlotField.STACK_LO), ...otherWord(SlotField.STACK_HI), ...otherWord(SlotField.TLS_LO), ...otherWord(SlotField.TLS_HI),
    Op.call, overlap, Op.brIf, 3,
    Op.end,
    Op.end,
    Op.localGet, other, ...c(SLOT_WORDS * 4), Op.i32Add, Op.localSet, other, Op.br, 0,
    Op.end, // $scan
    Op.end, // $js
    ...c(StartResult.CHECK_IN_JS), Op.return,
  ];
  const runBody = [
    1, 10, i32, // one group of 10 i32 locals: state … end
    Op.block, Op.void, // $exiting
    Op.loop, Op.void, // $wait
    ...loadWord(Word.EXIT_STATE), Op.brIf, 1,
    Op.localGet, base, ...slotWord(Op.i32AtomicLoad, SlotField.STATE), Op.localTee, state, ...c(SlotState.START), Op.i32Ne,
    Op.if, Op.void,
    Op.localGet, base, Op.localGet, state, Op.i64Const, ...encodeS32(WAIT_SLICE_MS * 1e6), ...slotWord(Op.memoryAtomicWait32, SlotField.STATE), Op.drop,
    Op.br, 1,
    Op.end,
    Op.end, // $wait
    Op.localGet, base, ...c(SlotState.RUNNING), ...slotWord(Op.i32AtomicStore, SlotField.STATE),
    Op.localGet, base, ...slotWord(Op.i32AtomicLoad, SlotField.TID), Op.localSet, tid,
    Op.localGet, base, ...slotWord(Op.i32AtomicLoad, SlotField.ARG), Op.localSet, arg,
    Op.block, Op.void, // $start
    ...isolation,
    Op.end, // $start
    Op.localGet, tid, Op.localGet, arg, ...c(0), Op.callIndirect, ENTRY_T, 0,
    ...c(StartResult.RETURNED), Op.return,
    Op.end, // $exiting
    ...c(StartResult.EXITING), Op.end,
  ];
  const bodies = [
    body([0, Op.localGet, 0, Op.localGet, 1, ...c(0), Op.callIndirect, ENTRY_T, 0, Op.end]),
    body(runBody),
    ...(check ? [body(overlapBody())] : []),
  ];
  return writeModule({
    version: 1,
    sections: [
      { id: SectionId.Type, types: [THREAD_ENTRY_TYPE, RUN_TYPE, READ_TYPE, OVERLAP_TYPE], ...at },
      { id: SectionId.Import, imports, ...at },
      { id: SectionId.Function, functions: [ENTRY_T, RUN_T, ...(check ? [OVERLAP_T] : [])], ...at },
      { id: SectionId.Table, tables: [entryTable], ...at },
      {
        id: SectionId.Export,
        exports: [
          { name: STARTER_START, kind: ExternalKind.Func, index: start },
          { name: STARTER_RUN, kind: ExternalKind.Func, index: run },
          { name: STARTER_TABLE, kind: ExternalKind.Table, index: 0 },
        ],
        ...at,
      },
      { id: SectionId.Code, bodies, ...at },
      hostNameSection(),
    ],
  });
}
