// --trace and --why-extract output of a link that fails: wasm-ld prints both before its errors,
// and so must we (they are what one reads to find out why the link failed). Compared with
// wasm-ld-22 on the same command line: same stdout text, same exit status.

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli/main.js';
import { link, LinkError } from '../../src/link/index.js';

const C = new URL('../fixtures/c/', import.meta.url).pathname;
const WASM_LD = 'wasm-ld-22';
const haveWasmLd = spawnSync(WASM_LD, ['--version'], { timeout: 10_000 }).status === 0;
const skip = haveWasmLd ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;
const tmp = mkdtempSync(join(tmpdir(), 'wasmthreads-failed-'));
// undef.o references a symbol nobody defines; main_lib.o pulls three members of libfix.a.
const FAILING = ['--no-entry', C + 'main_lib.o', C + 'undef.o', C + 'libfix.a', '--why-extract=-', '-t', '-y', 'lib_mul'];

t.test('a failing link still prints --trace, --trace-symbol and --why-extract, as wasm-ld-22', { skip }, async (t) => {
  const r = spawnSync(WASM_LD, [...FAILING, '-o', join(tmp, 'ref.wasm')], { encoding: 'utf8', timeout: 60_000 });
  let stdout = '';
  let stderr = '';
  const code = await main(['link', '-o', join(tmp, 'ours.wasm'), ...FAILING], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  t.equal(r.status, 1, 'wasm-ld-22 fails');
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
