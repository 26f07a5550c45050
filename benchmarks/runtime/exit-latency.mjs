// Exit latency: proc_exit in the main thread while other threads are blocked in a futex wait,
// spinning, and reading stdin (an idle pipe) → the process is gone, as the parent sees it. Uses
// test/fixtures/wat/runtime/exit_timing.wasm, which prints CLOCK_REALTIME just before proc_exit;
// beside it, in the same run, emscripten 3.1.6 pthreads doing the same (emscripten.c, MODE=EXIT:
// exit(5) with one thread blocked in a futex wait and one spinning; no stdin reader, which
// emscripten without a filesystem has no way to block in). Runs alternate.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EMSCRIPTEN_NODE_ARGS, ensureBuilt, header, HERE, summary } from './bench-lib.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GUEST = `${ROOT}test/fixtures/wat/runtime/exit_timing.wasm`;

/** Runs `args` under node; resolves with (parent sees the exit) − (the time the guest printed), ms. */
function once(args, parse) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'], cwd: HERE });
    const out = [];
    child.stdout.on('data', (b) => out.push(b));
    child.on('exit', (code) => {
      const seen = Date.now();
      child.stdin.destroy();
      const printedMs = parse(Buffer.concat(out));
      if (code !== 5 || printedMs === undefined) reject(new Error(`${args.join(' ')}: exit ${code}, output ${JSON.stringify(Buffer.concat(out).toString('latin1'))}`));
      else resolve(seen - printedMs);
    });
  });
}

const rows = [
  ['wasmthreads', () => once([`${ROOT}bin/wasmthreads.js`, 'run', GUEST], (b) => (b.length >= 8 ? Number(b.readBigUInt64LE(0) / 1_000_000n) : undefined))],
  ['emscripten 3.1.6', () => once([...EMSCRIPTEN_NODE_ARGS, 'emscripten/exit.js'], (b) => (/^\d+\n/.test(b.toString()) ? Number(BigInt(b.toString().trim()) / 1_000_000n) : undefined))],
];

ensureBuilt();
header('exit latency: proc_exit → process gone (threads blocked, busy, reading stdin)');
const samples = rows.map(() => []);
for (let i = 0; i < Number(process.argv[2] ?? 10); i++) for (const [k, [, run]] of rows.entries()) samples[k].push(await run());
rows.forEach(([label], k) => console.log(summary(label, samples[k], 'ms')));
