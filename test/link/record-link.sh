#!/usr/bin/env bash
# A WASM_LINKER for scripts/rust-wasm.sh: records rustc's link line (one argument per line) in
# $WASMTHREADS_LINK_ARGS, keeping copies of the object files rustc deletes after linking (the
# recorded line points at the copies), then links with wasm-ld-22 for the reference module.
keep="$WASMTHREADS_LINK_ARGS.objects"
mkdir -p "$keep"
: > "$WASMTHREADS_LINK_ARGS"
i=0
for a in "$@"; do
  if [[ "$a" == *.o && -f "$a" ]]; then
    i=$((i + 1))
    cp "$a" "$keep/$i-$(basename "$a")"
    a="$keep/$i-$(basename "$a")"
  fi
  printf '%s\n' "$a" >> "$WASMTHREADS_LINK_ARGS"
done
exec wasm-ld-22 "$@"
