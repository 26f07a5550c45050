// Which thread ABI a module expects, and why:
//
// - `wasi-threads`: imports `wasi`.`thread-spawn` and/or exports `wasi_thread_start`; the memory
//   is a shared import. The host spawns an instance per thread and calls `wasi_thread_start`.
// - `emscripten`: emscripten's pthreads, recognised by its thread entry points
//   (`_emscripten_thread_init`, `emscripten_tls_init`…) or `env` imports of its thread runtime
//   (`_emscripten_thread_*`, `__emscripten_thread_*`, `emscripten_*` with shared memory). Runs
//   only under emscripten's JS glue.
// - `host-managed`: shared memory plus `__wasm_init_tls` / `__tls_size` / `__tls_align`
//   exports, and no wasi-threads import: libc-free modules such as Rust wasm32-unknown-unknown
//   with atomics, or wasmthreads' own linker output; the host gives each thread a stack and a
//   TLS block.
// - `single-threaded`: none of the above (a shared memory alone starts no threads).
// - `link-time`: a relocatable object; the ABI is decided when it is linked. For objects the
//   report says what linking into a threaded program needs (atomics, bulk-memory, -shared-mem).
//
// `detectThreadAbi` works from the decoded module alone; the runtime uses it too (its
// `spawnImport`, and `emscripten` to refuse such a module with a hint).

import { LimitsFlag } from '../binary/format.js';
import { ExternalKind, SegmentFlag, SymbolFlag, findCustom, findSection, type Import, type WasmModule } from '../binary/types.js';
import { HOST_MANAGED_MODULE, WASI_THREADS_MODULE, WASI_THREAD_SPAWN, WASI_THREAD_START } from '../shared/thread-abi-names.js';
import { scanCode } from './code-scan.js';
import type { ObjectThreadNeeds, ThreadAbiReport } from './report.js';

const HOST_MANAGED_EXPORTS = ['__wasm_init_tls', '__tls_size', '__tls_align'];
const EMSCRIPTEN_THREAD_EXPORTS = ['_emscripten_thread_init', 'emscripten_tls_init', '_emscripten_thread_exit', 'pthread_self'];
const EMSCRIPTEN_THREAD_IMPORT = /^_{0,2}emscripten_(thread|notify|check_blocking|receive_on_main|futex|init_main_thread)/;
const EMSCRIPTEN_IMPORT = /^_{0,2}emscripten_/;

/** Whether memory 0 (imported or defined) is shared, and the import that provides it. */
function memoryZero(mod: WasmModule): { shared: boolean; import?: Import } {
  const imports = findSection(mod, 2)?.imports ?? [];
  const imp = imports.find((i) => i.desc.kind === 2);
  if (imp && imp.desc.kind === 2) return { shared: (imp.desc.memory.limits.flags & LimitsFlag.SHARED) !== 0, import: imp };
  const def = findSection(mod, 5)?.memories[0];
  return { shared: def !== undefined && (def.limits.flags & LimitsFlag.SHARED) !== 0 };
}

function memoryReason(mem: { shared: boolean; import?: Import }): string {
  const where = mem.import ? `imported from ${mem.import.module}.${mem.import.name}` : 'defined in the module';
  return mem.shared ? `memory 0 is shared (${where})` : `memory 0 is not shared (${where})`;
}

/** Whether the module imports the function `wasi`.`thread-spawn`. */
function importsWasiSpawn(imports: Import[]): boolean {
  return imports.some((i) => i.module === WASI_THREADS_MODULE && i.name === WASI_THREAD_SPAWN && i.desc.kind === ExternalKind.Func);
}

function wasiThreadsReasons(imports: Import[], exportNames: Set<string>): string[] {
  const reasons: string[] = [];
  if (importsWasiSpawn(imports)) reasons.push(`imports ${WASI_THREADS_MODULE}.${WASI_THREAD_SPAWN}`);
  if (exportNames.has(WASI_THREAD_START)) reasons.push(`exports ${WASI_THREAD_START}`);
  return reasons;
}

function emscriptenReasons(imports: Import[], exportNames: Set<string>, shared: boolean): string[] {
  const reasons = EMSCRIPTEN_THREAD_EXPORTS.filter((n) => n !== 'pthread_self' && exportNames.has(n)).map((n) => `exports ${n}`);
  const threadImports = imports.filter((i) => i.module === 'env' && EMSCRIPTEN_THREAD_IMPORT.test(i.name));
  for (const i of threadImports.slice(0, 3)) reasons.push(`imports env.${i.name}`);
  if (reasons.length === 0 && shared) {
    const any = imports.find((i) => i.module === 'env' && EMSCRIPTEN_IMPORT.test(i.name));
    if (any) reasons.push(`imports env.${any.name} and has a shared memory`);
  }
  // emcc -O2 and above minify import names: every import comes from module "a" ("a.a", "a.b"…),
  // with the memory among them. Nothing else produces that shape.
  if (reasons.length === 0 && imports.length >= 2 && imports.every((i) => i.module === 'a') && imports.some((i) => i.desc.kind === 2)) {
    reasons.push(`imports only from module "a" with minified names (${imports.slice(0, 3).map((i) => `a.${i.name}`).join(', ')}…), as emcc -O2 writes`);
  }
  return reasons;
}

