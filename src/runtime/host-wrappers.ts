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

import { registerType } from '../binary/func-types.js';
import { encodeU32 } from '../binary/leb.js';
import { Op } from '../binary/opcodes.js';
import { writeModule } from '../binary/write-module.js';
import { ExternalKind, findSection, SectionId, type FuncType, type TypeIndex, type WasmModule } from '../binary/types.js';
import { HOST_MODULE_NAME, WRAPPED_MODULE } from './host-module-names.js';

/**
 * A module that imports `h`.`name` for each entry and exports, under the same name, a wasm function
 * of the same type that passes its arguments to that import and returns what it returns.
 */
export function wrapperModuleBytes(entries: readonly { name: string; type: FuncType }[]): Uint8Array {
  const ctx = { types: [] as FuncType[], typeIndices: new Map<string, number>() };
  const typeOf = (t: FuncType): TypeIndex => registerType(ctx, t) as TypeIndex;
  const at = { offset: 0, contentOffset: 0 };
  const n = entries.length;
  return writeModule({
    version: 1,
    sections: [
      { id: SectionId.Type, types: ctx.types, ...at },
      { id: SectionId.Import, imports: entries.map((e) => ({ module: WRAPPED_MODULE, name: e.name, desc: { kind: ExternalKind.Func, typeIndex: typeOf(e.type) } })), ...at },
      { id: SectionId.Function, functions: entries.map((e) => typeOf(e.type)), ...at },
      { id: SectionId.Export, exports: entries.map((e, k) => ({ name: e.name, kind: ExternalKind.Func, index: n + k })), ...at },
      {
        id: SectionId.Code,
        bodies: entries.map((e, k) => {
          // No locals; local.get each parameter (fewer than 128 of them, as checked), call import k.
          const body = [0, ...e.type.params.flatMap((_, i) => [Op.localGet, i]), Op.call, ...encodeU32(k), Op.end];
          return { bytes: Uint8Array.from(body), offset: 0, bytesOffset: 0 };
        }),
        ...at,
      },
      { id: SectionId.Custom, name: 'name', custom: 'name', subsections: [{ type: 0, moduleName: HOST_MODULE_NAME }], ...at },
    ],
  });
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
export function importWrapperBytes(mod: WasmModule): Uint8Array | undefined {
  const imports = findSection(mod, SectionId.Import)?.imports ?? [];
  const typeSection = findSection(mod, SectionId.Type);
  const entries: { name: string; type: FuncType }[] = [];
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
    entries.push({ name: String(i), type });
  }
  return entries.length > 0 ? wrapperModuleBytes(entries) : undefined;
}
