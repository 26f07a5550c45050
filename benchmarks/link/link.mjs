// Linker speed and memory against wasm-ld-22 on the same inputs, side by side, runs alternating
// (so machine drift hits both alike): wall time, CPU (user+sys, to the millisecond), peak RSS and
// minor page faults (`flt`: the pages a process touched first, which the last line prices) of the
// whole process, medians over RUNS, and the median of each pair's ratio ours / wasm-ld.
// Workloads (each skipped, with a note, when its inputs are not installed — npm run setup):
//   hello+libc       a C hello world against Debian's wasi-libc libc.a (lazy archive extraction)
//   libc-mt all      every member of emscripten 3.1.6's libc-mt.a, --whole-archive --export-all
//   em++ thread      em++'s own link line for test/fixtures/emscripten/std_thread.cpp (C++ std::thread
//                    + thread_local, -pthread -sPROXY_TO_PTHREAD: libc++, libc++abi, libc-mt…),
//                    recorded once by building it with em++ through a recording wasm-ld; wasm-ld-22
//                    gets the same line plus --no-stack-first, which is what the line means (emcc
//                    3.1.6 wrote it for wasm-ld 14's data-first layout; wasm-ld 22 rejects it as is)
//   start-up         `link --version` against `wasm-ld-22 --version`: what each pays before reading
//                    an input (Node's start-up and the linker's bundle; wasm-ld's shared libraries)
// The `warm` column is one `wasmthreads link`'s wall time in a process that has already run the
// same link WARM_UP times (the CLI's own entry, its V8 flags and output write included; median of
// the next RUNS, in one child process): the linker's own work once V8 has compiled it, without
// Node's start-up and the JIT's warm-up, which are most of a cold link (compare it with `ld wall`).
// `link` keeps V8's code for the linker's functions in a cache of its own (bin/code-cache.js), made
// after a link that wrote its output: here in the benchmark's own TMPDIR, made by the first
// workload's unmeasured first run (each workload runs each linker once before measuring, which
// also brings the inputs into the page cache), and used by every measured run after, as on a
// machine that has linked before.
// Last it prints what a fresh page of memory costs a process on this machine, which moves wasm-ld's
// CPU more than ours (see the end of this file).
// Usage: npm run build && node benchmarks/link/link.mjs [RUNS] [BASELINE_CLI] — BASELINE_CLI, another
// build's bin/wasmthreads.js, adds a row per workload for it (before/after, in the same run).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin/wasmthreads.js');
const RUNS = Number(process.argv[2] ?? 5);
const BASELINE = process.argv[3];
const WASI = '/usr/lib/wasm32-wasi';
const EMSYSROOT = '/usr/share/emscripten/cache/sysroot/lib/wasm32-emscripten';
const tmp = mkdtempSync(join(tmpdir(), 'wasmthreads-linkbench-'));
/** Our linker's environment: its code cache in the benchmark's directory, not the user's. */
const OURS_ENV = { ...process.env, TMPDIR: tmp };

/**
 * em++'s link line for the C++ std::thread fixture, with its temporary objects kept: an
 * EM_LLVM_ROOT whose wasm-ld-14 records the arguments, copies every input object that emcc would
 * delete afterwards, and links with the real wasm-ld-14. Returns the argument list with `-o` as
 * the last pair removed, or undefined if emscripten is not installed.
 */
