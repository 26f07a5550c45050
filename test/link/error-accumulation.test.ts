// A link that fails several of the checks wasm-ld's writer runs back to back — memory layout,
// --export names, target features, undefined symbols, TLS relocations — reports every one of
// them, as wasm-ld-22 does, instead of stopping at the first kind: the undefined symbols behind a
// failed --export are what the user needs to see. Compared with wasm-ld-22 as sets of lines
// (wasm-ld repeats an undefined symbol for each relocation naming it; we say it once per file).

import t from 'tap';
import { C_FIXTURES as C, diagnosticLines, haveWasmLd, LinkHarness, WASM_LD } from './harness.js';

const skip = haveWasmLd() ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;
const h = new LinkHarness('errors-together');

const CASES: { name: string; args: string[]; expect: RegExp[] }[] = [
  { name: 'a missing --export name and undefined symbols', args: ['--export=nope', C + 'main_lib.o'], expect: [/--export not found: nope/, /undefined symbol: lib_add$/m, /undefined symbol: lib_add2/] },
  { name: 'a TLS relocation against an undefined symbol, and the symbol', args: ['--shared-memory', C + 'use_tls.o'], expect: [/TLS_SLEB cannot be used against an undefined symbol `shared_x`/, /undefined symbol: shared_x/] },
  { name: 'memory too small and features missing for shared memory', args: ['--max-memory=65536', '--shared-memory', C + 'fnptr_legacy.o'], expect: [/maximum memory too small/, /'atomics' feature/, /'bulk-memory' feature/] },
  { name: 'memory too small, a missing export and an undefined symbol', args: ['--export=nope', '--export=run_all', '-z', 'stack-size=1000000', '--max-memory=131072', C + 'startstop.o', C + 'undef.o'], expect: [/maximum memory too small/, /--export not found: nope/, /undefined symbol: not_defined_anywhere/] },
];

t.test('every error of the writer\'s checks at once, the lines wasm-ld-22 prints', { skip }, async (t) => {
  for (const c of CASES) {
    t.test(c.name, async (t) => {
      const args = ['--no-entry', ...c.args];
      const ref = h.ref(args);
      const ours = await h.ours(args);
      t.equal(ref.code, 1, 'wasm-ld-22 fails');
      t.equal(ours.code, 1, 'we fail');
      const set = (stderr: string): string[] => [...new Set(diagnosticLines(stderr, false))].sort();
      t.same(set(ours.stderr), set(ref.stderr), 'the same error lines');
      for (const re of c.expect) t.match(ours.stderr, re);
    });
  }
});
