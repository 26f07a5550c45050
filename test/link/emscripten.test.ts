// emcc end to end: a pthreads program (`_Thread_local`, a mutex, a C++
// `thread_local` with a constructor) is compiled by emcc 3.1.6 and linked twice by emcc itself —
// once with its own wasm-ld-14, once with wasmthreads put in its place through EM_LLVM_ROOT — so
// both links get emcc's exact command line and emscripten's threaded libraries (libc-mt.a,
// dlmalloc-mt, libc++-mt…). The raw linker outputs (before wasm-emscripten-finalize) must validate
// and agree structurally; the finished programs run under emscripten's own JS glue on node with a
// pthread pool and must print and exit the same.
//
// EM_LLVM_ROOT is a temporary directory of symlinks to the real LLVM 14 tools under the names emcc
// calls (clang-14, llvm-ar-14, …); its `wasm-ld-14` is a script that records the argument list,
// runs the selected linker and keeps a copy of the raw output.
//
// Both linkers get exactly emcc's line, nothing added: emcc 3.1.6 wrote it for wasm-ld 14, whose
// default was data first, and passes `--global-base=1024`, below its 5 MiB stack. wasm-ld 22
// rejects that with its stack-first default; wasmthreads lays such a line out data first, as the
// linker it was written for did.
// Export order and index numbering are not compared (exports are compared as a set by target).
//
// Then the project's founding scenario: Rust `std::thread` + `thread_local!` for
// wasm32-unknown-emscripten (build-std, +atomics, -pthread -sPROXY_TO_PTHREAD), and a C++
// std::thread + thread_local program through em++, each linked by emcc with both linkers and run.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { summarize } from './summarize.js';
import { tempDir } from '../helpers/temp-dir.js';

const REPO = new URL('../../', import.meta.url).pathname;
const FIXTURES = join(REPO, 'test/fixtures/emscripten');
const CLI = join(REPO, 'bin/wasmthreads.js');
const REF_LINKER = '/usr/bin/wasm-ld-14';
const ACORN_DIR = '/usr/share/nodejs';
const LINK_FLAGS = ['-pthread', '-O1', '-sPTHREAD_POOL_SIZE=4', '-sEXIT_RUNTIME=1'];
const RUN_TIMEOUT_MS = 60_000;

const haveEmcc = spawnSync('emcc', ['--version'], { timeout: 30_000 }).status === 0;
const haveRef = existsSync(REF_LINKER);
const haveAcorn = existsSync(join(ACORN_DIR, 'acorn'));
const haveDist = existsSync(join(REPO, 'dist/cli.js'));
const skip = !haveEmcc || !haveRef || !haveAcorn
  ? 'emscripten 3.1.6 (emcc, wasm-ld-14, node-acorn) not installed: run `npm run setup`'
  : !haveDist ? 'dist/ not built: run `npm run build` (npm test does it first)' : false;

/** An EM_LLVM_ROOT whose wasm-ld-14 records its arguments and runs the linker picked by env. */
function makeLlvmRoot(dir: string): string {
  const root = join(dir, 'llvm-root');
  mkdirSync(root);
  for (const f of readdirSync('/usr/bin')) if (f.endsWith('-14') && f !== 'wasm-ld-14') symlinkSync(join('/usr/bin', f), join(root, f));
  const script = [
    '#!/usr/bin/env bash',
    '# Written by test/link/emscripten.test.ts: records emcc\'s wasm-ld line, links, keeps the raw output.',
    'printf "%s\\n" "$@" > "$WASMTHREADS_EMCC_LOG"',
    'if [[ "$WASMTHREADS_EMCC_LINKER" == ours ]]; then',
    `  node ${JSON.stringify(CLI)} link "$@"`,
    'else',
    `  ${REF_LINKER} "$@"`,
    'fi',
    'rc=$?',
    'out=; prev=',
    'for a in "$@"; do [[ "$prev" == -o ]] && out="$a"; prev="$a"; done',
    '[[ $rc == 0 && -n "$out" ]] && cp "$out" "$WASMTHREADS_EMCC_LOG.wasm"',
    'exit $rc',
  ].join('\n');
  writeFileSync(join(root, 'wasm-ld-14'), script + '\n');
  chmodSync(join(root, 'wasm-ld-14'), 0o755);
  return root;
}

interface Build {
  args: string[];
  raw: Uint8Array;
  stdout: string;
  status: number | null;
}

function emcc(root: string, cwd: string, args: string[], linker = 'ref', log = join(cwd, 'unused.args')): void {
  execFileSync('emcc', args, {
    cwd,
    timeout: 300_000,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, EM_LLVM_ROOT: root, EMCC_SKIP_SANITY_CHECK: '1', NODE_PATH: ACORN_DIR, WASMTHREADS_EMCC_LINKER: linker, WASMTHREADS_EMCC_LOG: log },
  });
}

