// The wrapper modules through which a thread's instance gets its host functions as wasm functions
// (src/runtime/host-wrappers.ts): what they pass and return, which imports they cover, and when
// the runtime does without them.

import t from 'tap';
import { writeModule } from '../../src/binary/write-module.js';
import { ExternalKind, SectionId, ValTypeCode, type FuncType, type Import, type TypeIndex, type WasmModule } from '../../src/binary/types.js';
import { HOST_MODULE_NAME, WRAPPED_MODULE } from '../../src/runtime/host-module-names.js';
import { importWrapperBytes, wrapperModuleBytes } from '../../src/runtime/host-wrappers.js';
import { wasmFrames } from '../../src/runtime/wasm-stack.js';

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
