// What one benchmark thread does (in a worker, or on the caller's thread for a single thread).

import { initThreadMemory, hostTlsAddr, tlsBenchModule } from './tls-module.js';

export interface UserTarget {
  module: WebAssembly.Module;
  /** The memory it imports, if any: shared by every thread (`value`), or made by the one thread. */
  memory?: { module: string; name: string; descriptor: WebAssembly.MemoryDescriptor; value?: WebAssembly.Memory };
  /** `count`: the export takes the iteration count; `call`: it takes nothing, called n times. */
  style: 'count' | 'call';
  exportName: string;
  /** Thread set-up for threads after the first: host-managed style stack and TLS block. */
  tls?: { stackBytes: number; tlsSize: number; tlsAlign: number };
}

export interface BenchJob {
  index: number;
  count: number;
  /** The shared memory of the built-in module. */
  memory: WebAssembly.Memory;
  /** Built-in variants to run (export names of tlsBenchModule), then the user's export if any. */
  variants: string[];
  user?: UserTarget;
  iterations: number;
  samples: number;
  warmup: number;
  /** [arrived, generation] for the barrier. */
  barrier: SharedArrayBuffer;
}

/** ns per operation, per variant (variants' order), one entry per sample. */
export type JobResult = number[][];

function barrierWait(words: Int32Array, count: number): void {
  const gen = Atomics.load(words, 1);
  if (Atomics.add(words, 0, 1) === count - 1) {
    Atomics.store(words, 0, 0);
    Atomics.add(words, 1, 1);
    Atomics.notify(words, 1);
    return;
  }
  while (Atomics.load(words, 1) === gen) Atomics.wait(words, 1, gen);
}

const ENOSYS = 52;

/** Imports for a user module: its memory, and WASI functions that answer ENOSYS (proc_exit traps). */
function userImports(user: UserTarget, memory: WebAssembly.Memory | undefined): WebAssembly.Imports {
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const imp of WebAssembly.Module.imports(user.module)) {
    imports[imp.module] ??= {};
    if (imp.kind === 'memory' && memory) imports[imp.module][imp.name] = memory;
    else if (imp.kind === 'function') {
      imports[imp.module][imp.name] = imp.name === 'proc_exit'
        ? () => { throw new Error(`the benchmarked code called proc_exit`); }
        : () => ENOSYS;
    }
  }
  return imports;
}

function userRunner(user: UserTarget, index: number, n: number): () => void {
  const memory = user.memory ? (user.memory.value ?? new WebAssembly.Memory(user.memory.descriptor)) : undefined;
  const instance = new WebAssembly.Instance(user.module, userImports(user, memory));
  const ex = instance.exports;
  if (index > 0 && user.tls && memory) {
    // A thread of its own: a stack and TLS block from fresh pages, as the host-managed ABI does.
    const align = Math.max(user.tls.tlsAlign, 16);
    const bytes = user.tls.stackBytes + user.tls.tlsSize + align;
    const base = memory.grow(Math.ceil(bytes / 65536)) * 65536;
    const tls = Math.ceil((base + user.tls.stackBytes) / align) * align;
    (ex.__stack_pointer as WebAssembly.Global).value = base + user.tls.stackBytes;
    if (typeof ex.__wasm_init_tls === 'function') (ex.__wasm_init_tls as (p: number) => void)(tls);
  }
  const fn = ex[user.exportName] as (n?: number) => unknown;
  return user.style === 'count' ? () => void fn(n) : () => { for (let i = 0; i < n; i++) fn(); };
}

export function runJob(job: BenchJob): JobResult {
  const n = job.iterations;
  initThreadMemory(job.memory, job.index);
  const address = hostTlsAddr(job.index);
  const builtin = new WebAssembly.Instance(new WebAssembly.Module(tlsBenchModule(job.index)), {
    bench: { tls_addr: () => address },
    env: { memory: job.memory },
  }).exports as Record<string, (n: number) => number>;
  const runners: (() => void)[] = job.variants.map((name) => () => void builtin[name](n));
  if (job.user) runners.push(userRunner(job.user, job.index, n));
  for (let w = 0; w < job.warmup; w++) for (const run of runners) run();
  const words = new Int32Array(job.barrier);
  const out: number[][] = runners.map(() => []);
  const v = runners.length;
  for (let s = 0; s < job.samples; s++) {
    if (job.count > 1) barrierWait(words, job.count);
    for (let j = 0; j < v; j++) {
      const k = (s + j) % v;
      const t0 = performance.now();
      runners[k]();
      out[k].push(((performance.now() - t0) * 1e6) / n);
    }
  }
  return out;
}
