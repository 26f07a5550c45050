// Host functions reach a thread's instance as wasm functions, not as JavaScript functions.
//
// V8 links a JavaScript function into an instance through per-instance import data and a
// wasm-to-JS wrapper; a wasm function exported by another instance is linked as a plain call
// target. Each thread gets a fresh instance, so that per-import cost is paid at every spawn: with 20
// JavaScript imports, instantiating a small module took 14-18 µs of CPU on Node 20-26, against
// 9-11 µs when the same 20 imports were wasm functions (benchmarks/runtime/instantiate.mjs).
// So each worker instantiates, once, a small wrapper module whose export N is a wasm function with
// import N's type that calls the JavaScript function given for it, and every instance the worker
// builds imports those exports instead. A host call costs one more wasm-to-wasm call. The futex
// hooks, set into a table of each instance, go through the same kind of module: a table entry that
// is a JavaScript function carries the same per-instance cost.
//
// The wrapper modules name themselves HOST_MODULE_NAME, so their frames can be left out of the wasm
// stacks users see (wasm-stack.ts).

import { registerType, typeKey } from '../binary/func-types.js';
import { encodeS32, encodeU32 } from '../binary/leb.js';
import { I32_ALIGN_LOG2, Op } from '../binary/opcodes.js';
import { writeModule } from '../binary/write-module.js';
import { LimitsFlag } from '../binary/format.js';
import { ExternalKind, findSection, SectionId, ValTypeCode, type FuncType, type Import, type Section, type TypeIndex, type WasmModule } from '../binary/types.js';
import { HEADER_WORDS, SLOT_WORDS, SlotField, SlotState, Word } from './control-block.js';
import { CONTROL_MEMORY_IMPORT, HOST_MODULE_NAME, LAST_CALL_IMPORT, WRAPPED_MODULE } from './host-module-names.js';
import { MAX_TID, SPAWN_EAGAIN } from './pool.js';
import { HOST_MANAGED_MODULE, HOST_MANAGED_SPAWN, WASI_THREAD_SPAWN, WASI_THREADS_MODULE } from '../shared/thread-abi-names.js';
import { hostFunctionType } from './import-types.js';

/** The name section that names a module of wasmthreads' own HOST_MODULE_NAME (wasm-stack.ts leaves its frames out). */
export function hostNameSection(): Section {
  return { id: SectionId.Custom, name: 'name', custom: 'name', subsections: [{ type: 0, moduleName: HOST_MODULE_NAME }], offset: 0, contentOffset: 0 };
}

/** `i32.const v`. */
export const i32Const = (v: number): number[] => [Op.i32Const, ...encodeS32(v)];

/** A 0xFE-prefixed (atomic) instruction with its memarg: alignment `align` (log2), offset `offset`. */
export const atomicOp = (op: number, align = I32_ALIGN_LOG2, offset = 0): number[] => [Op.atomicPrefix, op, align, ...encodeU32(offset)];

/** Atomic load of control-block header word `word` (the control memory is memory 0). */
export const loadWord = (word: number): number[] => [...i32Const(word * 4), ...atomicOp(Op.i32AtomicLoad)];

/** Atomic read-modify-write `op` of header word `word` with the i32 `value` pushes; result dropped. */
export const rmwWord = (op: number, word: number, value: number[]): number[] => [...i32Const(word * 4), ...value, ...atomicOp(op), Op.drop];

/** Import of a shared memory of at least `min` pages: any wasm32 shared memory that large matches it. */
export function sharedMemoryImport(name: string, min: number): Import {
  return { module: WRAPPED_MODULE, name, desc: { kind: ExternalKind.Memory, memory: { limits: { flags: LimitsFlag.HAS_MAX | LimitsFlag.SHARED, min: BigInt(min), max: 65536n } } } };
}

/** What a wrapper does besides passing its arguments to the host function it wraps. */
export interface WrapperEntry {
  name: string;
  type: FuncType;
  /** Before the call, store `id` into the control word at the `lastCall` global (deadlock report). */
  recordCall?: number;
  /** This import is the ABI's thread spawn: claim a pool slot in wasm (spawnBody), the host call being the slow path. */
  spawn?: 'wasi-threads' | 'host-managed';
}

/**
 * A module that imports `h`.`name` for each entry and exports, under the same name, a wasm function
 * of the same type that passes its arguments to that import and returns what it returns. Entries
 * that record calls or spawn also import the control block's memory (`h`.`control`) and, for
 * recording, the byte address of the slot's LAST_CALL word (`h`.`lastCall`, an i32 global).
 */
