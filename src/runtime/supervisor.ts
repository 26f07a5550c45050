// The supervisor: the Node main thread's part of a run. It never runs wasm and never blocks: it
// compiles the module once, creates the shared memory from the limits in the binary, allocates the
// control block, starts T0's worker first (the critical path) and the pool after it, refills the
// pool in the background, serves plug-in services, and owns exit — it waits (asynchronously) for
// the first exit record, lets plug-ins flush, terminates every worker and reports the outcome.
// Workers are created only here: nested workers would die with their parent.

import { closeSync, openSync, writeSync } from 'node:fs';
import module from 'node:module';
import { dirname } from 'node:path';
import { availableParallelism } from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { WasmthreadsError } from '../diagnostics.js';
import { readModule } from '../binary/read-module.js';
import { ExternalKind } from '../binary/types.js';
import { WASI_THREAD_START } from '../shared/thread-abi-names.js';
import { readErrorText } from '../shared/read-error.js';
import type { SupervisorPlugin, SupervisorService } from '../shared/host-plugin.js';
import { ControlBlock, ExitKind, SlotField, SlotState, Word, WORKER_FREE } from './control-block.js';
import { readExit, requestExit, TRAP_EXIT_CODE, type ExitRecord } from './exit.js';
import { ExitTrace, sharedClockMs } from './exit-trace.js';
import { waitAsyncWhile } from './futex.js';
import { applyLiftoffWorkaround, liftoffReproduction, type GuestWaits } from './liftoff.js';
import { definesSharedMemory, moduleInfoOf, type ModuleInfo } from './module-info.js';
import { fastHookModuleBytes, guestOpsModuleBytes, hookModuleBytes, rewriteFutexes, type FutexRewrite } from './futex-rewrite.js';
import type { HookModules } from './futex-hooks.js';
import { importWrapperBytes, type ImportWrapperOptions } from './host-wrappers.js';
import { startArgReaderBytes, starterModuleBytes } from './starter-module.js';
import { allocateTrace, writeTrace } from './trace.js';
import { DEADLOCK_EXIT_CODE, startWatchdog, wakeWatchedWaits } from './watchdog.js';
import { planBoots, type RunningSince } from './pool.js';
import { serveChannels } from './service-channel.js';
import type { ThreadWorkerData } from './thread-worker.js';
import { STACK_FLOOR, type StaticLayout } from './tls.js';
import { DEFAULT_THREAD_STACK_SIZE } from './abi/host-managed.js';

export interface SuperviseOptions {
  /** Module bytes and the name used in messages. */
  bytes: Uint8Array;
  file: string;
  /** The worker bundle (src/host/thread-entry.ts built to dist/thread-worker.cjs). */
  workerUrl: URL;
  plugins?: SupervisorPlugin[];
  /** Extra worker plug-in modules (URLs of modules exporting `workerPlugin`), e.g. for tests. */
  pluginModules?: string[];
  /** Most threads alive at once besides the main thread (--max-threads, 1..MAX_THREADS_LIMIT). */
  maxThreads?: number;
  /** Host memory budget in bytes (--max-host-memory); see pool.ts. */
  maxHostMemory?: number;
  /** Idle pre-instantiated workers kept ready (--pool-size). */
  poolSize?: number;
  /** Memory-isolation checks (default on). */
  checkIsolation?: boolean;
  /** host-managed: stack bytes per spawned thread. */
  stackSize?: number;
  /**
   * Wait (up to TERMINATE_GRACE_MS) for terminated workers before resolving (default true). A
   * caller that calls `process.exit` right away passes false: process exit ends them anyway.
   */
  waitForTermination?: boolean;
  /** Record the exit path's timestamps (--trace-exit); returned as `trace`. */
  traceExit?: boolean;
  /**
   * End a program whose threads are all blocked for good with DEADLOCK_EXIT_CODE and a report
   * (default true). Needs the module's futex instructions rewritten (futex-rewrite.ts).
   */
  deadlockCheck?: boolean;
  /** Write a Chrome trace-event JSON file of every thread's spawns, host calls and waits. */
  traceFile?: string;
  /** Ends the program when aborted: exit record kind CANCELLED, code `cancelExitCode`. */
  signal?: AbortSignal;
  cancelExitCode?: number;
}

