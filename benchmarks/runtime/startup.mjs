// Start-up of a trivial threaded program (spawn one thread, wait for it, exit 0): wall time of the
// whole `node` process, as a user sees it.
import { ensureBuilt, header, runEmscripten, runWasmthreads, summary } from './bench-lib.mjs';
import { spawnSync } from 'node:child_process';

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
