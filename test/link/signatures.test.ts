// Function signature checks, against wasm-ld-22's behaviour:
// - a direct call whose signature differs from the definition: both linkers warn with the same
//   text, both outputs validate, and calling the mismatched function traps in both; ours also
//   names the functions whose call sites will trap.
// - two direct calls to one undefined function with different signatures: an error in both, with
//   the same text naming both files.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { C_FIXTURES as C, diagnosticLines, haveWasmLd as wasmLdInstalled, LinkHarness, WASM_LD } from './harness.js';

const haveWasmLd = wasmLdInstalled();
const haveValidate = spawnSync('wasm-validate', ['--version'], { timeout: 10_000 }).status === 0;
const h = new LinkHarness('sig');
const skip = haveWasmLd ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;





function callTraps(path: string, fn: string): string {
  const exports = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {}).exports as Record<string, () => number>;
  try {
    return `returned ${exports[fn]()}`;
  } catch (e) {
    return e instanceof WebAssembly.RuntimeError ? `trap: ${e.message}` : String(e);
  }
}

t.test('mismatched direct call: a warning, a trapping stub, as wasm-ld-22', { skip }, async (t) => {
  const args = ['--no-entry', C + 'sig_a.o', C + 'sig_b.o'];
  const a = h.ref(args, 'ref.wasm');
  const b = await h.ours(args, 'ours.wasm');
  t.equal(a.code, 0, 'wasm-ld-22 links');
  t.equal(b.code, 0, 'we link');
  t.same(diagnosticLines(b.stderr), diagnosticLines(a.stderr), 'same warning text');
  t.match(b.stderr, /hint: calls to `sig_fn` from call_sig in .*sig_a\.o will trap/, 'names the trapping callers');
  if (haveValidate) {
    for (const r of [a, b]) t.equal(spawnSync('wasm-validate', [r.out], { timeout: 30_000 }).status, 0, `${r.out} validates`);
  }
  t.match(callTraps(a.out, 'call_sig'), /^trap: unreachable/, 'wasm-ld-22 output traps');
  t.equal(callTraps(b.out, 'call_sig'), callTraps(a.out, 'call_sig'), 'ours traps the same way');
});

t.test('two undefined references disagree on the signature: an error, as wasm-ld-22', { skip }, async (t) => {
  const args = ['--no-entry', '--allow-undefined', '--export=ua', '--export=ub', C + 'sig_ua.o', C + 'sig_ub.o'];
  const a = h.ref(args, 'ref2.wasm');
  const b = await h.ours(args, 'ours2.wasm');
  t.equal(a.code, 1, 'wasm-ld-22 fails');
  t.equal(b.code, 1, 'we fail');
  t.same(diagnosticLines(b.stderr), diagnosticLines(a.stderr), 'same error text naming both files');
  t.notMatch(b.stderr, /\n\s+at /, 'no stack trace');
});
