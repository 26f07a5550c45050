#!/usr/bin/env bash
# Installs the real toolchains and inputs the tests compare against, from Debian's packages:
#   clang-22 / wasm-ld-22 (the reference linker), wabt (wasm-objdump, wat2wasm, wasm-validate),
#   binaryen, Debian's single-threaded wasi-libc (real archives and crt1), emscripten 3.1.6
#   (threaded libc-mt.a and friends), Debian's Rust with the std sources (rustc-web, cargo-web,
#   rust-web-src: build-std for wasm, used by scripts/rust-wasm.sh), LLVM 22's libc++abi for wasm32
#   (src/link/demangle/build.sh builds the demangler from it). Idempotent: does nothing for packages already present.
# Usage: bash scripts/setup-toolchains.sh [--minimal]
#   --minimal  only the packages the default test suite needs.
set -euo pipefail

packages=(clang-22 lld-22 llvm-22 libclang-rt-22-dev-wasm32 wabt binaryen wasi-libc)
if [ "${1:-}" != "--minimal" ]; then
  packages+=(emscripten node-acorn rustc-web cargo-web rust-web-src libc++abi-22-dev-wasm32)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-toolchains: all of ${packages[*]} already installed"
  exit 0
fi

SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
echo "setup-toolchains: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-toolchains: done"
