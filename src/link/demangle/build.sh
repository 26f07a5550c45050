#!/usr/bin/env bash
# Builds itanium-demangle.wasm, the C++ (Itanium ABI) demangler the linker uses for the name
# section (wasm-ld demangles there by default), from itanium-demangle.c and LLVM 22's own
# demangler: the `__cxa_demangle` of Debian's libc++abi-22-dev-wasm32, the same ItaniumDemangle
# code wasm-ld-22 runs. The .wasm is committed; run this after changing the C file (needs clang-22,
# wasm-ld-22, libc++abi-22-dev-wasm32, wasi-libc and binaryen's wasm-opt: npm run setup).
# Usage: build.sh [OUT.wasm]   (default: itanium-demangle.wasm beside this script)
set -euo pipefail
out=$(realpath -m "${1:-$(dirname "$0")/itanium-demangle.wasm}")
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { echo "+ $*"; "$@"; }
run clang-22 --target=wasm32-wasip1 -O2 -c itanium-demangle.c -o "$tmp/demangle.o"
run wasm-ld-22 --no-entry --gc-sections --strip-all "$tmp/demangle.o" \
  -L/usr/lib/llvm-22/lib/wasm32-wasi -L/usr/lib/wasm32-wasi -lc++abi -lc -o "$tmp/demangle.wasm"
run wasm-opt --all-features -Oz --strip-debug --strip-producers "$tmp/demangle.wasm" -o "$out"
