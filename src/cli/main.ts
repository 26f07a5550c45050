// The `wasmthreads` command: dispatches to one subcommand per file and renders errors. Every
// failure reaches the user as `wasmthreads: error: …` and a non-zero exit code; a raw stack trace
// means a bug in wasmthreads, and is labelled as such.

import { statSync } from 'node:fs';
import { formatDiagnostic, WasmthreadsError } from '../diagnostics.js';
import type { CliIO, Command } from './io.js';
import { commands } from './commands.js';
import { VERSION } from './version.js';

export type { CliIO } from './io.js';


function topUsage(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'usage: wasmthreads <command> [options] …',
    '',
    'Link, run and inspect threaded WebAssembly on Node.js.',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "Run 'wasmthreads <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(topUsage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`wasmthreads ${VERSION}\n`);
    return 0;
  }
  let entry = commands.find((c) => c.name === name);
  let args = rest;
  // The wasmtime habit: `wasmthreads app.wasm args…` (or `wasmthreads --dir . app.wasm`) runs it.
  if (!entry && looksLikeRun(name)) {
    entry = commands.find((c) => c.name === 'run');
    args = argv;
  }
  if (!entry) {
    io.stderr(`wasmthreads: error: unknown command '${name}'\n${topUsage()}\n`);
    return 2;
  }
  const command: Command = await entry.load();
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

/** A first word that is a module to run (a path to a file, or one ending in .wasm/.o/.a) or a run flag. */
function looksLikeRun(word: string): boolean {
  if (word.startsWith('--')) return true;
  if (/\.(wasm|o|a)$/.test(word)) return true;
  try {
    return statSync(word).isFile();
  } catch {
    return false;
  }
}

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
