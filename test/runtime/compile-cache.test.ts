// bin/wasmthreads.js keeps V8's compile cache (Node >= 22.1, module.enableCompileCache), and the
// supervisor hands its directory to the thread workers, which would not use it otherwise: on a
// second run, a worker reads its bundle's compiled code from the cache instead of compiling it.
// Node's own debug output (NODE_DEBUG_NATIVE=COMPILE_CACHE) says which files were read.

import t from 'tap';
import module from 'node:module';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tempDir } from '../helpers/temp-dir.js';
import { ROOT, WAT } from './run-helpers.js';

const CLI = `${ROOT}bin/wasmthreads.js`;
const supported = typeof (module as { getCompileCacheDir?: unknown }).getCompileCacheDir === 'function';

t.test('thread workers use the compile cache', { skip: supported ? false : `Node ${process.version} has no module.getCompileCacheDir (22.8+)` }, async (t) => {
  const tmp = tempDir('compile-cache-', t);
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
  delete env.NODE_OPTIONS;
  delete env.NODE_COMPILE_CACHE;
  delete env.NODE_DISABLE_COMPILE_CACHE;
  const run = (extra: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [CLI, 'run', `${WAT}spawn.wasm`], { env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 });
  const first = run({});
  t.equal(first.status, 22, `first run (fills the cache): ${first.stderr}`);
  const second = run({ NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
  t.equal(second.status, 22, 'second run');
  t.match(second.stderr, /reading cache from \S+ for CommonJS \S*thread-worker\.cjs\.\.\..*success/, 'a worker read its bundle from the cache');
  t.notMatch(second.stderr, /node-compile-cache\/v[^/]+\/v[^/]+\//, 'workers share the main thread\'s directory (no nested version directory)');
});

// Node 22 and 24 loop forever in module.enableCompileCache() when TMPDIR is under /proc: the
// command line checks the directory first and runs without a cache there.
t.test('a TMPDIR where no cache can be made: the program runs without one', { skip: existsSync('/proc/self') ? false : 'no /proc here' }, async (t) => {
  for (const tmp of ['/proc', '/proc/self', '/dev/null']) {
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
    delete env.NODE_OPTIONS;
    delete env.NODE_COMPILE_CACHE;
    const r = spawnSync(process.execPath, [CLI, 'run', `${WAT}spawn.wasm`], { env, encoding: 'utf8', timeout: 60_000 });
    t.equal(r.status, 22, `TMPDIR=${tmp}: ${r.error ? `no exit within 60 s (${r.error.message})` : r.stderr}`);
  }
});
