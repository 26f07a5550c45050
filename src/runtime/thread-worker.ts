// The worker side of the runtime: the loop every thread worker runs. The supervisor starts one
// worker for T0 (slot 0), which instantiates the module and runs `_start`, and pool workers
// (slots 1..), which instantiate a fresh instance, wait in IDLE until a spawner claims them, run
// one thread, and go back to the pool with a new instance (instance-per-thread: each thread gets
// fresh globals, i.e. its own `__stack_pointer` and `__tls_base`).
//
// Errors are classified here: ExitSignal (the program is exiting) parks the worker; a wasm trap
// ends the program with 134 and a message naming the thread, the trap and the wasm stack; a
// failed instantiation ends it with 1; any other exception is a host bug and is reported as such.
// Plug-ins (WASI, …) come in as `WorkerPlugin`s from the composition root (src/host/).

import { parentPort, workerData } from 'node:worker_threads';
import type { SupervisorAnswer, ThreadHost, WorkerPlugin } from '../shared/host-plugin.js';
import { ControlBlock, ExitKind, SlotField, SlotState, Word, WORKER_FREE } from './control-block.js';
import { abortProgram, ExitSignal, exiting, requestExit, START_FAILURE_EXIT_CODE, TRAP_EXIT_CODE } from './exit.js';
import { waitWhile } from './futex.js';
import { becomeIdle, beginRecycling } from './pool.js';
import { callService } from './service-channel.js';
import { describeThread, type ThreadContext } from './thread-context.js';
import { liftoffSelfTest } from './liftoff.js';
import { runWasiThread, wasiThreadsImports } from './abi/wasi-threads.js';
import { awaitJoin, hostManagedImports, runHostManagedThread, type HostBlock } from './abi/host-managed.js';
import type { ControlBuffers } from './control-block.js';
import type { MemoryImport, ThreadAbi } from './module-info.js';
import type { StaticLayout } from './tls.js';
import { futexHookInstaller, type HookModules } from './futex-hooks.js';
import { wasmFrames, type CodeMap } from './wasm-stack.js';
import { CONTROL_MEMORY_IMPORT, GUEST_MEMORY_IMPORT, LAST_CALL_IMPORT, START_ARG_READ, StartResult, STARTER_RUN, STARTER_START, STARTER_TABLE, WRAPPED_MODULE } from './host-module-names.js';
import { WASI_THREAD_START } from '../shared/thread-abi-names.js';
import { RecordKind, TraceName, Tracer, type TraceBuffers } from './trace.js';

/** Everything the supervisor sends a new worker (structured clone; SABs, Module, Memory shared). */
export interface ThreadWorkerData {
  slot: number;
  file: string;
  module: WebAssembly.Module;
  /** The shared memory, when the module imports one. */
  memory?: WebAssembly.Memory;
  memoryImport?: MemoryImport;
  abi: ThreadAbi;
  buffers: ControlBuffers;
  layout: StaticLayout;
  checkIsolation: boolean;
  stackSize: number;
  /** Supervisor service names; a request carries the index. */
  services: string[];
  /** Plug-in shared state by plug-in name. */
  pluginShared: Record<string, unknown>;
  /** URLs of extra worker plug-in modules (each exports `workerPlugin`). */
  pluginModules: string[];
  /** T0 runs the Liftoff self-test on this module (liftoff.ts), before the guest. */
  selfTest?: Uint8Array;
  /** Present when `module` is the futex-rewritten module: the hooks as wasm functions (futex-hooks.ts). */
  hookModules?: HookModules;
  /** Wraps the module's function imports as wasm functions (host-wrappers.ts), when it can. */
  importWrappers?: WebAssembly.Module;
  /** wasi-threads with a `wasi_thread_start` of the ABI's type: starts threads from wasm (starter-module.ts). */
  starter?: WebAssembly.Module;
  /** With `starter`, when it checks isolation: the start-argument reader it imports (starter-module.ts). */
  startArgReader?: WebAssembly.Module;
  /** Record each thread's last host call (for the deadlock report). */
  watch: boolean;
  /** `run --trace`: the record buffers. */
  trace?: TraceBuffers;
  /** With the rewritten module: how its code moved (trap stacks are mapped back to the file). */
  codeMap?: CodeMap;
}

/**
 * V8's stack overflow (a RangeError) with guest frames on the stack: the guest's recursion used it
 * up, whether the last call was to its own code or to a host import.
 */
function isWasmStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && e.message === 'Maximum call stack size exceeded' && (e.stack ?? '').includes('wasm-function[');
}

