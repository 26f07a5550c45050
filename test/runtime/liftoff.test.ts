// The Node 20 Liftoff workaround: the reproduction really miscompiles with Liftoff on (so the
// liftoff.wat guest passing under `wasmthreads run` shows the workaround at work), and the
// start-up self-test notices a Node where the workaround is missing.

import { spawnSync } from 'node:child_process';
import t from 'tap';
import { liftoffSelfTest, nodeNeedsLiftoffWorkaround } from '../../src/runtime/liftoff.js';
import { runCli, WAT } from './run-helpers.js';


const REPRO_DEFAULT = `const b = require('fs').readFileSync(${JSON.stringify(`${WAT}liftoff.wasm`)});
  const mem = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  let code;
  const i = new WebAssembly.Instance(new WebAssembly.Module(b), { env: { memory: mem }, wasi_snapshot_preview1: { proc_exit: (c) => { code = c; } } });
  i.exports._start(); console.log(code);`;

t.test('Node 20 miscompiles the pattern with Liftoff on', { skip: !nodeNeedsLiftoffWorkaround() && 'this Node compiles it correctly' }, async (t) => {
  const r = spawnSync(process.execPath, ['-e', REPRO_DEFAULT], { encoding: 'utf8', timeout: 30_000 });
  t.equal(r.stdout.trim(), '0', 'plain node gets 0 instead of 42');
  const fixed = spawnSync(process.execPath, ['--no-liftoff', '-e', REPRO_DEFAULT], { encoding: 'utf8', timeout: 30_000 });
  t.equal(fixed.stdout.trim(), '42');
});

t.test('the self-test catches a Node 20 without the workaround', { skip: !nodeNeedsLiftoffWorkaround() && 'this Node compiles it correctly' }, async (t) => {
  // This test process runs with Liftoff on, as a user's Node 20 would without wasmthreads' flag.
  t.match(liftoffSelfTest(), /miscompiles a local across memory\.atomic\.wait32 \(self-test returned 0, expected 42\)/);
});

t.test('wasmthreads run gives the right answer', async (t) => {
  const r = await runCli(['run', `${WAT}liftoff.wasm`]);
  t.equal(r.code, 42, r.stderr);
});
