// Exit latency: proc_exit in the main thread while other threads are blocked in a futex wait,
// spinning, and reading stdin (an idle pipe) → the process is gone, as the parent sees it. Uses
// test/fixtures/wat/runtime/exit_timing.wasm, which prints CLOCK_REALTIME just before proc_exit.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { header, summary } from './bench-lib.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GUEST = `${ROOT}test/fixtures/wat/runtime/exit_timing.wasm`;

function once() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}bin/wasmthreads.js`, 'run', GUEST], { stdio: ['pipe', 'pipe', 'inherit'] });
    const out = [];
    child.stdout.on('data', (b) => out.push(b));
    child.on('exit', (code) => {
      const seen = Date.now();
      child.stdin.destroy();
      const buf = Buffer.concat(out);
      if (code !== 5 || buf.length < 8) reject(new Error(`exit ${code}, ${buf.length} bytes`));
      else resolve(seen - Number(buf.readBigUInt64LE(0) / 1_000_000n));
    });
  });
}

header('exit latency: proc_exit → process gone (threads blocked, busy, reading stdin)');
const samples = [];
for (let i = 0; i < Number(process.argv[2] ?? 10); i++) samples.push(await once());
console.log(summary('wasmthreads', samples, 'ms'));