export function wrapperModuleBytes(entries: readonly WrapperEntry[]): Uint8Array {
  const ctx = { types: [] as FuncType[], typeIndices: new Map<string, number>() };
  const typeOf = (t: FuncType): TypeIndex => registerType(ctx, t) as TypeIndex;
  const at = { offset: 0, contentOffset: 0 };
  const n = entries.length;
  const needsControl = entries.some((e) => e.recordCall !== undefined || e.spawn);
  const needsLastCall = entries.some((e) => e.recordCall !== undefined);
  const imports: Import[] = entries.map((e) => ({ module: WRAPPED_MODULE, name: e.name, desc: { kind: ExternalKind.Func, typeIndex: typeOf(e.type) } }));
  if (needsControl) imports.push(sharedMemoryImport(CONTROL_MEMORY_IMPORT, 1));
  if (needsLastCall) imports.push({ module: WRAPPED_MODULE, name: LAST_CALL_IMPORT, desc: { kind: ExternalKind.Global, global: { valType: ValTypeCode.i32, mutable: false } } });
  return writeModule({
    version: 1,
    sections: [
      { id: SectionId.Type, types: ctx.types, ...at },
      { id: SectionId.Import, imports, ...at },
      { id: SectionId.Function, functions: entries.map((e) => typeOf(e.type)), ...at },
      { id: SectionId.Export, exports: entries.map((e, k) => ({ name: e.name, kind: ExternalKind.Func, index: n + k })), ...at },
      {
        id: SectionId.Code,
        bodies: entries.map((e, k) => {
          // Fewer than 128 parameters (checked), so each local index is one byte.
          const forward = [...e.type.params.flatMap((_, i) => [Op.localGet, i]), Op.call, ...encodeU32(k)];
          const record = e.recordCall === undefined ? [] : [Op.globalGet, 0, ...i32Const(e.recordCall), Op.i32Store, I32_ALIGN_LOG2, 0];
          const body = e.spawn ? [...spawnLocals, ...record, ...spawnBody(e.spawn === 'host-managed', forward)] : [0, ...record, ...forward, Op.end];
          return { bytes: Uint8Array.from(body), offset: 0, bytesOffset: 0 };
        }),
        ...at,
      },
      hostNameSection(),
    ],
  });
}

/** The spawn wrapper's locals after its parameters: one group of 4 i32s (slot, n, base, tid). */
const spawnLocals = [1, 4, ValTypeCode.i32];

/**
 * The body of the spawn wrapper: pool.ts's `claimThread` + `startClaimed` in wasm, on the control
 * block's words, for the case that needs nothing else: no memory budget (which reads the process's
 * RSS), room under MAX_THREADS, an IDLE slot to claim and a thread id left. Anything else undoes
 * what it did and makes the host call (`forward`), which does the whole spawn in JavaScript
 * (waiting for a worker, warnings, EAGAIN). Same words, same order of effects as pool.ts: a wasm
 * spawn and a JavaScript spawn may race each other. A spawn costs one futex hand-off and no
 * wasm-to-JavaScript call: about 1.8 µs less from spawn to the new thread running on Node 20
 * (benchmarks/runtime/spawn-latency.mjs with --no-deadlock-check: 14.2 → 12.5 µs).
 * Parameters: (arg) for wasi-threads, (func, arg) for host-managed.
 */
