// Warm-pool spawn-to-running latency: time from just before thread-spawn / pthread_create to the
// first instruction of the new thread, 200 spawns with the pool warm (2 ms between spawns).
// Usage: node spawn-latency.mjs [RUNS] [BASELINE_CLI] — BASELINE_CLI, another build's
// bin/wasmthreads.js, adds a before/after row. The runtimes take turns run by run, so a change in
// machine load hits all rows alike.
import { ensureBuilt, header, runEmscripten, runWasmthreads, summary, u64s } from './bench-lib.mjs';

ensureBuilt();
header('spawn-to-running latency, warm pool');
const runs = Number(process.argv[2] ?? 3);
const baseline = process.argv[3];
const rows = [
  ['wasmthreads (futex-claimed pool)', () => runWasmthreads('spawn-latency')],
  ...(baseline ? [[`wasmthreads baseline`, () => runWasmthreads('spawn-latency', baseline)]] : []),
  ['emscripten 3.1.6 (PTHREAD_POOL_SIZE=4)', () => runEmscripten('spawn')],
];
const samples = rows.map(() => []);
for (let r = 0; r < runs; r++) {
  rows.forEach(([, out], k) => {
    const v = u64s(out());
    for (let i = 0; i + 1 < v.length; i += 2) samples[k].push((v[i + 1] - v[i]) / 1000);
  });
}
rows.forEach(([label], k) => console.log(summary(label, samples[k], 'µs')));
