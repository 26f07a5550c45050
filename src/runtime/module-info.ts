// What the runtime needs to know about a module before running it: the memory import (any module
// and name; limits and the shared flag come from the binary, since the JS API does not expose
// them), the thread ABI it expects, and the linker globals that describe its
// TLS and static data (`__tls_size`, `__tls_align`, `__heap_base`, `__data_end`), found by export
// name or through the `name` section's global names.

import { WasmthreadsError } from '../diagnostics.js';
import { evalConstExpr } from '../binary/const-expr.js';
import { bodyReader } from '../binary/instructions.js';
import { exports, functionBodies, functionType, importsOfKind, indexSpaceSizes, isRelocatable } from '../binary/module-info.js';
import { formatSignature, typeKey } from '../binary/func-types.js';
import { importTypeProblem, THREAD_ENTRY_TYPE } from './import-types.js';
import { WASI_THREAD_START } from '../shared/thread-abi-names.js';
import { ExternalKind, findCustom, findSection, SectionId, type FuncType, type WasmModule } from '../binary/types.js';
// One thread-ABI detector for inspect and run: the runtime goes by the import a module spawns
// threads through, and refuses an emscripten module with a hint.
import { detectThreadAbi } from '../inspect/thread-abi.js';
import type { ThreadAbiReport } from '../inspect/report.js';

export type ThreadAbi = 'wasi-threads' | 'host-managed' | 'none';

export interface MemoryImport {
  module: string;
  name: string;
  /** Pages. */
  initial: number;
  maximum?: number;
  shared: boolean;
}

export interface ModuleInfo {
  file: string;
  memoryImport?: MemoryImport;
  abi: ThreadAbi;
  /** Export name → external kind. */
  exports: Map<string, number>;
  /** Values of immutable i32 linker globals, by symbol name, where they can be found. */
  linkerGlobals: Map<string, number>;
  /** What the module's own code says about its threads' stacks and TLS (see `threadConventions`). */
  conventions: ThreadConventions;
  /** Why this looks like an emscripten module (which runs only under emscripten's own JS glue). */
  emscripten?: string[];
  /** A relocatable object (`clang -c` output, with a `linking` section): an input to a link, not a program. */
  relocatable: boolean;
  /** The type of the exported `_start` function, as `(i32) -> void`, when it is not `() -> void`. */
  badStartType?: string;
  /** Why the host's imports cannot be given as the module types them (import-types.ts). */
  badImports?: string;
  /** `wasi_thread_start` is an exported function of the ABI's type, `(i32, i32) -> ()`. */
  threadEntryTyped: boolean;
}

/**
 * Where a wasi-threads guest keeps a new thread's stack pointer and TLS base, read from its own
 * `wasi_thread_start`. wasi-libc's trampoline (also what Rust's std links for
 * wasm32-wasip1-threads) begins
 *   local.get 1; i32.load 0; global.set __stack_pointer; local.get 1; i32.load 4; global.set __tls_base
 * i.e. the start argument points at { stack pointer @0, TLS base @4 }. Only a module whose
 * trampoline is seen doing this gets its start argument read: another guest (Zig's std, a
 * hand-written runtime) may pass anything there, and garbage read as addresses would report
 * overlaps that do not exist.
 */
export interface StartArgLayout {
  /** Offset in the start argument of the new thread's stack pointer. */
  stackPointer: number;
  /** Offset of its TLS base, when the trampoline sets `__tls_base` too. */
  tlsBase?: number;
}

export interface ThreadConventions {
  startArg?: StartArgLayout;
  /** Initial value of `__stack_pointer`: the top of the main thread's stack. */
  mainStackTop?: number;
  /** Where the main thread's static TLS block lies: `__wasm_init_memory` (the start function)
   *  sets `__tls_base` to it with `i32.const X; global.set __tls_base` (wasm-ld, shared memory). */
  mainTlsBase?: number;
}

