// The `wasmthreads` command: dispatches to one subcommand per file and renders errors. Every
// failure reaches the user as `wasmthreads: error: …` and a non-zero exit code; a raw stack trace
// means a bug in wasmthreads, and is labelled as such.

import { statSync } from 'node:fs';
import type { CliIO } from './io.js';
import { commands } from './commands.js';
import { runCommand } from './run-command.js';
import { VERSION } from './version.js';

export type { CliIO } from './io.js';
export { reportError } from './run-command.js';


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
  return runCommand(await entry.load(), args, io);
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
