// Rust std's threads and locks for wasm32-wasip1-threads (test/fixtures/rust/threads-libtest):
// nine libtest tests that block in futexes all the time — contended mutexes, condition variables,
// channels, barriers, RwLock, park/unpark, scoped threads — pass under `run` with the deadlock
// watchdog on; the two ignored tests deadlock on purpose and `wasmthreads test` reports each with
// exit 142 and its per-thread report, without losing the others.
//
// Needs a threaded wasi-libc: set WASI_SYSROOT to a wasm32-wasip1-threads sysroot (none comes from
// a registry, none is committed). Built with scripts/rust-wasm.sh and cached under .toolchains/.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT } from './run-helpers.js';

const SYSROOT = process.env.WASI_SYSROOT;
const LIBC = SYSROOT ? join(SYSROOT, 'lib', 'wasm32-wasip1-threads', 'libc.a') : '';
const CLI = join(ROOT, 'bin', 'wasmthreads.js');
const CRATE = join(ROOT, 'test', 'fixtures', 'rust', 'threads-libtest');
const BUILD_TIMEOUT_MS = 580_000;

function build(): string {
  const out = execFileSync(join(ROOT, 'scripts', 'rust-wasm.sh'), [CRATE, 'wasm32-wasip1-threads', '--no-run', '--message-format=json'], {
    env: { ...process.env, CARGO_TARGET_DIR: join(ROOT, '.toolchains', 'threads-libtest'), RUST_WASM_CARGO: 'test' },
    timeout: BUILD_TIMEOUT_MS, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  const exe = [...out.matchAll(/"executable":"([^"]+\.wasm)"/g)].pop()?.[1];
  if (!exe) throw new Error('cargo test --no-run produced no .wasm');
  return exe;
}

const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 300_000 });

if (!SYSROOT || !existsSync(LIBC) || !existsSync('/usr/bin/cargo')) {
  t.comment(`skipped: set WASI_SYSROOT to a wasm32-wasip1-threads sysroot (no ${LIBC || 'WASI_SYSROOT'}) and install Rust (npm run setup) to run Rust std thread tests`);
  t.pass('no threaded wasi-libc sysroot: Rust thread tests skipped');
} else {
  t.test('std threads and locks block a lot and are never taken for a deadlock', { timeout: BUILD_TIMEOUT_MS + 600_000 }, async (t) => {
    const wasm = build();
    const whole = cli(['run', wasm]);
    t.equal(whole.status, 0, whole.stderr);
    t.match(whole.stdout, /test result: ok\. 9 passed; 0 failed; 2 ignored/);
    t.equal(whole.stderr, '');

    const each = cli(['test', wasm, '--include-ignored']);
    t.equal(each.status, 101, 'the two deadlocking tests fail');
    t.match(each.stdout, /test result: FAILED\. 9 passed; 2 failed; 0 ignored/);
    for (const name of ['deadlock_two_mutexes', 'deadlock_join_receiver']) {
      const section = each.stdout.split(`---- tests::${name} stdout ----`)[1]?.split('----')[0] ?? '';
      t.match(section, /\(exit 142: deadlock: every thread is blocked and none can wake another \(2 threads\)\n  main thread: memory\.atomic\.wait32 on 0x[0-9a-f]{8} .*\n/, name);
      t.match(section, /\n  thread 1: memory\.atomic\.wait32 on 0x[0-9a-f]{8} /, name);
      t.match(section, /futex_wait \(wasm-function\[\d+\]:0x[0-9a-f]+\)\n/, `${name}: the stacks show std's futex_wait`);
      t.match(section, new RegExp(`${name}[0-9A-Za-z_]* \\(wasm-function`), `${name}: … called from the test`);
    }
  });
}
