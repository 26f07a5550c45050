// Fixes spelled in the user's own toolchain. An object says who made it: its `producers` section
// (`processed-by: rustc …`, `clang …`, emscripten's clang reports "Emscripten"/"emscripten" in its
// version) and where it came from (an archive under a Rust sysroot, wasi-libc's single-threaded
// lib/wasm32-wasi, emscripten's cache). Each diagnostic that asks for a rebuild uses this to say
// what a Rust, emcc, or clang/wasi-sdk user types.

import type { LinkContext } from './context.js';
import type { ObjFile } from './input-files.js';

export type Toolchain = 'rust-std' | 'rust' | 'emscripten' | 'wasi-libc' | 'clang';

export function toolchainOf(f: ObjFile): Toolchain {
  const where = `${f.archiveName ?? ''} ${f.name}`;
  const producers = f.producers.flatMap((p) => p.values.map((v) => `${p.name}:${v.name} ${v.version}`)).join(' ');
  if (/rustlib|\/lib(std|core|alloc|compiler_builtins|panic_abort|hashbrown|std_detect|rustc_demangle|unwind)-[0-9a-f]+\.rlib/.test(where)) return 'rust-std';
  if (/rustc|language:Rust/.test(producers) || /\.rlib\b/.test(where)) return 'rust';
  if (/emscripten/i.test(producers) || /emscripten|\/cache\/sysroot/.test(where)) return 'emscripten';
  if (/wasm32-wasi(p1)?\/(libc|libc\+\+|libwasi)/.test(where) || /\/lib\/wasm32-wasi\//.test(where)) return 'wasi-libc';
  return 'clang';
}

/** How to rebuild `f` with atomics and bulk memory, in its own toolchain's words. */
export function rebuildWithAtomics(f: ObjFile): string {
  switch (toolchainOf(f)) {
    case 'rust-std':
      return `${f.archiveName ?? f.name} is Rust's prebuilt standard library, built without atomics: rebuild std with it, ` +
        `RUSTFLAGS="-C target-feature=+atomics,+bulk-memory" cargo build -Z build-std=panic_abort,std (nightly or RUSTC_BOOTSTRAP=1)`;
    case 'rust':
      return `${f.name} was compiled by rustc without atomics: build with RUSTFLAGS="-C target-feature=+atomics,+bulk-memory" ` +
        `and -Z build-std=panic_abort,std, so that std has them too`;
    case 'emscripten':
      return `${f.name} was built without -pthread: compile and link with emcc -pthread (emcc then links its -mt libraries)`;
    case 'wasi-libc':
      return `${f.archiveName ?? f.name} is a single-threaded wasi-libc: link against a wasm32-wasip1-threads sysroot ` +
        `(wasi-sdk's share/wasi-sysroot/lib/wasm32-wasip1-threads, clang --target=wasm32-wasip1-threads -pthread)`;
    case 'clang':
      return `${f.name}: rebuild it with -matomics -mbulk-memory (or -pthread; with wasi-sdk, --target=wasm32-wasip1-threads)`;
  }
}

/** "lib.a(member.o), pulled in by `sym` referenced from main.o": why an archive member is linked. */
export function whyLinked(ctx: LinkContext, f: ObjFile): string | undefined {
  if (!f.archiveName) return undefined;
  const r = ctx.whyExtract.find((w) => w.extracted === f.name || w.extracted.endsWith(`(${f.name})`) || f.name.endsWith(`(${w.extracted})`));
  return r ? `${f.name} was pulled in by \`${r.symbol}\`, referenced from ${r.reference}` : `${f.name} is a member of ${f.archiveName}`;
}
