// The composition root of `wasmthreads run`: turns run options into the runtime's supervisor call
// with the WASI plug-in, and the runtime's exit record into an exit code and a diagnostic. This is
// the only place that knows both `runtime/` and `wasi/` (the arrows point one way).

import { readFile } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { WasmthreadsError, type Diagnostic } from '../diagnostics.js';
import { checkOptions, optionError, type OptionKind } from '../shared/check-options.js';
import { readErrorText } from '../shared/read-error.js';
import { ExitKind } from '../runtime/control-block.js';
import { traceExitFromEnv } from '../runtime/exit-trace.js';
import { supervise } from '../runtime/supervisor.js';
export { MAX_STACK_SIZE, MAX_THREADS_LIMIT, MIN_STACK_SIZE } from '../runtime/supervisor.js';
import type { SupervisorPlugin } from '../shared/host-plugin.js';
import { wasiSupervisorPlugin } from '../wasi/index.js';
import { link, LinkError } from '../link/index.js';

/** Where guest output goes: the process's own fd (default), a callback, or a stream. */
export type OutputTarget = 'inherit' | ((data: Uint8Array) => void) | Writable;

export interface RunOptions {
  /**
   * The module: a path (also the name used in messages), or its bytes. A relocatable object
   * (`.o`) or archive (`.a`) path is linked in memory first, together with `linkWith`.
   */
  module: string | Uint8Array;
  /** The name used in messages when `module` is bytes (default `<module>`). */
  name?: string;
  /** More objects and archives to link with an object `module`. */
  linkWith?: string[];
  /** The module's bytes, if already in memory (then `module` only names it). */
  bytes?: Uint8Array;
  /**
   * Guest stdout / stderr. A callback or a stream gets each guest write whole, in the order the
   * threads made them (lines from several threads never mix inside one write).
   */
  stdout?: OutputTarget;
  stderr?: OutputTarget;
  /** Guest stdin: the process's (default), or these bytes / this text / this stream, then end of file. */
  stdin?: 'inherit' | string | Uint8Array | Readable;
  /** Aborting ends the program at once (every thread); `run` then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** End the program after this many ms; `run` resolves with exit code 124 and a diagnostic. */
  timeout?: number;
  /** Guest arguments after the program name. */
  args?: string[];
  /** Guest environment: an object or [name, value] pairs. */
  env?: Record<string, string> | [string, string][];
  /** Preopened directories (`--dir HOST[::GUEST]`). */
  preopens?: { host: string; guest: string }[];
  /** Provide WASI preview1 (default true). */
  wasi?: boolean;
  /** Most spawned threads alive at once (`--max-threads`, 1..4096, default 128); past it
   *  thread-spawn returns -6 (EAGAIN) and one warning is printed. Each thread costs ~8 MiB. */
  maxThreads?: number;
  /** Host memory budget in bytes (`--max-host-memory`): a spawn that would take the process's
   *  resident memory past it returns -6 (EAGAIN), with one warning. Default: none. */
  maxHostMemory?: number;
  /** Idle pre-instantiated workers kept ready (`--pool-size`). */
  poolSize?: number;
  /** Report overlapping thread stacks/TLS blocks (default true). */
  checkIsolation?: boolean;
  /** host-managed ABI: stack bytes per spawned thread (`--stack-size`). */
  stackSize?: number;
  /** More plug-ins: supervisor halves here, worker halves as module URLs exporting `workerPlugin`. */
  plugins?: SupervisorPlugin[];
  pluginModules?: string[];
  /** Resolve as soon as every worker was told to terminate, without waiting (for a caller that
   *  calls `process.exit` next, like the CLI). Default false. */
  exitingProcess?: boolean;
  /** Print the exit path's timestamps to stderr (`--trace-exit`; also WASMTHREADS_TRACE_EXIT=1). */
  traceExit?: boolean;
  /**
   * End the program with exit code 142 and a report when every thread is blocked in a wait only
   * another thread could end (default true; `--no-deadlock-check`).
   */
  deadlockCheck?: boolean;
  /** Write a Chrome trace-event JSON file (Perfetto) of every thread's spawns, host calls, futex
   *  waits and wakes (`--trace FILE`). */
  trace?: string;
}

export interface RunResult {
  exitCode: number;
  /** Why the program ended abnormally (trap, isolation violation, host failure). */
  diagnostic?: Diagnostic;
  /** Thread id that ended the program (0 main, -1 the host). */
  exitTid: number;
  workersStarted: number;
  /** Warnings about the run itself (a trace that lost events, waits the watchdog cannot see). */
  warnings: string[];
  /** With `trace`: events written to the file. */
  traceEvents?: number;
  /** With `traceExit`: the exit trace so far; `finishTrace` adds a last mark and renders it. */
  finishTrace?: (lastStep: string) => string;
}

