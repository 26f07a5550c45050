// Exception-handling tags (R_WASM_TAG_INDEX_LEB relocations, the tag section, id 13): a C++
// catch (-fwasm-exceptions), a C throw (__builtin_wasm_throw) and the `__cpp_exception` tag
// defined in assembly, linked by wasm-ld-22 and by wasmthreads. Both outputs must validate, agree
// on the summary (tags and their types, imports, exports…), and run the same: Node 20 runs legacy
// wasm EH, so `run(x)` returns x when nothing is thrown and -1 when the throw is caught.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { haveWasmLd as wasmLdInstalled, LinkHarness, WASM_LD } from './harness.js';
import { link, parseLinkArgs } from '../../src/link/index.js';
import { summarize } from './summarize.js';

const FIXTURES = new URL('../fixtures/c/', import.meta.url).pathname;
const haveWasmLd = wasmLdInstalled();
const haveValidate = spawnSync('wasm-validate', ['--version'], { timeout: 10_000 }).status === 0;
const h = new LinkHarness('tags');
const f = (n: string): string => join(FIXTURES, n);

const ours = (args: string[]): Uint8Array => link(parseLinkArgs(args).options).bytes;
function ref(args: string[]): Uint8Array {
  const r = h.ref(args);
  if (r.code !== 0) throw new Error(r.stderr);
  return readFileSync(r.out);
}
const validate = (bytes: Uint8Array): string => h.validate(bytes, ['--enable-all']);

const OBJECTS = [f('eh_catch.o'), f('eh_throw.o'), f('eh_support.o')];
const CASES = [
  { name: 'tag defined in an object, exported', args: ['--no-entry', '--export=run', '--export=__cpp_exception', ...OBJECTS, f('eh_tag.o')], runs: true },
  { name: 'tag left undefined: imported with its type (--allow-undefined)', args: ['--no-entry', '--export=run', '--allow-undefined', ...OBJECTS], runs: false },
  { name: 'tag kept without --gc-sections', args: ['--no-entry', '--no-gc-sections', ...OBJECTS, f('eh_tag.o')], runs: false },
];

t.test('tags: wasmthreads and wasm-ld-22 agree', { skip: haveWasmLd ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)` }, async (t) => {
  for (const c of CASES) {
    t.test(c.name, async (t) => {
      const a = ref(c.args);
      const b = ours(c.args);
      if (haveValidate) {
        t.equal(validate(a), 'valid', 'wasm-ld output validates');
        t.equal(validate(b), 'valid', 'our output validates');
      }
      const sa = summarize(a);
      const sb = summarize(b);
      t.ok(sa.tags.length > 0, 'the reference has a tag');
      t.same(sb, sa, 'same summary (tags, imports, exports, globals, data, table)');
      if (!c.runs) return;
      for (const [who, bytes] of [['wasm-ld-22', a], ['wasmthreads', b]] as const) {
        const run = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports.run as (x: number) => number;
        t.same([run(0), run(5), run(-3)], [0, -1, -3], `${who}: thrown and caught through the tag`);
      }
    });
  }
});

t.test('an undefined tag without --allow-undefined is an error naming it', async (t) => {
  t.throws(() => ours(['--no-entry', '--export=run', ...OBJECTS]), /undefined symbol: __cpp_exception/);
});
