// --wrap=SYMBOL: references to SYMBOL go to __wrap_SYMBOL and __real_SYMBOL means
// the original, as wasm-ld-22 does it — compared on the linked modules (summarize.ts), on what the
// exported functions compute when run, and on the error when the wrapper is missing.

import { readFileSync } from 'node:fs';
import t from 'tap';
import { C_FIXTURES as C, haveWasmLd as wasmLdInstalled, LinkHarness, type LinkRun, WASM_LD } from './harness.js';
import { summarize } from './summarize.js';

const haveWasmLd = wasmLdInstalled();
const skip = haveWasmLd ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;
const h = new LinkHarness('wrap');
const OBJS = [C + 'wrap_main.o', C + 'wrap_def.o', C + 'wrap_wrap.o'];

async function both(args: string[], name: string): Promise<{ ref: LinkRun; ours: LinkRun }> {
  return { ref: h.ref(args, `ref-${name}.wasm`), ours: await h.ours(args, `ours-${name}.wasm`) };
}

async function results(file: string): Promise<number[]> {
  const { instance } = await WebAssembly.instantiate(readFileSync(file), {});
  const e = instance.exports as Record<string, (x: number) => number>;
  return [e.run(2), e.compute_twice(2)];
}

for (const [title, extra] of [
  ['exports by name', ['--export=run', '--export=compute_twice', '--export=compute']],
  ['with the wrapper exported too', ['--export=run', '--export=compute_twice', '--export=__wrap_compute', '--export=__real_compute']],
] as const) {
  t.test(`--wrap=compute, ${title}: same module and results as wasm-ld-22`, { skip }, async (t) => {
    const args = ['--no-entry', '--wrap=compute', ...extra, ...OBJS];
    const { ref, ours } = await both(args, title.replace(/\W/g, ''));
    t.equal(ref.code, 0, `wasm-ld-22 links: ${ref.stderr}`);
    t.equal(ours.code, 0, `we link: ${ours.stderr}`);
    t.same(summarize(readFileSync(ours.out)), summarize(readFileSync(ref.out)), 'same module summary');
    const want = await results(ref.out);
    t.same(want, [2012, 4018], 'wasm-ld-22: both calls and the address-taken call are wrapped');
    t.same(await results(ours.out), want, 'we compute the same');
  });
}

t.test('--wrap of a name nobody mentions changes nothing; repeating --wrap is harmless', { skip }, async (t) => {
  const args = ['--no-entry', '--wrap=absent', '--wrap=compute', '--wrap=compute', '--export=run', '--export=compute_twice', ...OBJS];
  const { ref, ours } = await both(args, 'absent');
  t.equal(ours.code, 0, ours.stderr);
  t.same(summarize(readFileSync(ours.out)), summarize(readFileSync(ref.out)));
});

t.test('--wrap without a __wrap_ definition: the undefined symbol is reported as wasm-ld-22 does', { skip }, async (t) => {
  const args = ['--no-entry', '--wrap=compute', '--export=run', C + 'wrap_main.o', C + 'wrap_def.o'];
  const { ref, ours } = await both(args, 'missing');
  t.equal(ref.code, 1, 'wasm-ld-22 fails');
  t.equal(ours.code, 1, 'we fail');
  // Both name the object whose reference to compute became one to __wrap_compute.
  t.match(ref.stderr, /wrap_main\.o: undefined symbol: __wrap_compute/);
  t.match(ours.stderr, /wrap_main\.o: undefined symbol: __wrap_compute/);
  t.notMatch(ours.stderr, /\n\s+at /, 'no stack trace');
});
