// Warm-pool spawn-to-running latency: time from just before thread-spawn / pthread_create to the
// first instruction of the new thread, 200 spawns with the pool warm (2 ms between spawns).
import { ensureBuilt, header, runEmscripten, runWasmthreads, summary, u64s } from './bench-lib.mjs';

ensureBuilt();
header('spawn-to-running latency, warm pool');
const runs = Number(process.argv[2] ?? 3);
for (const [label, out] of [['wasmthreads (futex-claimed pool)', () => runWasmthreads('spawn-latency')], ['emscripten 3.1.6 (PTHREAD_POOL_SIZE=4)', () => runEmscripten('spawn')]]) {
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const v = u64s(out());
    for (let i = 0; i + 1 < v.length; i += 2) samples.push((v[i + 1] - v[i]) / 1000);
  }
  console.log(summary(label, samples, 'µs'));
}
