// A real Rust libtest binary for wasm32-wasip1 (test/fixtures/wasi/rust-libtest, std built with
// build-std against Debian's wasi-libc plus pthread-stubs.c), run as cargo's runner would run it:
// `wasmthreads run --dir . file.wasm [libtest args]` in the package root, and for real by `cargo test`
// with `CARGO_TARGET_WASM32_WASIP1_RUNNER`. Exit 0 when the tests pass, 101 when the selected
// (ignored, failing) test fails; one test reads a fixture file through the preopened cwd. The build is cached under .toolchains/ (first build takes
// about 3 minutes on 2 cores); the exact commands are in test/fixtures/wasi/build.sh.

import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CACHE = join(ROOT, '.toolchains', 'wasi-libtest');
const CLI = join(ROOT, 'bin', 'wasmthreads.js');
const CRATE = join(ROOT, 'test', 'fixtures', 'wasi', 'rust-libtest');
const BUILD_TIMEOUT_MS = 580_000;
const RUN_TIMEOUT_MS = 60_000;

function missingTools(): string | undefined {
  for (const f of ['/usr/bin/cargo', '/usr/bin/rustc', '/usr/lib/wasm32-wasi/libc.a']) if (!existsSync(f)) return `${f} missing (bash scripts/setup-toolchains.sh --rust)`;
  if (!existsSync(join(ROOT, 'dist', 'thread-worker.cjs'))) return 'dist/ not built: run `npm run build` (npm test does)';
  return undefined;
}

/** Where cargo builds, and the flags that link pthread stubs (identical for every call: a cache hit). */
function cargoEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CARGO_TARGET_DIR: join(CACHE, 'target'), RUSTFLAGS: `-L native=${CACHE} -l static=pthread-stubs` };
}

/** Builds (or finds in the cache) the libtest binary; returns its path. */
function buildLibtest(): string {
  mkdirSync(CACHE, { recursive: true });
  const obj = join(CACHE, 'pthread-stubs.o');
  execFileSync('clang-22', ['--target=wasm32-wasi', '--sysroot=/usr', '-Wno-deprecated', '-c', join(ROOT, 'test/fixtures/wasi/pthread-stubs.c'), '-o', obj]);
  execFileSync('llvm-ar-22', ['rcs', join(CACHE, 'libpthread-stubs.a'), obj]);
  const out = execFileSync(join(ROOT, 'scripts', 'rust-wasm.sh'), [CRATE, 'wasm32-wasip1', '--no-run', '--message-format=json'], {
    env: { ...cargoEnv(), RUST_WASM_CARGO: 'test' },
    timeout: BUILD_TIMEOUT_MS, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  const exe = [...out.matchAll(/"executable":"([^"]+\.wasm)"/g)].pop()?.[1];
  if (!exe) throw new Error('cargo test --no-run produced no .wasm');
  return exe;
}

/** `cargo test --lib` through `scripts/rust-wasm.sh`, with wasmthreads as the runner (doctests would need rustdoc to link for wasm: out of scope). */
function cargoTest(libtestArgs: string[]) {
  return spawnSync(join(ROOT, 'scripts', 'rust-wasm.sh'), [CRATE, 'wasm32-wasip1', '--lib', '--', ...libtestArgs], {
    env: { ...cargoEnv(), RUST_WASM_CARGO: 'test', CARGO_TARGET_WASM32_WASIP1_RUNNER: `node ${CLI} run --dir=.` },
    timeout: BUILD_TIMEOUT_MS, encoding: 'utf8', maxBuffer: 64 << 20,
  });
}

const skip = missingTools();
t.test('Rust libtest binary under wasmthreads run', { skip: skip ?? false, timeout: BUILD_TIMEOUT_MS + 2 * RUN_TIMEOUT_MS }, async (t) => {
  const wasm = buildLibtest();
  // As cargo runs it: in the package root, preopened as `.`.
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'run', '--dir', '.', wasm, ...args], { cwd: CRATE, timeout: RUN_TIMEOUT_MS, encoding: 'utf8' });
  const pass = run();
  t.equal(pass.status, 0, pass.stderr);
  t.match(pass.stdout, /test result: ok\. 5 passed; 0 failed; 2 ignored/);
  t.match(pass.stdout, /test tests::sleep_never_wakes_early \.\.\. ok/);
  t.match(pass.stdout, /test tests::reads_a_fixture_through_the_preopened_cwd \.\.\. ok/);
  const fail = run('--ignored', 'fails_when_selected');
  t.equal(fail.status, 101, 'a failing test exits 101');
  t.match(fail.stdout, /test result: FAILED\. 0 passed; 1 failed/);
});

t.test('cargo test with CARGO_TARGET_WASM32_WASIP1_RUNNER="node bin/wasmthreads.js run --dir=."', { skip: skip ?? false, timeout: 2 * BUILD_TIMEOUT_MS }, async (t) => {
  buildLibtest(); // the same flags and target dir: cargo test below reuses this build
  const pass = cargoTest([]);
  t.equal(pass.status, 0, pass.stderr.slice(-2000));
  t.match(pass.stderr, /Running unittests src\/lib\.rs \(.*wasi_libtest-[0-9a-f]+\.wasm\)/, 'cargo ran the .wasm through the runner');
  t.match(pass.stdout, /test tests::reads_a_fixture_through_the_preopened_cwd \.\.\. ok/);
  t.match(pass.stdout, /test result: ok\. 5 passed; 0 failed; 2 ignored/);
  const fail = cargoTest(['--ignored', 'fails_when_selected']);
  t.equal(fail.status, 101, 'cargo test exits 101 when a test fails');
  t.match(fail.stdout, /test tests::fails_when_selected \.\.\. FAILED/);
  t.match(fail.stdout, /this test fails on purpose/);
  t.match(fail.stdout, /test result: FAILED\. 0 passed; 1 failed/);
});