/** Frames with each run of one repeated frame (deep recursion) written once, with its count. */
function collapseRepeats(frames: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < frames.length; ) {
    let j = i + 1;
    while (j < frames.length && frames[j] === frames[i]) j++;
    out.push(j - i > 1 ? `${frames[i]} (${j - i} times)` : frames[i]);
    i = j;
  }
  return out;
}

/** Turns whatever escaped a thread into the program's exit (if it is not exiting already). */
function failThread(ctx: ThreadContext, e: unknown): void {
  if (e instanceof ExitSignal || exiting(ctx.cb)) return;
  const who = describeThread(ctx.tid);
  const overflow = isWasmStackOverflow(e);
  if (e instanceof WebAssembly.RuntimeError || overflow) {
    const stack = collapseRepeats(wasmFrames((e as Error).stack ?? '', ctx.codeMap)).join('\n');
    // V8 throws a RangeError when wasm recursion exhausts the stack; wasmtime calls it a trap.
    const what = overflow ? 'call stack exhausted' : (e as Error).message;
    requestExit(ctx.cb, { code: TRAP_EXIT_CODE, tid: ctx.tid, kind: ExitKind.TRAP, message: `${who} trapped: ${what}${stack ? '\n' + stack : ''}` });
  } else {
    const err = e instanceof Error ? e : new Error(String(e));
    requestExit(ctx.cb, { code: TRAP_EXIT_CODE, tid: ctx.tid, kind: ExitKind.HOST, message: `host error in ${who}: ${err.stack ?? err.message}` });
  }
}

function makeThreadHost(ctx: ThreadContext, services: string[]): ThreadHost {
  return {
    get tid() {
      return ctx.tid;
    },
    get memory() {
      const memory = ctx.memory ?? ctx.instance?.exports.memory;
      if (memory instanceof WebAssembly.Memory) return memory;
      // wasmtime: "missing required memory export". A host call that needs guest memory cannot go on.
      return abortProgram(ctx.cb, ctx.tid, ExitKind.HOST, START_FAILURE_EXIT_CODE,
        "a host call needs the module's memory, but the module neither imports a memory nor exports one named 'memory'");
    },
    exit(code: number): never {
      requestExit(ctx.cb, { code, tid: ctx.tid, kind: ExitKind.NORMAL, message: '' });
      throw new ExitSignal();
    },
    exiting: () => exiting(ctx.cb),
    sleep(timeoutMs: number): boolean {
      return waitWhile(ctx.cb.words, Word.EXIT_STATE, 0, timeoutMs) !== 'exiting';
    },
    callSupervisor(service: string, op: number, request: Uint8Array): SupervisorAnswer {
      const index = services.indexOf(service);
      if (index < 0) throw new Error(`no supervisor service '${service}'`);
      return callService(ctx.cb, ctx.slot, index, op, request);
    },
  };
}

/**
 * The import object: the memory, the ABI's imports and every plug-in's imports. Built once per
 * worker and reused by each of its instances: the functions act on the worker's context (which
 * names the current instance and thread), so nothing in them belongs to one instance. Building it
 * per instance cost as much garbage as the instance itself (spawn/join throughput was bound by the
 * workers' GC).
 */
function buildImports(ctx: ThreadContext, data: ThreadWorkerData, plugins: WorkerPlugin[], host: ThreadHost): WebAssembly.Imports {
  const imports: WebAssembly.Imports = {};
  const merge = (more: WebAssembly.Imports): void => {
    for (const [mod, fields] of Object.entries(more)) imports[mod] = { ...(imports[mod] ?? {}), ...fields };
  };
  for (const p of plugins) merge(p.imports(data.pluginShared[p.name], host));
  if (data.abi === 'wasi-threads') merge(wasiThreadsImports(ctx));
  if (data.abi === 'host-managed') merge(hostManagedImports(ctx));
  if (data.memoryImport && ctx.memory) merge({ [data.memoryImport.module]: { [data.memoryImport.name]: ctx.memory } });
  const list = WebAssembly.Module.imports(data.module);
  const wrappers = data.importWrappers;
  // Wrappers built to record calls do what watchCalls does, in wasm (supervisor.ts picks them).
  const recording = wrappers !== undefined && WebAssembly.Module.imports(wrappers).some((i) => i.name === LAST_CALL_IMPORT);
  if (!recording && (data.watch || ctx.tracer)) watchCalls(ctx, list, imports);
  if (!wrappers) return imports;
  const wrapped = wrapImports(ctx, list, wrappers, imports);
  // Not wrapped after all: the calls are recorded in JavaScript.
  if (wrapped === imports && recording && data.watch) watchCalls(ctx, list, imports);
  return wrapped;
}

