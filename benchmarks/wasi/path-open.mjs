// Cost of a sandboxed path resolution: path_open("a/b/c/file.txt") + fd_close from wasm, medians
// of batches, ns per pair (path-open.wat). Side by side in one run, alternating, so machine drift
// hits every column alike:
//   - this checkout's `wasmthreads run` (directory handles held through /proc/self/fd),
//   - node:wasi running the same binary (uvwasi: path strings, no symlink checks of its own),
//   - optionally a baseline wasmthreads CLI (e.g. a clone of an older commit):
//     node benchmarks/wasi/path-open.mjs --baseline /path/to/old/bin/wasmthreads.js
// Usage: npm run build && node benchmarks/wasi/path-open.mjs [--baseline CLI] [--rounds N]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/wasmthreads.js', import.meta.url));
const WASM = `${HERE}path-open.wasm`;
const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
const baseline = opt('--baseline');
const rounds = Number(opt('--rounds') ?? 5);

const box = mkdtempSync(join(tmpdir(), 'path-open-'));
mkdirSync(join(box, 'a', 'b', 'c'), { recursive: true });
writeFileSync(join(box, 'a', 'b', 'c', 'file.txt'), 'x');

const NODE_WASI = `
  const { WASI } = require('node:wasi');
  const { readFileSync } = require('node:fs');
  const wasi = new WASI({ version: 'preview1', preopens: { '/box': ${JSON.stringify(box)} } });
  const m = new WebAssembly.Module(readFileSync(${JSON.stringify(WASM)}));
  wasi.start(new WebAssembly.Instance(m, wasi.getImportObject()));`;

function samples(cmd) {
  const r = spawnSync(process.execPath, cmd, { maxBuffer: 1 << 20, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Array.from({ length: r.stdout.length / 8 }, (_, i) => Number(r.stdout.readBigUInt64LE(i * 8)));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const columns = [
  ['wasmthreads', [CLI, 'run', '--dir', `${box}::/box`, WASM]],
  ...(baseline ? [['baseline', [baseline, 'run', '--dir', `${box}::/box`, WASM]]] : []),
  ['node:wasi', ['--no-warnings', '-e', NODE_WASI]],
];
const all = new Map(columns.map(([name]) => [name, []]));
for (let r = 0; r < rounds; r++) for (const [name, cmd] of columns) all.get(name).push(...samples(cmd));
rmSync(box, { recursive: true, force: true });
console.log(`path_open("a/b/c/file.txt") + fd_close, ns per pair (median of ${rounds} runs × 15 batches × 1000)`);
for (const [name] of columns) console.log(`${name.padEnd(14)}${String(Math.round(median(all.get(name)))).padStart(10)}`);
