// Mutation fuzz of `run` (not only the reader): seeded mutations of real threaded guests (the same
// bit flips, truncations and LEB corruptions as test/binary/fuzz.test.ts) are run through the
// library. Whatever the bytes, a run must end — resolved with an exit code, or rejected with one
// of wasmthreads' own errors (DecodeError, WasmthreadsError) — never with an internal error
// (TypeError, RangeError…) and never hang: each case has a timeout, and a host error in the exit
// record (a wasmthreads bug, not a guest trap) fails the case.
// Replay: RUN_FUZZ_SEED=<seed> RUN_FUZZ_CASES=<n> npx tap test/runtime/run-fuzz.test.ts

import { readFileSync } from 'node:fs';
import t from 'tap';
import { readModule } from '../../src/binary/read-module.js';
import { mutate, type FuzzInput } from '../binary/fuzz-worker.js';
import { caseSeed, prng } from '../helpers/fuzz-cases.js';
import { createLimiter, WAT } from './run-helpers.js';

const DIST = '../../dist/index.js';
const { run, WasmthreadsError, DecodeError } = (await import(DIST)) as typeof import('../../src/index.js');

const SEED = Number(process.env.RUN_FUZZ_SEED ?? 20261203) >>> 0;
const CASES = Number(process.env.RUN_FUZZ_CASES ?? 120);
/** Per-case bound: a valid mutant may loop forever; it is cut off like any run with a timeout. */
const CASE_TIMEOUT_MS = 5000;
const GUESTS = ['spawn', 'nested', 'reuse_joined', 'hm_reuse', 'trap', 'isolation_distinct', 'grow_syscall'];

function input(name: string): FuzzInput {
  const file = `${WAT}${name}.wasm`;
  const bytes = new Uint8Array(readFileSync(file));
  return { file, bytes, sizeOffsets: readModule(bytes, file).sections.map((s) => s.offset + 1) };
}

t.test(`${CASES} mutated guests run to a clean end (seed ${SEED})`, async (t) => {
  const inputs = GUESTS.map(input);
  const limit = createLimiter(2);
  const outcomes = await Promise.all(Array.from({ length: CASES }, (_, i) => limit(async () => {
    const s = caseSeed(SEED, i);
    const rand = prng(s);
    const from = inputs[Math.floor(rand() * inputs.length)];
    const { bytes, mutation } = mutate(from, rand);
    const what = `case ${i} (seed ${s}): ${from.file.split('/').pop()} ${mutation}`;
    try {
      const r = await run({ module: bytes, name: 'mutant.wasm', timeout: CASE_TIMEOUT_MS, maxThreads: 8, stdout: () => {}, stderr: () => {}, stdin: '' });
      if (!Number.isInteger(r.exitCode)) return `${what}: exit code ${r.exitCode}`;
      if (r.diagnostic?.code === 'host' && /host error|failed:|ended unexpectedly/.test(r.diagnostic.message)) return `${what}: ${r.diagnostic.message}`;
      return undefined;
    } catch (e) {
      if (e instanceof WasmthreadsError || e instanceof DecodeError) return undefined;
      return `${what}: ${(e as Error).stack ?? e}`;
    }
  })));
  const failures = outcomes.filter((o): o is string => o !== undefined);
  t.same(failures, [], 'every mutant ended cleanly');
});