function recordEmxxLine() {
  if (!existsSync('/usr/bin/em++') || !existsSync('/usr/bin/wasm-ld-14')) return undefined;
  const dir = join(tmp, 'emxx');
  const root = join(dir, 'llvm-root');
  const kept = join(dir, 'objects');
  mkdirSync(kept, { recursive: true });
  mkdirSync(root);
  for (const f of readdirSync('/usr/bin')) if (f.endsWith('-14') && f !== 'wasm-ld-14') symlinkSync(join('/usr/bin', f), join(root, f));
  writeFileSync(join(root, 'wasm-ld-14'), [
    '#!/usr/bin/env bash',
    'args=()',
    'for a in "$@"; do',
    `  if [[ "$a" == *.o && "$a" != /usr/* ]]; then c="${kept}/$(basename "$a")"; cp "$a" "$c"; args+=("$c"); else args+=("$a"); fi`,
    'done',
    `printf "%s\\n" "\${args[@]}" > ${join(dir, 'line')}`,
    'exec /usr/bin/wasm-ld-14 "$@"',
  ].join('\n') + '\n');
  chmodSync(join(root, 'wasm-ld-14'), 0o755);
  execFileSync('em++', ['-pthread', '-O1', '-sPROXY_TO_PTHREAD', '-sEXIT_RUNTIME=1', '-sINITIAL_MEMORY=67108864', join(ROOT, 'test/fixtures/emscripten/std_thread.cpp'), '-o', join(dir, 'prog.js')], {
    cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000,
    env: { ...process.env, EM_LLVM_ROOT: root, EMCC_SKIP_SANITY_CHECK: '1', NODE_PATH: '/usr/share/nodejs' },
  });
  const line = readFileSync(join(dir, 'line'), 'utf8').trimEnd().split('\n');
  const o = line.indexOf('-o');
  return [...line.slice(0, o), ...line.slice(o + 2)];
}

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
  {
    name: 'em++ thread',
    needs: ['/usr/bin/em++', '/usr/bin/wasm-ld-14', '/usr/bin/wasm-ld-22'],
    line: undefined,
    args(out) {
      this.line ??= recordEmxxLine();
      return [...this.line, '-o', out];
    },
    refArgs(out) {
      return [...this.args(out), '--no-stack-first'];
    },
  },
  {
    // The fixed cost each linker pays before reading an input: for us Node's start-up and loading
    // the linker's bundle (dist/link-cli.cjs), for wasm-ld loading its shared libraries. Last, so
    // that ours loads the code cache the links before it made, as every link after the first does.
    name: 'start-up',
    needs: ['/usr/bin/wasm-ld-22'],
    args: () => ['--version'],
    noWarm: true,
  },
];

/**
 * Runs a command; returns wall s, CPU s, peak RSS MiB and minor page faults (the pages it touched
 * first). `/usr/bin/time` gives the wall time, peak RSS and faults, but its CPU times come in 10 ms
 * steps (a step is 12% of wasm-ld's hello world), so the CPU is bash's `times` for its children,
 * in milliseconds (time's own share is under 1 ms).
 */
function measure(cmd, args, env = process.env) {
  const script = '/usr/bin/time -f "%e %M %R" -o "$0" "$@" > /dev/null || exit $?; times';
  const out = join(tmp, 'time.txt');
  const r = spawnSync('bash', ['-c', script, out, cmd, ...args], { encoding: 'utf8', timeout: 300_000, env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-500)}`);
  const [wall, rssKb, faults] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  // `times`: the shell's user and system time, then its children's, as `0m0.081s 0m0.012s`.
  const seconds = (t) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    if (!m) throw new Error(`cannot read bash's times: ${r.stdout}`);
    return Number(m[1]) * 60 + Number(m[2]);
  };
  const [user, sys] = r.stdout.trim().split('\n').pop().split(' ').map(seconds);
  return { wall, cpu: user + sys, rss: rssKb / 1024, faults };
}

const WARM_UP = 5;

/**
 * Wall seconds of one `wasmthreads link` in a warm process: the CLI's own entry (its output write
 * included) under the link process's V8 flags (bin/start.js), called WARM_UP + RUNS times in one
 * child; the median of the last RUNS.
 */
