// WASI preview1 for threaded programs, as a runtime plug-in (src/shared/host-plugin.ts).
// The supervisor half builds the shared state once: the fd table (stdio and preopens), args and
// environment as UTF-8, and the read service for blocking fds. The worker half builds the
// `wasi_snapshot_preview1` import module for each new instance, running every syscall in the
// calling thread. Syscall families live in their own files; this one only assembles them.

import { fstatSync, openSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { WasmthreadsError } from '../diagnostics.js';
import type { SupervisorPlugin, ThreadHost, WorkerPlugin } from '../shared/host-plugin.js';
import { Filetype, PREOPEN_INHERITING, PREOPEN_RIGHTS, Rights } from './abi.js';
import { argsEnvImports, cString } from './args-env.js';
import { clockImports } from './clock.js';
import { WASI_PLUGIN_NAME, WasiContext, type WasiShared } from './context.js';
import { errnoFromHostError } from './errno.js';
import { fdImports } from './fd.js';
import { createFdTableBuffer, DEFAULT_FD_CAPACITY, EntryFlags, FdKind, FdTable } from './fd-table.js';
import { filetypeOf } from './filestat.js';
import { pathImports } from './path.js';
import { pollImports } from './poll.js';
import { procImports } from './proc.js';
import { randomImports } from './random.js';
import { sockImports } from './sock.js';
import { createReadService, type OutputSinks } from './stdio-service.js';
export type { OutputSinks } from './stdio-service.js';

export { Errno } from './errno.js';
export type { WasiShared } from './context.js';

export interface WasiOptions {
  /** argv, program name first. */
  args: string[];
  env: [string, string][];
  /** Host directories the guest may use, under the names it sees (`--dir HOST[::GUEST]`). */
  preopens: { host: string; guest: string }[];
  /** Where fd 0 reads come from (default `process.stdin`); touched only on the first read. */
  stdin?: () => Readable;
  /** fd 0 is `stdin` whatever the host's fd 0 is (the embedder gave its own input). */
  stdinGiven?: boolean;
  /** Capture: fd 1 / fd 2 writes go to these sinks (through the supervisor) instead of host fds. */
  output?: OutputSinks;
  /** Host fds behind guest fds 0, 1, 2 (default 0, 1, 2). */
  stdio?: [number, number, number];
  /** Size of the fd table (default DEFAULT_FD_CAPACITY, 16,384). */
  fdCapacity?: number;
}

/**
 * Enters guest fd 0..2 from the host's stdio; a closed host fd leaves its slot free. An embedder's
 * own stdin, or a sink for fd 1/2, makes that fd a stream served by the supervisor instead.
 */
function addStdio(table: FdTable, stdio: [number, number, number], stdinGiven: boolean, output: OutputSinks): void {
  stdio.forEach((hostFd, fd) => {
    const served = (fd === 0 && stdinGiven) || ((fd === 1 || fd === 2) && output[fd] !== undefined);
    if (served) {
      const rights = fd === 0 ? Rights.FD_READ : Rights.FD_WRITE;
      // A pipe as far as the guest can tell (filetype unknown, as for host pipes).
      table.insert({ kind: FdKind.STREAM, hostFd: fd === 0 ? hostFd : -1, filetype: Filetype.UNKNOWN, fdflags: 0, path: '', preopen: -1,
        flags: fd === 0 ? EntryFlags.SERVED_READS : EntryFlags.SERVED_WRITES, rightsBase: rights, rightsInheriting: rights }, fd);
      return;
    }
    let st;
    try {
      st = fstatSync(hostFd);
    } catch {
      return;
    }
    // Reads from anything but a regular file can block forever: the supervisor serves them.
    const flags = fd === 0 && !st.isFile() ? EntryFlags.SERVED_READS : 0;
    // wasmtime: stdin has FD_READ, stdout and stderr FD_WRITE (base and inheriting).
    const rights = fd === 0 ? Rights.FD_READ : Rights.FD_WRITE;
    table.insert({ kind: FdKind.STREAM, hostFd, filetype: filetypeOf(st), fdflags: 0, path: '', preopen: -1,
      flags, rightsBase: rights, rightsInheriting: rights }, fd);
  });
}

/**
 * Enters each preopen at fd 3, 4, … The root is stored as its real path so that sandbox
 * resolution below it only meets components it checked itself.
 */
function addPreopens(table: FdTable, preopens: WasiOptions['preopens']): void {
  preopens.forEach((p, i) => {
    let real: string;
    try {
      real = realpathSync(resolve(p.host));
      if (!statSync(real).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    } catch (err) {
      const why = (err as { code?: string }).code === 'ENOENT' ? 'no such directory' : 'not a directory';
      throw new WasmthreadsError({ severity: 'error', code: 'bad-preopen', file: p.host,
        message: `cannot preopen directory: ${why}`, hint: 'check the HOST part of --dir HOST[::GUEST]' });
    }
    table.insert({ kind: FdKind.DIRECTORY, hostFd: openSync(real, 'r'), filetype: Filetype.DIRECTORY, fdflags: 0,
      path: real, preopen: i, flags: 0, rightsBase: PREOPEN_RIGHTS, rightsInheriting: PREOPEN_INHERITING }, 3 + i);
  });
}

export function wasiSupervisorPlugin(options: WasiOptions): SupervisorPlugin<WasiShared> {
  return {
    name: WASI_PLUGIN_NAME,
    setup() {
      const buffer = createFdTableBuffer(options.fdCapacity ?? DEFAULT_FD_CAPACITY);
      const table = new FdTable(buffer);
      addStdio(table, options.stdio ?? [0, 1, 2], options.stdinGiven ?? false, options.output ?? {});
      addPreopens(table, options.preopens);
      const shared: WasiShared = {
        table: buffer,
        args: options.args.map(cString),
        env: options.env.map(([k, v]) => cString(`${k}=${v}`)),
        preopenNames: options.preopens.map((p) => p.guest),
      };
      const stdin = options.stdin ?? ((): Readable => process.stdin);
      const reads = createReadService(stdin, options.output);
      return { shared, services: { [WASI_PLUGIN_NAME]: reads.service }, beforeExit: () => reads.close() };
    },
  };
}

type AnyFn = (...args: any[]) => number | void;

/**
 * The one signed parameter in preview1 (fd_seek's `filedelta`), by function and position. Every
 * other parameter is unsigned (pointers, sizes, counts, fds, flags, `filesize`, `timestamp`).
 */
const SIGNED_PARAMS: Record<string, number> = { fd_seek: 1 };

/**
 * Turns a family's functions into imports: a `WasiError` or a host system error becomes the
 * errno the function returns; anything else (the runtime's exit unwind, bugs) passes through.
 * Arguments arrive as wasm gives them to JavaScript, i32 and i64 signed; each is made unsigned
 * first, as preview1 declares it, so that a length of 0xffffffff is 4 GiB (EFAULT), never -1.
 */
function asImports(fns: Record<string, AnyFn>): Record<string, AnyFn> {
  const out: Record<string, AnyFn> = {};
  for (const [name, fn] of Object.entries(fns)) {
    const signed = SIGNED_PARAMS[name] ?? -1;
    out[name] = (...args: unknown[]) => {
      for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (typeof a === 'number') args[i] = a >>> 0;
        else if (typeof a === 'bigint' && i !== signed) args[i] = BigInt.asUintN(64, a);
      }
      try {
        return fn(...args) ?? undefined;
      } catch (err) {
        const errno = errnoFromHostError(err);
        if (errno === undefined) throw err;
        return errno;
      }
    };
  }
  return out;
}

/** The `wasi_snapshot_preview1` functions for one instance on this thread. */
export function wasiImports(shared: WasiShared, host: ThreadHost): Record<string, AnyFn> {
  const ctx = new WasiContext(shared, host);
  return asImports({
    ...argsEnvImports(ctx), ...clockImports(ctx), ...randomImports(ctx), ...procImports(ctx),
    ...fdImports(ctx), ...pathImports(ctx), ...pollImports(ctx), ...sockImports(ctx),
  });
}

export const wasiWorkerPlugin: WorkerPlugin<WasiShared> = {
  name: WASI_PLUGIN_NAME,
  imports(shared, host) {
    return { wasi_snapshot_preview1: wasiImports(shared, host) };
  },
};

