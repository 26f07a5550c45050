// Warm-pool spawn-to-running latency: time from just before thread-spawn / pthread_create to the
// first instruction of the new thread, 200 spawns with the pool warm (2 ms between spawns). The
// anchor, in the same run: a raw futex hand-off (handoff.wat) — the same measurement with the
// spawn replaced by one `memory.atomic.notify` to a running thread blocked in
// `memory.atomic.wait32` for as long, with wasmthreads' futex hooks off (--no-deadlock-check), so
// the wait and the notify are V8's own. A spawn is at least that hand-off. A second wasmthreads row
// runs spawn-latency-libc.wat, whose threads start with wasi-libc's trampoline, so the host checks
// each new thread's stack and TLS block against every live thread's on the way (tls.ts).
// Usage: node spawn-latency.mjs [RUNS] [BASELINE_CLI] — BASELINE_CLI, another build's
// bin/wasmthreads.js, adds before/after rows. The runtimes take turns run by run, so a change in
// machine load hits all rows alike.
import { ensureBuilt, header, runEmscripten, runWasmthreads, summary, u64s } from './bench-lib.mjs';

ensureBuilt();
header('spawn-to-running latency, warm pool');
const runs = Number(process.argv[2] ?? 3);
const baseline = process.argv[3];
const rows = [
  ['wasmthreads (futex-claimed pool)', () => runWasmthreads('spawn-latency')],
  ['wasmthreads, isolation checked', () => runWasmthreads('spawn-latency-libc')],
  ['raw futex hand-off (anchor)', () => runWasmthreads('handoff', undefined, ['--no-deadlock-check'])],
  ...(baseline ? [
    ['wasmthreads baseline', () => runWasmthreads('spawn-latency', baseline)],
    ['baseline, isolation checked', () => runWasmthreads('spawn-latency-libc', baseline)],
  ] : []),
  ['emscripten 3.1.6 (PTHREAD_POOL_SIZE=4)', () => runEmscripten('spawn')],
];
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const samples = rows.map(() => []);
// Each run's median per row too: on a VM whose speed shifts between runs (the raw hand-off itself
// doubling for a while), the ratio of the two medians taken run by run tracks the spawn's own
// cost better than the ratio of medians pooled over every run.
const ANCHOR = 2;
const OURS = [0, 1];
const ratios = OURS.map(() => []);
for (let r = 0; r < runs; r++) {
  const medians = rows.map(([, out], k) => {
    const v = u64s(out());
    const run = [];
    for (let i = 0; i + 1 < v.length; i += 2) run.push((v[i + 1] - v[i]) / 1000);
    samples[k].push(...run);
    return median(run);
  });
  OURS.forEach((k, j) => ratios[j].push(medians[k] / medians[ANCHOR]));
}
rows.forEach(([label], k) => console.log(summary(label, samples[k], 'µs')));
OURS.forEach((k, j) => {
  const sorted = [...ratios[j]].sort((a, b) => a - b);
  console.log(`${rows[k][0]} / raw hand-off: ${(median(samples[k]) / median(samples[ANCHOR])).toFixed(2)}x (medians); ` +
    `run by run: median ${median(ratios[j]).toFixed(2)}x, ${sorted[0].toFixed(2)}-${sorted.at(-1).toFixed(2)}x over ${runs} runs`);
});
