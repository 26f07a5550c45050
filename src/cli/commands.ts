// The subcommands, in the order `wasmthreads --help` lists them. Each is loaded only when it runs:
// `link` never loads the runtime, WASI or inspect (the bundle is split per command).

import type { Command } from './io.js';

export interface CommandEntry {
  name: string;
  /** One line for `wasmthreads --help`. */
  summary: string;
  load(): Promise<Command>;
}

export const commands: CommandEntry[] = [
  { name: 'run', summary: 'run a threaded module on worker_threads with WASI', load: async () => (await import('./run.js')).runCommand },
  { name: 'test', summary: 'run each test of a Rust libtest binary in its own run (a panic fails one test, not all)', load: async () => (await import('./test.js')).testCommand },
  { name: 'link', summary: 'link wasm objects and archives (wasm-ld compatible)', load: async () => (await import('./link.js')).linkCommand },
  { name: 'inspect', summary: 'show sections, symbols, relocations, TLS layout and thread ABI of modules, objects, archives', load: async () => (await import('./inspect.js')).inspectCommand },
  { name: 'bench', summary: 'measure thread-local access in wasm (bench tls)', load: async () => (await import('./bench.js')).benchCommand },
];