export const DEFAULT_MAX_THREADS = 128;
/**
 * Upper bound of --max-threads. Each thread is a worker of ~8 MiB resident (THREAD_MEMORY_BYTES),
 * so 4096 threads are already 32 GiB; the control block and service channels are sized by it too.
 */
export const MAX_THREADS_LIMIT = 4096;
/** Bounds of a host-managed thread's stack (--stack-size). */
export const MIN_STACK_SIZE = 1024;
export const MAX_STACK_SIZE = 1 << 30;
export const DEFAULT_POOL_SIZE = 4;
/**
 * Workers booting at once: one per core besides T0's. Booting more at once only slows each of
 * them; on 2 cores, 1 instead of 4 cut the start-up of a program that spawns at
 * once from ~880 to ~500 ms, with no loss when 64 threads start.
 */
const MAX_CONCURRENT_BOOTS = Math.max(1, availableParallelism() - 1);
/**
 * Young-generation cap of each worker's JS heap. Workers run wasm and allocate little JS, and
 * Node's worker teardown (≈15 ms CPU each on Node 20, the bulk of the exit path — see
 * --trace-exit) is cheaper with a small one: 5 terminated workers took 41-49 ms of CPU instead of
 * 58-66 ms (same run), and proc_exit → process gone went from a 110 to a 95 ms median.
 */
const WORKER_YOUNG_GENERATION_MB = 1;
/** How long exit waits for terminated workers before reporting anyway. */
const TERMINATE_GRACE_MS = 100;

export interface SuperviseResult extends ExitRecord {
  /** Workers started during the run (T0 included). */
  workersStarted: number;
  /** The exit path's timestamps (empty unless `traceExit`) and when the request was made. */
  trace: ExitTrace;
  requestedAt: number;
  /**
   * Why the module's futex instructions could not be rewritten, if they could not: then neither the
   * deadlock watchdog nor a trace sees its futex waits.
   */
  futexWaitsUnseen?: string;
  /** With `traceFile`: events written and records dropped because a thread's buffer was full. */
  traceSummary?: { events: number; dropped: number };
}

function layoutOf(info: ModuleInfo): StaticLayout {
  const g = info.linkerGlobals;
  const c = info.conventions;
  const tlsSize = g.get('__tls_size') ?? 0;
  const low = g.get('__stack_low');
  const high = g.get('__stack_high');
  const [mainStackLo, mainStackHi] = low !== undefined && high !== undefined && low < high ? [low, high]
    : c.mainStackTop !== undefined ? [Math.max(0, c.mainStackTop - STACK_FLOOR), c.mainStackTop] : [0, 0];
  const [mainTlsLo, mainTlsHi] = c.mainTlsBase !== undefined && tlsSize > 0 ? [c.mainTlsBase, c.mainTlsBase + tlsSize] : [0, 0];
  return { tlsSize, tlsAlign: g.get('__tls_align') ?? 1, mainStackLo, mainStackHi, mainTlsLo, mainTlsHi, startArg: c.startArg };
}

/** Largest memory a wasm32 module can have: 65536 pages of 64 KiB (4 GiB). */
const MAX_PAGES = 65536;

/** Refuses, before compiling, what no run of this module could do. */
function checkModule(info: ModuleInfo): void {
  const m = info.memoryImport;
  const fail = (message: string): never => {
    throw new WasmthreadsError({ severity: 'error', code: 'memory', file: info.file, message });
  };
  if (info.relocatable) {
    throw new WasmthreadsError({ severity: 'error', code: 'relocatable', file: info.file,
      message: 'a relocatable object (it has a linking section), not a linked module',
      hint: 'link it first: `wasmthreads run` links inputs named .o or .a, with the objects and archives after it (`run app.o libc.a`); or use `wasmthreads link`' });
  }
  if (info.badStartType) {
    throw new WasmthreadsError({ severity: 'error', code: 'start-type', file: info.file,
      message: `its '_start' function has type ${info.badStartType}; a command's '_start' takes and returns nothing` });
  }
  if (info.badImports) {
    throw new WasmthreadsError({ severity: 'error', code: 'import-type', file: info.file, message: `cannot instantiate: ${info.badImports}` });
  }
  if (info.emscripten) {
    throw new WasmthreadsError({ severity: 'error', code: 'emscripten', file: info.file,
      message: `this is an emscripten module (${info.emscripten[0]}): it runs only under the JavaScript emcc wrote beside it`,
      hint: 'run that file with node (for example `node --no-experimental-fetch prog.js`), or build for wasm32-wasip1-threads to run it here' });
  }
  if (m && m.maximum !== undefined && m.maximum < m.initial) fail(`memory import ${m.module}.${m.name}: its minimum (${m.initial} pages) is above its maximum (${m.maximum} pages)`);
  if (m && (m.initial > MAX_PAGES || (m.maximum ?? 0) > MAX_PAGES)) fail(`memory import ${m.module}.${m.name}: more than ${MAX_PAGES} pages (4 GiB), the most a wasm32 memory can have`);
}

