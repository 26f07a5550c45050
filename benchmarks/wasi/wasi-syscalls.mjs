// WASI syscall cost inside a wasmthreads worker: fd_write of 20 bytes to /dev/null and
// clock_time_get(MONOTONIC), called from wasm (wasi-syscalls.wat) under `wasmthreads run`, next to
// the floor Node itself sets in a worker thread (fs.writeSync of 20 bytes to /dev/null,
// process.hrtime.bigint()). Prints medians over batches, in ns per call. Not a test.
// Usage: npm run build && node benchmarks/wasi/wasi-syscalls.mjs
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/wasmthreads.js', import.meta.url));
const SAMPLES = 21;
const ITERS = 2000;

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function guestSamples() {
  const wasm = `${HERE}wasi-syscalls.wasm`;
  if (!existsSync(wasm)) spawnSync('wat2wasm', ['--enable-threads', `${HERE}wasi-syscalls.wat`, '-o', wasm], { stdio: 'inherit' });
  const r = spawnSync(process.execPath, [CLI, 'run', '--dir', '/dev::/dev', wasm], { timeout: 120_000, maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`guest exited ${r.status}: ${r.stderr}`);
  const all = Array.from({ length: r.stdout.length / 8 }, (_, i) => Number(r.stdout.readBigUInt64LE(i * 8)));
  return { fdWrite: all.slice(0, SAMPLES), clock: all.slice(SAMPLES) };
}

/** The same loops in plain JS in a worker thread: what any host-side implementation starts from. */
function floorSamples() {
  const code = `
    const { openSync, writeSync } = require('node:fs');
    const { parentPort } = require('node:worker_threads');
    const fd = openSync('/dev/null', 'w');
    const buf = Buffer.alloc(20);
    const time = (fn) => { const t0 = process.hrtime.bigint(); for (let i = 0; i < ${ITERS}; i++) fn(); return Number(process.hrtime.bigint() - t0) / ${ITERS}; };
    const out = { fdWrite: [], clock: [] };
    for (let k = 0; k < ${SAMPLES}; k++) out.fdWrite.push(time(() => writeSync(fd, buf, 0, 20, null)));
    for (let k = 0; k < ${SAMPLES}; k++) out.clock.push(time(() => process.hrtime.bigint()));
    parentPort.postMessage(out);`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true });
    w.once('message', (m) => { resolve(m); void w.terminate(); });
    w.once('error', reject);
  });
}

const guest = guestSamples();
const floor = await floorSamples();
console.log(`WASI syscalls in a worker (median of ${SAMPLES} batches × ${ITERS} calls, ns per call)`);
console.log(`${'call'.padEnd(40)}${'wasmthreads'.padStart(12)}${'Node floor'.padStart(12)}`);
const row = (name, a, b) => console.log(`${name.padEnd(40)}${String(Math.round(median(a))).padStart(12)}${String(Math.round(median(b))).padStart(12)}`);
row('fd_write 20 B to /dev/null', guest.fdWrite, floor.fdWrite);
row('clock_time_get(MONOTONIC)', guest.clock, floor.clock);