/**
 * The import object with each function import replaced by its wasm wrapper (host-wrappers.ts
 * says why), instantiated once per worker around the functions `imports` gives, the control
 * block's memory and this slot's LAST_CALL address. Anything missing or not callable leaves
 * `imports` as it is, so that instantiating the guest fails with V8's own message naming the
 * guest's import, as without wrappers.
 */
function wrapImports(ctx: ThreadContext, list: WebAssembly.ModuleImportDescriptor[], wrappers: WebAssembly.Module, imports: WebAssembly.Imports): WebAssembly.Imports {
  const given: Record<string, unknown> = {
    [CONTROL_MEMORY_IMPORT]: ctx.controlMemory,
    [LAST_CALL_IMPORT]: new WebAssembly.Global({ value: 'i32', mutable: false }, ctx.cb.at(ctx.slot, SlotField.LAST_CALL) * 4),
  };
  for (let i = 0; i < list.length; i++) {
    const { module: mod, name, kind } = list[i];
    if (kind !== 'function') continue;
    const f = (imports[mod] as Record<string, unknown> | undefined)?.[name];
    if (typeof f !== 'function') return imports;
    given[String(i)] = f;
  }
  let wrapped: WebAssembly.Exports;
  try {
    wrapped = new WebAssembly.Instance(wrappers, { [WRAPPED_MODULE]: given as WebAssembly.ModuleImports }).exports;
  } catch {
    return imports; // e.g. a wasm function of the wrong type: the guest's instantiation says so
  }
  const out: WebAssembly.Imports = {};
  for (const [mod, fields] of Object.entries(imports)) out[mod] = { ...fields };
  list.forEach(({ module: mod, name, kind }, i) => {
    if (kind === 'function') out[mod][name] = wrapped[String(i)];
  });
  return out;
}

type HostFunction = (...args: unknown[]) => unknown;

/**
 * Wraps every function the module imports so that the slot's LAST_CALL names it (the deadlock
 * report's "last host call") and, with a tracer, each call is a span on the thread's track. The
 * index is the import's position in `WebAssembly.Module.imports`, which the supervisor reads too.
 */
function watchCalls(ctx: ThreadContext, list: WebAssembly.ModuleImportDescriptor[], imports: WebAssembly.Imports): void {
  const words = ctx.cb.words;
  const at = ctx.cb.at(ctx.slot, SlotField.LAST_CALL);
  const tracer = ctx.tracer;
  list.forEach((imp, i) => {
    const fields = imports[imp.module] as Record<string, unknown> | undefined;
    const f = fields?.[imp.name];
    if (imp.kind !== 'function' || typeof f !== 'function') return;
    const fn = f as HostFunction;
    fields![imp.name] = tracer
      ? (...args: unknown[]) => {
          words[at] = i + 1;
          tracer.record(RecordKind.BEGIN, ctx.tid, i);
          // A call that unwinds (proc_exit, a trap, the program's exit) never returned: its span
          // stays open, as it should.
          const result = fn(...args);
          tracer.record(RecordKind.END, ctx.tid, i);
          return result;
        }
      : (...args: unknown[]) => {
          words[at] = i + 1;
          return fn(...args);
        };
  });
}

/** A fresh instance of the module. */
function instantiate(ctx: ThreadContext, data: ThreadWorkerData, imports: WebAssembly.Imports): WebAssembly.Instance {
  try {
    const instance = new WebAssembly.Instance(data.module, imports);
    ctx.installHooks?.(instance);
    return instance;
  } catch (e) {
    if (e instanceof ExitSignal) throw e;
    // The module's start function trapped: a trap like any other (exit 134), not a failure to start.
    if (e instanceof WebAssembly.RuntimeError || isWasmStackOverflow(e)) {
      failThread(ctx, e);
      throw new ExitSignal();
    }
    const msg = missingImport(data.module, imports) ?? (e instanceof Error ? e.message : String(e));
    abortProgram(ctx.cb, ctx.tid, ExitKind.HOST, START_FAILURE_EXIT_CODE, `cannot instantiate: ${msg}`);
  }
}

