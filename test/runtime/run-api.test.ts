// The library entry `run()` from the built package (dist/index.js): results, diagnostics, and that
// 10 000 spawn/join cycles reuse a handful of workers instead of starting one per thread.

import t from 'tap';
import { WAT } from './run-helpers.js';

// The built bundle, typed by its source (the path is a variable so tsc does not look for .d.ts).
const DIST = '../../dist/index.js';
const { run } = (await import(DIST)) as typeof import('../../src/index.js');

t.test('10 000 spawn/join cycles reuse pool workers and never grow memory', async (t) => {
  const r = await run({ module: `${WAT}cycles.wasm`, poolSize: 2 });
  // cycles.wat exits 3 if memory.size changed, 2 if a spawn failed.
  t.equal(r.exitCode, 0, r.diagnostic?.message ?? 'exit 0');
  t.ok(r.workersStarted <= 20, `${r.workersStarted} workers for 10 000 threads`);
});

t.test('a trap comes back as a diagnostic naming the thread', async (t) => {
  const r = await run({ module: `${WAT}trap.wasm` });
  t.equal(r.exitCode, 134);
  t.equal(r.exitTid, 1);
  t.match(r.diagnostic, { severity: 'error', code: 'trap', file: `${WAT}trap.wasm`, message: 'thread 1 trapped: unreachable' });
  t.match(r.diagnostic?.notes?.[0], /^at fail \(wasm:/);
});

t.test('a module that is not wasm is rejected before any worker starts', async (t) => {
  await t.rejects(run({ module: 'bad.wasm', bytes: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }), { name: 'DecodeError', message: /bad\.wasm: not a WebAssembly file/ });
});

t.test('a missing import is reported with the import name and exit 1', async (t) => {
  const r = await run({ module: `${WAT}spawn.wasm`, wasi: false });
  t.equal(r.exitCode, 1);
  t.match(r.diagnostic?.message, /cannot instantiate: .*wasi_snapshot_preview1/);
});

t.test('nothing keeps Node alive after run() resolves, even a guest read pending on stdin', async (t) => {
  // A child process calls run() on a guest whose thread is blocked reading stdin (an open pipe that
  // never delivers data) and must then end by itself, without process.exit.
  const { spawn } = await import('node:child_process');
  const script = `const { run } = await import(${JSON.stringify(new URL(DIST, import.meta.url).href)});
    const r = await run({ module: ${JSON.stringify(`${WAT}exit_main_wasi_read.wasm`)} });
    console.log('exit', r.exitCode);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(killer);
  child.stdin.destroy();
  t.equal(code, 0, 'the process ended on its own');
  t.equal(out, 'exit 99\n');
});
