// The Node 20 Liftoff workaround: the reproduction really miscompiles with Liftoff on (so the
// liftoff.wat guest passing under `wasmthreads run` shows the workaround at work), the rewritten
// form of it does not (so a rewritten guest keeps Liftoff), Liftoff goes off only for a guest with
// raw waits and stays off, and the start-up self-test notices a Node where the workaround is missing.

import { spawnSync } from 'node:child_process';
import t from 'tap';
import { readModule } from '../../src/binary/read-module.js';
import { rewriteFutexes } from '../../src/runtime/futex-rewrite.js';
import { applyLiftoffWorkaround, liftoffReproduction, liftoffSelfTest, nodeNeedsLiftoffWorkaround } from '../../src/runtime/liftoff.js';
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

t.test('wasmthreads run gives the right answer, waits rewritten (Liftoff on) or raw (Liftoff off)', async (t) => {
  for (const flags of [[], ['--no-deadlock-check'], ['--no-deadlock-check', '--no-isolation-check']]) {
    const r = await runCli(['run', ...flags, `${WAT}liftoff.wasm`]);
    t.equal(r.code, 42, `${flags.join(' ') || 'defaults'}: ${r.stderr}`);
  }
});

function rewrittenReproduction(): Uint8Array {
  const bytes = liftoffReproduction();
  const r = rewriteFutexes(readModule(bytes, 'repro'), bytes);
  if (typeof r !== 'object') throw new Error(`not rewritten: ${String(r)}`);
  return r.bytes;
}

t.test('the rewritten reproduction computes 42 with Liftoff on (its wrapper runs the wait itself)', async (t) => {
  // No hook table is filled here, so the wrapper executes memory.atomic.wait32 (not-equal: 1).
  t.equal(liftoffSelfTest(rewrittenReproduction()), undefined);
});

// Last in this file: it turns Liftoff off in this process.
t.test('Liftoff goes off for raw waits only, and stays off', async (t) => {
  if (!nodeNeedsLiftoffWorkaround()) {
    for (const w of ['none', 'rewritten', 'raw'] as const) t.equal(applyLiftoffWorkaround(w), undefined, `${w}: nothing to do on a fixed Node`);
    return;
  }
  t.equal(applyLiftoffWorkaround('none'), 'rewritten', 'no waits: Liftoff stays on');
  t.equal(applyLiftoffWorkaround('rewritten'), 'rewritten', 'rewritten waits: Liftoff stays on');
  t.match(liftoffSelfTest(), /self-test returned 0/, 'and the raw pattern is still miscompiled, so it really is on');
  t.equal(applyLiftoffWorkaround('raw'), 'raw', 'raw waits: Liftoff off');
  // Other bytes (a custom section added): V8 reuses the code it compiled for identical bytes.
  const fresh = Uint8Array.from([...liftoffReproduction(), 0, 2, 1, 0x78]);
  t.equal(liftoffSelfTest(fresh), undefined, 'the raw pattern now computes 42');
  t.equal(applyLiftoffWorkaround('rewritten'), 'raw', 'a later rewritten guest leaves it off (functions compile lazily)');
  t.equal(liftoffSelfTest(rewrittenReproduction()), undefined);
});
