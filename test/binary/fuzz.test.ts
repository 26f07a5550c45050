// Fuzz test of the binary reader and writer: thousands of seeded mutations (bit flips, truncation,
// byte insertion and deletion, interesting bytes, corrupted section-size LEBs) of real objects and
// modules — fixtures, wasi-libc and emscripten -mt members, Rust build-std objects, a linked
// shared-memory module. Every case must end in a clean DecodeError or a valid parse; any other
// exception fails with the case's seed, and a hang is caught by running the loop in a worker that
// is killed at a deadline.
//
// Replay: FUZZ_SEED=<seed> FUZZ_CASES=<n> npx tap test/binary/fuzz.test.ts (defaults below).

import { readFileSync } from 'node:fs';
import t from 'tap';
import { isArchive, readArchive } from '../../src/binary/archive.js';
import { isWasm } from '../../src/binary/format.js';
import { readModule } from '../../src/binary/read-module.js';
import {
  emscriptenThreadedArchives,
  expandInputs,
  fixtureFiles,
  rustWasmFiles,
  wasiLibcFiles,
  type WasmInput,
} from '../helpers/real-inputs.js';
import type { FuzzInput, FuzzJob, FuzzResult } from './fuzz-worker.js';
import { bundleWorker, runWorker } from '../helpers/fuzz-runner.js';
import { tempDir } from '../helpers/temp-dir.js';

const DEFAULT_SEED = 0x5eed2026;
const DEFAULT_CASES = 20000;
/** The loop stops early after this long; the worker is killed (a hang) after the deadline. */
const BUDGET_MS = 45_000;
const DEADLINE_MS = 75_000;
/** Inputs larger than this would make each case slow without finding more. */
const MAX_INPUT_BYTES = 96 * 1024;
/** Take every Nth member of the big archives, for variety without thousands of inputs. */
const ARCHIVE_STRIDE = 40;

const seed = Number(process.env.FUZZ_SEED ?? DEFAULT_SEED) >>> 0;
const cases = Number(process.env.FUZZ_CASES ?? DEFAULT_CASES);

function small(inputs: WasmInput[]): WasmInput[] {
  return inputs.filter((i) => i.bytes.length <= MAX_INPUT_BYTES);
}

function strided(inputs: WasmInput[], stride: number): WasmInput[] {
  return inputs.filter((_, i) => i % stride === 0);
}

/** Members of one archive whose names match, e.g. the pthread and TLS objects of libc-mt.a. */
function membersNamed(path: string, pattern: RegExp): WasmInput[] {
  const bytes = new Uint8Array(readFileSync(path));
  if (!isArchive(bytes)) return [];
  return readArchive(bytes, path)
    .members.filter((m) => pattern.test(m.name) && isWasm(m.bytes()))
    .map((m) => ({ file: m.file, bytes: m.bytes() }));
}

function collectInputs(): WasmInput[] {
  const libcMt = emscriptenThreadedArchives().find((p) => p.endsWith('/libc-mt.a'))!;
  const rust = rustWasmFiles();
  return [
    ...small(expandInputs(fixtureFiles()).inputs),
    ...strided(small(expandInputs(wasiLibcFiles()).inputs), ARCHIVE_STRIDE),
    ...small(membersNamed(libcMt, /^(pthread_create|pthread_self|__tls|emscripten_tls|library_pthread|thread)/)),
    ...strided(small(expandInputs([libcMt]).inputs), ARCHIVE_STRIDE * 4),
    ...strided(small(expandInputs(rust.filter((p) => /libstd-|libtls_counter|liballoc-/.test(p))).inputs), 4),
    ...small(expandInputs(rust.filter((p) => p.endsWith('.wasm'))).inputs),
  ];
}

function withSizeOffsets(input: WasmInput): FuzzInput {
  const mod = readModule(input.bytes, input.file);
  return { file: input.file, bytes: input.bytes.slice(), sizeOffsets: mod.sections.map((s) => s.offset + 1) };
}

t.test(`fuzz readModule/writeModule (seed 0x${seed.toString(16)}, ${cases} cases)`, async (t) => {
  const inputs = collectInputs().map(withSizeOffsets);
  t.ok(inputs.length >= 20, `enough real inputs to mutate (${inputs.length})`);
  const dir = tempDir('wasmthreads-fuzz-', t);
  const job: FuzzJob = { seed, cases, budgetMs: BUDGET_MS, inputs, progress: new SharedArrayBuffer(4) };
  const result = await runWorker<FuzzJob, FuzzResult>(bundleWorker(new URL('./fuzz-worker.ts', import.meta.url), dir), job, DEADLINE_MS);
  if ('hung' in result) {
    t.fail(`case ${result.hung} did not finish within ${DEADLINE_MS} ms: replay with FUZZ_SEED=${seed} (case seed computed by caseSeed)`);
    return;
  }
  t.comment(
    `${result.ran} cases in ${(result.elapsedMs / 1000).toFixed(1)} s over ${inputs.length} inputs: ` +
      `${result.rejected} rejected with a DecodeError, ${result.parsed} parsed (${result.inexact} of them rewritten inexactly); ` +
      `mutations ${JSON.stringify(result.byMutation)}`,
  );
  t.ok(result.ran >= Math.min(cases, 2000), `ran thousands of cases within the budget (${result.ran})`);
  t.ok(result.rejected > 0 && result.parsed > 0, 'mutations both broke and preserved inputs');
  const report = result.failures
    .slice(0, 5)
    .map((f) => `case ${f.caseIndex} (seed ${seed}, case seed ${f.caseSeed}) ${f.input}: ${f.mutation}\n${f.error}`);
  t.same(report, [], 'every case ended in a DecodeError or a valid parse');
});
