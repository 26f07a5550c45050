// What watching threads costs: the deadlock watchdog (on by default: futex instructions rewritten
// to calls of wasm hooks, every import's wasm wrapper recording the last host call) and `--trace
// FILE` (JavaScript hooks and wrappers, which write the records), beside `--no-deadlock-check` (the
// module as linked, no call recorded), on three guests, runs alternating:
//   - futex ping-pong round trip (benchmarks/runtime/pingpong.wat), µs per round trip;
//   - spawn + join throughput (spawn-join.wat), µs per cycle;
//   - WASI calls (benchmarks/wasi/wasi-syscalls.wat): fd_write of 20 bytes to /dev/null and
//     clock_time_get, ns per call.
// Usage: npm run build && node benchmarks/runtime/observe-cost.mjs [RUNS] [NAME-SUBSTRING]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt, header, runWasmthreads, summary, u64s } from './bench-lib.mjs';

ensureBuilt();
const runs = Number(process.argv[2] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'wasmthreads-observe-'));
const traceFile = join(dir, 'trace.json');
const CLI = fileURLToPath(new URL('../../bin/wasmthreads.js', import.meta.url));
const SYSCALLS = fileURLToPath(new URL('../wasi/wasi-syscalls.wasm', import.meta.url));
const modes = [
  ['--no-deadlock-check', ['--no-deadlock-check']],
  ['default (watchdog on)', []],
  ['--trace FILE', ['--trace', traceFile]],
];
const traceSizes = [];

function syscalls(flags) {
  const r = spawnSync(process.execPath, [CLI, 'run', ...flags, '--dir', '/dev::/dev', SYSCALLS], { timeout: 120_000, maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`wasi-syscalls exited ${r.status}: ${r.stderr}`);
  const all = Array.from({ length: r.stdout.length / 8 }, (_, i) => Number(r.stdout.readBigUInt64LE(i * 8)));
  return { fdWrite: all.slice(0, all.length / 2), clock: all.slice(all.length / 2) };
}

const benches = [
  ['futex ping-pong round trip', 'µs', (flags) => {
    const v = u64s(runWasmthreads('pingpong', undefined, flags));
    return v.slice(1).map((x, i) => (x - v[i]) / 500 / 1000);
  }],
  ['spawn + join cycle', 'µs', (flags) => {
    const v = u64s(runWasmthreads('spawn-join', undefined, flags));
    return v.slice(1).map((x, i) => (x - v[i]) / 200 / 1000);
  }],
  ['fd_write 20 B to /dev/null', 'ns', (flags) => syscalls(flags).fdWrite],
  ['clock_time_get(MONOTONIC)', 'ns', (flags) => syscalls(flags).clock],
];

for (const [name, unit, measure] of benches.filter(([n]) => n.includes(process.argv[3] ?? ''))) {
  header(`${name}, ${unit}`);
  const samples = modes.map(() => []);
  for (let r = 0; r < runs; r++) {
    modes.forEach(([, flags], k) => {
      samples[k].push(...measure(flags));
      if (flags[0] === '--trace') traceSizes.push(statSync(traceFile).size);
    });
  }
  modes.forEach(([label], k) => console.log(summary(label, samples[k], unit)));
}
if (traceSizes.length) console.log(`\ntrace files: ${Math.round(Math.max(...traceSizes) / 1024)} KiB at most`);
rmSync(dir, { recursive: true, force: true });
