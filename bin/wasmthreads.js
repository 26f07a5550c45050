#!/usr/bin/env node
// The command-line entry: no logic here, see src/cli/main.ts.
import module from 'node:module';

// Node >= 22.1 can keep V8's compiled code for the bundle on disk (under the OS temp directory,
// keyed by Node version and file contents) and skip parsing and compiling it on later runs, in
// this process and in the thread workers it starts: about 8 ms of a link's and a run's start-up.
// Node documents it for command-line tools; NODE_DISABLE_COMPILE_CACHE=1 turns it off. Before
// the bundle is imported, hence the dynamic import.
module.enableCompileCache?.();
const { main } = await import('../dist/cli.js');

process.exitCode = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  endProcess: (code) => process.exit(code),
});