function spawnBody(withFunc: boolean, forward: number[]): number[] {
  const argLocal = withFunc ? 1 : 0;
  const [slot, n, base, tid] = withFunc ? [2, 3, 4, 5] : [1, 2, 3, 4];
  const c = i32Const;
  const a = (op: number, offset = 0): number[] => atomicOp(op, I32_ALIGN_LOG2, offset);
  const word = (w: number): number[] => c(w * 4);
  const load = loadWord;
  const rmw = (op: number, w: number, v: number): number[] => rmwWord(op, w, c(v));
  const notifyAll = (addr: number[]): number[] => [...addr, ...c(-1), ...a(Op.memoryAtomicNotify), Op.drop];
  const field = (f: number, value: number[]): number[] => [Op.localGet, base, ...value, ...a(Op.i32AtomicStore, f * 4)];
  const slow = 3; // br depth of $slow from inside `if` ⊂ `loop` ⊂ `block $found`
  return [
    Op.block, Op.void, // $slow
    ...load(Word.MEMORY_BUDGET_MB), Op.brIf, 0,
    // live = LIVE_THREADS++; live >= MAX_THREADS → undo, slow
    ...word(Word.LIVE_THREADS), ...c(1), ...a(Op.i32AtomicRmwAdd), ...load(Word.MAX_THREADS), Op.i32GeS,
    Op.if, Op.void, ...rmw(Op.i32AtomicRmwSub, Word.LIVE_THREADS, 1), Op.br, 1, Op.end,
    // CAS the first IDLE slot in [1, SLOTS_IN_USE) to CLAIMED; none → undo, slow
    ...load(Word.SLOTS_IN_USE), Op.localSet, n,
    ...c(1), Op.localSet, slot,
    Op.block, Op.void, // $found
    Op.loop, Op.void, // $scan
    Op.localGet, slot, Op.localGet, n, Op.i32GeS,
    Op.if, Op.void, ...rmw(Op.i32AtomicRmwSub, Word.LIVE_THREADS, 1), Op.br, slow, Op.end,
    Op.localGet, slot, ...c(SLOT_WORDS * 4), Op.i32Mul, ...c(HEADER_WORDS * 4), Op.i32Add, Op.localTee, base,
    ...a(Op.i32AtomicLoad, SlotField.STATE * 4), ...c(SlotState.IDLE), Op.i32Eq,
    Op.if, Op.void,
    Op.localGet, base, ...c(SlotState.IDLE), ...c(SlotState.CLAIMED), ...a(Op.i32AtomicRmwCmpxchg, SlotField.STATE * 4), ...c(SlotState.IDLE), Op.i32Eq,
    Op.brIf, 2,
    Op.end,
    Op.localGet, slot, ...c(1), Op.i32Add, Op.localSet, slot, Op.br, 0,
    Op.end, // $scan
    Op.end, // $found
    ...rmw(Op.i32AtomicRmwSub, Word.POOL_IDLE, 1),
    // tid = NEXT_TID++; past MAX_TID (or wrapped): give the slot back, EAGAIN
    ...word(Word.NEXT_TID), ...c(1), ...a(Op.i32AtomicRmwAdd), Op.localTee, tid, ...c(MAX_TID), Op.i32GtU,
    Op.if, Op.void,
    ...field(SlotField.STATE, c(SlotState.IDLE)), ...rmw(Op.i32AtomicRmwAdd, Word.POOL_IDLE, 1), ...notifyAll(word(Word.POOL_IDLE)),
    ...rmw(Op.i32AtomicRmwSub, Word.LIVE_THREADS, 1), ...c(SPAWN_EAGAIN), Op.return,
    Op.end,
    ...field(SlotField.TID, [Op.localGet, tid]),
    ...field(SlotField.ARG, [Op.localGet, argLocal]),
    ...field(SlotField.FUNC, withFunc ? [Op.localGet, 0] : c(0)),
    ...field(SlotField.DETACHED, c(0)),
    ...field(SlotField.STATE, c(SlotState.START)), ...notifyAll([Op.localGet, base]),
    // startClaimed: wake the supervisor if no worker boots and fewer than half the pool are coming
    ...load(Word.BOOTING), Op.i32Eqz,
    Op.if, Op.void,
    ...load(Word.POOL_IDLE), ...load(Word.RECYCLING), Op.i32Add, ...load(Word.BOOTING), Op.i32Add, ...c(1), Op.i32Shl, ...load(Word.POOL_TARGET), Op.i32LtS,
    Op.if, Op.void, ...rmw(Op.i32AtomicRmwAdd, Word.REFILL, 1), ...notifyAll(word(Word.REFILL)), Op.end,
    Op.end,
    Op.localGet, tid, Op.return,
    Op.end, // $slow
    ...forward,
    Op.end,
  ];
}

/** What the wrappers of a guest's imports do beyond passing calls on (see `WrapperEntry`). */
export interface ImportWrapperOptions {
  /** Record each call's import index + 1 in the slot's LAST_CALL word (the deadlock report's "last host call"). */
  recordCalls: boolean;
  /** The thread ABI whose spawn import claims its pool slot in wasm; undefined: spawn in JavaScript. */
  spawn?: 'wasi-threads' | 'host-managed';
}

/** Whether import (module, name) of type `type` is `abi`'s spawn with the type the host gives it. */
function isSpawnImport(abi: ImportWrapperOptions['spawn'], module: string, name: string, type: FuncType): boolean {
  const spawn = abi === 'wasi-threads' ? [WASI_THREADS_MODULE, WASI_THREAD_SPAWN] : abi === 'host-managed' ? [HOST_MANAGED_MODULE, HOST_MANAGED_SPAWN] : undefined;
  if (!spawn || module !== spawn[0] || name !== spawn[1]) return false;
  const want = hostFunctionType(module, name);
  return want !== undefined && typeKey(want) === typeKey(type);
}

/**
 * The wrapper module for a guest's function imports: import number i (its position among all the
 * module's imports, as `WebAssembly.Module.imports` lists them) is wrapped under the name `${i}`.
 * Undefined when there is nothing to gain or the imports cannot all be wrapped faithfully: no
 * function import, a type section this reader keeps raw, a type that names another type (a typed
 * function reference; it would need the guest's whole type section), 128 parameters or more, or
 * two function imports with the same module and name (one import object field cannot hold two
 * wrappers).
 */
export function importWrapperBytes(mod: WasmModule, options: ImportWrapperOptions = { recordCalls: false }): Uint8Array | undefined {
  const imports = findSection(mod, SectionId.Import)?.imports ?? [];
  const typeSection = findSection(mod, SectionId.Type);
  const entries: WrapperEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < imports.length; i++) {
    const { module, name, desc } = imports[i];
    if (desc.kind !== ExternalKind.Func) continue;
    if (!typeSection || typeSection.raw) return undefined;
    const type = typeSection.types[desc.typeIndex];
    if (!type || type.params.length >= 128) return undefined;
    if ([...type.params, ...type.results].some((t) => typeof t !== 'number' && t.heapIsIndex)) return undefined;
    const key = JSON.stringify([module, name]);
    if (seen.has(key)) return undefined;
    seen.add(key);
    entries.push({
      name: String(i), type,
      recordCall: options.recordCalls ? i + 1 : undefined,
      spawn: isSpawnImport(options.spawn, module, name, type) ? options.spawn : undefined,
    });
  }
  return entries.length > 0 ? wrapperModuleBytes(entries) : undefined;
}
