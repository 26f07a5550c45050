// The wrapper modules through which a thread's instance gets its host functions as wasm functions
// (src/runtime/host-wrappers.ts): what they pass and return, which imports they cover, and when
// the runtime does without them.

import t from 'tap';
import { writeModule } from '../../src/binary/write-module.js';
import { ExternalKind, SectionId, ValTypeCode, type FuncType, type Import, type TypeIndex, type WasmModule } from '../../src/binary/types.js';
import { CONTROL_MEMORY_IMPORT, HOST_MODULE_NAME, LAST_CALL_IMPORT, WRAPPED_MODULE } from '../../src/runtime/host-module-names.js';
import { ControlBlock, SlotField, SlotState, Word, type ControlBuffers } from '../../src/runtime/control-block.js';
import { claimThread, MAX_TID, startClaimed } from '../../src/runtime/pool.js';
import { importWrapperBytes, wrapperModuleBytes } from '../../src/runtime/host-wrappers.js';
import { wasmFrames } from '../../src/runtime/wasm-stack.js';
import { moduleInfoOf } from '../../src/runtime/module-info.js';

const { i32, i64, f64, externref } = ValTypeCode;
const at = { offset: 0, contentOffset: 0 };

/** A module with these types and imports and nothing else. */
function moduleWith(types: FuncType[], imports: Import[]): WasmModule {
  return { version: 1, sections: [{ id: SectionId.Type, types, ...at }, { id: SectionId.Import, imports, ...at }] };
}
const func = (module: string, name: string, typeIndex: number): Import => ({ module, name, desc: { kind: ExternalKind.Func, typeIndex: typeIndex as TypeIndex } });

t.test('a wrapper passes every argument and result through unchanged, exceptions too', async (t) => {
  const bytes = wrapperModuleBytes([
    { name: 'add', type: { params: [i32, i32], results: [i32] } },
    { name: 'wide', type: { params: [i64, f64], results: [i64] } },
    { name: 'pair', type: { params: [externref], results: [i32, externref] } },
    { name: 'none', type: { params: [], results: [] } },
    { name: 'fail', type: { params: [], results: [] } },
  ]);
  t.ok(WebAssembly.validate(bytes), 'valid');
  const seen: unknown[][] = [];
  const host = {
    add: (a: number, b: number) => (seen.push([a, b]), a + b),
    wide: (a: bigint, b: number) => (seen.push([a, b]), a * 2n),
    pair: (x: unknown) => [7, x],
    none: () => void seen.push([]),
    fail: () => {
      throw new Error('from the host');
    },
  };
  const e = new WebAssembly.Instance(new WebAssembly.Module(bytes), { [WRAPPED_MODULE]: host }).exports as Record<string, (...a: unknown[]) => unknown>;
  t.equal(e.add(2, 3), 5);
  t.equal(e.add(-1, 0x7fffffff), 0x7ffffffe, 'i32 results wrap as in wasm');
  t.equal(e.wide(-(2n ** 62n), 0.5), -(2n ** 63n), 'i64 arrives as a BigInt and goes back as one');
  const obj = { any: 'object' };
  t.same(e.pair(obj), [7, obj], 'externref and two results');
  t.equal(e.none(), undefined);
  t.same(seen, [[2, 3], [-1, 0x7fffffff], [-(2n ** 62n), 0.5], []]);
  t.notSame(e.add, host.add, 'the export is a wasm function, not the JS one');
  const err = (() => {
    try {
      e.fail();
    } catch (x) {
      return x as Error;
    }
  })();
  t.equal(err?.message, 'from the host', 'a host exception goes through');
  t.match(err?.stack, `wasm://wasm/${HOST_MODULE_NAME}-`, 'the wrapper frame names the module');
  t.same(wasmFrames(err?.stack ?? '', undefined), [], 'and is left out of the wasm stack a user sees');
});

