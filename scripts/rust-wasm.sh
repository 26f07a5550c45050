#!/usr/bin/env bash
# Builds a Rust crate for a wasm target with Debian's Rust (rustc-web/cargo-web) and -Z build-std,
# using the std sources and vendored dependencies that rust-web-src ships (no network).
#
# Usage: scripts/rust-wasm.sh CRATE_DIR TARGET [extra cargo args…]
#   TARGET is one of:
#     wasm32-unknown-unknown-atomics  wasm32-unknown-unknown with +atomics,+bulk-memory (native
#                                     thread_local!, Mutex, Condvar; threads come from the host)
#     wasm32-wasip1                   single-threaded WASI against Debian's wasi-libc
#     wasm32-wasip1-threads           wasi-threads against the threaded wasi-libc sysroot that
#                                     WASI_SYSROOT names (none comes from a registry; see README)
#     wasm32-unknown-emscripten-threads  wasm32-unknown-emscripten with +atomics,+bulk-memory, linked
#                                     by emcc 3.1.6 with -pthread -sPROXY_TO_PTHREAD (std::thread works);
#                                     emcc's wasm-ld is whatever its EM_LLVM_ROOT holds
# Environment:
#   CARGO_TARGET_DIR  where artefacts go (default: CRATE_DIR/target)
#   WASM_LINKER       linker passed to rustc (default: wasm-ld-22)
#   RUST_WASM_CARGO   cargo subcommand (default: build); `test` builds libtest binaries, e.g.
#                     RUST_WASM_CARGO=test scripts/rust-wasm.sh CRATE wasm32-wasip1 --no-run
# Prints the cargo command it runs. Requires: rustc-web cargo-web rust-web-src lld-22 (and wasi-libc
# for wasm32-wasip1) — see scripts/setup-toolchains.sh.
set -euo pipefail

crate=$(cd "$1" && pwd); shift
target=$1; shift

RUSTC=/usr/bin/rustc
CARGO=/usr/bin/cargo
sysroot=$($RUSTC --print sysroot)
vendor="$sysroot/lib/rustlib/src/rust/library/vendor"
[ -d "$vendor" ] || { echo "rust-wasm: $vendor missing: install rust-web-src (npm run setup)" >&2; exit 1; }

# Cargo reads the vendored-source replacement from a config file in its home; keep it out of the
# crate and out of the user's ~/.cargo: a cargo home of the project's own, under .toolchains/ (git
# ignores it), made once and shared by every build (cargo locks its home for builds running at
# once). Not a temporary directory: cargo is exec'd below, so that a caller's timeout or signal
# reaches it, and a shell that is gone cannot remove anything afterwards.
cfgdir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.toolchains/cargo-home"
mkdir -p "$cfgdir"
config=$(mktemp "$cfgdir/config.toml.XXXXXX")
cat > "$config" <<TOML
[source.crates-io]
replace-with = "vendored-sources"
[source.vendored-sources]
directory = "$vendor"
TOML
mv -f "$config" "$cfgdir/config.toml" # whole, for a build starting meanwhile

linker=${WASM_LINKER:-wasm-ld-22}
case "$target" in
  wasm32-unknown-unknown-atomics)
    triple=wasm32-unknown-unknown
    # rustc 1.96 treats +atomics as an unstable feature and no longer adds the shared-memory link
    # flags for it, so pass the ones rustc documents for this configuration ourselves.
    rustflags="-C target-feature=+atomics,+bulk-memory,+mutable-globals -C linker=$linker"
    for a in --shared-memory --import-memory --max-memory=1073741824 --export=__wasm_init_tls \
             --export=__tls_size --export=__tls_align --export=__tls_base; do
      rustflags="$rustflags -C link-arg=$a"
    done
    buildstd=std,panic_abort
    ;;
  wasm32-wasip1)
    triple=wasm32-wasip1
    wasilib=/usr/lib/wasm32-wasi
    rustflags="-C linker=$linker -C link-self-contained=no -L native=$wasilib -C link-arg=$wasilib/crt1-command.o"
    buildstd=std,panic_abort,test
    ;;
  wasm32-wasip1-threads)
    triple=wasm32-wasip1-threads
    wasilib=${WASI_SYSROOT:?rust-wasm: set WASI_SYSROOT to a wasm32-wasip1-threads sysroot}/lib/wasm32-wasip1-threads
    [ -f "$wasilib/libc.a" ] || { echo "rust-wasm: $wasilib/libc.a missing: WASI_SYSROOT is not a wasm32-wasip1-threads sysroot" >&2; exit 1; }
    rustflags="-C linker=$linker -C link-self-contained=no -L native=$wasilib -C link-arg=$wasilib/crt1-command.o"
    buildstd=std,panic_abort,test
    ;;
  wasm32-unknown-emscripten-threads)
    triple=wasm32-unknown-emscripten
    # link-self-contained=no: rustc 1.96 would otherwise pass its own crt objects, which emcc 3.1.6
    # does not understand. emcc is the linker rustc calls for this target.
    rustflags="-C target-feature=+atomics,+bulk-memory -C link-self-contained=no"
    for a in -pthread -sPROXY_TO_PTHREAD -sEXIT_RUNTIME=1; do rustflags="$rustflags -C link-arg=$a"; done
    buildstd=std,panic_abort
    export NODE_PATH=${NODE_PATH:-/usr/share/nodejs} EMCC_SKIP_SANITY_CHECK=1
    ;;
  *) echo "rust-wasm: unknown target $target" >&2; exit 2 ;;
esac

export RUSTC_BOOTSTRAP=1 RUSTC CARGO_HOME="${CARGO_HOME_OVERRIDE:-$cfgdir}"
export RUSTFLAGS="${RUSTFLAGS:-} $rustflags"
cd "$crate"
subcommand=${RUST_WASM_CARGO:-build}
echo "+ RUSTFLAGS='$RUSTFLAGS' $CARGO $subcommand -Z build-std=$buildstd --target $triple $*" >&2
exec $CARGO "$subcommand" -Z build-std=$buildstd --target "$triple" "$@"
