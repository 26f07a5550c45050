// bin/wasmthreads.js keeps V8's compile cache (Node >= 22.1, module.enableCompileCache), and the
// supervisor hands its directory to the thread workers, which would not use it otherwise: on a
// second run, a worker reads its bundle's compiled code from the cache instead of compiling it.
// Node's own debug output (NODE_DEBUG_NATIVE=COMPILE_CACHE) says which files were read.

import t from 'tap';
import module from 'node:module';
import { existsSync } from 'node:fs';
import { tempDir } from '../helpers/temp-dir.js';
import { RUN_DEADLINE_MS, runCli, WAT } from './run-helpers.js';

const supported = typeof (module as { getCompileCacheDir?: unknown }).getCompileCacheDir === 'function';

/** `run spawn.wasm` (exits 22 after a thread ran) with TMPDIR set and no cache settings of ours. */
const runSpawn = (tmp: string, extra: NodeJS.ProcessEnv = {}) =>
  runCli(['run', `${WAT}spawn.wasm`], RUN_DEADLINE_MS, { TMPDIR: tmp, NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined, ...extra });

t.test('thread workers use the compile cache', { skip: supported ? false : `Node ${process.version} has no module.getCompileCacheDir (22.8+)` }, async (t) => {
  const tmp = tempDir('compile-cache-', t);
  const first = await runSpawn(tmp);
  t.equal(first.code, 22, `first run (fills the cache): ${first.stderr}`);
  const second = await runSpawn(tmp, { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
  t.equal(second.code, 22, 'second run');
  t.match(second.stderr, /reading cache from \S+ for CommonJS \S*thread-worker\.cjs\.\.\..*success/, 'a worker read its bundle from the cache');
  t.notMatch(second.stderr, /node-compile-cache\/v[^/]+\/v[^/]+\//, 'workers share the main thread\'s directory (no nested version directory)');
});

// Node 22 and 24 loop forever in module.enableCompileCache() when TMPDIR is under /proc: the
// command line checks the directory first and runs without a cache there.
t.test('a TMPDIR where no cache can be made: the program runs without one', { skip: existsSync('/proc/self') ? false : 'no /proc here' }, async (t) => {
  for (const tmp of ['/proc', '/proc/self', '/dev/null']) {
    const r = await runSpawn(tmp);
    t.equal(r.code, 22, `TMPDIR=${tmp}: ${r.stderr}`);
  }
});
