// Fixes in the user's own toolchain: an object's producers section and where it came from decide
// whether a diagnostic speaks rustc, emcc, wasi-sdk or plain clang; and a real link of a program
// against Debian's single-threaded wasi-libc names the archive member, the symbol that pulled it
// in, and the threaded sysroot to use instead. wasm-ld's two TLS lines both appear.

import { existsSync } from 'node:fs';
import t from 'tap';
import { rebuildWithAtomics, toolchainOf } from '../../src/link/hints.js';
import type { ObjFile } from '../../src/link/input-files.js';
import { link } from '../../src/link/index.js';

const obj = (name: string, archiveName?: string, producers: [string, string, string][] = []): ObjFile =>
  ({ name, archiveName, producers: producers.map(([field, n, v]) => ({ name: field, values: [{ name: n, version: v }] })) }) as unknown as ObjFile;

t.test('the producer decides the words of the fix', async (t) => {
  const rustc = obj('app.o', undefined, [['language', 'Rust', ''], ['processed-by', 'rustc', '1.96.0']]);
  const std = obj('std-0a1b.std.123-cgu.0.rcgu.o', '/home/u/.rustup/toolchains/x/lib/rustlib/wasm32-unknown-unknown/lib/libstd-0123456789abcdef.rlib');
  const emcc = obj('pthread_create.o', '/usr/share/emscripten/cache/sysroot/lib/wasm32-emscripten/libc.a', [['processed-by', 'clang', '14.0.6 (emscripten)']]);
  const wasiLibc = obj('/usr/lib/wasm32-wasi/libc.a(errno.o)', '/usr/lib/wasm32-wasi/libc.a');
  const clang = obj('main.o', undefined, [['processed-by', 'clang', '22.1.8']]);
  t.equal(toolchainOf(rustc), 'rust');
  t.equal(toolchainOf(std), 'rust-std');
  t.equal(toolchainOf(emcc), 'emscripten');
  t.equal(toolchainOf(wasiLibc), 'wasi-libc');
  t.equal(toolchainOf(clang), 'clang');
  t.match(rebuildWithAtomics(rustc), /RUSTFLAGS="-C target-feature=\+atomics,\+bulk-memory" and -Z build-std=panic_abort,std/);
  t.match(rebuildWithAtomics(std), /Rust's prebuilt standard library, built without atomics: .*-Z build-std=panic_abort,std/);
  t.match(rebuildWithAtomics(emcc), /emcc -pthread/);
  t.match(rebuildWithAtomics(wasiLibc), /single-threaded wasi-libc: link against a wasm32-wasip1-threads sysroot/);
  t.match(rebuildWithAtomics(clang), /-matomics -mbulk-memory/);
});

const WASI = '/usr/lib/wasm32-wasi';
const C = new URL('../fixtures/c/', import.meta.url).pathname;
t.test('--shared-memory against a single-threaded libc.a names the member, why it was linked, and the sysroot to use', { skip: existsSync(`${WASI}/libc.a`) ? false : 'Debian wasi-libc not installed (npm run setup)' }, async (t) => {
  const e = (() => {
    try {
      link({ inputs: [`${WASI}/crt1-command.o`, `${C}hello.o`, `${WASI}/libc.a`], sharedMemory: true, importMemory: true, maxMemory: 1 << 20 });
    } catch (err) {
      return err as { diagnostics: { message: string; notes?: string[]; hint?: string }[] };
    }
    return undefined;
  })();
  const d = e?.diagnostics.find((x) => /--shared-memory is disallowed by/.test(x.message));
  t.ok(d, 'the error');
  // wasm-ld names the member alone (its InputFile::getName); the notes name the archive.
  t.match(d?.message, /^--shared-memory is disallowed by \w+\.o because it was not compiled with 'atomics' or 'bulk-memory' features\.$/, "wasm-ld's line");
  t.match(d?.notes?.join('\n'), /^\/usr\/lib\/wasm32-wasi\/libc\.a\(\w+\.o\) \(member of \/usr\/lib\/wasm32-wasi\/libc\.a\) has target_features -shared-mem/);
  t.match(d?.notes?.join('\n'), /was pulled in by `\w+`, referenced from /);
  t.match(d?.hint, /single-threaded wasi-libc: link against a wasm32-wasip1-threads sysroot/);
});

t.test("a TLS reference to plain data gives wasm-ld's two lines", async (t) => {
  try {
    link({ inputs: [`${C}use_tls.o`, `${C}def_plain.o`], noEntry: true, sharedMemory: true, importMemory: true, maxMemory: 1 << 20 });
    t.fail('linked');
  } catch (err) {
    const lines = (err as { diagnostics: { message: string }[] }).diagnostics.map((d) => d.message);
    t.same(lines, [
      'relocation R_WASM_MEMORY_ADDR_TLS_SLEB cannot be used against non-TLS symbol `shared_x`',
      'relocation R_WASM_MEMORY_ADDR_TLS_SLEB cannot be used against `shared_x` in non-TLS section: .data',
    ]);
  }
});

t.test('--verbose says which symbols of an LLVM-13-style object were taken as TLS, and why', async (t) => {
  const r = link({ inputs: [`${C}tls_legacy.o`], noEntry: true, sharedMemory: true, importMemory: true, maxMemory: 1 << 20, verbose: true });
  t.match(r.log.join('\n'), /tls_legacy\.o: `tls_init` taken as thread-local: it has no TLS symbol flag, but its segment \.tdata\.tls_init has the TLS segment flag/);
  const quiet = link({ inputs: [`${C}tls_legacy.o`], noEntry: true, sharedMemory: true, importMemory: true, maxMemory: 1 << 20 });
  t.notMatch(quiet.log.join('\n'), /taken as thread-local/, 'silent without --verbose');
});