function createMemory(info: ModuleInfo): WebAssembly.Memory | undefined {
  const m = info.memoryImport;
  const fail = (message: string, hint?: string): never => {
    throw new WasmthreadsError({ severity: 'error', code: 'memory', file: info.file, message, hint });
  };
  if (!m) {
    if (info.abi !== 'none') fail(`module uses threads (${info.abi}) but imports no memory`, 'link with --import-memory --shared-memory');
    return undefined;
  }
  if (info.abi !== 'none' && !m.shared) fail(`memory import ${m.module}.${m.name} is not shared`, 'link with --shared-memory');
  // A memory that is not shared cannot be sent to a worker: the one thread such a module has
  // creates it in its own worker (thread-worker.ts, runOne).
  if (!m.shared) return undefined;
  if (m.maximum === undefined) fail(`shared memory import ${m.module}.${m.name} has no maximum`);
  return new WebAssembly.Memory({ initial: m.initial, maximum: m.maximum, shared: true } as WebAssembly.MemoryDescriptor);
}

interface Running {
  cb: ControlBlock;
  workers: Set<Worker>;
  started: number;
  base: Omit<ThreadWorkerData, 'slot' | 'selfTest'>;
  url: URL;
  trace: ExitTrace;
}

/** Node options that load code or change how the entry is read: meant for the host process only. */
const HOST_ONLY_OPTIONS = ['--import', '--loader', '--experimental-loader', '--require', '-r', '--input-type', '--eval', '-e', '--print', '-p'];

/**
 * The parent's Node options minus those that load code into every thread (a test runner's
 * loaders would cost each worker boot, and `--input-type` makes worker start-up fail).
 */
function workerExecArgv(parent: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const name = parent[i].split('=')[0];
    if (!HOST_ONLY_OPTIONS.includes(name)) out.push(parent[i]);
    else if (!parent[i].includes('=') && name !== '-p' && name !== '--print') i++;
  }
  return out;
}

/**
 * Node options a Worker accepts, found once per process. V8 flags (`--no-liftoff`, `--stack-size`,
 * `--max-old-space-size`) and per-process ones (`--expose-gc`, `--title`) are rejected in a Worker's
 * `execArgv` with ERR_WORKER_INVALID_EXEC_ARGV, whose message lists them ("Initiated Worker with
 * invalid execArgv flags: --no-liftoff, --stack-size=900"); they apply to the whole process, workers
 * included, anyway. The first rejection removes exactly those (and a separate value after one) and
 * the result is kept for every later worker.
 */
let acceptedExecArgv: string[] | undefined;

function withoutRejected(argv: string[], message: string): string[] {
  const listed = message.slice(message.indexOf(':') + 1).split(',').map((f) => f.trim()).filter((f) => f !== '');
  const rejected = new Set(listed);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (!rejected.has(argv[i])) out.push(argv[i]);
    else if (!argv[i].includes('=') && i + 1 < argv.length && !argv[i + 1].startsWith('-')) i++;
  }
  return out;
}

/**
 * The worker's environment: the process's, plus NODE_COMPILE_CACHE when this process keeps a V8
 * compile cache (bin/wasmthreads.js enables one, `module.enableCompileCache`): a worker does not
 * inherit it otherwise, and with it a worker starts without compiling its bundle again (~4-6 ms
 * of CPU each on Node 26). Not written to process.env, which `--inherit-env` hands to the guest.
 */