const DIAGNOSTIC_CODES: Record<number, string> = {
  [ExitKind.CANCELLED]: 'timeout',
  [ExitKind.TRAP]: 'trap',
  [ExitKind.ISOLATION]: 'memory-isolation',
  [ExitKind.HOST]: 'host',
  [ExitKind.DEADLOCK]: 'deadlock',
};

function toDiagnostic(file: string, kind: number, message: string): Diagnostic | undefined {
  if (kind === ExitKind.NORMAL) return undefined;
  const [first, ...rest] = message.split('\n');
  return { severity: 'error', code: DIAGNOSTIC_CODES[kind] ?? 'host', file, message: first, notes: rest.length ? rest : undefined };
}

/** Memory maximum for modules linked by `run`: 1 GiB, as rustc passes for wasm32 with atomics. */
const LINKED_MAX_MEMORY = 1 << 30;
/** What the runtime's ABIs need exported, when the objects define them (README host-managed). */
const THREAD_EXPORTS = ['__stack_pointer', '__wasm_init_tls', '__tls_size', '__tls_align', '__tls_base', '__heap_base', '__data_end', 'wasi_thread_start'];

export function isLinkInput(path: string): boolean {
  return path.endsWith('.o') || path.endsWith('.a');
}

/** Links `.o`/`.a` inputs in memory into a runnable threaded module (shared imported memory). */
function linkForRun(path: string, linkWith: string[]): Uint8Array {
  try {
    return link({
      inputs: [path, ...linkWith],
      sharedMemory: true,
      importMemory: { module: 'env', name: 'memory' },
      maxMemory: LINKED_MAX_MEMORY,
      exportTable: true,
      exportIfDefined: THREAD_EXPORTS,
    }).bytes;
  } catch (e) {
    // No `_start` in the files given: a C program's comes from its libc's startup object.
    const noEntry = e instanceof LinkError ? e.diagnostics.find((d) => d.code === 'no-entry' && d.hint === undefined) : undefined;
    if (noEntry) {
      noEntry.hint = 'run links only the files given: add the startup object and the libc that define it, e.g. ' +
        '`run app.o SYSROOT/lib/wasm32-wasip1-threads/crt1-command.o SYSROOT/lib/wasm32-wasip1-threads/libc.a`, or link with your compiler and run the .wasm';
    }
    throw e;
  }
}

async function moduleBytes(options: RunOptions, name: string): Promise<Uint8Array> {
  if (options.module instanceof Uint8Array) return options.module;
  if (options.bytes) return options.bytes;
  if (isLinkInput(name)) return linkForRun(name, options.linkWith ?? []);
  try {
    return new Uint8Array(await readFile(name));
  } catch (err) {
    throw new WasmthreadsError({ severity: 'error', code: 'read', file: name, message: `cannot read module: ${readErrorText(err, 'a module')}` });
  }
}

const RUN_OPTION_KINDS: Record<string, OptionKind> = {
  name: 'string', linkWith: 'string[]', args: 'string[]', wasi: 'boolean', maxThreads: 'integer', maxHostMemory: 'integer',
  poolSize: 'integer', checkIsolation: 'boolean', stackSize: 'integer', plugins: 'any', pluginModules: 'string[]',
  exitingProcess: 'boolean', traceExit: 'boolean', timeout: 'integer', deadlockCheck: 'boolean', trace: 'string',
};

