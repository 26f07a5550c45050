#!/usr/bin/env node
// The command-line entry: no logic here, see src/cli/main.ts.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  endProcess: (code) => process.exit(code),
});