function workerEnv(): NodeJS.ProcessEnv {
  const dir = (module as { getCompileCacheDir?: () => string | undefined }).getCompileCacheDir?.();
  if (dir === undefined || process.env.NODE_COMPILE_CACHE !== undefined) return process.env;
  // The directory Node reports ends in its own per-version subdirectory, which it adds again.
  return { ...process.env, NODE_COMPILE_CACHE: dirname(dir) };
}

function newWorker(url: URL, options: WorkerOptions): Worker {
  acceptedExecArgv ??= workerExecArgv(process.execArgv);
  options = { env: workerEnv(), ...options };
  try {
    return new Worker(url, { ...options, execArgv: acceptedExecArgv });
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    acceptedExecArgv = withoutRejected(acceptedExecArgv, (e as Error).message);
    return new Worker(url, { ...options, execArgv: acceptedExecArgv });
  }
}

/**
 * Workers whose last run ended cleanly (their thread unwound and they posted WORKER_FREE), kept
 * for the next run in this process, by worker bundle URL. Starting a Node worker costs ~50 ms of
 * CPU and ending one ~15 ms; a process that runs many programs (`wasmthreads test` runs one per
 * test) reuses them. Unref'd: they never keep the process alive.
 */
const idleWorkers = new Map<string, Worker[]>();
/** Most idle workers kept per bundle. */
const MAX_IDLE_WORKERS = Math.max(8, 2 * availableParallelism());

/** Whether each worker of the current runs has reported itself free. */
const freeWorkers = new WeakSet<Worker>();

function takeIdleWorker(url: URL): Worker | undefined {
  return idleWorkers.get(url.href)?.pop();
}

/**
 * The listeners a run put on a worker. Only these are ever removed: `removeAllListeners()` would
 * also remove Node's own (a Worker refs and starts its message port through 'newListener' hooks),
 * and the worker's messages would stop arriving.
 */
const runListeners = new WeakMap<Worker, [string, (arg: unknown) => void][]>();

function listen(worker: Worker, event: string, fn: (arg: unknown) => void): void {
  worker.on(event, fn);
  const list = runListeners.get(worker) ?? [];
  list.push([event, fn]);
  runListeners.set(worker, list);
}

function unlisten(worker: Worker, event?: string): void {
  const list = runListeners.get(worker) ?? [];
  for (const [e, fn] of list) if (event === undefined || e === event) worker.off(e, fn);
  runListeners.set(worker, event === undefined ? [] : list.filter(([e]) => e !== event));
}

function keepIdleWorker(url: URL, worker: Worker): boolean {
  const list = idleWorkers.get(url.href) ?? [];
  if (list.length >= MAX_IDLE_WORKERS) return false;
  unlisten(worker);
  worker.unref();
  // An idle worker that dies (it never should) is simply forgotten.
  listen(worker, 'exit', () => {
    const i = list.indexOf(worker);
    if (i >= 0) list.splice(i, 1);
  });
  list.push(worker);
  idleWorkers.set(url.href, list);
  return true;
}

function startWorker(run: Running, slot: number, selfTest: Uint8Array | undefined): Worker {
  const workerData: ThreadWorkerData = { ...run.base, slot, selfTest };
  let worker = takeIdleWorker(run.url);
  if (worker) {
    unlisten(worker);
    worker.postMessage(workerData);
  } else {
    // stdout/stderr: true keeps Node from piping worker output into process.stdout, which would
    // make fd 1 non-blocking and give guest writes EAGAIN. Guest output uses fs.writeSync, and
    // nothing else in a worker writes to its process.stdout. The streams are not read: a stdio
    // stream waiting for data refs the worker's port, and an idle worker kept for reuse would then
    // keep Node alive.
    // trackUnmanagedFds: false — Node would otherwise close, when a worker exits, every raw fd it
    // opened through fs.open* and did not close itself. The WASI fd table is shared by all
    // threads, so an fd opened by one worker may be closed by another and its number reused (by a
    // booting worker's own epoll fd, say); closing it again at exit made libuv abort the process.
    worker = newWorker(run.url, { workerData, stdout: true, stderr: true,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      trackUnmanagedFds: false,
    });
    run.started++;
  }
  const w = worker;
  freeWorkers.delete(w);
  run.workers.add(w);
  const who = slot === 0 ? 'main thread worker' : `pool worker ${slot}`;
  listen(w, 'message', (m: unknown) => {
    if (m === WORKER_FREE) freeWorkers.add(w);
  });
  listen(w, 'error', (e) => {
    const err = e as Error;
    requestExit(run.cb, { code: TRAP_EXIT_CODE, tid: -1, kind: ExitKind.HOST, message: `${who} failed: ${err.stack ?? err.message}` });
  });
  listen(w, 'exit', (code) => {
    run.workers.delete(w);
    requestExit(run.cb, { code: TRAP_EXIT_CODE, tid: -1, kind: ExitKind.HOST, message: `${who} ended unexpectedly (code ${code})` });
  });
  if (slot !== 0) w.unref();
  else w.ref();
  return w;
}