t.test('a guest module gets one wrapper per function import, named by its import index', async (t) => {
  const types: FuncType[] = [{ params: [i32], results: [] }, { params: [i64, i32], results: [i64] }];
  const mod = moduleWith(types, [
    func('wasi_snapshot_preview1', 'proc_exit', 0),
    { module: 'env', name: 'memory', desc: { kind: ExternalKind.Memory, memory: { limits: { flags: 3, min: 1n, max: 1n } } } },
    func('wasi', 'thread-spawn', 1),
  ]);
  const bytes = importWrapperBytes(mod);
  if (!bytes) return t.fail('no wrappers');
  const m = new WebAssembly.Module(bytes);
  t.same(WebAssembly.Module.imports(m), [{ module: WRAPPED_MODULE, name: '0', kind: 'function' }, { module: WRAPPED_MODULE, name: '2', kind: 'function' }]);
  t.same(WebAssembly.Module.exports(m), [{ name: '0', kind: 'function' }, { name: '2', kind: 'function' }]);
  const e = new WebAssembly.Instance(m, { [WRAPPED_MODULE]: { 0: () => {}, 2: (a: bigint, b: number) => a + BigInt(b) } }).exports as Record<string, (...a: unknown[]) => unknown>;
  t.equal(e['2'](40n, 2), 42n, 'each with its import\'s type');
  // And the guest links against them: the guest's import types are the wrappers' types.
  const guest = writeModule({
    version: 1,
    sections: [
      { id: SectionId.Type, types, ...at },
      { id: SectionId.Import, imports: [func('wasi_snapshot_preview1', 'proc_exit', 0), func('wasi', 'thread-spawn', 1)], ...at },
    ],
  });
  t.doesNotThrow(() => new WebAssembly.Instance(new WebAssembly.Module(guest), { wasi_snapshot_preview1: { proc_exit: e['0'] }, wasi: { 'thread-spawn': e['2'] } }));
  t.throws(() => new WebAssembly.Instance(new WebAssembly.Module(guest), { wasi_snapshot_preview1: { proc_exit: e['2'] }, wasi: { 'thread-spawn': e['0'] } }), WebAssembly.LinkError, 'types are checked as for any wasm import');
});

t.test('no wrappers where they could not stand in for every function import', async (t) => {
  const v: FuncType = { params: [], results: [] };
  t.equal(importWrapperBytes(moduleWith([v], [])), undefined, 'no imports');
  t.equal(importWrapperBytes(moduleWith([v], [{ module: 'env', name: 'memory', desc: { kind: ExternalKind.Memory, memory: { limits: { flags: 0, min: 1n } } } }])), undefined, 'no function import');
  t.equal(importWrapperBytes(moduleWith([v], [func('m', 'f', 0), func('m', 'f', 0)])), undefined, 'the same module and name twice');
  const typedRef = { nullable: true, heap: 0, heapIsIndex: true };
  t.equal(importWrapperBytes(moduleWith([{ params: [typedRef], results: [] }], [func('m', 'f', 0)])), undefined, 'a type naming another type');
  t.equal(importWrapperBytes(moduleWith([{ params: Array<number>(128).fill(i32), results: [] }], [func('m', 'f', 0)])), undefined, '128 parameters');
  const raw: WasmModule = { version: 1, sections: [{ id: SectionId.Type, types: [], raw: new Uint8Array([0]), ...at }, { id: SectionId.Import, imports: [func('m', 'f', 0)], ...at }] };
  t.equal(importWrapperBytes(raw), undefined, 'a type section kept raw');
  t.ok(importWrapperBytes(moduleWith([{ params: Array<number>(127).fill(i32), results: [] }], [func('m', 'f', 0)])), '127 parameters are fine');
});

/** The spawn wrapper of `abi` over `buffers`' control memory; `slow` is the JavaScript spawn it falls back to. */
function spawnWrapper(abi: 'wasi-threads' | 'host-managed', buffers: ControlBuffers, slow: (...a: number[]) => number): (...a: number[]) => number {
  const type: FuncType = { params: abi === 'host-managed' ? [i32, i32] : [i32], results: [i32] };
  const bytes = wrapperModuleBytes([{ name: '0', type, spawn: abi }]);
  const e = new WebAssembly.Instance(new WebAssembly.Module(bytes), { [WRAPPED_MODULE]: { 0: slow, [CONTROL_MEMORY_IMPORT]: buffers.controlMemory } }).exports;
  return e['0'] as (...a: number[]) => number;
}

