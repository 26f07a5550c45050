// What both command-line entries do before the CLI runs (bin/wasmthreads.js, bin/wasmthreads-ld.js).
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Node >= 22.1 can keep V8's compiled code for the bundle on disk and skip parsing and compiling
 * it on later runs, in this process and in the thread workers it starts (about 8 ms of a link's
 * and a run's start-up); Node documents it for command-line tools. The cache goes where Node puts
 * it by default, $TMPDIR/node-compile-cache, but only once that is seen to be a writable
 * directory: Node 22 and 24 hang in enableCompileCache when TMPDIR is under /proc. Not when the
 * user set NODE_COMPILE_CACHE (Node did it already) or NODE_DISABLE_COMPILE_CACHE.
 */
function enableCompileCache() {
  if (typeof module.enableCompileCache !== 'function') return;
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
  module.enableCompileCache(dir);
}

/**
 * Runs the CLI with `argv` (enabling the compile cache before the bundle is loaded). `link` and
 * `run` load their command's own CommonJS bundle instead of the CLI's ES modules
 * (src/cli/link-main.ts says why).
 */
export async function start(argv) {
  enableCompileCache();
  const io = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    endProcess: (code) => process.exit(code),
  };
  const require = module.createRequire(import.meta.url);
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
