// `--features=` and the mutable-globals import/export check,
// against wasm-ld-22: with an explicit feature list lacking mutable-globals, importing or exporting
// a mutable global is an error with wasm-ld's text (one per global, in wasm-ld's order);
// --no-check-features or adding mutable-globals lets the link through, and the output's
// target_features section is exactly the given list.

import { readFileSync } from 'node:fs';
import t from 'tap';
import { C_FIXTURES as C, diagnosticLines, haveWasmLd as wasmLdInstalled, LinkHarness, WASM_LD } from './harness.js';
import { readModule } from '../../src/binary/read-module.js';
import { summarize } from './summarize.js';

const haveWasmLd = wasmLdInstalled();
const skip = haveWasmLd ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;
const h = new LinkHarness('mutglobals');





function features(path: string): string[] {
  const mod = readModule(readFileSync(path), path);
  const sec = mod.sections.find((s) => s.id === 0 && s.custom === 'target_features') as { features: { prefix: string; name: string }[] } | undefined;
  return (sec?.features ?? []).map((f) => f.prefix + f.name);
}

const CASES: { name: string; args: string[]; code: number; count: number }[] = [
  { name: 'mutable global imported', args: ['--no-entry', '--export=bump_g', '--allow-undefined', '--features=sign-ext', C + 'gmut.o'], code: 1, count: 1 },
  { name: 'mutable globals exported (__stack_pointer, then g)', args: ['--no-entry', '--export=g', '--export=__stack_pointer', '--features=sign-ext', C + 'gty_a.o'], code: 1, count: 2 },
  { name: 'an immutable import is fine', args: ['--no-entry', '--export=get_g', '--allow-undefined', '--features=sign-ext', C + 'gty_c.o'], code: 0, count: 0 },
  { name: '--no-check-features suppresses the check', args: ['--no-entry', '--export=g', '--export=__stack_pointer', '--features=sign-ext', '--no-check-features', C + 'gty_a.o'], code: 0, count: 0 },
  { name: 'mutable-globals in --features= allows them', args: ['--no-entry', '--export=g', '--export=__stack_pointer', '--features=sign-ext,mutable-globals', C + 'gty_a.o'], code: 0, count: 0 },
];

for (const [i, c] of CASES.entries()) {
  t.test(c.name, { skip }, async (t) => {
    const a = h.ref(c.args, `ref${i}.wasm`);
    const b = await h.ours(c.args, `ours${i}.wasm`);
    t.equal(a.code, c.code, 'wasm-ld-22 exit code');
    t.equal(b.code, c.code, 'our exit code');
    t.equal(diagnosticLines(a.stderr, false).length, c.count, 'wasm-ld-22 diagnostics');
    t.same(diagnosticLines(b.stderr, false), diagnosticLines(a.stderr, false), 'same diagnostics');
    if (c.code === 0) {
      t.same(features(b.out), features(a.out), 'same target_features section');
      t.same(summarize(readFileSync(b.out)), summarize(readFileSync(a.out)), 'same module');
    }
  });
}

t.test('--features= is the whole output feature list', { skip }, async (t) => {
  const args = ['--no-entry', '--features=sign-ext,mutable-globals,bulk-memory', C + 'gty_a.o'];
  const a = h.ref(args, 'refF.wasm');
  const b = await h.ours(args, 'oursF.wasm');
  t.equal(b.code, 0);
  t.same(features(b.out), ['+bulk-memory', '+mutable-globals', '+sign-ext']);
  t.same(features(b.out), features(a.out));
});
