// Linker speed and memory against wasm-ld-22 on the same inputs, side by side, runs alternating
// (so machine drift hits both alike): wall time, CPU (user+sys) and peak RSS of the whole process,
// as `/usr/bin/time -f` reports them, medians over RUNS, and the ratios ours / wasm-ld.
// Workloads (each skipped, with a note, when its inputs are not installed — npm run setup):
//   hello+libc       a C hello world against Debian's wasi-libc libc.a (lazy archive extraction)
//   libc-mt all      every member of emscripten 3.1.6's libc-mt.a, --whole-archive --export-all
// (emcc's own C++ std::thread line is not here yet: it needs emcc to build the objects first.)
// Usage: npm run build && node benchmarks/link/link.mjs [RUNS]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin/wasmthreads.js');
const RUNS = Number(process.argv[2] ?? 5);
const WASI = '/usr/lib/wasm32-wasi';
const EMSYSROOT = '/usr/share/emscripten/cache/sysroot/lib/wasm32-emscripten';
const tmp = mkdtempSync(join(tmpdir(), 'wasmthreads-linkbench-'));

const workloads = [
  {
    name: 'hello+libc',
    needs: [`${WASI}/libc.a`, '/usr/bin/wasm-ld-22'],
    args: (out) => ['-L' + WASI, `${WASI}/crt1-command.o`, join(ROOT, 'test/fixtures/c/hello.o'), '-lc', '-o', out],
  },
  {
    name: 'libc-mt all',
    needs: [`${EMSYSROOT}/libc-mt.a`, '/usr/bin/wasm-ld-22'],
    args: (out) => ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=16777216', '--export-all', '--allow-undefined',
      '--no-check-features', '--whole-archive', `${EMSYSROOT}/libc-mt.a`, '--no-whole-archive', '-o', out],
  },
];

/** Runs a command under /usr/bin/time; returns wall s, CPU s, peak RSS MiB. */
function measure(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...args], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-500)}`);
  const [wall, user, sys, rssKb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { wall, cpu: user + sys, rss: rssKb / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`# link: wasmthreads vs wasm-ld-22, medians of ${RUNS} alternating runs — Node ${process.version}, ${new Date().toISOString()}`);
console.log(`${'workload'.padEnd(14)}${'ours wall'.padStart(11)}${'ld wall'.padStart(10)}${'ours cpu'.padStart(10)}${'ld cpu'.padStart(9)}${'cpu ×'.padStart(8)}${'ours RSS'.padStart(10)}${'ld RSS'.padStart(9)}${'RSS ×'.padStart(8)}`);
for (const w of workloads) {
  const missing = w.needs.find((p) => !existsSync(p));
  if (missing) {
    console.log(`${w.name.padEnd(14)} skipped: ${missing} missing (npm run setup)`);
    continue;
  }
  const ours = [];
  const ref = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(measure(process.execPath, [CLI, 'link', ...w.args(join(tmp, 'ours.wasm'))]));
    ref.push(measure('/usr/bin/wasm-ld-22', w.args(join(tmp, 'ref.wasm'))));
  }
  const m = (xs, k) => median(xs.map((x) => x[k]));
  const ratios = ours.map((o, i) => o.cpu / ref[i].cpu);
  const f = (v, d = 3) => v.toFixed(d);
  console.log(`${w.name.padEnd(14)}${f(m(ours, 'wall')).padStart(11)}${f(m(ref, 'wall')).padStart(10)}${f(m(ours, 'cpu')).padStart(10)}${f(m(ref, 'cpu')).padStart(9)}${f(median(ratios), 2).padStart(8)}${f(m(ours, 'rss'), 0).padStart(10)}${f(m(ref, 'rss'), 0).padStart(9)}${f(m(ours, 'rss') / m(ref, 'rss'), 2).padStart(8)}`);
}
rmSync(tmp, { recursive: true, force: true });

