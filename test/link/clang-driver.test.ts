// bin/wasmthreads-ld.js as clang's linker (-fuse-ld=PATH): clang's own link line, run by clang,
// must give the bytes clang gets from wasm-ld-22. A C program against Debian's wasi-libc (its
// multiarch headers are found under the old wasm32-wasi triple) always;
// with WASI_SYSROOT set to a threaded wasi-libc (wasm32-wasip1-threads), also the real pthreads
// programs of test/fixtures/c/pthreads, linked as wasi-libc-pthreads.test.ts links them.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { tempDir } from '../helpers/temp-dir.js';
import { firstDifference } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LD = join(ROOT, 'bin/wasmthreads-ld.js');
const CC = process.env.CC ?? 'clang-22';
const SYSROOT = process.env.WASI_SYSROOT;
/** Generous for a loaded 2-core box: each compile and link takes about a second alone. */
const BUILD_TIMEOUT_MS = 180_000;
const haveClang = spawnSync(CC, ['--version'], { timeout: 30_000 }).status === 0 && spawnSync('wasm-ld-22', ['--version'], { timeout: 30_000 }).status === 0;
const tmp = tempDir('wasmthreads-clang-ld-');

/** Builds `src` with clang twice, with its default linker and with ours; returns both outputs. */
function buildBoth(args: string[], src: string, name: string): { ref: Buffer; ours: Buffer } | string {
  const out = (dir: string): string => join(tmp, dir, name);
  for (const [dir, extra] of [['ref', []], ['ours', [`-fuse-ld=${LD}`]]] as const) {
    const r = spawnSync(CC, [...args, ...extra, src, '-o', out(dir)], { encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
    if (r.status !== 0) return `${CC}${dir === 'ours' ? ' with wasmthreads-ld' : ''} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`;
  }
  return { ref: readFileSync(out('ref')), ours: readFileSync(out('ours')) };
}

function checkSame(t: Test, built: ReturnType<typeof buildBoth>): void {
  if (typeof built === 'string') {
    t.fail(built);
    return;
  }
  const at = firstDifference(built.ours, built.ref);
  t.equal(at, -1, at < 0 ? 'same bytes as clang with wasm-ld-22' : `first differing byte at offset 0x${at.toString(16)} (sizes ${built.ours.length} and ${built.ref.length})`);
}

for (const dir of ['ref', 'ours']) mkdirSync(join(tmp, dir));

t.test('clang -fuse-ld=bin/wasmthreads-ld.js: a C program against wasi-libc', { skip: !haveClang || !existsSync('/usr/lib/wasm32-wasi/libc.a') ? `needs ${CC}, wasm-ld-22 and wasi-libc (bash scripts/setup-toolchains.sh)` : false }, async (t) => {
  checkSame(t, buildBoth(['--target=wasm32-wasi', '-Wno-deprecated', '--sysroot=/usr', '-O1'], join(ROOT, 'test/fixtures/c/hello.c'), 'hello.wasm'));
});

const PTHREADS = join(ROOT, 'test/fixtures/c/pthreads');
const threadedLibc = SYSROOT !== undefined && existsSync(join(SYSROOT, 'lib', 'wasm32-wasip1-threads'));
t.test('clang -fuse-ld=bin/wasmthreads-ld.js: real pthreads programs against a threaded wasi-libc', { skip: !haveClang ? `needs ${CC} and wasm-ld-22` : false }, async (t) => {
  if (!threadedLibc) {
    t.comment('skipped: set WASI_SYSROOT to a wasm32-wasip1-threads sysroot to link real pthreads programs with clang and wasmthreads-ld');
    return;
  }
  const args = ['--target=wasm32-wasip1-threads', `--sysroot=${SYSROOT}`, '-pthread', '-O2', '-Wl,--import-memory,--export-memory,--max-memory=268435456'];
  for (const file of readdirSync(PTHREADS).filter((f) => f.endsWith('.c')).sort()) {
    t.test(file, async (t) => checkSame(t, buildBoth(args, join(PTHREADS, file), file.replace(/\.c$/, '.wasm'))));
  }
});
