// Fuzz test of the linker: thousands of seeded mutations of real objects (the fixtures, and when
// installed wasi-libc's and emscripten -mt's members), each linked through the `link` command
// beside an unmutated object, in configurations that take different paths (exports, shared
// memory, an imported growable table and the stack first, an executable against libc.a). Most
// mutations stay inside the sections the linker interprets (symbol table, relocations, imports,
// code, data), so the objects still decode and reach resolution, relocation and layout. Every case
// must end with exit code 0 or 1 and only diagnostic lines on stderr; an internal error, a stack
// trace or an exception fails with the case's seed, and a hang is caught by running the loop in a
// worker that is killed at a deadline.
//
// Replay: LINK_FUZZ_SEED=<seed> LINK_FUZZ_CASES=<n> npx tap test/link/link-fuzz.test.ts

import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { readModule } from '../../src/binary/read-module.js';
import { SectionId } from '../../src/binary/types.js';
import { emscriptenThreadedArchives, expandInputs, fixtureFiles, MissingToolchainError, wasiLibcFiles, type WasmInput } from '../helpers/real-inputs.js';
import { bundleWorker, runWorker } from '../helpers/fuzz-runner.js';
import { tempDir } from '../helpers/temp-dir.js';
import type { LinkFuzzInput, LinkFuzzJob, LinkFuzzResult } from './link-fuzz-worker.js';

const DEFAULT_SEED = 0x11f2026;
const DEFAULT_CASES = 10_000;
/** The loop stops early after this long; the worker is killed (a hang) after the deadline. */
const BUDGET_MS = 30_000;
const DEADLINE_MS = 90_000;
/** Larger objects make each case slow without finding more. */
const MAX_INPUT_BYTES = 48 * 1024;
const ARCHIVE_STRIDE = 25;
const WASI = '/usr/lib/wasm32-wasi';

const seed = Number(process.env.LINK_FUZZ_SEED ?? DEFAULT_SEED) >>> 0;
const cases = Number(process.env.LINK_FUZZ_CASES ?? DEFAULT_CASES);

/** Sections whose content the linker interprets beyond decoding it. */
const INTERPRETED = new Set<number>([SectionId.Type, SectionId.Import, SectionId.Function, SectionId.Global, SectionId.Export, SectionId.Element, SectionId.Code, SectionId.Data]);

/** A relocatable object (it has a `linking` section) with the regions worth mutating, or undefined. */
function asInput(input: WasmInput): LinkFuzzInput | undefined {
  if (input.bytes.length > MAX_INPUT_BYTES) return undefined;
  let mod;
  try {
    mod = readModule(input.bytes, input.file);
  } catch {
    return undefined;
  }
  if (!mod.sections.some((s) => s.id === SectionId.Custom && s.name === 'linking')) return undefined;
  const regions: [number, number][] = [];
  mod.sections.forEach((s, i) => {
    const end = i + 1 < mod.sections.length ? mod.sections[i + 1].offset : input.bytes.length;
    const wanted = s.id === SectionId.Custom ? s.name === 'linking' || s.name.startsWith('reloc.') : INTERPRETED.has(s.id);
    if (wanted && end > s.contentOffset) regions.push([s.contentOffset, end]);
  });
  return { file: input.file, bytes: input.bytes.slice(), regions };
}

/** Files from a toolchain that may not be installed: none when it is not. */
function optional(files: () => string[]): string[] {
  try {
    return files();
  } catch (e) {
    if (e instanceof MissingToolchainError) return [];
    throw e;
  }
}

function collectInputs(): LinkFuzzInput[] {
  const strided = (inputs: WasmInput[], stride: number): WasmInput[] => inputs.filter((_, i) => i % stride === 0);
  const libcMt = optional(emscriptenThreadedArchives).filter((p) => p.endsWith('/libc-mt.a'));
  return [
    ...expandInputs(fixtureFiles()).inputs,
    ...strided(expandInputs(optional(wasiLibcFiles).filter((p) => p.endsWith('/libc.a'))).inputs, ARCHIVE_STRIDE),
    ...strided(expandInputs(libcMt).inputs, ARCHIVE_STRIDE * 2),
  ].flatMap((i) => asInput(i) ?? []);
}

t.test(`fuzz the linker (seed 0x${seed.toString(16)}, ${cases} cases)`, async (t) => {
  const inputs = collectInputs();
  t.ok(inputs.length >= 20, `enough relocatable objects to mutate (${inputs.length})`);
  const fixtures = fileURLToPath(new URL('../fixtures/c/', import.meta.url));
  const partners = ['fnptr.o', 'tls.o', 'weak.o', 'cpp_names.o', 'def_tls.o', 'strings.o'].map((f) => join(fixtures, f));
  const dir = tempDir('wasmthreads-link-fuzz-', t);
  const job: LinkFuzzJob = {
    seed,
    cases,
    budgetMs: BUDGET_MS,
    inputs,
    partners,
    wasiLibc: existsSync(join(WASI, 'libc.a')) ? { crt1: join(WASI, 'crt1-command.o'), libDir: WASI } : undefined,
    dir,
    progress: new SharedArrayBuffer(4),
  };
  if (!job.wasiLibc) t.comment(`${WASI}/libc.a not installed (npm run setup): no executable links`);
  const script = bundleWorker(new URL('./link-fuzz-worker.ts', import.meta.url), dir);
  // The C++ demangler's wasm is read from beside the code that loads it.
  copyFileSync(fileURLToPath(new URL('../../src/link/demangle/itanium-demangle.wasm', import.meta.url)), join(dir, 'itanium-demangle.wasm'));
  const result = await runWorker<LinkFuzzJob, LinkFuzzResult>(script, job, DEADLINE_MS);
  if ('hung' in result) {
    t.fail(`the deadline (${DEADLINE_MS} ms) fired: case ${result.hung} did not finish; replay with LINK_FUZZ_SEED=${seed} LINK_FUZZ_CASES=${result.hung + 1}`);
    return;
  }
  t.comment(
    `${result.ran} cases in ${(result.elapsedMs / 1000).toFixed(1)} s over ${inputs.length} objects: ` +
      `${result.linked} linked, ${result.refused} refused with diagnostics; configurations ${JSON.stringify(result.byConfig)}`,
  );
  t.ok(result.ran >= Math.min(cases, 300), `ran hundreds of cases within the budget (${result.ran})`);
  t.ok(result.linked > 0 && result.refused > 0, 'mutations both broke and preserved links');
  const report = result.failures.slice(0, 5).map((f) => `case ${f.caseIndex} (seed ${seed}, case seed ${f.caseSeed}) ${f.input}: ${f.mutation}\n  ${f.args}\n${f.problem}`);
  t.same(report, [], 'every case ended in a link or in diagnostics');
});
