// C++ names as people read them, for the name section (wasm-ld's `--demangle`, its default): the
// Itanium demangler of LLVM 22 — libc++abi's `__cxa_demangle`, the same code wasm-ld-22 runs —
// compiled to wasm (itanium-demangle.c and build.sh beside this file) and loaded on the first name
// that needs it, so a C link never loads it. Rust's legacy symbols are Itanium names too
// (`std::rt::lang_start::h…`); Rust v0 names (`_R…`) are left as they are.

import { readFileSync } from 'node:fs';

interface DemanglerExports {
  memory: WebAssembly.Memory;
  alloc(n: number): number;
  release(p: number): void;
  demangle(p: number): number;
}

/** Itanium names start with `_Z` after at most three extra underscores (as LLVM's demangle() takes them). */
const ITANIUM = /^_{1,4}Z/;

let loaded: DemanglerExports | undefined;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function demangler(): DemanglerExports {
  if (loaded) return loaded;
  const bytes = readFileSync(new URL('./itanium-demangle.wasm', import.meta.url));
  // libc++abi's abort path can print: the demangler never takes it for a name, so reaching it is a bug.
  const unreachable = (): never => {
    throw new Error('internal error: the demangler called into WASI');
  };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    wasi_snapshot_preview1: { fd_close: unreachable, fd_seek: unreachable, fd_write: unreachable },
  });
  const e = instance.exports;
  const fn = (name: string): ((...args: number[]) => number) => {
    const f = e[name];
    if (typeof f !== 'function') throw new Error(`internal error: the demangler module exports no function '${name}'`);
    return f as (...args: number[]) => number;
  };
  if (!(e.memory instanceof WebAssembly.Memory)) throw new Error('internal error: the demangler module exports no memory');
  loaded = { memory: e.memory, alloc: fn('alloc'), release: fn('release'), demangle: fn('demangle') };
  return loaded;
}

/** `name` demangled when it is a valid Itanium name, else `name` itself. */
export function demangle(name: string): string {
  if (!ITANIUM.test(name)) return name;
  const d = demangler();
  const bytes = encoder.encode(name);
  const p = d.alloc(bytes.length + 1);
  if (p === 0) return name;
  try {
    const heap = new Uint8Array(d.memory.buffer);
    heap.set(bytes, p);
    heap[p + bytes.length] = 0;
    const r = d.demangle(p);
    if (r === 0) return name;
    const out = new Uint8Array(d.memory.buffer);
    let end = r;
    while (out[end] !== 0) end++;
    return decoder.decode(out.subarray(r, end));
  } finally {
    d.release(p);
  }
}
