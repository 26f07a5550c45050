// `wasmthreads bench tls`: the cost of thread-local access in wasm on this Node, measured the way
// a careful person would — many short samples (a long sample under load is preempted at the same
// point every time and lies), the variants in rotated order from sample to sample, every thread
// of a "N at once" run starting each sample together, median and spread, and the ratio of each
// variant's median to the plain global's in the same run. See tls-module.ts for what each variant
// does and tls-run.ts for one thread's loop.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { WasmthreadsError } from '../diagnostics.js';
import { readModule } from '../binary/read-module.js';
import { exports as moduleExports, functionType } from '../binary/module-info.js';
import { ExternalKind, ValTypeCode } from '../binary/types.js';
import { moduleInfoOf } from '../runtime/module-info.js';
import { MAX_THREADS, VARIANT_LABELS, VARIANTS } from './tls-module.js';
import type { BenchJob, JobResult, UserTarget } from './tls-run.js';

export interface TlsBenchOptions {
  /** Thread counts to measure (each a run of its own); default [1, cores]. */
  threads?: number[];
  samples?: number;
  /** Operations per sample (per variant, per thread). */
  iterations?: number;
  warmup?: number;
  /** Measure this module's export beside the built-in plain global. */
  user?: { file: string; bytes: Uint8Array; exportName: string };
  /** The worker bundle (dist/bench-worker.cjs). */
  workerUrl: URL;
}

export interface VariantStats {
  id: string;
  label: string;
  /** ns per operation over every sample of every thread. */
  median: number;
  p10: number;
  p90: number;
  /** median / plain global's median in the same run. */
  ratio: number;
  samples: number;
}

export interface TlsBenchResult {
  node: string;
  cores: number;
  iterations: number;
  samplesPerThread: number;
  runs: { threads: number; variants: VariantStats[] }[];
}

export const DEFAULT_SAMPLES = 31;
export const DEFAULT_ITERATIONS = 1 << 20;
export const MAX_SAMPLES = 10_000;
export const MAX_ITERATIONS = 1 << 30;

function quantile(sorted: number[], q: number): number {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (i - lo);
}

export function stats(id: string, label: string, values: number[], plainMedian?: number): VariantStats {
  const sorted = [...values].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  return { id, label, median, p10: quantile(sorted, 0.1), p90: quantile(sorted, 0.9), ratio: median / (plainMedian ?? median), samples: values.length };
}

function bad(file: string, message: string, hint?: string): never {
  throw new WasmthreadsError({ severity: 'error', code: 'bench', file, message, hint });
}

/** Checks the user's module and export and prepares what each thread needs. */
async function userTarget(user: NonNullable<TlsBenchOptions['user']>, threads: number): Promise<UserTarget> {
  const mod = readModule(user.bytes, user.file);
  const info = moduleInfoOf(mod, user.file);
  const exported = moduleExports(mod);
  const ex = exported.find((e) => e.name === user.exportName);
  const funcs = exported.filter((e) => e.kind === ExternalKind.Func).map((e) => e.name);
  if (!ex || ex.kind !== ExternalKind.Func) bad(user.file, `no exported function '${user.exportName}'`, `exported functions: ${funcs.slice(0, 12).join(', ')}${funcs.length > 12 ? ', …' : ''}`);
  const type = functionType(mod, ex.index)!;
  const I32 = ValTypeCode.i32;
  const style = type.params.length === 0 ? 'call' : type.params.length === 1 && type.params[0] === I32 ? 'count' : undefined;
  if (!style) bad(user.file, `'${user.exportName}' must take no parameters (called once per operation) or one i32 (the number of operations to do)`);
  const module = await WebAssembly.compile(user.bytes);
  for (const imp of WebAssembly.Module.imports(module)) {
    const ok = imp.kind === 'memory' || (imp.kind === 'function' && imp.module.startsWith('wasi'));
    if (!ok) bad(user.file, `imports ${imp.kind} ${imp.module}.${imp.name}, which bench cannot provide`, 'bench gives a module its memory and WASI functions that answer ENOSYS; benchmark a function that needs nothing else');
  }
  const m = info.memoryImport;
  if (m && threads > 1 && !m.shared) bad(user.file, `its memory ${m.module}.${m.name} is not shared, so it runs on one thread only`, 'use --threads 1, or link with --shared-memory');
  // A shared memory is made here and shared by every thread; an unshared one (one thread only)
  // cannot travel to a worker, so the worker makes it.
  const descriptor = m ? ({ initial: m.initial, maximum: m.maximum, shared: m.shared } as WebAssembly.MemoryDescriptor) : undefined;
  const memory = m && descriptor ? { module: m.module, name: m.name, descriptor, value: m.shared ? new WebAssembly.Memory(descriptor) : undefined } : undefined;
  const g = info.linkerGlobals;
  const names = new Set(exported.map((e) => e.name));
  const tls = m && names.has('__stack_pointer') ? { stackBytes: 1 << 16, tlsSize: g.get('__tls_size') ?? 0, tlsAlign: g.get('__tls_align') ?? 4 } : undefined;
  if (m && threads > 1 && (g.get('__tls_size') ?? 0) > 0 && (!tls || !names.has('__wasm_init_tls'))) {
    bad(user.file, 'it has TLS but does not export __stack_pointer and __wasm_init_tls, so other threads cannot get their own', 'link with --export=__stack_pointer --export=__wasm_init_tls, or use --threads 1');
  }
  return { module, memory, style, exportName: user.exportName, tls };
}

function runThread(job: BenchJob, url: URL): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(url, { workerData: job });
    w.once('message', (r: JobResult) => {
      resolve(r);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`benchmark thread ${job.index} ended (code ${code}) before it reported`)));
  });
}

/** Runs every configuration, one after the other, and returns the statistics. */
export async function benchTls(o: TlsBenchOptions): Promise<TlsBenchResult> {
  const cores = availableParallelism();
  const threads = o.threads ?? [...new Set([1, cores])];
  const samples = o.samples ?? DEFAULT_SAMPLES;
  const iterations = o.iterations ?? DEFAULT_ITERATIONS;
  for (const n of threads) if (!(Number.isInteger(n) && n >= 1 && n <= MAX_THREADS)) bad('bench', `--threads needs thread counts from 1 to ${MAX_THREADS}, got ${n}`);
  const user = o.user ? await userTarget(o.user, Math.max(...threads)) : undefined;
  const variants: string[] = user ? ['plain'] : [...VARIANTS];
  const runs: TlsBenchResult['runs'] = [];
  for (const count of threads) {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor);
    const barrier = new SharedArrayBuffer(8);
    const jobs = Array.from({ length: count }, (_, index): BenchJob => ({
      index, count, memory, variants, user, iterations, samples, warmup: o.warmup ?? 20, barrier,
    }));
    const results = await Promise.all(jobs.map((j) => runThread(j, o.workerUrl)));
    const ids = [...variants, ...(user ? [user.exportName] : [])];
    const all = ids.map((_, k) => results.flatMap((r) => r[k]));
    const plain = stats('plain', VARIANT_LABELS.plain, all[0]).median;
    runs.push({
      threads: count,
      variants: ids.map((id, k) => stats(id, (VARIANT_LABELS as Record<string, string>)[id] ?? `${o.user!.file}: ${id}`, all[k], plain)),
    });
  }
  return { node: process.version, cores, iterations, samplesPerThread: samples, runs };
}
