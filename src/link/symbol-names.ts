// How wasm-ld shows a symbol's name in what it writes for people (the name section, stub names,
// diagnostics): lld's maybeDemangleSymbol.

import { demangle } from './demangle/index.js';

/**
 * A C symbol as wasm-ld shows it: a `main(argc, argv)` is `main` — clang calls it
 * `__main_argc_argv` only so that callers and callee agree on its signature.
 */
export function cName(name: string): string {
  return name === '__main_argc_argv' ? 'main' : name;
}

/** `cName`, then demangled when the link demangles (wasm-ld's --demangle, its default). */
export function displayName(name: string, demangleNames: boolean): string {
  return demangleNames ? demangle(cName(name)) : cName(name);
}
