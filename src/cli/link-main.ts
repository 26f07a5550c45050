// The entry of dist/link-cli.cjs: `wasmthreads link` and `wasmthreads-ld` without the rest of the
// CLI. A link is a process of a few hundred milliseconds, a third of them Node's own start-up, so
// how its code is loaded shows: one CommonJS file holding only the linker costs 10-25 ms less CPU
// per link than the ES-module graph of the split bundle (eight chunks, each resolved and linked
// by Node's ESM loader). Measured on hello + wasi-libc, 15 alternating runs: Node 20 192 vs
// 218 ms, Node 24 and 26 170 vs 180 ms. bin/start.js loads it for these two commands (and
// run-main.ts's bundle, the same way, for `run`).

import type { CliIO } from './io.js';
import { linkCommand } from './link.js';
export { linkProcess } from './link.js';
import { runCommand } from './run-command.js';

/** `wasmthreads link ARGS…`: returns the exit code. */
export function linkMain(args: string[], io: CliIO): Promise<number> {
  return runCommand(linkCommand, args, io);
}