/** Validates the options at the boundary and spells out the shorthands. */
function checkRunOptions(o: RunOptions): { name: string; env: [string, string][] } {
  checkOptions('run', o, RUN_OPTION_KINDS, ['module', 'bytes', 'env', 'preopens', 'stdout', 'stderr', 'stdin', 'signal']);
  if (typeof o.module !== 'string' && !(o.module instanceof Uint8Array)) throw optionError('run', `option 'module' must be a path or the module's bytes (a Uint8Array)`);
  const name = typeof o.module === 'string' ? o.module : (o.name ?? '<module>');
  const env = o.env === undefined ? [] : Array.isArray(o.env) ? o.env : typeof o.env === 'object' && o.env !== null ? Object.entries(o.env) : undefined;
  if (!env || !env.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string')) {
    throw optionError('run', `option 'env' must be an object of strings or [name, value] pairs`);
  }
  if (o.preopens !== undefined && !(Array.isArray(o.preopens) && o.preopens.every((p) => typeof p?.host === 'string' && typeof p?.guest === 'string'))) {
    throw optionError('run', `option 'preopens' must be an array of { host, guest } paths`);
  }
  for (const key of ['stdout', 'stderr'] as const) {
    const v = o[key];
    if (v !== undefined && v !== 'inherit' && typeof v !== 'function' && !(v instanceof Writable)) throw optionError('run', `option '${key}' must be 'inherit', a function or a Writable stream`);
  }
  const input = o.stdin;
  if (input !== undefined && input !== 'inherit' && typeof input !== 'string' && !(input instanceof Uint8Array) && !(input instanceof Readable)) {
    throw optionError('run', `option 'stdin' must be 'inherit', a string, a Uint8Array or a Readable stream`);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw optionError('run', `option 'signal' must be an AbortSignal`);
  if (o.timeout !== undefined && o.timeout <= 0) throw optionError('run', `option 'timeout' must be a positive number of ms`);
  return { name, env };
}

/** A sink for captured output, or undefined for the process's own fd. */
function sinkOf(target: OutputTarget | undefined): ((data: Uint8Array) => void) | undefined {
  if (target === undefined || target === 'inherit') return undefined;
  if (typeof target === 'function') return target;
  return (data) => target.write(data);
}

/** Exit code of a run that timed out, as coreutils' `timeout` gives. */
export const TIMEOUT_EXIT_CODE = 124;

/**
 * After the run nobody reads stdin any more: a read the guest left pending must not keep Node
 * alive (the program has exited). Unref'ing leaves the stream usable by the caller.
 */
function releaseStdin(stream: Readable | undefined): void {
  if (!stream) return;
  stream.pause();
  (stream as Readable & { unref?: () => void }).unref?.();
}

/** Runs a threaded module to completion. Resolves once every worker is gone. */
export async function run(options: RunOptions): Promise<RunResult> {
  const { name, env } = checkRunOptions(options);
  options.signal?.throwIfAborted();
  const bytes = await moduleBytes(options, name);
  const plugins: SupervisorPlugin[] = [];
  let stdinUsed: Readable | undefined;
  const given = options.stdin !== undefined && options.stdin !== 'inherit' ? options.stdin : undefined;
  const stdin = (): Readable => (stdinUsed = given === undefined ? process.stdin : given instanceof Readable ? given : Readable.from([Buffer.from(given)]));
  const output = { 1: sinkOf(options.stdout), 2: sinkOf(options.stderr) };
  if (options.wasi !== false) {
    plugins.push(wasiSupervisorPlugin({ args: [name, ...(options.args ?? [])], env, preopens: options.preopens ?? [], stdin, stdinGiven: given !== undefined, output }));
  }
  // One signal for the caller's abort and the timeout; which one fired decides the outcome.
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.timeout === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${options.timeout} ms`));
  }, options.timeout);
  plugins.push(...(options.plugins ?? []));
  const result = await supervise({
    bytes,
    file: name,
    workerUrl: new URL('./thread-worker.cjs', import.meta.url),
    plugins,
    pluginModules: options.pluginModules,
    maxThreads: options.maxThreads,
    maxHostMemory: options.maxHostMemory,
    poolSize: options.poolSize,
    checkIsolation: options.checkIsolation,
    stackSize: options.stackSize,
    waitForTermination: !options.exitingProcess,
    traceExit: options.traceExit ?? traceExitFromEnv(),
    deadlockCheck: options.deadlockCheck,
    traceFile: options.trace,
    signal: controller.signal,
    cancelExitCode: TIMEOUT_EXIT_CODE,
  }).finally(() => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  });
  releaseStdin(given === undefined ? stdinUsed : undefined);
  if (result.kind === ExitKind.CANCELLED && !timedOut) throw options.signal?.reason ?? new Error('run cancelled');
  const warnings: string[] = [];
  if (options.trace !== undefined && result.futexWaitsUnseen) warnings.push(`the trace has no futex waits: ${result.futexWaitsUnseen}`);
  if (result.traceSummary?.dropped) warnings.push(`the trace lost ${result.traceSummary.dropped} events (a thread's trace buffer was full)`);
  return {
    warnings,
    traceEvents: result.traceSummary?.events,
    exitCode: result.code,
    diagnostic: toDiagnostic(name, result.kind, result.message),
    exitTid: result.tid,
    workersStarted: result.workersStarted,
    finishTrace: result.trace.enabled
      ? (lastStep) => {
          result.trace.mark(lastStep);
          return result.trace.format(result.requestedAt);
        }
      : undefined,
  };
}