function buildAndRun(root: string, dir: string, linker: string, objects: string[]): Build {
  const out = join(dir, linker);
  mkdirSync(out);
  const log = join(out, 'wasm-ld.args');
  emcc(root, out, [...LINK_FLAGS, ...objects, '-o', 'prog.js'], linker, log);
  const run = spawnSync('node', ['--no-experimental-fetch', 'prog.js'], { cwd: out, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
  return { args: readFileSync(log, 'utf8').trimEnd().split('\n'), raw: new Uint8Array(readFileSync(`${log}.wasm`)), stdout: run.stdout, status: run.status };
}

function validate(bytes: Uint8Array, path: string): string {
  writeFileSync(path, bytes);
  const r = spawnSync('wasm-validate', ['--enable-threads', path], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? 'valid' : r.stderr;
}

/** emcc's line with its temporary object path replaced, for comparison with the recorded one. */
function normaliseLine(args: string[]): string[] {
  return args.map((a) => (/emscripten_temp|\/(ref|ours)\//.test(a) || a.endsWith('.o') && !a.includes('/cache/') ? '<object>' : a));
}

t.test('emcc 3.1.6 with its threaded libraries: wasm-ld-14 and wasmthreads agree', { skip }, async (t) => {
  const dir = tempDir('wasmthreads-emcc-', t);
  const root = makeLlvmRoot(dir);
  emcc(root, dir, ['-pthread', '-O1', '-c', join(FIXTURES, 'threads.c'), '-o', 'threads.o']);
  emcc(root, dir, ['-pthread', '-O1', '-c', join(FIXTURES, 'thread_local.cpp'), '-o', 'thread_local.o']);
  const objects = [join(dir, 'threads.o'), join(dir, 'thread_local.o')];
  const ref = buildAndRun(root, dir, 'ref', objects);
  const ours = buildAndRun(root, dir, 'ours', objects);

  t.test('emcc passes the command line recorded in the fixture', async (t) => {
    const file = join(FIXTURES, 'emcc-link-line.txt');
    // BLESS=1 re-records the line (then review the diff).
    if (process.env.BLESS) writeFileSync(file, normaliseLine(ref.args).join('\n') + '\n');
    const recorded = readFileSync(file, 'utf8').trimEnd().split('\n');
    t.same(normaliseLine(ref.args), recorded);
    t.same(ours.args, ref.args, 'both linkers were given the same line');
  });

  t.test('both raw outputs validate', async (t) => {
    t.equal(validate(ref.raw, join(dir, 'ref.raw.wasm')), 'valid');
    t.equal(validate(ours.raw, join(dir, 'ours.raw.wasm')), 'valid');
  });

  t.test('structure matches', async (t) => {
    const a = summarize(ref.raw);
    const b = summarize(ours.raw);
    t.same(b.imports, a.imports, 'imports (in order)');
    t.equal(b.memory, a.memory, 'memory limits (imported, shared)');
    t.equal(b.table, a.table, 'table limits');
    t.same(b.exports, a.exports, 'exports by target (order not compared)');
    t.same(b.globals, a.globals, 'globals and init values, incl. __stack_pointer, __tls_size, __tls_align');
    t.same(b.data, a.data, 'segment layout: .tdata, .rodata, .data (passive) and sizes');
    t.same(b.dataBytes, a.dataBytes, 'segment contents (relocated, strings merged)');
    t.same(b.elem, a.elem, 'table slots');
    t.equal(b.start, a.start, 'start function (__wasm_init_memory)');
    t.equal(a.globals.__tls_align, '64', 'the over-aligned _Thread_local sets __tls_align');
  });

  t.test('the programs print and exit the same under emscripten\'s JS glue', async (t) => {
    t.match(ref.stdout, /thread alpha returned \d+\n[^]*main: tls_initialised=100 tls_zero=0 aligned=aligned cpp=7 total=4000\n/, 'reference program ran');
    t.equal(ours.stdout, ref.stdout);
    t.equal(ours.status, ref.status);
    t.not(ref.status, 0, 'the exit code carries the computed result (not a default 0)');
  });
});

/** Lines of a threaded program's output, sorted: its threads print in whatever order they run. */
const sortedLines = (out: string): string[] => out.split('\n').filter((l) => l !== '').sort();

t.test('em++: C++ std::thread + thread_local links and runs the same with both linkers', { skip }, async (t) => {
  const dir = tempDir('wasmthreads-emxx-', t);
  const root = makeLlvmRoot(dir);
  const runs: Record<string, { stdout: string; status: number | null; args: string[] }> = {};
  for (const linker of ['ref', 'ours']) {
    const out = join(dir, linker);
    mkdirSync(out);
    const log = join(out, 'wasm-ld.args');
    execFileSync('em++', ['-pthread', '-O1', '-sPROXY_TO_PTHREAD', '-sEXIT_RUNTIME=1', '-sINITIAL_MEMORY=67108864', join(FIXTURES, 'std_thread.cpp'), '-o', 'prog.js'], {
      cwd: out, timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, EM_LLVM_ROOT: root, EMCC_SKIP_SANITY_CHECK: '1', NODE_PATH: ACORN_DIR, WASMTHREADS_EMCC_LINKER: linker, WASMTHREADS_EMCC_LOG: log },
    });
    const run = spawnSync('node', ['--no-experimental-fetch', 'prog.js'], { cwd: out, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
    runs[linker] = { stdout: run.stdout, status: run.status, args: readFileSync(log, 'utf8').trimEnd().split('\n') };
  }
  t.same(normaliseLine(runs.ours.args), normaliseLine(runs.ref.args), 'both linkers were given the same line, nothing added');
  t.same(sortedLines(runs.ref.stdout), ['main: 0 hits, constructed 5, destroyed 4', 'thread 1: 10 hits', 'thread 2: 20 hits', 'thread 3: 30 hits', 'thread 4: 40 hits'], 'reference program ran');
  t.same(sortedLines(runs.ours.stdout), sortedLines(runs.ref.stdout), 'same output');
  t.equal(runs.ours.status, runs.ref.status, 'same exit code');
});

t.test('EM_ASM and EM_JS (emcc exports the em_asm/em_js section bounds) run the same with both linkers', { skip }, async (t) => {
  const dir = tempDir('wasmthreads-emasm-', t);
  const root = makeLlvmRoot(dir);
  const runs: Record<string, { stdout: string; stderr: string; status: number | null; args: string[] }> = {};
  for (const linker of ['ref', 'ours']) {
    const out = join(dir, linker);
    mkdirSync(out);
    const log = join(out, 'wasm-ld.args');
    emcc(root, out, ['-pthread', '-O1', '-sPROXY_TO_PTHREAD', '-sEXIT_RUNTIME=1', join(FIXTURES, 'em_asm.c'), '-o', 'prog.js'], linker, log);
    const run = spawnSync('node', ['--no-experimental-fetch', 'prog.js'], { cwd: out, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
    runs[linker] = { stdout: run.stdout, stderr: run.stderr, status: run.status, args: readFileSync(log, 'utf8').trimEnd().split('\n') };
  }
  t.ok(runs.ref.args.includes('--export-if-defined=__start_em_asm'), 'emcc asks for the em_asm bounds');
  t.equal(runs.ref.stdout, 'EM_ASM says 42\nadd_js=5 x=42 thread=105\n', 'reference program ran');
  t.equal(runs.ours.stdout, runs.ref.stdout, `same output${runs.ours.stderr ? `: ${runs.ours.stderr.slice(0, 500)}` : ''}`);
  t.equal(runs.ours.status, runs.ref.status, 'same exit code');
});

const RUST_CRATE = join(REPO, 'test/fixtures/rust/emscripten-threads');
const haveRust = existsSync('/usr/bin/cargo') && existsSync('/usr/lib/rustlib/src/rust/library');
const rustSkip = skip || (!haveRust ? 'Debian Rust with std sources (rustc-web, cargo-web, rust-web-src) not installed: run `npm run setup`' : false);

t.test('the founding bug report: Rust std::thread + thread_local! for wasm32-unknown-emscripten links and runs', { skip: rustSkip }, async (t) => {
  const dir = tempDir('wasmthreads-emrust-', t);
  const root = makeLlvmRoot(dir);
  const target = join(REPO, '.toolchains/cargo-target-emscripten');
  const deps = join(target, 'wasm32-unknown-emscripten/release/deps');
  const runs: Record<string, { stdout: string; status: number | null }> = {};
  for (const linker of ['ref', 'ours']) {
    // The crate is rebuilt (and so relinked) each time; build-std's artefacts are reused.
    writeFileSync(join(RUST_CRATE, 'src/main.rs'), readFileSync(join(RUST_CRATE, 'src/main.rs')));
    const log = join(dir, `${linker}.args`);
    const build = spawnSync('bash', [join(REPO, 'scripts/rust-wasm.sh'), RUST_CRATE, 'wasm32-unknown-emscripten-threads', '--release'], {
      encoding: 'utf8', timeout: 900_000,
      env: { ...process.env, CARGO_TARGET_DIR: target, EM_LLVM_ROOT: root, WASMTHREADS_EMCC_LINKER: linker, WASMTHREADS_EMCC_LOG: log },
    });
    if (build.status !== 0) return t.fail(`cargo build with ${linker} linker failed (${build.signal ?? build.status}): ${build.stderr.slice(-3000)}`);
    t.ok(existsSync(log), `emcc ran the ${linker} linker`);
    // emcc writes CommonJS; inside this repository a .js file is ESM ("type": "module").
    writeFileSync(join(deps, 'package.json'), '{ "type": "commonjs" }\n');
    const run = spawnSync('node', ['--no-experimental-fetch', 'emscripten_threads.js'], { cwd: deps, encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
    runs[linker] = { stdout: run.stdout, status: run.status };
  }
  t.same(sortedLines(runs.ref.stdout), [
    'main: counter still 100, threads saw [101, 102, 103], total 306, spawned 3',
    'worker 1: my counter is 101', 'worker 2: my counter is 102', 'worker 3: my counter is 103',
  ], 'reference program: each thread its own thread_local!, output from every thread, joined');
  t.same(sortedLines(runs.ours.stdout), sortedLines(runs.ref.stdout), 'the same with wasmthreads as the linker');
  t.equal(runs.ours.status, runs.ref.status, 'same exit code');
  t.equal(runs.ours.status, 0);
});
