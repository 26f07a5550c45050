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
  // At most 3 UTF-8 bytes per UTF-16 unit, plus the terminating NUL.
  const room = name.length * 3;
  const p = d.alloc(room + 1);
  if (p === 0) return name;
  try {
    // Views are made once per call (the demangler's memory may grow while it runs), the name is
    // encoded straight into its memory and the result's end found by indexOf: a link names
    // thousands of functions, and each copy or byte loop showed in its profile.
    let heap = new Uint8Array(d.memory.buffer);
    const { written } = encoder.encodeInto(name, heap.subarray(p, p + room));
    heap[p + written] = 0;
    const r = d.demangle(p);
    if (r === 0) return name;
    if (heap.byteLength !== d.memory.buffer.byteLength) heap = new Uint8Array(d.memory.buffer);
    const end = heap.indexOf(0, r);
    return decoder.decode(heap.subarray(r, end < 0 ? heap.length : end));
  } finally {
    d.release(p);
  }
}