/** Keeps `poolSize` workers coming to the pool, and serves waiting spawners, until exit (pool.ts). */
async function refillPool(run: Running, poolSize: number): Promise<void> {
  const { cb } = run;
  const running: RunningSince = new Map();
  while (Atomics.load(cb.words, Word.EXIT_STATE) === 0) {
    const seen = Atomics.load(cb.words, Word.REFILL);
    const plan = planBoots(cb, poolSize, MAX_CONCURRENT_BOOTS, running, performance.now());
    for (const slot of plan.boot) {
      cb.store(slot, SlotField.STATE, SlotState.BOOTING);
      Atomics.add(cb.words, Word.BOOTING, 1);
      cb.admitSlot(slot);
      startWorker(run, slot, undefined);
    }
    await waitAsyncWhile(cb.words, Word.REFILL, seen, plan.recheckMs);
  }
}

function collectServices(plugins: SupervisorPlugin[], memory: WebAssembly.Memory | undefined) {
  const names: string[] = [];
  const handlers: SupervisorService[] = [];
  const shared: Record<string, unknown> = {};
  const flushers: (() => void)[] = [];
  for (const p of plugins) {
    const setup = p.setup(memory as WebAssembly.Memory);
    shared[p.name] = setup.shared;
    for (const [name, fn] of Object.entries(setup.services ?? {})) {
      names.push(name);
      handlers.push(fn);
    }
    if (setup.beforeExit) flushers.push(() => setup.beforeExit!());
  }
  return { names, handlers, shared, flushers };
}

/**
 * Ends the run's workers. With `wait`, the workers that report themselves free within the grace
 * period (their thread unwound) are kept for a later run; the others — a thread still computing in
 * wasm cannot be interrupted — are terminated. Without `wait` (the CLI exits the process next),
 * all are terminated at once.
 */
