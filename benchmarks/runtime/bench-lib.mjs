// Shared helpers for the runtime benchmarks: run a guest under wasmthreads or its emscripten twin
// as a subprocess, collect stdout, and summarise samples. Not a test: prints numbers only.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

export const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = `${ROOT}bin/wasmthreads.js`;

/** Builds the guests if a fresh clone has none (build.sh needs wabt and emcc). */
export function ensureBuilt() {
  if (existsSync(`${HERE}emscripten/throughput.js`) && existsSync(`${HERE}emscripten/exit.js`) && existsSync(`${HERE}spawn-join.wasm`) && existsSync(`${HERE}handoff.wasm`) && existsSync(`${HERE}wrap20.wasm`)) return;
  const r = spawnSync('bash', [`${HERE}build.sh`], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('benchmarks/runtime/build.sh failed');
}

/**
 * Runs `node ARGS` with stdout going to a temporary file: emscripten 3.1.6 writes stdout with
 * fs.writeSync from the main thread after starting workers, and fails with EAGAIN on a pipe that
 * Node made non-blocking. A file keeps both runtimes on equal terms.
 */
export function runNode(args, what) {
  const dir = mkdtempSync(`${tmpdir()}/wasmthreads-bench-`);
  const fd = openSync(`${dir}/stdout`, 'w');
  try {
    const r = spawnSync(process.execPath, args, { timeout: 120_000, stdio: ['ignore', fd, 'pipe'] });
    if (r.status !== 0) throw new Error(`${what} exited ${r.status}: ${r.stderr}`);
    return readFileSync(`${dir}/stdout`);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a guest under wasmthreads; `cli` another build's bin/wasmthreads.js (before/after runs). */
export function runWasmthreads(guest, cli = CLI, flags = []) {
  return runNode([cli, 'run', ...flags, `${HERE}${guest}.wasm`], guest);
}

/** Node arguments before an emscripten 3.1.6 program's .js file (no-fetch.cjs says why). */
export const EMSCRIPTEN_NODE_ARGS = ['--require', `${HERE}no-fetch.cjs`];

export function runEmscripten(name) {
  return runNode([...EMSCRIPTEN_NODE_ARGS, `${HERE}emscripten/${name}.js`], `emscripten ${name}`);
}

/** The timestamps a guest printed: raw little-endian u64s (wasm guests) or decimal text (emcc). */
export function u64s(buf) {
  const text = buf.toString('latin1');
  if (/^[0-9\s]+$/.test(text)) return text.trim().split(/\s+/).map(Number);
  const out = [];
  for (let i = 0; i + 8 <= buf.length; i += 8) out.push(Number(buf.readBigUInt64LE(i)));
  return out;
}

export function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export function summary(label, samples, unit) {
  const s = [...samples].sort((a, b) => a - b);
  const f = (v) => v.toFixed(unit === 'ms' ? 1 : 1);
  return `${label.padEnd(34)} median ${f(quantile(s, 0.5))} ${unit}  p90 ${f(quantile(s, 0.9))} ${unit}  (n=${s.length})`;
}

export function header(metric) {
  console.log(`# ${metric} — Node ${process.version}, ${new Date().toISOString()}`);
}