/** The first import nothing provides, said as wasmtime says it, with what the host does provide. */
function missingImport(module: WebAssembly.Module, imports: WebAssembly.Imports): string | undefined {
  for (const { module: mod, name, kind } of WebAssembly.Module.imports(module)) {
    if ((imports[mod] as Record<string, unknown> | undefined)?.[name] !== undefined) continue;
    const what = `unknown import: ${mod}::${name} (${kind}) has not been defined`;
    const wasi = (m: string): boolean => m === 'wasi_snapshot_preview1' || m === 'wasi';
    if (wasi(mod) && imports[mod]) return `${what} (not part of ${mod} as this host implements it)`;
    const given = Object.entries(imports).flatMap(([m, fields]) => (wasi(m) ? [m] : Object.keys(fields).map((f) => `${m}::${f}`)));
    return `${what} (this host gives this module ${given.length > 0 ? given.join(', ') : 'no imports'})`;
  }
  return undefined;
}

function runMain(ctx: ThreadContext, data: ThreadWorkerData, imports: WebAssembly.Imports): void {
  const broken = data.selfTest ? liftoffSelfTest(data.selfTest) : undefined;
  if (broken) abortProgram(ctx.cb, 0, ExitKind.HOST, START_FAILURE_EXIT_CODE, broken);
  ctx.instance = instantiate(ctx, data, imports);
  ctx.cb.words[Word.MAIN_READY] = 1;
  Atomics.notify(ctx.cb.words, Word.MAIN_READY);
  const start = ctx.instance.exports._start;
  if (typeof start !== 'function') {
    abortProgram(ctx.cb, 0, ExitKind.HOST, START_FAILURE_EXIT_CODE, `module exports no '_start' function to run`);
  }
  ctx.tracer?.record(RecordKind.BEGIN, 0, TraceName.THREAD);
  start();
  // The main thread returning from _start ends the program like proc_exit(0) (wasi-threads testsuite).
  requestExit(ctx.cb, { code: 0, tid: 0, kind: ExitKind.NORMAL, message: '' });
}

/** Waits in IDLE/CLAIMED until a spawner stores START. */
function awaitStart(ctx: ThreadContext): void {
  const at = ctx.cb.at(ctx.slot, SlotField.STATE);
  for (;;) {
    const state = Atomics.load(ctx.cb.words, at);
    if (state === SlotState.START) return;
    if (waitWhile(ctx.cb.words, at, state, Infinity) === 'exiting') throw new ExitSignal();
  }
}

function runPool(ctx: ThreadContext, data: ThreadWorkerData, imports: WebAssembly.Imports): void {
  if (waitWhile(ctx.cb.words, Word.MAIN_READY, 0, Infinity) === 'exiting') throw new ExitSignal();
  const block: { current?: HostBlock } = {};
  const starter = ctx.starter;
  // The whole wait-and-start in wasm (starter-module.ts), unless trace records are to be written
  // between the wake-up and the thread's first instruction.
  const wasmStart = starter && !ctx.tracer;
  const slotBase = ctx.cb.slotByteOffset(ctx.slot);
  for (let threads = 0; ; threads++) {
    const instance = instantiate(ctx, data, imports);
    // Off the spawn's path: the next thread's instance, and its entry in the starter's table.
    ctx.instance = instance;
    starter?.table.set(0, instance.exports[WASI_THREAD_START] as () => void);
    becomeIdle(ctx.cb, ctx.slot, threads === 0);
    if (wasmStart) {
      const started = starter.run(slotBase);
      if (started === StartResult.EXITING) throw new ExitSignal();
      // RUNNING, its blocks recorded, not started: an overlap (or an argument past the memory's
      // length as wasm saw it) that JavaScript looks at again, and starts the thread if it is none.
      if (started === StartResult.CHECK_IN_JS) runWasiThread(ctx, instance, ctx.tid, ctx.cb.load(ctx.slot, SlotField.ARG));
    } else {
      awaitStart(ctx);
      ctx.cb.store(ctx.slot, SlotField.STATE, SlotState.RUNNING);
      const arg = ctx.cb.load(ctx.slot, SlotField.ARG);
      ctx.tracer?.record(RecordKind.FLOW_END, ctx.tid, TraceName.SPAWN, ctx.tid);
      ctx.tracer?.record(RecordKind.BEGIN, ctx.tid, TraceName.THREAD);
      if (data.abi === 'host-managed') {
        runHostManagedThread(ctx, instance, block, ctx.cb.load(ctx.slot, SlotField.FUNC), arg);
        ctx.tracer?.record(RecordKind.END, ctx.tid, TraceName.THREAD);
        awaitJoin(ctx);
        beginRecycling(ctx.cb);
        continue;
      }
      runWasiThread(ctx, instance, ctx.tid, arg);
      ctx.tracer?.record(RecordKind.END, ctx.tid, TraceName.THREAD);
    }
    // At once, before the next instance is built: a spawner may be re-checking an overlap with
    // this thread's blocks, which the guest may already have freed and handed out again (tls.ts).
    ctx.cb.publish(ctx.slot, SlotField.STATE, SlotState.RETIRED);
    Atomics.sub(ctx.cb.words, Word.LIVE_THREADS, 1);
    beginRecycling(ctx.cb);
  }
}

