// The host-managed thread ABI: the freestanding C fixture (committed, rebuilt by
// test/fixtures/c/runtime/build.sh) and the Rust fixture crate (built here on demand with
// scripts/rust-wasm.sh; cached under .toolchains/) run and print the per-thread TLS values. The C
// runs are independent processes, scheduled up front and run CONCURRENT_RUNS at a time.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import t from 'tap';
import { CONCURRENT_RUNS, createLimiter, REPEAT, ROOT, runCli, scheduleCli } from './run-helpers.js';

const C_WASM = `${ROOT}test/fixtures/c/runtime/host-managed.wasm`;
const CRATE = `${ROOT}test/fixtures/rust/host-managed`;
const CARGO_TARGET_DIR = `${ROOT}.toolchains/cargo-target-runtime`;
const RUST_WASM = `${CARGO_TARGET_DIR}/wasm32-unknown-unknown/release/host_managed.wasm`;
const RUST_BUILD_TIMEOUT_MS = 590_000;

const limit = createLimiter(CONCURRENT_RUNS);
const cWasmRuns = scheduleCli(limit, REPEAT, ['run', C_WASM]);
const cObjectRun = scheduleCli(limit, 1, ['run', C_WASM.replace(/\.wasm$/, '.o')]);
// 64 MiB maximum: a 128 MiB stack per thread cannot be allocated.
const hugeStackRun = scheduleCli(limit, 1, ['run', '--stack-size', String(128 << 20), C_WASM]);
// --max-threads 2: without detach the third spawn would fail for good.
const detachRuns = scheduleCli(limit, REPEAT, ['run', '--max-threads', '2', `${ROOT}test/fixtures/c/runtime/detach.wasm`]);
// Immediate reuse of a worker's stack/TLS pages: 2000 joined and 2000 detached threads.
const reuseRuns = scheduleCli(limit, REPEAT, ['run', '--max-threads', '16', `${ROOT}test/fixtures/wat/runtime/hm_reuse.wasm`], { timeoutMs: 120_000 });
const C_EXPECTED = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `thread ${i}: tls 100 -> ${100 + i} aligned\n`).join('') + 'main: tls 100\n';

t.test('C: eight threads, each with its own initialised and aligned TLS block', async (t) => {
  for (const r of await cWasmRuns) {
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout.toString(), C_EXPECTED);
  }
});

t.test('C: run links an object in memory with the built-in linker and runs it', async (t) => {
  const [r] = await cObjectRun;
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout.toString(), C_EXPECTED);
});

t.test('C: thread_detach gives the place back when the thread returns; join/detach of a detached thread fail', async (t) => {
  const expected = [
    'detached threads run one after another: 50',
    'detach: 0',
    'join a detached thread: -28',
    'detach twice: -28',
    'detach a finished thread: 0',
    'two joinable threads after detaching: 2',
    'join: 0',
    'detach an unknown thread: -71',
  ].join('\n') + '\n';
  for (const r of await detachRuns) {
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout.toString(), expected);
  }
});

t.test('2000 joined and 2000 detached threads, each block reused at once, never reported', async (t) => {
  for (const r of await reuseRuns) t.equal(r.code, 0, r.stderr || `exit ${r.code} (see hm_reuse.wat)`);
});

t.test('an object that is not wasm is one clear error naming the file', async (t) => {
  const dir = t.testdir({ 'garbage.o': 'this is not a wasm object' });
  const r = await runCli(['run', `${dir}/garbage.o`]);
  t.equal(r.code, 1);
  t.match(r.stderr, /^wasmthreads: error: .*garbage\.o: /);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

t.test('C: a thread stack that does not fit the memory maximum is a clear error', async (t) => {
  const [r] = await hugeStackRun;
  t.equal(r.code, 134);
  t.match(r.stderr, /host-managed\.wasm: cannot grow memory by \d+ bytes for the stack and TLS of thread 1 \(memory maximum reached\)/);
});

function rustToolchainMissing(): string | false {
  if (!existsSync('/usr/bin/cargo')) return 'Debian cargo is not installed (bash scripts/setup-toolchains.sh --rust)';
  const sysroot = spawnSync('/usr/bin/rustc', ['--print', 'sysroot'], { encoding: 'utf8' }).stdout?.trim();
  if (!sysroot || !existsSync(`${sysroot}/lib/rustlib/src/rust/library/vendor`)) return 'rust-web-src is not installed (bash scripts/setup-toolchains.sh --rust)';
  return false;
}

const missing = rustToolchainMissing();
t.test('Rust: thread_local!, Mutex, Condvar and Arc across host-managed threads', { skip: missing }, async (t) => {
  const build = spawnSync('bash', [`${ROOT}scripts/rust-wasm.sh`, CRATE, 'wasm32-unknown-unknown-atomics', '--release'], {
    env: { ...process.env, CARGO_TARGET_DIR },
    encoding: 'utf8',
    timeout: RUST_BUILD_TIMEOUT_MS,
  });
  t.equal(build.status, 0, `cargo build: ${build.stderr?.slice(-2000)}`);
  const expected = [1, 2, 3, 4].map((i) => `thread ${i}: tls 100 -> ${100 + i * 10}\n`).join('') + 'main: tls 100\njoined 4 threads\n';
  for (let i = 0; i < REPEAT; i++) {
    const r = await runCli(['run', RUST_WASM]);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stdout.toString(), expected);
  }
});
