// Running one subcommand once it is chosen: its --help, its exit code, and every error it throws
// turned into `wasmthreads: error: …` lines (a raw stack trace only for a bug in wasmthreads).
// Shared by the CLI's dispatcher (main.ts) and the bundles of `link` and `run` (link-main.ts,
// run-main.ts).

import { formatDiagnostic, WasmthreadsError } from '../diagnostics.js';
import type { CliIO, Command } from './io.js';

/** Runs `command` with its arguments; returns the exit code (after ending the process if it asks). */
export async function runCommand(command: Command, args: string[], io: CliIO): Promise<number> {
  if (args[0] === '--help' || args[0] === '-h') {
    io.stdout(command.usage() + '\n');
    return 0;
  }
  let code: number;
  try {
    code = await command.run(args, io);
  } catch (e) {
    code = reportError(e, io);
  }
  if (command.endsProcess) io.endProcess?.(code);
  return code;
}

/** Writes what went wrong as `wasmthreads: error:` lines; returns the exit code (2 usage, 1 error, 70 bug). */
export function reportError(e: unknown, io: CliIO): number {
  if (e instanceof WasmthreadsError) {
    for (const d of e.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
    return e.diagnostics.some((d) => d.code === 'usage') ? 2 : 1;
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.path === 'string') {
    // File-system errors from reading inputs: name the file, no stack.
    io.stderr(`wasmthreads: error: ${err.path}: ${describeErrno(err)}\n`);
    return 1;
  }
  if (err && typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code) && typeof err.syscall === 'string') {
    // A system error without a path (a read through a file handle): still no stack.
    io.stderr(`wasmthreads: error: ${describeErrno(err)}\n`);
    return 1;
  }
  io.stderr(`wasmthreads: internal error (this is a bug in wasmthreads, please report it):\n${err?.stack ?? String(e)}\n`);
  return 70;
}

function describeErrno(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return err.message;
  }
}
