// The composition root of `wasmthreads run`: turns run options into the runtime's supervisor call
// with the WASI plug-in, and the runtime's exit record into an exit code and a diagnostic. This is
// the only place that knows both `runtime/` and `wasi/` (STYLE.md: the arrows point one way).

import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Diagnostic } from '../diagnostics.js';
import { ExitKind } from '../runtime/control-block.js';
import { traceExitFromEnv } from '../runtime/exit-trace.js';
import { supervise } from '../runtime/supervisor.js';
import type { SupervisorPlugin } from '../shared/host-plugin.js';
import { wasiSupervisorPlugin } from '../wasi/index.js';
import { link } from '../link/index.js';

export interface RunOptions {
  /**
   * Path of the module to run (also the name used in messages). A relocatable object (`.o`) or
   * archive (`.a`) is linked in memory first, together with `linkWith`.
   */
  module: string;
  /** More objects and archives to link with an object `module`. */
  linkWith?: string[];
  /** The module's bytes, if already in memory (then `module` only names it). */
  bytes?: Uint8Array;
  /** Guest arguments after the program name. */
  args?: string[];
  /** Guest environment. */
  env?: [string, string][];
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
}

export interface RunResult {
  exitCode: number;
  /** Why the program ended abnormally (trap, isolation violation, host failure). */
  diagnostic?: Diagnostic;
  /** Thread id that ended the program (0 main, -1 the host). */
  exitTid: number;
  workersStarted: number;
  /** With `traceExit`: the exit trace so far; `finishTrace` adds a last mark and renders it. */
  finishTrace?: (lastStep: string) => string;
}

const DIAGNOSTIC_CODES: Record<number, string> = {
  [ExitKind.TRAP]: 'trap',
  [ExitKind.ISOLATION]: 'memory-isolation',
  [ExitKind.HOST]: 'host',
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
function linkForRun(options: RunOptions): Uint8Array {
  return link({
    inputs: [options.module, ...(options.linkWith ?? [])],
    sharedMemory: true,
    importMemory: { module: 'env', name: 'memory' },
    maxMemory: LINKED_MAX_MEMORY,
    exportTable: true,
    exportIfDefined: THREAD_EXPORTS,
  }).bytes;
}

async function moduleBytes(options: RunOptions): Promise<Uint8Array> {
  if (options.bytes) return options.bytes;
  if (isLinkInput(options.module)) return linkForRun(options);
  return new Uint8Array(await readFile(options.module));
}

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
  const bytes = await moduleBytes(options);
  const plugins: SupervisorPlugin[] = [];
  let stdinUsed: Readable | undefined;
  const stdin = (): Readable => (stdinUsed = process.stdin);
  if (options.wasi !== false) {
    plugins.push(wasiSupervisorPlugin({ args: [options.module, ...(options.args ?? [])], env: options.env ?? [], preopens: options.preopens ?? [], stdin }));
  }
  plugins.push(...(options.plugins ?? []));
  const result = await supervise({
    bytes,
    file: options.module,
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
  });
  releaseStdin(stdinUsed);
  return {
    exitCode: result.code,
    diagnostic: toDiagnostic(options.module, result.kind, result.message),
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