function measureWarm(args) {
  const script = `
    const { createRequire } = await import('node:module');
    const { setFlagsFromString } = await import('node:v8');
    setFlagsFromString(createRequire(import.meta.url)(${JSON.stringify(join(ROOT, 'bin/start.js'))}).LINK_V8_FLAGS);
    const { main } = await import(${JSON.stringify(join(ROOT, 'dist/cli.js'))});
    const args = JSON.parse(process.argv[1]);
    const errors = [];
    const io = { stdout: () => {}, stderr: (s) => errors.push(s) };
    const times = [];
    for (let i = 0; i < ${WARM_UP} + ${RUNS}; i++) {
      const t0 = performance.now();
      if (await main(['link', ...args], io) !== 0) throw new Error(errors.join(''));
      if (i >= ${WARM_UP}) times.push((performance.now() - t0) / 1000);
    }
    console.log(JSON.stringify(times));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(args)], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`warm link failed: ${r.stderr.slice(-500)}`);
  return median(JSON.parse(r.stdout));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`# link: wasmthreads vs wasm-ld-22, medians of ${RUNS} alternating runs — Node ${process.version}, ${new Date().toISOString()}`);
console.log(`${'workload'.padEnd(14)}${'ours wall'.padStart(11)}${'ld wall'.padStart(10)}${'warm'.padStart(8)}${'ours cpu'.padStart(10)}${'ld cpu'.padStart(9)}${'cpu ×'.padStart(8)}${'ours RSS'.padStart(10)}${'ld RSS'.padStart(9)}${'RSS ×'.padStart(8)}${'ours flt'.padStart(10)}${'ld flt'.padStart(8)}`);
for (const w of workloads) {
  const missing = w.needs.find((p) => !existsSync(p));
  if (missing) {
    console.log(`${w.name.padEnd(14)} skipped: ${missing} missing (npm run setup)`);
    continue;
  }
  const ours = [];
  const base = [];
  const ref = [];
  for (let i = -1; i < RUNS; i++) {
    const o = measure(process.execPath, [CLI, 'link', ...w.args(join(tmp, 'ours.wasm'))], OURS_ENV);
    const b = BASELINE ? measure(process.execPath, [BASELINE, 'link', ...w.args(join(tmp, 'base.wasm'))], OURS_ENV) : undefined;
    const r = measure('/usr/bin/wasm-ld-22', (w.refArgs ?? w.args).call(w, join(tmp, 'ref.wasm')));
    if (i < 0) continue; // the unmeasured first run
    ours.push(o);
    if (b) base.push(b);
    ref.push(r);
  }
  const m = (xs, k) => median(xs.map((x) => x[k]));
  const f = (v, d = 3) => v.toFixed(d);
  const row = (label, xs, warm) => {
    const ratios = xs.map((o, i) => o.cpu / ref[i].cpu);
    console.log(`${label.padEnd(14)}${f(m(xs, 'wall')).padStart(11)}${f(m(ref, 'wall')).padStart(10)}${(warm === undefined ? '' : f(warm)).padStart(8)}${f(m(xs, 'cpu')).padStart(10)}${f(m(ref, 'cpu')).padStart(9)}${f(median(ratios), 2).padStart(8)}${f(m(xs, 'rss'), 0).padStart(10)}${f(m(ref, 'rss'), 0).padStart(9)}${f(m(xs, 'rss') / m(ref, 'rss'), 2).padStart(8)}${f(m(xs, 'faults'), 0).padStart(10)}${f(m(ref, 'faults'), 0).padStart(8)}`);
  };
  row(w.name, ours, w.noWarm ? undefined : measureWarm(w.args(join(tmp, 'warm.wasm'))));
  if (BASELINE) row('  baseline', base);
}
// Node 20 reads the certificates NODE_EXTRA_CA_CERTS names while it starts, before any script
// runs (Node 22 and later read them when TLS first needs them): on a machine that sets it, every
// Node 20 process pays for it, a link included. Shown so that the start-up row can be read.
if (process.env.NODE_EXTRA_CA_CERTS) {
  const withIt = [];
  const without = [];
  const { NODE_EXTRA_CA_CERTS: _, ...bare } = process.env;
  for (let i = 0; i < RUNS; i++) {
    withIt.push(measure(process.execPath, ['-e', '0']).cpu);
    without.push(measure(process.execPath, ['-e', '0'], bare).cpu);
  }
  console.log(`# NODE_EXTRA_CA_CERTS is set: \`node -e 0\` costs ${median(withIt).toFixed(3)} s of CPU with it, ${median(without).toFixed(3)} s without`);
}
// What a process pays for memory it touches first on this machine: wasm-ld's CPU is mostly that
// (its libraries' pages and its heap), ours mostly V8 running the linker, so the ratios depend on
// it. Seen on machines of one kind: 2 µs a 4 KiB page on one, 12 µs on another, where wasm-ld's
// CPU was two to three times higher and the ratios that much lower. Median of RUNS children, each
// touching 64 MiB it has just allocated, one byte a page, timed by its own CPU clock.
{
  const script = `const b = new Uint8Array(64 << 20); const t = process.cpuUsage();
    for (let i = 0; i < b.length; i += 4096) b[i] = 1;
    const u = process.cpuUsage(t); console.log((u.user + u.system) / (b.length / 4096));`;
  const costs = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    const us = Number(r.stdout);
    if (r.status === 0 && Number.isFinite(us)) costs.push(us);
  }
  if (costs.length) console.log(`# a fresh 4 KiB page costs a process ${median(costs).toFixed(1)} µs of CPU here`);
}
rmSync(tmp, { recursive: true, force: true });

