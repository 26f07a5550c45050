// The subcommands, in the order `wasmthreads --help` lists them.

import { benchCommand } from './bench.js';
import type { Command } from './io.js';
import { inspectCommand } from './inspect.js';
import { linkCommand } from './link.js';
import { runCommand } from './run.js';
import { testCommand } from './test.js';

export const commands: Command[] = [runCommand, testCommand, linkCommand, inspectCommand, benchCommand];
