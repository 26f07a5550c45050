// What both command-line entries do before the CLI runs (bin/wasmthreads.js, bin/wasmthreads-ld.js).
// The entries are CommonJS (bin/package.json): an ES-module entry starts Node's ESM loader, 8-14 ms
// of CPU before any of our code runs (an empty entry on Node 20 and 24, 15 alternating runs), which
// `link` and `run` then do not use; the rest of the CLI is still imported as ES modules.
const { accessSync, constants, mkdirSync, statSync } = require('node:fs');
const nodeModule = require('node:module');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

/**
 * Node >= 22.1 can keep V8's compiled code for the bundle on disk and skip parsing and compiling
 * it on later runs, in this process and in the thread workers it starts (about 8 ms of a link's
 * and a run's start-up); Node documents it for command-line tools. The cache goes where Node puts
 * it by default, $TMPDIR/node-compile-cache, but only once that is seen to be a writable
 * directory: Node 22 and 24 hang in enableCompileCache when TMPDIR is under /proc. Not when the
 * user set NODE_COMPILE_CACHE (Node did it already) or NODE_DISABLE_COMPILE_CACHE.
 */
function enableCompileCache() {
  if (typeof nodeModule.enableCompileCache !== 'function') return;
  if (process.env.NODE_COMPILE_CACHE || process.env.NODE_DISABLE_COMPILE_CACHE) return;
  const dir = join(tmpdir(), 'node-compile-cache');
  try {
    mkdirSync(dir);
  } catch (e) {
    if (e?.code !== 'EEXIST') return;
  }
  try {
    if (!statSync(dir).isDirectory()) return;
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    return;
  }
  nodeModule.enableCompileCache(dir);
}

/**
 * Runs the CLI with `argv` (enabling the compile cache before the bundle is loaded). `link` and
 * `run` load their command's own CommonJS bundle instead of the CLI's ES modules
 * (src/cli/link-main.ts says why).
 */
async function start(argv) {
  enableCompileCache();
  const io = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    endProcess: (code) => process.exit(code),
  };
  if (argv[0] === 'link') {
    process.exitCode = await require('../dist/link-cli.cjs').linkMain(argv.slice(1), io);
    return;
  }
  if (argv[0] === 'run') {
    process.exitCode = await require('../dist/run-cli.cjs').runMain(argv.slice(1), io);
    return;
  }
  const { main } = await import('../dist/cli.js');
  process.exitCode = await main(argv, io);
}

module.exports = { start };
