#!/usr/bin/env node
// The command-line entry: no logic here, see src/cli/main.ts.
import { start } from './start.js';

await start(process.argv.slice(2));