const NAME_SUBSECTION_GLOBAL = 7;
const LIMITS_SHARED = 2;
/** Names of the linker globals the runtime cares about. */
const LINKER_GLOBALS = ['__tls_size', '__tls_align', '__heap_base', '__data_end', '__stack_low', '__stack_high'];

/** How `run` starts threads: by the import the module spawns them through (inspect/thread-abi.ts). */
function runtimeAbi(report: ThreadAbiReport): ThreadAbi {
  return report.spawnImport === 'wasi' ? 'wasi-threads' : report.spawnImport === 'wasmthreads' ? 'host-managed' : 'none';
}

/** Global index by name: exports first, then the name section's global names. */
function globalIndices(mod: WasmModule): Map<string, number> {
  const byName = new Map<string, number>();
  const names = findCustom(mod, 'name')?.subsections.find((s) => s.type === NAME_SUBSECTION_GLOBAL)?.names;
  for (const [index, name] of names ?? []) byName.set(name, index);
  for (const e of exports(mod)) if (e.kind === ExternalKind.Global) byName.set(e.name, e.index);
  return byName;
}

/** The first instructions of a function body as (name, immediate) pairs, at most `limit`. */
function leadingInstructions(mod: WasmModule, func: number, limit: number): { name: string; index: number; offset: number; value: number }[] {
  const body = functionBodies(mod)[func - indexSpaceSizes(mod).importedFuncs];
  if (!body) return [];
  const out: { name: string; index: number; offset: number; value: number }[] = [];
  try {
    const r = bodyReader(body);
    while (out.length < limit && r.next()) out.push({ name: r.op.name, index: r.index, offset: r.memOffset, value: r.value });
  } catch {
    // A body that does not decode says nothing about conventions; compiling it will fail later.
  }
  return out;
}

/** Global indices of `__stack_pointer` and `__tls_base`, by name, else from what code sets. */
function wellKnownGlobals(mod: WasmModule): { sp?: number; tls?: number } {
  const byName = globalIndices(mod);
  let tls = byName.get('__tls_base');
  // `__wasm_init_tls(block)` begins `local.get 0; global.set __tls_base` (wasm-ld).
  const initTls = exports(mod).find((e) => e.name === '__wasm_init_tls' && e.kind === ExternalKind.Func);
  if (tls === undefined && initTls) {
    const [a, b] = leadingInstructions(mod, initTls.index, 2);
    if (a?.name === 'local.get' && a.index === 0 && b?.name === 'global.set') tls = b.index;
  }
  return { sp: byName.get('__stack_pointer'), tls };
}

function startArgLayout(mod: WasmModule, sp: number | undefined, tls: number | undefined): StartArgLayout | undefined {
  const entry = exports(mod).find((e) => e.name === WASI_THREAD_START && e.kind === ExternalKind.Func);
  if (!entry) return undefined;
  const code = leadingInstructions(mod, entry.index, 6);
  const sets = new Map<number, number>();
  for (let i = 0; i + 2 < code.length; i += 3) {
    const [get, load, set] = code.slice(i, i + 3);
    if (get.name !== 'local.get' || get.index !== 1 || load.name !== 'i32.load' || set.name !== 'global.set') break;
    sets.set(set.index, load.offset);
  }
  // Without names, wasi-libc's order: the stack pointer first, then the TLS base.
  const order = [...sets.keys()];
  const spGlobal = sp ?? (tls !== undefined ? order.find((g) => g !== tls) : order[0]);
  const tlsGlobal = tls ?? (sp !== undefined ? order.find((g) => g !== sp) : order[1]);
  const stackPointer = spGlobal === undefined ? undefined : sets.get(spGlobal);
  if (stackPointer === undefined) return undefined;
  const tlsBase = tlsGlobal === undefined ? undefined : sets.get(tlsGlobal);
  return tlsBase === undefined ? { stackPointer } : { stackPointer, tlsBase };
}

