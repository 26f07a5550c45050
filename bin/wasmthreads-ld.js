#!/usr/bin/env node
// `wasmthreads link` under a linker's own calling convention: the arguments are wasm-ld's, with no
// subcommand. What toolchains take as their linker: clang -fuse-ld=PATH, rustc -C linker=PATH,
// and emcc through a wasm-ld symlink in EM_LLVM_ROOT (README, "Your toolchain's linker").
const { start } = require('./start.js');

void start(['link', ...process.argv.slice(2)]);