async function terminateAll(run: Running, wait: boolean, memory: WebAssembly.Memory | undefined): Promise<void> {
  const all = [...run.workers];
  run.trace.mark('terminating');
  for (const w of all) unlisten(w, 'exit');
  if (wait) {
    wakeWatchedWaits(run.cb, memory);
    const deadline = Date.now() + TERMINATE_GRACE_MS;
    while (all.some((w) => !freeWorkers.has(w)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  }
  const kept = wait ? all.filter((w) => freeWorkers.has(w) && keepIdleWorker(run.url, w)) : [];
  const ending = all.filter((w) => !kept.includes(w));
  const done = Promise.all(ending.map((w) => {
    const id = w.threadId;
    return w.terminate().catch(() => undefined).then(() => run.trace.mark(`worker ${id} exited`));
  }));
  run.trace.mark(`terminate() called on ${ending.length} workers, ${kept.length} kept for reuse`);
  if (wait) await Promise.race([done, new Promise((r) => setTimeout(r, TERMINATE_GRACE_MS).unref())]);
  run.trace.mark(wait ? 'workers gone (or grace period over)' : 'supervisor done (not waiting for workers)');
}

/**
 * Decoded facts, the futex rewrite and the compiled module(s) per bytes object: a caller that runs
 * the same bytes many times (`wasmthreads test` runs every test of a binary as its own program)
 * decodes, rewrites and compiles them once. Keyed by the Uint8Array itself, so nothing outlives
 * the caller's bytes.
 */
interface Prepared {
  info: ModuleInfo;
  /** The rewrite, why there is none (a string), or undefined: no futex instruction to rewrite. */
  rewrite: FutexRewrite | string | undefined;
  /** Whether the module as linked may wait on a shared memory (the Node 20 Liftoff bug's concern). */
  mayWait: boolean;
  /** Compiled original (false) and rewritten (true) module, each on first use. */
  compiled: Map<boolean, Promise<WebAssembly.Module>>;
  /**
   * The modules wrapping its function imports as wasm functions (host-wrappers.ts), keyed by what
   * they do besides (`wrapperKey`): the bytes of each, made with the decoded module at hand, and
   * the compiled module once a run uses it. No entries where the imports cannot be wrapped.
   */
  importWrappers: Map<string, { bytes: Uint8Array; compiled?: WebAssembly.Module }>;
  /** The starter and start-argument reader (starter-module.ts), with the isolation check (true) or without, each on first use. */
  starters: Map<boolean, Starter>;
}

/** The modules a wasi-threads worker starts its threads with (ThreadWorkerData `starter`, `startArgReader`). */
interface Starter {
  starter: WebAssembly.Module;
  reader?: WebAssembly.Module;
}

const wrapperKey = (options: ImportWrapperOptions): string => `${options.recordCalls} ${options.spawn}`;

const preparedModules = new WeakMap<Uint8Array, Prepared>();

function prepared(bytes: Uint8Array, file: string): Prepared {
  let p = preparedModules.get(bytes);
  if (!p) {
    const mod = readModule(bytes, file);
    const info = moduleInfoOf(mod, file);
    checkModule(info);
    // Only a shared memory can be waited on; anything else traps in the instruction itself.
    const rewrite = info.memoryImport?.shared ? rewriteFutexes(mod, bytes) : undefined;
    // A module with a shared memory of its own is not rewritten; whether it waits is not looked at.
    const mayWait = info.memoryImport?.shared ? rewrite !== undefined : definesSharedMemory(mod);
    p = { info, rewrite, mayWait, compiled: new Map(), importWrappers: new Map(), starters: new Map() };
    // Wrappers pay off from a module's second instance on: only a threaded program has one.
    if (info.abi !== 'none') {
      for (const recordCalls of [false, true]) {
        for (const spawn of [undefined, info.abi]) {
          const bytes = importWrapperBytes(mod, { recordCalls, spawn });
          if (bytes) p.importWrappers.set(wrapperKey({ recordCalls, spawn }), { bytes });
        }
      }
    }
    preparedModules.set(bytes, p);
  }
  return p;
}

/**
 * The import wrappers a run uses: calls recorded in wasm for the deadlock report (`watch`) and the
 * spawn import claiming its pool slot in wasm, except under --trace, whose spans and flows the
 * JavaScript wrappers write (thread-worker.ts `watchCalls`). A wasi-threads module that does not
 * export `wasi_thread_start` spawns in JavaScript, which ends the run with the reason at its first
 * spawn.
 */
function importWrappers(p: Prepared, watch: boolean, tracing: boolean): WebAssembly.Module | undefined {
  const { abi, exports } = p.info;
  if (abi === 'none') return undefined;
  const spawn = tracing || (abi === 'wasi-threads' && exports.get(WASI_THREAD_START) !== ExternalKind.Func) ? undefined : abi;
  const w = p.importWrappers.get(wrapperKey({ recordCalls: watch && !tracing, spawn }));
  if (w) w.compiled ??= new WebAssembly.Module(w.bytes);
  return w?.compiled;
}

/**
 * The starter for a run of a wasi-threads module whose `wasi_thread_start` has the ABI's type, with
 * the isolation check when it is on and the module's trampoline reads the stack pointer from its
 * argument out of a shared memory it imports (the reader imports that memory).
 */
function starter(p: Prepared, layout: StaticLayout, checkIsolation: boolean): Starter | undefined {
  const { abi, threadEntryTyped, memoryImport } = p.info;
  if (abi !== 'wasi-threads' || !threadEntryTyped) return undefined;
  const startArg = checkIsolation && memoryImport?.shared ? layout.startArg : undefined;
  const check = startArg !== undefined;
  let s = p.starters.get(check);
  if (!s) {
    s = {
      starter: new WebAssembly.Module(starterModuleBytes(startArg && { ...layout, startArg })),
      reader: startArg && new WebAssembly.Module(startArgReaderBytes(startArg)),
    };
    p.starters.set(check, s);
  }
  return s;
}

let rewrittenReproduction: Uint8Array | undefined;

/** The Liftoff self-test's module in the form the run's guest has (liftoff.ts). */
function selfTestBytes(form: 'raw' | 'rewritten'): Uint8Array {
  if (form === 'raw') return liftoffReproduction();
  if (!rewrittenReproduction) {
    const bytes = liftoffReproduction();
    const r = rewriteFutexes(readModule(bytes, 'liftoff self-test'), bytes);
    if (typeof r !== 'object') throw new Error(`the Liftoff self-test module was not rewritten: ${r}`);
    rewrittenReproduction = r.bytes;
  }
  return rewrittenReproduction;
}

/** The module as linked, or as rewritten by `rewrite` (which is `p.rewrite`), compiled once each. */
function compiled(p: Prepared, bytes: Uint8Array, file: string, rewrite: FutexRewrite | undefined): Promise<WebAssembly.Module> {
  const hooked = rewrite !== undefined;
  let m = p.compiled.get(hooked);
  if (!m) {
    const source = rewrite ? rewrite.bytes : bytes;
    m = WebAssembly.compile(source).catch((e: unknown) => {
      throw new WasmthreadsError({ severity: 'error', code: 'compile', file, message: `invalid module: ${(e as Error).message}` });
    });
    p.compiled.set(hooked, m);
  }
  return m;
}

let hookModules: HookModules | undefined;

/** The hook modules (futex-hooks.ts), compiled once per process. */
function compiledHookModules(): HookModules {
  return (hookModules ??= {
    wrapped: new WebAssembly.Module(hookModuleBytes()),
    fast: { hooks: new WebAssembly.Module(fastHookModuleBytes()), guestOps: new WebAssembly.Module(guestOpsModuleBytes()) },
  });
}

/** Opens the trace file before the run, so a bad path fails before any thread starts. */
function openTrace(file: string): number {
  try {
    return openSync(file, 'w');
  } catch (err) {
    throw new WasmthreadsError({ severity: 'error', code: 'usage', file, message: `cannot write the trace file: ${readErrorText(err, 'a file')}` });
  }
}

/** Rejects option values no run can honour, before anything is allocated. */
function checkLimits(o: SuperviseOptions): void {
  const bad = (message: string): never => {
    throw new WasmthreadsError({ severity: 'error', code: 'usage', message });
  };
  const int = (v: number | undefined, name: string, min: number, max: number): void => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max)) bad(`${name} must be an integer from ${min} to ${max}, got ${v}`);
  };
  int(o.maxThreads, '--max-threads', 1, MAX_THREADS_LIMIT);
  int(o.poolSize, '--pool-size', 0, MAX_THREADS_LIMIT);
  int(o.stackSize, '--stack-size', MIN_STACK_SIZE, MAX_STACK_SIZE);
  if (o.maxHostMemory !== undefined && !(Number.isInteger(o.maxHostMemory) && o.maxHostMemory >= 1048576)) {
    bad(`--max-host-memory must be at least 1 MiB, got ${o.maxHostMemory}`);
  }
}

