// The fuzz loop of fuzz.test.ts, run in a worker thread so that the test can kill it and name the
// case if the reader ever hangs. Each case mutates one real object or module with a PRNG seeded
// from (base seed, case number), so any case can be replayed alone from the seed it prints.
//
// A case passes when readModule either throws a DecodeError/WasmthreadsError, or returns a module
// that writeModule encodes without throwing and that readModule accepts again. Anything else (a
// TypeError, a RangeError, an out-of-memory from a huge count) is a failure.

import { parentPort, workerData } from 'node:worker_threads';
import { readModule } from '../../src/binary/read-module.js';
import { writeModule } from '../../src/binary/write-module.js';
import { WasmthreadsError } from '../../src/diagnostics.js';
import { fuzzCases, type FuzzCaseJob } from '../helpers/fuzz-cases.js';

export interface FuzzInput {
  file: string;
  bytes: Uint8Array;
  /** Absolute offsets of each section's size LEB (for LEB corruption at section headers). */
  sizeOffsets: number[];
}

export type FuzzJob = FuzzCaseJob<FuzzInput>;

export interface FuzzFailure {
  caseIndex: number;
  caseSeed: number;
  input: string;
  mutation: string;
  error: string;
}

export interface FuzzResult {
  ran: number;
  parsed: number;
  rejected: number;
  /** Parsed mutants whose rewrite differs from the mutant (non-minimal LEBs the model drops). */
  inexact: number;
  byMutation: Record<string, number>;
  failures: FuzzFailure[];
  elapsedMs: number;
}

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x3f, 0x0b];
/** Replacement size LEBs: zero, off by one, huge, overlong, and a truncated continuation. */
const LEB_REPLACEMENTS: ((size: number) => number[])[] = [
  () => [0x00],
  (s) => leb(s + 1),
  (s) => leb(Math.max(0, s - 1)),
  () => [0xff, 0xff, 0xff, 0xff, 0x0f],
  () => [0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
  () => [0x80],
  (s) => leb(s * 2 + 7),
];

function leb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

function readLebAt(b: Uint8Array, p: number): { value: number; end: number } {
  let value = 0;
  let scale = 1;
  let q = p;
  while (q < b.length && q - p < 5) {
    value += (b[q] & 0x7f) * scale;
    scale *= 128;
    if ((b[q++] & 0x80) === 0) break;
  }
  return { value, end: q };
}

/** Applies one random mutation; returns the mutant and a description for the failure report. */
export function mutate(input: FuzzInput, rand: () => number): { bytes: Uint8Array; mutation: string } {
  const src = input.bytes;
  const pick = (n: number) => Math.floor(rand() * n);
  const at = pick(src.length);
  switch (pick(6)) {
    case 0: {
      const out = src.slice();
      const flips = 1 + pick(4);
      for (let i = 0; i < flips; i++) out[pick(out.length)] ^= 1 << pick(8);
      return { bytes: out, mutation: `bit flips x${flips}` };
    }
    case 1:
      return { bytes: src.slice(0, at), mutation: `truncate at 0x${at.toString(16)}` };
    case 2: {
      const n = 1 + pick(8);
      const ins = Array.from({ length: n }, () => (rand() < 0.5 ? INTERESTING[pick(INTERESTING.length)] : pick(256)));
      return { bytes: concat(src.subarray(0, at), Uint8Array.from(ins), src.subarray(at)), mutation: `insert ${n} at 0x${at.toString(16)}` };
    }
    case 3: {
      const n = 1 + pick(8);
      return { bytes: concat(src.subarray(0, at), src.subarray(at + n)), mutation: `delete ${n} at 0x${at.toString(16)}` };
    }
    case 4: {
      const out = src.slice();
      out[at] = INTERESTING[pick(INTERESTING.length)];
      return { bytes: out, mutation: `set 0x${at.toString(16)} = 0x${out[at].toString(16)}` };
    }
    default: {
      const sizeAt = input.sizeOffsets[pick(input.sizeOffsets.length)];
      const { value, end } = readLebAt(src, sizeAt);
      const k = pick(LEB_REPLACEMENTS.length);
      const repl = LEB_REPLACEMENTS[k](value);
      const bytes = concat(src.subarray(0, sizeAt), Uint8Array.from(repl), src.subarray(end));
      return { bytes, mutation: `section size LEB at 0x${sizeAt.toString(16)} replaced (${k})` };
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`).split('\n').slice(0, 6).join('\n') : String(e);
}

export function runFuzz(job: FuzzJob): FuzzResult {
  const result: FuzzResult = { ran: 0, parsed: 0, rejected: 0, inexact: 0, byMutation: {}, failures: [], elapsedMs: 0 };
  const start = performance.now();
  for (const { index: i, seed, rand, input } of fuzzCases(job)) {
    const { bytes, mutation } = mutate(input, rand);
    const kind = mutation.split(' ')[0];
    result.byMutation[kind] = (result.byMutation[kind] ?? 0) + 1;
    result.ran++;
    try {
      const mod = readModule(bytes, 'fuzz.wasm');
      const out = writeModule(mod);
      readModule(out, 'rewritten.wasm');
      result.parsed++;
      if (!sameBytes(out, bytes)) result.inexact++;
    } catch (e) {
      if (e instanceof WasmthreadsError) result.rejected++;
      else result.failures.push({ caseIndex: i, caseSeed: seed, input: input.file, mutation, error: describe(e) });
    }
  }
  result.elapsedMs = performance.now() - start;
  return result;
}

if (parentPort !== null && workerData !== undefined) {
  parentPort.postMessage(runFuzz(workerData as FuzzJob));
}
