// --trace and --why-extract output of a link that fails: wasm-ld prints both before its errors,
// and so must we (they are what one reads to find out why the link failed). Compared with
// wasm-ld-22 on the same command line: same stdout text, same exit status.

import t from 'tap';
import { C_FIXTURES as C, haveWasmLd as wasmLdInstalled, LinkHarness, WASM_LD } from './harness.js';
import { link, LinkError } from '../../src/link/index.js';

const haveWasmLd = wasmLdInstalled();
const skip = haveWasmLd ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;
const h = new LinkHarness('failed');
// undef.o references a symbol nobody defines; main_lib.o pulls three members of libfix.a.
const FAILING = ['--no-entry', C + 'main_lib.o', C + 'undef.o', C + 'libfix.a', '--why-extract=-', '-t', '-y', 'lib_mul'];

t.test('a failing link still prints --trace, --trace-symbol and --why-extract, as wasm-ld-22', { skip }, async (t) => {
  const r = h.ref(FAILING);
  const { code, stdout, stderr } = await h.ours(FAILING);
  t.equal(r.code, 1, 'wasm-ld-22 fails');
  t.equal(code, 1, 'we fail');
  t.match(stderr, /undefined symbol: not_defined_anywhere/, 'the error is reported');
  t.match(stdout, /reference\textracted\tsymbol\n/, 'the why-extract table is printed');
  t.equal(stdout, r.stdout, 'same trace and why-extract text as wasm-ld-22');
});

t.test('the library API attaches the partial reports to the thrown LinkError', async (t) => {
  try {
    link({ inputs: [C + 'main_lib.o', C + 'undef.o', C + 'libfix.a'], noEntry: true, whyExtract: '-', trace: true });
    t.fail('the link should fail');
  } catch (e) {
    t.ok(e instanceof LinkError, 'a LinkError');
    const err = e as LinkError;
    t.match(err.message, /not_defined_anywhere/);
    t.ok(err.messages.includes(C + 'undef.o'), '--trace names the loaded files');
    t.match(err.whyExtract ?? '', /lib_add\n/, 'why-extract rows up to the failure');
  }
});