/** The built-in plug-ins the supervisor set up (by name), then the extra plug-in modules. */
async function loadPlugins(builtIn: WorkerPlugin[], data: ThreadWorkerData): Promise<WorkerPlugin[]> {
  const plugins = builtIn.filter((p) => p.name in data.pluginShared);
  for (const url of data.pluginModules) plugins.push(((await import(url)) as { workerPlugin: WorkerPlugin }).workerPlugin);
  return plugins;
}

/**
 * The memory a single-threaded module imports without sharing it, made here: the supervisor
 * cannot send such a memory to a worker, and only this worker's thread ever uses it.
 */
function unsharedMemory(data: ThreadWorkerData): WebAssembly.Memory | undefined {
  const m = data.memoryImport;
  return m && !m.shared ? new WebAssembly.Memory({ initial: m.initial, maximum: m.maximum }) : undefined;
}

/**
 * One run in this worker: the program's main thread (slot 0) or a pool slot's threads. Returns
 * once the program is exiting and this worker's thread has unwound (threads unwind with
 * ExitSignal); a worker whose thread is still in wasm when the program ends never gets here and
 * is terminated.
 */
async function runOne(builtInPlugins: WorkerPlugin[], data: ThreadWorkerData): Promise<void> {
  const cb = new ControlBlock(data.buffers);
  // T0 is thread 0; a pool slot runs the thread whose id its spawner wrote into TID.
  const tidAt = data.slot === 0 ? undefined : cb.at(data.slot, SlotField.TID);
  const ctx: ThreadContext = {
    cb, controlMemory: data.buffers.controlMemory, memory: (data.memory ?? unsharedMemory(data)) as WebAssembly.Memory, module: data.module, file: data.file, slot: data.slot,
    layout: data.layout, checkIsolation: data.checkIsolation, stackSize: data.stackSize,
    get tid() {
      return tidAt === undefined ? 0 : Atomics.load(cb.words, tidAt);
    },
    codeMap: data.codeMap, tracer: data.trace ? new Tracer(data.trace, data.slot) : undefined,
  };
  if (data.hookModules) ctx.installHooks = futexHookInstaller(ctx, data.hookModules);
  if (data.starter) {
    const given: WebAssembly.ModuleImports = { [CONTROL_MEMORY_IMPORT]: ctx.controlMemory };
    if (data.startArgReader) {
      given[START_ARG_READ] = new WebAssembly.Instance(data.startArgReader, { [WRAPPED_MODULE]: { [GUEST_MEMORY_IMPORT]: ctx.memory } }).exports[START_ARG_READ];
    }
    const e = new WebAssembly.Instance(data.starter, { [WRAPPED_MODULE]: given }).exports;
    ctx.starter = {
      start: e[STARTER_START] as (tid: number, arg: number) => void,
      run: e[STARTER_RUN] as (slotBase: number) => number,
      table: e[STARTER_TABLE] as WebAssembly.Table,
    };
  }
  const host = makeThreadHost(ctx, data.services);
  try {
    const plugins = await loadPlugins(builtInPlugins, data);
    const imports = buildImports(ctx, data, plugins, host);
    if (data.slot === 0) runMain(ctx, data, imports);
    else runPool(ctx, data, imports);
  } catch (e) {
    failThread(ctx, e);
  }
  // Wait until the exit is decided (a thread that failed just asked for it), so the supervisor
  // never sees this worker free while its program still runs. Returns only once EXIT_STATE is set.
  waitWhile(cb.words, Word.EXIT_STATE, 0, Infinity);
}

/**
 * The worker entry: called by the bundle entry (src/host/thread-entry.ts) with its plug-ins. After
 * each run the worker tells the supervisor it is free and waits for the next one: starting a Node
 * worker costs ~50 ms of CPU, and a process that runs many programs (`wasmthreads test`, library
 * callers) reuses them.
 */
export async function runThreadWorker(builtInPlugins: WorkerPlugin[]): Promise<void> {
  let next: ThreadWorkerData | undefined = workerData as ThreadWorkerData;
  while (next) {
    await runOne(builtInPlugins, next);
    next = undefined; // the finished program's memory and module may go while this worker idles
    parentPort!.postMessage(WORKER_FREE);
    next = await new Promise<ThreadWorkerData>((resolve) => parentPort!.once('message', resolve));
  }
}
