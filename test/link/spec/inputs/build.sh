#!/usr/bin/env bash
# Rebuilds the committed objects of the linker spec cases (test/link/spec/*.case) from the sources
# beside them. The tests never run this: they link the committed objects, so they need no compiler.
# Run it after changing a source, then `npm run bless` to update the expected outputs, and read
# the diff.
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-clang-22}
run() { echo "+ $*"; "$@"; }
run "$CC" --target=wasm32 -matomics -mbulk-memory -O1 -c tls.c -o tls.o
run "$CC" --target=wasm32 -matomics -mbulk-memory -O1 -c data.c -o data.o
run "$CC" --target=wasm32-unknown-emscripten -fPIC -O1 -c pic.c -o pic.o
run "$CC" --target=wasm32-unknown-emscripten -O1 -c pic-defs.c -o pic-defs.o
run "$CC" --target=wasm32 -O0 -c names.cpp -o names.o
run "$CC" --target=wasm32 -O1 -c names-import.cpp -o names-import.o
run "$CC" --target=wasm32 -O1 -c main-args.c -o main-args.o