function objectNeeds(mod: WasmModule): ObjectThreadNeeds {
  const features = findCustom(mod, 'target_features')?.features;
  const used = (n: string) => features?.some((f) => f.prefix === '+' && f.name === n) ?? false;
  const disallowsSharedMemory = features?.some((f) => f.prefix === '-' && f.name === 'shared-mem') ?? false;
  const usesTls = (findCustom(mod, 'linking')?.subsections ?? []).some(
    (s) => ('segments' in s && s.segments.some((g) => g.flags & SegmentFlag.TLS || /^\.t(data|bss)/.test(g.name))) || ('symbols' in s && s.symbols.some((y) => y.flags & SymbolFlag.TLS)),
  );
  const imports = findSection(mod, 2)?.imports ?? [];
  const atomicInstructions = scanCode(mod, imports.filter((i) => i.desc.kind === 0).length, undefined).atomicInstructions;
  let sharedMemory: ObjectThreadNeeds['sharedMemory'] = 'unknown';
  if (disallowsSharedMemory) sharedMemory = 'incompatible';
  else if (features !== undefined) sharedMemory = used('atomics') && used('bulk-memory') ? 'compatible' : 'incompatible';
  return { atomics: used('atomics'), bulkMemory: used('bulk-memory'), disallowsSharedMemory, atomicInstructions, usesTls, sharedMemory };
}

function objectReasons(needs: ObjectThreadNeeds): string[] {
  const reasons = ['relocatable object: the thread ABI is decided when it is linked'];
  if (needs.disallowsSharedMemory) {
    reasons.push("target_features has -shared-mem: compiled without 'atomics'/'bulk-memory', LLVM lowered its atomics and TLS away; wasm-ld rejects it with --shared-memory");
  } else if (needs.sharedMemory === 'compatible') reasons.push('uses +atomics and +bulk-memory: can be linked with --shared-memory');
  else if (needs.sharedMemory === 'incompatible') reasons.push("lacks 'atomics' or 'bulk-memory' in target_features: a --shared-memory link needs both");
  else reasons.push('no target_features section: feature compatibility unknown');
  if (needs.usesTls) reasons.push('uses thread-local storage');
  if (needs.atomicInstructions > 0) reasons.push(`contains ${needs.atomicInstructions} atomic instructions`);
  return reasons;
}

export function detectThreadAbi(mod: WasmModule): ThreadAbiReport {
  const imports = findSection(mod, 2)?.imports ?? [];
  const exportNames = new Set((findSection(mod, 7)?.exports ?? []).map((e) => e.name));
  const mem = memoryZero(mod);
  const isObject = findCustom(mod, 'linking') !== undefined;
  const wasi = wasiThreadsReasons(imports, exportNames);
  if (wasi.length > 0) {
    return { abi: 'wasi-threads', reasons: [...wasi, memoryReason(mem)], sharedMemory: mem.shared,
      ...(importsWasiSpawn(imports) && !isObject ? { spawnImport: 'wasi' as const } : {}), ...(isObject ? { object: objectNeeds(mod) } : {}) };
  }
  if (isObject) {
    const needs = objectNeeds(mod);
    return { abi: 'link-time', reasons: objectReasons(needs), sharedMemory: mem.shared, object: needs };
  }
  const ems = emscriptenReasons(imports, exportNames, mem.shared);
  if (ems.length > 0) return { abi: 'emscripten', reasons: [...ems, memoryReason(mem)], sharedMemory: mem.shared };
  const hostExports = HOST_MANAGED_EXPORTS.filter((n) => exportNames.has(n));
  const hostImports = imports.filter((i) => i.module === HOST_MANAGED_MODULE && i.desc.kind === ExternalKind.Func);
  if (hostImports.length > 0 || (mem.shared && hostExports.length > 0)) {
    const reasons = [memoryReason(mem)];
    if (hostImports.length > 0) reasons.push(`imports ${hostImports.map((i) => `${HOST_MANAGED_MODULE}.${i.name}`).join(', ')}`);
    if (hostExports.length > 0) reasons.push(`exports ${hostExports.join(', ')}`);
    reasons.push(`no ${WASI_THREADS_MODULE}.${WASI_THREAD_SPAWN} import`);
    return { abi: 'host-managed', reasons, sharedMemory: mem.shared, ...(hostImports.length > 0 ? { spawnImport: 'wasmthreads' as const } : {}) };
  }
  const why = mem.shared
    ? [memoryReason(mem), `but neither imports ${WASI_THREADS_MODULE}.${WASI_THREAD_SPAWN} nor exports __wasm_init_tls: no thread can be started`]
    : [memoryReason(mem), 'no thread-spawn import, no thread entry point'];
  return { abi: 'single-threaded', reasons: why, sharedMemory: mem.shared };
}