/** Runs a module to completion; resolves with the exit record once every worker is gone. */
export async function supervise(options: SuperviseOptions): Promise<SuperviseResult> {
  checkLimits(options);
  const prep = prepared(options.bytes, options.file);
  const info = { ...prep.info, file: options.file };
  const deadlockCheck = options.deadlockCheck ?? true;
  // The watchdog and the trace see futex waits through the rewritten module.
  const rewrite = (deadlockCheck || options.traceFile !== undefined) && typeof prep.rewrite === 'object' ? prep.rewrite : undefined;
  const waits: GuestWaits = !prep.mayWait ? 'none' : rewrite ? 'rewritten' : 'raw';
  const selfTestForm = applyLiftoffWorkaround(waits);
  const selfTest = selfTestForm && selfTestBytes(selfTestForm);
  const module = await compiled(prep, options.bytes, options.file, rewrite);
  const futexWaitsUnseen = typeof prep.rewrite === 'string' ? prep.rewrite : undefined;
  // The watchdog (and the record of each thread's last host call) needs every futex wait seen.
  const watch = deadlockCheck && futexWaitsUnseen === undefined;
  const traceFd = options.traceFile === undefined ? undefined : openTrace(options.traceFile);
  const origin = sharedClockMs();
  const memory = createMemory(info);
  const maxThreads = info.abi === 'none' ? 0 : (options.maxThreads ?? DEFAULT_MAX_THREADS);
  const poolSize = Math.min(options.poolSize ?? DEFAULT_POOL_SIZE, maxThreads);
  const buffers = ControlBlock.allocate(maxThreads, poolSize, options.maxHostMemory === undefined ? 0 : Math.floor(options.maxHostMemory / 1048576));
  const cb = new ControlBlock(buffers);
  const layout = layoutOf(info);
  const checkIsolation = options.checkIsolation ?? true;
  const starters = starter(prep, layout, checkIsolation);
  const services = collectServices(options.plugins ?? [], memory);
  const run: Running = {
    cb, workers: new Set(), started: 0, url: options.workerUrl, trace: new ExitTrace(options.traceExit ?? false),
    base: {
      file: options.file, module, memory, memoryImport: info.memoryImport, abi: info.abi, buffers,
      layout, checkIsolation,
      stackSize: options.stackSize ?? DEFAULT_THREAD_STACK_SIZE, services: services.names,
      pluginShared: services.shared, pluginModules: options.pluginModules ?? [],
      watch,
      hookModules: rewrite ? compiledHookModules() : undefined,
      importWrappers: importWrappers(prep, watch, traceFd !== undefined),
      starter: starters?.starter,
      startArgReader: starters?.reader,
      codeMap: rewrite ? { shift: rewrite.codeShift, firstWrapper: rewrite.firstWrapper } : undefined,
      trace: traceFd === undefined ? undefined : allocateTrace(cb.slotCount),
    },
  };
  const importNames = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
  // T0 first: it is the critical path. The pool boots right behind it (not after T0 is online):
  // a program that spawns at once would otherwise wait for a whole second worker boot. Pool
  // workers wait for MAIN_READY before instantiating, so T0's memory initialisation runs first.
  startWorker(run, 0, selfTest);
  if (maxThreads > 0) void refillPool(run, poolSize);
  const watchdog = run.base.watch
    ? startWatchdog(cb, importNames, Date.now, memory, (report) =>
      requestExit(cb, { code: DEADLOCK_EXIT_CODE, tid: -1, kind: ExitKind.DEADLOCK, message: report }))
    : undefined;
  void serveChannels(cb, services.handlers, (e) =>
    requestExit(cb, { code: TRAP_EXIT_CODE, tid: -1, kind: ExitKind.HOST, message: `supervisor service failed: ${(e as Error).stack ?? e}` }));
  const cancel = (): void => {
    const reason = options.signal?.reason;
    const message = reason instanceof Error ? reason.message : String(reason ?? 'aborted');
    requestExit(cb, { code: options.cancelExitCode ?? TRAP_EXIT_CODE, tid: -1, kind: ExitKind.CANCELLED, message: `run cancelled: ${message}` });
  };
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener('abort', cancel, { once: true });
  await waitAsyncWhile(cb.words, Word.EXIT_STATE, 0);
  options.signal?.removeEventListener('abort', cancel);
  while (Atomics.load(cb.words, Word.EXIT_STATE) !== 2) await waitAsyncWhile(cb.words, Word.EXIT_STATE, 1, 10);
  watchdog?.stop();
  run.trace.mark('supervisor noticed the request');
  cb.bump(Word.REFILL);
  cb.bump(Word.DOORBELL);
  await terminateAll(run, options.waitForTermination ?? true, memory);
  for (const flush of services.flushers) flush();
  run.trace.mark('plug-ins flushed');
  let traceSummary: SuperviseResult['traceSummary'];
  if (traceFd !== undefined && run.base.trace) {
    try {
      traceSummary = writeTrace(run.base.trace, cb.slotCount, importNames, origin, options.file, (chunk) => writeSync(traceFd, chunk));
    } finally {
      closeSync(traceFd);
    }
  }
  return { ...readExit(cb), workersStarted: run.started, trace: run.trace, requestedAt: cb.exitTime[0],
    futexWaitsUnseen, traceSummary };
}
