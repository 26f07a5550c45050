// The entry of dist/run-cli.cjs: `wasmthreads run` without the rest of the CLI, as one CommonJS
// file (link-main.ts says why). A trivial program's whole run costs 8-14 ms less CPU this way
// (noop.wasm, 15 alternating runs: Node 20 265 vs 272 ms, Node 24 212 vs 225 ms). bin/start.js
// loads it for `run`.

import type { CliIO } from './io.js';
import { runCommand as run } from './run.js';
import { runCommand } from './run-command.js';

/** `wasmthreads run ARGS…`: returns the exit code. */
export function runMain(args: string[], io: CliIO): Promise<number> {
  return runCommand(run, args, io);
}
