// Start-up of a trivial threaded program (spawn one thread, wait for it, exit 0): wall time of the
// whole `node` process, as a user sees it; and, from `run --trace`, how long the spawn made as the
// program starts takes to reach the new thread's first instruction (the pool boots beside the
// main thread, so this should be a futex hand-off to a ready worker, not a worker boot).
import { ensureBuilt, header, runEmscripten, runWasmthreads, summary } from './bench-lib.mjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

ensureBuilt();
header('start-up of a trivial threaded program (whole process)');
const runs = Number(process.argv[2] ?? 10);
const time = (fn) => { const t = performance.now(); fn(); return performance.now() - t; };
const empty = [];
for (let i = 0; i < runs; i++) empty.push(time(() => spawnSync(process.execPath, ['-e', '0'])));
console.log(summary('node -e 0 (baseline)', empty, 'ms'));
for (const [label, fn] of [['wasmthreads run startup.wasm', () => runWasmthreads('startup')], ['emscripten 3.1.6 startup.js', () => runEmscripten('startup')]]) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(time(fn));
  console.log(summary(label, samples, 'ms'));
}

const dir = mkdtempSync(join(tmpdir(), 'wasmthreads-startup-'));
const spawnToRunning = [];
const mainStart = [];
for (let i = 0; i < runs; i++) {
  const trace = join(dir, 'trace.json');
  runWasmthreads('startup', undefined, ['--trace', trace]);
  const events = JSON.parse(readFileSync(trace, 'utf8')).traceEvents;
  const from = events.find((e) => e.ph === 's' && e.name === 'spawn');
  const to = events.find((e) => e.ph === 'f' && e.name === 'spawn');
  spawnToRunning.push((to.ts - from.ts) / 1000);
  mainStart.push(from.ts / 1000);
}
rmSync(dir, { recursive: true, force: true });
console.log(summary('wasmthreads: run start → first spawn', mainStart, 'ms'));
console.log(summary('wasmthreads: start-up spawn → thread running', spawnToRunning, 'ms'));

