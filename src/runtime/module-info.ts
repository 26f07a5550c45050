// What the runtime needs to know about a module before running it: the memory import (any module
// and name; limits and the shared flag come from the binary, since the JS API does not expose
// them — runtime.md §2.3), the thread ABI it expects, and the linker globals that describe its
// TLS and static data (`__tls_size`, `__tls_align`, `__heap_base`, `__data_end`), found by export
// name or through the `name` section's global names.

import { WasmthreadsError } from '../diagnostics.js';
import { evalConstExpr } from '../binary/const-expr.js';
import { exports, importsOfKind, indexSpaceSizes } from '../binary/module-info.js';
import { readModule } from '../binary/read-module.js';
import { ExternalKind, findCustom, findSection, type WasmModule } from '../binary/types.js';
import { HOST_MANAGED_MODULE } from './abi/host-managed-names.js';

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
}

const NAME_SUBSECTION_GLOBAL = 7;
const LIMITS_SHARED = 2;
/** Names of the linker globals the runtime cares about. */
const LINKER_GLOBALS = ['__tls_size', '__tls_align', '__heap_base', '__data_end', '__stack_low', '__stack_high'];

function detectAbi(mod: WasmModule): ThreadAbi {
  const funcs = importsOfKind(mod, ExternalKind.Func);
  if (funcs.some((i) => i.module === 'wasi' && i.name === 'thread-spawn')) return 'wasi-threads';
  if (funcs.some((i) => i.module === HOST_MANAGED_MODULE)) return 'host-managed';
  return 'none';
}

/** Global index by name: exports first, then the name section's global names. */
function globalIndices(mod: WasmModule): Map<string, number> {
  const byName = new Map<string, number>();
  const names = findCustom(mod, 'name')?.subsections.find((s) => s.type === NAME_SUBSECTION_GLOBAL)?.names;
  for (const [index, name] of names ?? []) byName.set(name, index);
  for (const e of exports(mod)) if (e.kind === ExternalKind.Global) byName.set(e.name, e.index);
  return byName;
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

export function readModuleInfo(bytes: Uint8Array, file: string): ModuleInfo {
  const mod = readModule(bytes, file);
  return {
    file,
    memoryImport: memoryImportOf(mod, file),
    abi: detectAbi(mod),
    exports: new Map(exports(mod).map((e) => [e.name, e.kind])),
    linkerGlobals: findLinkerGlobals(mod),
  };
}
