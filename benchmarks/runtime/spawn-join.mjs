// Back-to-back spawn + join throughput: 1000 cycles (after 100 warm-up) of spawning a thread and
// waiting for it, in µs per cycle, beside emscripten 3.1.6 pthreads (pthread_create +
// pthread_join, PTHREAD_POOL_SIZE=4) in the same run, runs alternating. Both with their pools up:
// emscripten loads its pool before main runs; the wasmthreads guest waits 1 s first (our pool boots
// behind _start, one worker at a time, and a loop that starts at once runs its first ~60 ms on the
// one or two workers up by then — startup.mjs measures that phase).
// Usage: node spawn-join.mjs [RUNS] [BASELINE_CLI] — BASELINE_CLI, another build's
// bin/wasmthreads.js, adds a before/after row.
import { ensureBuilt, header, runEmscripten, runWasmthreads, summary, u64s } from './bench-lib.mjs';

ensureBuilt();
header('spawn + join throughput, µs per cycle (5 batches of 200 per run)');
const runs = Number(process.argv[2] ?? 5);
const baseline = process.argv[3];
const rows = [
  ['wasmthreads', () => runWasmthreads('spawn-join')],
  ...(baseline ? [['wasmthreads baseline', () => runWasmthreads('spawn-join', baseline)]] : []),
  ['emscripten 3.1.6 (PTHREAD_POOL_SIZE=4)', () => runEmscripten('throughput')],
];
const samples = rows.map(() => []);
for (let r = 0; r < runs; r++) {
  rows.forEach(([, out], k) => {
    const v = u64s(out());
    for (let i = 0; i + 1 < v.length; i++) samples[k].push((v[i + 1] - v[i]) / 200 / 1000);
  });
}
rows.forEach(([label], k) => console.log(summary(label, samples[k], 'µs')));
