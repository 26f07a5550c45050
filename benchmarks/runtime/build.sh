#!/usr/bin/env bash
# Builds the runtime benchmark guests: the .wat files with wabt, and emscripten.c once per mode with
# emcc 3.1.6 pthreads (PTHREAD_POOL_SIZE=4, as for wasmthreads' default pool). Prints each command.
set -euo pipefail
cd "$(dirname "$0")"
run() { echo "+ $*"; "$@"; }
for f in spawn-latency spawn-latency-libc spawn-join pingpong startup handoff imports20 wrap20; do run wat2wasm --enable-threads "$f.wat" -o "$f.wasm"; done
export NODE_PATH=${NODE_PATH:-$(dirname "$(dpkg -L node-acorn | grep '/acorn/package.json$' | head -1)")/..}
mkdir -p emscripten
echo '{ "type": "commonjs" }' > emscripten/package.json  # emcc 3.1.6 emits CommonJS
for mode in SPAWN PINGPONG THROUGHPUT STARTUP EXIT; do
  out=emscripten/$(echo $mode | tr A-Z a-z).js
  run emcc -O2 -pthread -sPTHREAD_POOL_SIZE=4 -sEXIT_RUNTIME=1 -DSPAWN=1 -DPINGPONG=2 -DSTARTUP=3 -DTHROUGHPUT=4 -DEXIT=5 -DMODE=$mode emscripten.c -o "$out"
done
