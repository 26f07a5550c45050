// Spawn + join of a real pthreads program (libc-cycles.c): the same C file built against a threaded
// wasi-libc and run by wasmthreads, and built with emcc 3.1.6 -pthread (PTHREAD_POOL_SIZE=4) and
// run under emscripten's JS, side by side, runs alternating. Reports per run the whole process's
// wall time (start-up and exit included) and the mean µs per cycle over the first 1000 cycles and
// over the rest, then medians.
//
// The threaded wasi-libc does not come from any registry here: point WASI_SYSROOT at one
// (wasi-sdk's share/wasi-sysroot, or a wasm32-wasip1-threads build of WebAssembly/wasi-libc).
// Without it this benchmark says so and stops. CC picks the compiler (default clang-22).
// Usage: WASI_SYSROOT=… node spawn-join-libc.mjs [RUNS] [BATCHES of 250 cycles] [BASELINE_CLI]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { EMSCRIPTEN_NODE_ARGS, HERE, header, quantile, runNode } from './bench-lib.mjs';

const SYSROOT = process.env.WASI_SYSROOT;
if (!SYSROOT || !existsSync(`${SYSROOT}/lib/wasm32-wasip1-threads/libc.a`)) {
  console.log('spawn-join-libc: skipped — set WASI_SYSROOT to a wasm32-wasip1-threads sysroot (lib/wasm32-wasip1-threads/libc.a) to build the real pthreads program');
  process.exit(0);
}
const runs = Number(process.argv[2] ?? 5);
const batches = Number(process.argv[3] ?? 16);
const baseline = process.argv[4];
const CLI = new URL('../../bin/wasmthreads.js', import.meta.url).pathname;
const BATCH = 250;
const EARLY = 1000 / BATCH;
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;

function check(r, what) {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r;
}

const dir = mkdtempSync(`${tmpdir()}/wasmthreads-libc-bench-`);
try {
  const wasm = `${dir}/libc-cycles.wasm`;
  check(spawnSync(process.env.CC ?? 'clang-22', ['--target=wasm32-wasip1-threads', `--sysroot=${SYSROOT}`, '-pthread', '-O2',
    `${HERE}libc-cycles.c`, '-o', wasm, '-Wl,--import-memory,--export-memory,--max-memory=268435456'], { encoding: 'utf8' }), 'clang');
  mkdirSync(`${HERE}emscripten`, { recursive: true });
  writeFileSync(`${HERE}emscripten/package.json`, '{ "type": "commonjs" }\n'); // emcc 3.1.6 emits CommonJS
  const emJs = `${HERE}emscripten/libc-cycles.js`;
  // emcc 3.1.6 runs Debian's acorn from the system node path (as build.sh sets it).
  const acorn = spawnSync('bash', ['-c', `dirname "$(dpkg -L node-acorn | grep '/acorn/package.json$' | head -1)"`], { encoding: 'utf8' }).stdout.trim();
  const env = { ...process.env, NODE_PATH: process.env.NODE_PATH ?? `${acorn}/..` };
  check(spawnSync('emcc', ['-O2', '-pthread', '-sPTHREAD_POOL_SIZE=4', '-sEXIT_RUNTIME=1', `${HERE}libc-cycles.c`, '-o', emJs], { encoding: 'utf8', env }), 'emcc');

  const rows = [
    ['wasmthreads', [CLI, 'run', wasm, String(batches)]],
    ...(baseline ? [['wasmthreads baseline', [baseline, 'run', wasm, String(batches)]]] : []),
    ['emscripten 3.1.6 (PTHREAD_POOL_SIZE=4)', [...EMSCRIPTEN_NODE_ARGS, emJs, String(batches)]],
  ];
  const results = rows.map(() => ({ wall: [], early: [], steady: [] }));
  header(`real pthreads program: ${batches * BATCH} × pthread_create + pthread_join, ${runs} runs`);
  for (let r = 0; r < runs; r++) {
    rows.forEach(([label, args], k) => {
      const t0 = performance.now();
      const out = runNode(args, label).toString();
      const wall = performance.now() - t0;
      const perBatch = out.trim().split('\n').filter((l) => !l.startsWith('total')).map(Number);
      if (perBatch.length !== batches || perBatch.some((v) => !Number.isFinite(v))) throw new Error(`${label}: unexpected output ${out}`);
      results[k].wall.push(wall);
      results[k].early.push(mean(perBatch.slice(0, EARLY)));
      results[k].steady.push(mean(perBatch.slice(EARLY)));
    });
  }
  const med = (a) => quantile([...a].sort((x, y) => x - y), 0.5);
  console.log(`${''.padEnd(40)} ${'process wall'.padStart(13)} ${'first 1000'.padStart(12)} ${'after'.padStart(12)}`);
  rows.forEach(([label], k) => {
    const r = results[k];
    console.log(`${label.padEnd(40)} ${med(r.wall).toFixed(0).padStart(10)} ms ${med(r.early).toFixed(1).padStart(7)} µs/c ${med(r.steady).toFixed(1).padStart(7)} µs/c`);
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
