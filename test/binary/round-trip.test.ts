// Round trip on real inputs: readModule → writeModule must give back the input byte for byte, for
// every fixture and every wasm member of Debian's wasi-libc archives, emscripten's threaded (-mt)
// archives and the rlibs of a Rust crate built with build-std (+atomics). Standard sections are
// decoded into the model and re-encoded from it, so this checks the decoder and the encoder
// together, including the padded LEBs that LLVM emits.

import t, { type Test } from 'tap';
import { readModule } from '../../src/binary/read-module.js';
import { writeModule } from '../../src/binary/write-module.js';
import {
  emscriptenThreadedArchives,
  expandInputs,
  fixtureFiles,
  rustWasmFiles,
  wasiLibcFiles,
  type WasmInput,
} from '../helpers/real-inputs.js';

/** Failures listed in full before the rest are only counted. */
const MAX_REPORTED = 10;

interface Tally {
  modules: number;
  archives: number;
  bytes: number;
  failures: string[];
  skipped: Map<string, number>;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function roundTrip(input: WasmInput, tally: Tally): void {
  tally.modules++;
  tally.bytes += input.bytes.length;
  let out: Uint8Array;
  try {
    out = writeModule(readModule(input.bytes, input.file));
  } catch (e) {
    tally.failures.push(`${input.file}: ${(e as Error).message}`);
    return;
  }
  if (Buffer.compare(out, input.bytes) !== 0) {
    const at = firstDifference(out, input.bytes);
    tally.failures.push(`${input.file}: ${input.bytes.length} bytes in, ${out.length} out, first difference at 0x${at.toString(16)}`);
  }
}

/** Reads one file at a time so that emscripten's hundreds of megabytes never sit in memory at once. */
function roundTripAll(paths: string[]): Tally {
  const tally: Tally = { modules: 0, archives: 0, bytes: 0, failures: [], skipped: new Map() };
  for (const path of paths) {
    const expanded = expandInputs([path]);
    tally.archives += expanded.archives;
    for (const [reason, n] of expanded.skipped) tally.skipped.set(reason, (tally.skipped.get(reason) ?? 0) + n);
    for (const input of expanded.inputs) roundTrip(input, tally);
  }
  return tally;
}

function report(t: Test, what: string, tally: Tally, minModules: number): void {
  const skipped = [...tally.skipped].map(([reason, n]) => `${n} ${reason}`).join(', ');
  t.comment(
    `${what}: round-tripped ${tally.modules - tally.failures.length}/${tally.modules} modules ` +
      `(${(tally.bytes / 1e6).toFixed(1)} MB) from ${tally.archives} archives` +
      (skipped ? `; skipped non-wasm members: ${skipped}` : ''),
  );
  t.ok(tally.modules >= minModules, `${what}: at least ${minModules} wasm inputs (found ${tally.modules})`);
  const shown = tally.failures.slice(0, MAX_REPORTED);
  if (tally.failures.length > MAX_REPORTED) shown.push(`… and ${tally.failures.length - MAX_REPORTED} more`);
  t.same(shown, [], `${what}: every input round-trips exactly`);
}

t.test('fixtures under test/fixtures', async (t) => {
  report(t, 'fixtures', roundTripAll(fixtureFiles()), 1);
});

t.test("Debian wasi-libc (libc.a, libm.a, … and crt objects)", async (t) => {
  report(t, 'wasi-libc', roundTripAll(wasiLibcFiles()), 700);
});

t.test("emscripten's threaded archives (libc-mt.a and every other *-mt*.a)", async (t) => {
  const archives = emscriptenThreadedArchives();
  report(t, 'emscripten -mt', roundTripAll(archives), 10000);
});

t.test('Rust rlibs built with build-std for wasm32-unknown-unknown +atomics', async (t) => {
  report(t, 'rust', roundTripAll(rustWasmFiles()), 50);
});