t.test('wasmthreads test: one run per test, a panic fails that test only', { skip: skip ?? false, timeout: BUILD_TIMEOUT_MS + 10 * RUN_TIMEOUT_MS }, async (t) => {
  const wasm = buildLibtest();
  const test = (...args: string[]) => spawnSync(process.execPath, [CLI, 'test', ...args], { cwd: CRATE, timeout: 5 * RUN_TIMEOUT_MS, encoding: 'utf8' });

  const pass = test(wasm);
  t.equal(pass.status, 0, pass.stderr);
  t.match(pass.stdout, /^\nrunning 7 tests\n/);
  t.match(pass.stdout, /test tests::reads_a_fixture_through_the_preopened_cwd \.\.\. ok\n/, 'the cwd is preopened as . by default');
  t.match(pass.stdout, /test tests::panics_when_selected \.\.\. ignored\n/);
  t.match(pass.stdout, /test result: ok\. 5 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in/);

  // Both ignored tests fail: the panic does not lose the other result.
  const all = test(wasm, '--include-ignored');
  t.equal(all.status, 101, 'exit 101 when a test failed');
  t.match(all.stdout, /test tests::panics_when_selected \.\.\. FAILED\n/);
  t.match(all.stdout, /test tests::fails_when_selected \.\.\. FAILED\n/);
  t.match(all.stdout, /---- tests::panics_when_selected stdout ----\n[^]*output before the panic\n[^]*a panicking test/, "the panicking test's output and panic message");
  t.match(all.stdout, /---- tests::fails_when_selected stdout ----\n[^]*this test fails on purpose/);
  t.match(all.stdout, /test result: FAILED\. 5 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out/);
  t.notMatch(all.stdout + all.stderr, /wasm-function\[/, 'no wasm stack dump');

  // Filters, --exact, --skip, --ignored, --list, as libtest.
  const filtered = test(wasm, 'clock', '--skip', 'nothing');
  t.match(filtered.stdout, /running 1 test\ntest tests::realtime_clock_is_sane \.\.\. ok\n[^]*1 passed; 0 failed; 0 ignored; 0 measured; 6 filtered out/);
  const exact = test(wasm, '--exact', 'tests::adds');
  t.match(exact.stdout, /1 passed; 0 failed; 0 ignored; 0 measured; 6 filtered out/);
  const ignoredOnly = test(wasm, '--ignored', 'panics');
  t.equal(ignoredOnly.status, 101);
  t.match(ignoredOnly.stdout, /0 passed; 1 failed; 0 ignored/);
  const list = test(wasm, '--list');
  t.match(list.stdout, /^tests::adds: test\n/m);

  // JSON events and JUnit XML for CI; partitions split the tests deterministically.
  const junitFile = join(tempDir('wasmthreads-junit-'), 'report.xml');
  const json = test('--format', 'json', '--junit', junitFile, wasm, '--include-ignored', '--exact', 'tests::adds', 'tests::panics_when_selected');
  const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.same(events[0], { type: 'suite', event: 'started', test_count: 2 });
  t.match(events.find((e) => e.name === 'tests::panics_when_selected' && e.event === 'failed'), { stdout: /a panicking test/ });
  t.match(events.at(-1), { type: 'suite', event: 'failed', passed: 1, failed: 1 });
  t.match(readFileSync(junitFile, 'utf8'), /<testsuite name="[^"]+" tests="2" failures="1" skipped="0"[^]*<testcase classname="tests" name="panics_when_selected"[^>]*><failure/);
  const ran = [1, 2, 3].map((m) => test('--partition', `slice:${m}/3`, wasm));
  const counts = ran.map((r) => Number(/running (\d+) test/.exec(r.stdout)?.[1]));
  t.equal(counts.reduce((a, b) => a + b, 0), 7, 'the slices together cover every test once');

  // Environment for the guest: RUST_* and CARGO_* pass in runner mode.
  const env = spawnSync(process.execPath, [CLI, 'test', wasm, 'adds'], { cwd: CRATE, timeout: RUN_TIMEOUT_MS, encoding: 'utf8', env: { ...process.env, RUST_TEST_THREADS: '1', CARGO_PKG_NAME: 'x' } });
  t.equal(env.status, 0, env.stderr);
});

t.test('cargo test with CARGO_TARGET_WASM32_WASIP1_RUNNER="node bin/wasmthreads.js test"', { skip: skip ?? false, timeout: 2 * BUILD_TIMEOUT_MS }, async (t) => {
  buildLibtest();
  const r = spawnSync(join(ROOT, 'scripts', 'rust-wasm.sh'), [CRATE, 'wasm32-wasip1', '--lib', '--', '--include-ignored'], {
    env: { ...cargoEnv(), RUST_WASM_CARGO: 'test', CARGO_TARGET_WASM32_WASIP1_RUNNER: `node ${CLI} test` },
    timeout: BUILD_TIMEOUT_MS, encoding: 'utf8', maxBuffer: 64 << 20,
  });
  t.equal(r.status, 101, r.stderr.slice(-2000));
  t.match(r.stdout, /test tests::panics_when_selected \.\.\. FAILED/);
  t.match(r.stdout, /test result: FAILED\. 5 passed; 2 failed; 0 ignored/);
});
