// Real pthreads programs (test/fixtures/c/pthreads/*.c) built against a threaded wasi-libc and run
// by the CLI: create/join and detached cycles with malloc reuse, thread-specific data destructors,
// many threads at a barrier, small and caller-provided stacks, exit while threads block, and a
// pointer into memory another thread just grew passed to a syscall.
//
// No threaded wasi-libc comes from a package registry, and none is committed here. Point
// WASI_SYSROOT at a `wasm32-wasip1-threads` sysroot (wasi-sdk's share/wasi-sysroot, or one built
// from WebAssembly/wasi-libc with TARGET_TRIPLE=wasm32-wasip1-threads) to run these tests; CC
// picks the compiler (default clang-22, which must target wasm32-wasip1-threads).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { CONCURRENT_RUNS, createLimiter, ROOT, runCli, type CliRun } from './run-helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

const SYSROOT = process.env.WASI_SYSROOT;
const CC = process.env.CC ?? 'clang-22';
const SRC = `${ROOT}test/fixtures/c/pthreads/`;
const LIB = SYSROOT ? join(SYSROOT, 'lib', 'wasm32-wasip1-threads') : '';

interface Program {
  name: string;
  code: number;
  stdout: string;
  args?: string[];
  /** What stderr must say (default: nothing). */
  stderr?: RegExp;
}

const programs: Program[] = [
  { name: 'cycles', code: 0, stdout: '2000 threads joined, sum 2013000, main tls 7\n' },
  { name: 'detached', code: 0, stdout: '2000 detached threads finished: 2000\n' },
  { name: 'tsd', code: 0, stdout: 'getspecific mismatches 0, destructors run 8 of 8\n' },
  { name: 'many', code: 0, stdout: '48 of 48 threads kept their own TLS across the barrier\n' },
  { name: 'stacks', code: 0, stdout: '12 threads with small or caller-provided stacks: 176\n' },
  { name: 'exit_blocked', code: 3, stdout: 'exiting with threads blocked\n' },
  { name: 'grow', code: 0, stdout: 'written from pages grown by another thread\nmemory grew: yes, write returned 43\n' },
  { name: 'pingpong', code: 0, stdout: '40000 passes\n' },
  // The deadlock watchdog: exit 142, a line per thread naming its futex wait, then its wasm stack
  // (no function names: clang -O2 links without a name section).
  { name: 'deadlock', code: 142, stdout: 'thread holds b\nmain holds a\n',
    stderr: /deadlock: every thread is blocked and none can wake another \(2 threads\)\n>>> main thread: memory\.atomic\.wait32 on 0x[0-9a-f]{8} \(expects (-?\d+|0x[0-9a-f]{8})\) for [\d.]+ s; last host call: \S+\n(>>> {3}at wasm-function\[\d+\]:0x[0-9a-f]+\n)+>>> thread 1: memory\.atomic\.wait32 on 0x[0-9a-f]{8}[^\n]*\n(>>> {3}at wasm-function\[\d+\]:0x[0-9a-f]+\n)+$/ },
  { name: 'join_forever', code: 142, stdout: 'waiting for a signal that never comes\n',
    stderr: /deadlock: every thread is blocked[^\n]*\n>>> main thread: memory\.atomic\.wait32 on [^\n]*\n(>>> {3}at wasm-function.*\n)+>>> thread 1: memory\.atomic\.wait32 on [^\n]*last host call: wasi_snapshot_preview1\.fd_write\n(>>> {3}at wasm-function.*\n)+$/ },
];

if (!SYSROOT || !existsSync(LIB)) {
  t.comment(`skipped: set WASI_SYSROOT to a wasm32-wasip1-threads sysroot (no ${LIB || 'WASI_SYSROOT'}) to run real pthreads programs`);
  t.pass('no threaded wasi-libc sysroot: real pthreads programs skipped');
} else {
  const out = tempDir('wasmthreads-pthreads-', t);
  const limit = createLimiter(CONCURRENT_RUNS);
  const built = programs.map((p) => {
    const wasm = join(out, `${p.name}.wasm`);
    const cc = spawnSync(CC, ['--target=wasm32-wasip1-threads', `--sysroot=${SYSROOT}`, '-pthread', '-O2', `${SRC}${p.name}.c`, '-o', wasm,
      '-Wl,--import-memory,--export-memory,--max-memory=268435456'], { encoding: 'utf8' });
    return { wasm, error: cc.status === 0 ? undefined : `${CC} failed: ${cc.error?.message ?? cc.stderr}` };
  });
  const runs: Promise<CliRun | undefined>[] = built.map((b, i) => (b.error ? Promise.resolve(undefined)
    : limit(() => runCli(['run', b.wasm, ...(programs[i].args ?? [])], 120_000), programs[i].name === 'many')));
  programs.forEach((p, i) => {
    t.test(`${p.name}.c against the threaded wasi-libc`, async (t) => {
      const r = await runs[i];
      if (!r) return t.fail(built[i].error!);
      t.equal(r.code, p.code, `exit code${r.stderr ? `: ${r.stderr}` : ''}`);
      t.equal(r.stdout.toString(), p.stdout);
      if (p.stderr) t.match(r.stderr, p.stderr);
      else t.equal(r.stderr, '', 'nothing on stderr (no isolation or deadlock report)');
    });
  });
}
