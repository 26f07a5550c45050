// Futex ping-pong: round-trip time of a memory.atomic.wait32/notify hand-off between two threads,
// 20 batches of 500 round trips per run; each sample is one batch's mean round trip.
import { ensureBuilt, header, runEmscripten, runWasmthreads, summary, u64s } from './bench-lib.mjs';

ensureBuilt();
header('futex ping-pong round trip between two threads');
const runs = Number(process.argv[2] ?? 3);
for (const [label, out] of [['wasmthreads (two workers)', () => runWasmthreads('pingpong')], ['emscripten 3.1.6 (main + pthread)', () => runEmscripten('pingpong')]]) {
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const v = u64s(out());
    for (let b = 0; b + 1 < v.length; b++) samples.push((v[b + 1] - v[b]) / 500 / 1000);
  }
  console.log(summary(label, samples, 'µs'));
}
