// Node's own flags on the command line that runs wasmthreads: V8 and per-process flags are
// rejected in a Worker's execArgv (ERR_WORKER_INVALID_EXEC_ARGV) but apply to the whole process
// anyway, so they are dropped for workers and the program runs (spawn.wat exits 22 after a thread
// ran). Each flag alone, and mixed with a flag workers do accept.

import t from 'tap';
import { CONCURRENT_RUNS, createLimiter, ROOT, runNode, WAT } from './run-helpers.js';

const CLI = `${ROOT}bin/wasmthreads.js`;
const FLAG_SETS = [
  ['--no-liftoff'],
  ['--max-old-space-size=300'],
  ['--stack-size=2000'],
  ['--expose-gc'],
  ['--title=wasmthreads-test'],
  ['--no-warnings', '--expose-gc', '--no-liftoff'],
];

const limit = createLimiter(CONCURRENT_RUNS);
const runs = FLAG_SETS.map((flags) => limit(() => runNode([...flags, CLI, 'run', `${WAT}spawn.wasm`])));

FLAG_SETS.forEach((flags, i) => {
  t.test(`node ${flags.join(' ')} wasmthreads run`, async (t) => {
    const r = await runs[i];
    t.equal(r.code, 22, r.stderr);
    t.notMatch(r.stderr, /ERR_WORKER_INVALID_EXEC_ARGV|internal error/);
  });
});