function threadConventions(mod: WasmModule): ThreadConventions {
  const { sp, tls } = wellKnownGlobals(mod);
  const out: ThreadConventions = {};
  const startArg = startArgLayout(mod, sp, tls);
  if (startArg) out.startArg = startArg;
  const imported = indexSpaceSizes(mod).importedGlobals;
  const spGlobal = sp === undefined ? undefined : findSection(mod, 6)?.globals[sp - imported];
  const spInit = spGlobal && evalConstExpr(spGlobal.init);
  if (typeof spInit === 'number') out.mainStackTop = spInit >>> 0;
  const start = findSection(mod, 8)?.start;
  if (start !== undefined && tls !== undefined) {
    const code = leadingInstructions(mod, start, 64);
    const at = code.findIndex((c, i) => c.name === 'global.set' && c.index === tls && code[i - 1]?.name === 'i32.const');
    if (at > 0) out.mainTlsBase = code[at - 1].value >>> 0;
  }
  return out;
}

function findLinkerGlobals(mod: WasmModule): Map<string, number> {
  const imported = indexSpaceSizes(mod).importedGlobals;
  const globals = findSection(mod, 6)?.globals ?? [];
  const byName = globalIndices(mod);
  const values = new Map<string, number>();
  for (const name of LINKER_GLOBALS) {
    const index = byName.get(name);
    const g = index === undefined ? undefined : globals[index - imported];
    if (!g || g.type.mutable) continue;
    const v = evalConstExpr(g.init);
    if (typeof v === 'number') values.set(name, v >>> 0);
  }
  return values;
}

function memoryImportOf(mod: WasmModule, file: string): MemoryImport | undefined {
  const memories = importsOfKind(mod, ExternalKind.Memory);
  if (memories.length > 1) {
    throw new WasmthreadsError({ severity: 'error', code: 'memory', file, message: `module imports ${memories.length} memories; only one is supported` });
  }
  const m = memories[0];
  if (!m) return undefined;
  const { limits } = m.desc.memory;
  return {
    module: m.module,
    name: m.name,
    initial: Number(limits.min),
    maximum: limits.max === undefined ? undefined : Number(limits.max),
    shared: (limits.flags & LIMITS_SHARED) !== 0,
  };
}

/** Whether the module defines (not imports) a shared memory. */
export function definesSharedMemory(mod: WasmModule): boolean {
  return findSection(mod, SectionId.Memory)?.memories.some((m) => (m.limits.flags & LIMITS_SHARED) !== 0) ?? false;
}

function emscriptenReasons(abi: ThreadAbiReport): string[] | undefined {
  return abi.abi === 'emscripten' ? abi.reasons.filter((r) => !r.startsWith('memory 0')) : undefined;
}

/** The type of the function the module exports as `name`, if it exports a function so named. */
function exportedFunctionType(mod: WasmModule, name: string): FuncType | undefined {
  const e = exports(mod).find((x) => x.name === name && x.kind === ExternalKind.Func);
  return e && functionType(mod, e.index);
}

/** `_start`'s type if it is an exported function that takes or returns something (a command's takes and returns nothing). */
function badStartType(mod: WasmModule): string | undefined {
  const t = exportedFunctionType(mod, '_start');
  if (!t || (t.params.length === 0 && t.results.length === 0)) return undefined;
  return formatSignature(t);
}

function threadEntryTyped(mod: WasmModule): boolean {
  const t = exportedFunctionType(mod, WASI_THREAD_START);
  return t !== undefined && typeKey(t) === typeKey(THREAD_ENTRY_TYPE);
}

/** What the runtime needs to know, from the decoded module. */
export function moduleInfoOf(mod: WasmModule, file: string): ModuleInfo {
  const threadAbi = detectThreadAbi(mod);
  return {
    file,
    memoryImport: memoryImportOf(mod, file),
    abi: runtimeAbi(threadAbi),
    exports: new Map(exports(mod).map((e) => [e.name, e.kind])),
    linkerGlobals: findLinkerGlobals(mod),
    conventions: threadConventions(mod),
    emscripten: emscriptenReasons(threadAbi),
    relocatable: isRelocatable(mod),
    badStartType: badStartType(mod),
    badImports: importTypeProblem(mod),
    threadEntryTyped: threadEntryTyped(mod),
  };
}
