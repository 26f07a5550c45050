#!/usr/bin/env bash
# Rebuilds the example object with clang-22 (npm run setup installs it); prints the command.
set -euo pipefail
cd "$(dirname "$0")"
set -x
clang-22 --target=wasm32 -matomics -mbulk-memory -nostdlib -O2 -c hello-threads.c -o hello-threads.o