/** A deterministic pseudo-random source (xorshift32). */
function random(seed: number): (n: number) => number {
  let x = seed || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

t.test('the spawn wrapper claims a pool slot word for word as claimThread + startClaimed do, and falls back where they would wait or refuse', async (t) => {
  const { IDLE, BOOTING, RUNNING, RETIRED, EMPTY, CLAIMED } = SlotState;
  const states = [IDLE, IDLE, IDLE, BOOTING, RUNNING, RETIRED, EMPTY, CLAIMED];
  let fast = 0;
  let fallbacks = 0;
  for (let seed = 1; seed <= 400; seed++) {
    const r = random(seed);
    const maxThreads = 1 + r(8);
    const poolTarget = r(6);
    const budget = r(5) === 0 ? 64 : 0;
    const wasm = ControlBlock.allocate(maxThreads, poolTarget, budget);
    const js = ControlBlock.allocate(maxThreads, poolTarget, budget);
    const w = new ControlBlock(wasm);
    const inUse = 1 + r(maxThreads + 1);
    for (let slot = 1; slot < inUse; slot++) w.store(slot, SlotField.STATE, states[r(states.length)]);
    w.words[Word.SLOTS_IN_USE] = inUse;
    w.words[Word.POOL_IDLE] = r(4);
    w.words[Word.RECYCLING] = r(3);
    w.words[Word.BOOTING] = r(3);
    w.words[Word.LIVE_THREADS] = r(maxThreads + 2);
    w.words[Word.NEXT_TID] = r(4) === 0 ? MAX_TID - r(2) : 1 + r(100);
    const before = Int32Array.from(w.words);
    new Int32Array(js.control).set(before);
    const abi = r(2) === 0 ? 'wasi-threads' : 'host-managed';
    const [func, arg] = [r(50), 1000 + r(1000)];
    let slowCalls = 0;
    const spawn = spawnWrapper(abi, wasm, (...a) => (slowCalls++, t.same(a, abi === 'host-managed' ? [func, arg] : [arg], 'the host gets the arguments'), -99));
    const got = abi === 'host-managed' ? spawn(func, arg) : spawn(arg);
    const hasIdle = Array.from({ length: inUse - 1 }, (_, k) => before[w.at(k + 1, SlotField.STATE)] === IDLE).some(Boolean);
    const refused = budget !== 0 || before[Word.LIVE_THREADS] >= maxThreads || !hasIdle;
    if (refused) {
      fallbacks++;
      t.equal(got, -99, `seed ${seed}: the JavaScript spawn decides`);
      t.equal(slowCalls, 1);
      t.same(Array.from(w.words), Array.from(before), `seed ${seed}: nothing changed before the fallback`);
      continue;
    }
    fast++;
    t.equal(slowCalls, 0, `seed ${seed}: no host call`);
    const jcb = new ControlBlock(js);
    const claimed = claimThread(jcb, { arg, func: abi === 'host-managed' ? func : 0 });
    if (typeof claimed !== 'number') startClaimed(jcb, claimed.slot);
    t.equal(got, typeof claimed === 'number' ? claimed : claimed.tid, `seed ${seed}: the same result`);
    t.same(Array.from(w.words), Array.from(jcb.words), `seed ${seed}: the same words`);
  }
  t.ok(fast > 100 && fallbacks > 100, `both paths taken (${fast} in wasm, ${fallbacks} fallbacks)`);
});

t.test('a wrapper that records calls stores its id at the lastCall address before calling', async (t) => {
  const buffers = ControlBlock.allocate(2, 1);
  const cb = new ControlBlock(buffers);
  const at = cb.at(1, SlotField.LAST_CALL);
  const bytes = wrapperModuleBytes([{ name: '0', type: { params: [i32], results: [i32] }, recordCall: 7 }]);
  let seen = -1;
  const e = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    [WRAPPED_MODULE]: {
      0: (x: number) => ((seen = cb.words[at]), x + 1),
      [CONTROL_MEMORY_IMPORT]: buffers.controlMemory,
      [LAST_CALL_IMPORT]: new WebAssembly.Global({ value: 'i32', mutable: false }, at * 4),
    },
  }).exports;
  t.equal((e['0'] as (x: number) => number)(41), 42);
  t.equal(seen, 7, 'recorded before the host function ran');
});

t.test('module-info says whether wasi_thread_start has the type the starter calls', async (t) => {
  // Modules that are only decoded here, not compiled: the bodies need not match their types.
  const withEntry = (type: FuncType, name = 'wasi_thread_start'): WasmModule => ({
    version: 1,
    sections: [
      { id: SectionId.Type, types: [type], ...at },
      { id: SectionId.Function, functions: [0 as TypeIndex], ...at },
      { id: SectionId.Export, exports: [{ name, kind: ExternalKind.Func, index: 0 }], ...at },
      { id: SectionId.Code, bodies: [{ bytes: Uint8Array.of(0, 0x0b), offset: 0, bytesOffset: 0 }], ...at },
    ],
  });
  t.equal(moduleInfoOf(withEntry({ params: [i32, i32], results: [] }), 'm.wasm').threadEntryTyped, true, '(i32, i32) -> ()');
  t.equal(moduleInfoOf(withEntry({ params: [i32], results: [] }), 'm.wasm').threadEntryTyped, false, '(i32) -> ()');
  t.equal(moduleInfoOf(withEntry({ params: [i32, i64], results: [] }), 'm.wasm').threadEntryTyped, false, '(i32, i64) -> ()');
  t.equal(moduleInfoOf(withEntry({ params: [i32, i32], results: [i32] }), 'm.wasm').threadEntryTyped, false, '(i32, i32) -> i32');
  t.equal(moduleInfoOf(withEntry({ params: [i32, i32], results: [] }, 'other'), 'm.wasm').threadEntryTyped, false, 'not exported as wasi_thread_start');
});
