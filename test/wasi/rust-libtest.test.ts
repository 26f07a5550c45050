// A real Rust libtest binary for wasm32-wasip1 (test/fixtures/wasi/rust-libtest, std built with
// build-std against Debian's wasi-libc plus pthread-stubs.c), run as cargo's runner would run it:
// `wasmthreads run --dir . file.wasm [libtest args]`. Exit 0 when the tests pass, 101 when the
// selected (ignored, failing) test fails. The build is cached under .toolchains/ (first build takes
// about 3 minutes on 2 cores); the exact commands are in test/fixtures/wasi/build.sh.

import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { notBuilt } from './run-cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CACHE = join(ROOT, '.toolchains', 'wasi-libtest');
const CLI = join(ROOT, 'bin', 'wasmthreads.js');
const BUILD_TIMEOUT_MS = 580_000;
const RUN_TIMEOUT_MS = 60_000;

function missingTools(): string | undefined {
  for (const f of ['/usr/bin/cargo', '/usr/bin/rustc', '/usr/lib/wasm32-wasi/libc.a']) if (!existsSync(f)) return `${f} missing (bash scripts/setup-toolchains.sh --rust)`;
  if (!existsSync(join(ROOT, 'dist', 'thread-worker.cjs'))) return 'dist/ not built: run `npm run build` (npm test does)';
  return undefined;
}

/** Builds (or finds in the cache) the libtest binary; returns its path. */
function buildLibtest(): string {
  mkdirSync(CACHE, { recursive: true });
  const obj = join(CACHE, 'pthread-stubs.o');
  execFileSync('clang-22', ['--target=wasm32-wasi', '--sysroot=/usr', '-Wno-deprecated', '-c', join(ROOT, 'test/fixtures/wasi/pthread-stubs.c'), '-o', obj]);
  execFileSync('llvm-ar-22', ['rcs', join(CACHE, 'libpthread-stubs.a'), obj]);
  const out = execFileSync(join(ROOT, 'scripts', 'rust-wasm.sh'), [join(ROOT, 'test/fixtures/wasi/rust-libtest'), 'wasm32-wasip1', '--no-run', '--message-format=json'], {
    env: { ...process.env, RUST_WASM_CARGO: 'test', CARGO_TARGET_DIR: join(CACHE, 'target'), RUSTFLAGS: `-L native=${CACHE} -l static=pthread-stubs` },
    timeout: BUILD_TIMEOUT_MS, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  const exe = [...out.matchAll(/"executable":"([^"]+\.wasm)"/g)].pop()?.[1];
  if (!exe) throw new Error('cargo test --no-run produced no .wasm');
  return exe;
}

const skip = missingTools();
t.test('Rust libtest binary under wasmthreads run', { skip: skip ?? false, timeout: BUILD_TIMEOUT_MS + 2 * RUN_TIMEOUT_MS }, async (t) => {
  const wasm = buildLibtest();
  const cwd = mkdtempSync(join(tmpdir(), 'wasi-libtest-'));
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'run', '--dir', '.', wasm, ...args], { cwd, timeout: RUN_TIMEOUT_MS, encoding: 'utf8' });
  const pass = run();
  t.equal(pass.status, 0, pass.stderr);
  t.match(pass.stdout, /test result: ok\. 4 passed; 0 failed; 1 ignored/);
  t.match(pass.stdout, /test tests::sleep_never_wakes_early \.\.\. ok/);
  const fail = run('--ignored');
  t.equal(fail.status, 101, 'a failing test exits 101');
  t.match(fail.stdout, /test result: FAILED\. 0 passed; 1 failed/);
});
