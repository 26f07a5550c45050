// Type checks between entries for one global, table or tag name, against
// wasm-ld-22 on assembly fixtures: "Global type mismatch" (value type, and mutability) and "Table
// type mismatch" are errors, "Tag signature mismatch" a warning; the texts, including how lld
// prints each type, are compared line for line.

import t from 'tap';
import { C_FIXTURES as C, diagnosticLines, haveWasmLd as wasmLdInstalled, LinkHarness, WASM_LD } from './harness.js';

const haveWasmLd = wasmLdInstalled();
const skip = haveWasmLd ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;
const h = new LinkHarness('types');




const CASES: { name: string; args: string[]; code: number; expect: RegExp }[] = [
  { name: 'global value type and table element type differ: two errors', args: ['--no-entry', '--export=use_g', C + 'gty_a.o', C + 'gty_b.o', C + 'tab_a.o'], code: 1, expect: /Global type mismatch: g\n>>> defined as var i32 in .*gty_a\.o\n>>> defined as var i64 in .*gty_b\.o/ },
  { name: 'global mutability differs (reference before definition)', args: ['--no-entry', '--export=get_g', C + 'gty_c.o', C + 'gty_a.o'], code: 1, expect: /Global type mismatch: g\n>>> defined as const i32 in .*gty_c\.o\n>>> defined as var i32/ },
  { name: 'tag signatures differ: a warning, the link goes on', args: ['--no-entry', '--export=throw_ex', C + 'tag_a.o', C + 'tag_b.o'], code: 0, expect: /warning: Tag signature mismatch: ex\n>>> defined as \(i32\) -> void in .*tag_a\.o\n>>> defined as \(i64\) -> void in .*tag_b\.o/ },
  { name: 'tag signatures differ, other order', args: ['--no-entry', '--export=throw_ex', C + 'tag_b.o', C + 'tag_a.o'], code: 0, expect: /Tag signature mismatch: ex\n>>> defined as \(i64\) -> void in .*tag_b\.o/ },
];

for (const c of CASES) {
  t.test(c.name, { skip }, async (t) => {
    const a = h.ref(c.args);
    const b = await h.ours(c.args);
    t.equal(a.code, c.code, 'wasm-ld-22 exit code');
    t.equal(b.code, c.code, 'our exit code');
    t.match(b.stderr, c.expect);
    t.same(diagnosticLines(b.stderr), diagnosticLines(a.stderr), 'same diagnostics as wasm-ld-22');
    t.notMatch(b.stderr, /\n\s+at /, 'no stack trace');
  });
}

t.test('matching types link without a diagnostic', async (t) => {
  const b = await h.ours(['--no-entry', C + 'eh_tag.o', C + 'eh_throw.o']);
  t.equal(b.code, 0);
  t.notMatch(b.stderr, /mismatch/);
});
