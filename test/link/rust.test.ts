// A real Rust crate (thread_local! + Mutex, std built with -Z build-std for wasm32-unknown-unknown
// with atomics; its rlibs are archives of wasm objects) linked by wasm-ld-22 during the build and by
// wasmthreads from rustc's recorded link line (`-flavor wasm …`): both validate and agree.
// Skipped without Debian's Rust (rustc-web, rust-web-src); the build takes ~1.5 min on 2 cores.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { link, parseLinkArgs } from '../../src/link/index.js';
import { summarize } from './summarize.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const BUILD_TIMEOUT_MS = 540_000;
const haveRust = existsSync('/usr/bin/rustc') && existsSync('/usr/bin/cargo') && spawnSync('wasm-ld-22', ['--version']).status === 0;
const haveStdSrc = haveRust && existsSync(join(spawnSync('/usr/bin/rustc', ['--print', 'sysroot'], { encoding: 'utf8' }).stdout.trim(), 'lib/rustlib/src/rust/library/vendor'));

t.test('Rust crate with build-std: wasmthreads and wasm-ld-22 agree', { skip: haveStdSrc ? false : "needs Debian's rustc-web, cargo-web, rust-web-src and lld-22", timeout: BUILD_TIMEOUT_MS + 60_000 }, async (t) => {
  const tmp = tempDir('wasmthreads-rust-');
  const argsFile = join(tmp, 'link-args.txt');
  const r = spawnSync('bash', [join(ROOT, 'scripts/rust-wasm.sh'), join(ROOT, 'test/fixtures/rust/tls-counter'), 'wasm32-unknown-unknown-atomics', '--release'], {
    env: { ...process.env, CARGO_TARGET_DIR: join(tmp, 'target'), WASM_LINKER: join(ROOT, 'test/link/record-link.sh'), WASMTHREADS_LINK_ARGS: argsFile },
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  t.equal(r.status, 0, 'cargo build with wasm-ld-22');
  if (r.status !== 0) return;
  const argv = readFileSync(argsFile, 'utf8').split('\n').filter(Boolean);
  t.equal(argv[0], '-flavor', 'rustc calls the linker with -flavor wasm first');
  const out = argv[argv.indexOf('-o') + 1];
  const ref = readFileSync(out);
  const parsed = parseLinkArgs(argv);
  t.same(parsed.warnings, [], 'every flag rustc passes is understood');
  const ours = link(parsed.options).bytes;
  const oursPath = join(tmp, 'ours.wasm');
  writeFileSync(oursPath, ours);
  t.equal(spawnSync('wasm-validate', ['--enable-threads', oursPath]).status, 0, 'our output validates');
  const a = summarize(ref);
  const b = summarize(ours);
  for (const k of Object.keys(a) as (keyof typeof a)[]) t.same(b[k], a[k], k);
  t.match(a.memory, /shared/, 'the module has shared memory');
});
