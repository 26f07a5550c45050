// Random combinations of wasm-ld flags over the C fixtures, linked by wasmthreads and by
// wasm-ld-22: where both link, the files must be byte-identical; where both fail, every error line
// of ours must be one of wasm-ld's; one linking where the other fails is a difference. The seed
// is fixed, so a failure names a line that reproduces it. This is how eight differences were found
// (an invalid module from --wrap among them); it keeps them from coming back.
//
// One difference is by design: a --global-base below the stack without --stack-first, which
// wasm-ld 22 refuses, is laid out data first, as wasm-ld 14 (emcc 3.1.6's) did.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli/main.js';
import { C_FIXTURES as C, diagnosticLines, firstDifference, haveWasmLd, LinkHarness, WASM_LD } from './harness.js';

const h = new LinkHarness('flag-combos');
const skip = haveWasmLd() ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;
const CASES = 150;

let seed = 0x5eed;
const random = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];

const INPUTS = [
  ['tls.o'], ['fnptr.o'], ['ctors.o'], ['strings.o', 'strings2.o'], ['weak.o', 'strong.o'], ['main_lib.o', 'libfix.a'],
  ['cpp_a.o', 'cpp_b.o'], ['debug.o', 'debug2.o'], ['got_pic.o', 'got_def.o'], ['eh_catch.o', 'eh_tag.o', 'eh_support.o'],
  ['weak_addr.o'], ['tls_ptr.o'], ['pic.o'], ['use_tls.o', 'def_tls.o'], ['wrap_main.o', 'wrap_def.o', 'wrap_wrap.o'],
];
const FLAGS: (() => string[])[] = [
  () => ['--export-all'], () => ['--export-dynamic'], () => ['--shared-memory'], () => ['--import-memory'], () => ['--export-memory'],
  () => ['--import-table'], () => ['--export-table'], () => ['--growable-table'], () => ['--no-gc-sections'], () => ['--strip-debug'],
  () => ['--strip-all'], () => ['--no-check-features'], () => [`--max-memory=${pick([0, 65536, 131072, 1048576, 16777216])}`],
  () => [`--initial-memory=${pick([0, 65536, 131072, 1048576])}`], () => ['-z', `stack-size=${pick([0, 100, 1024, 65536])}`],
  () => [`--global-base=${pick([0, 1024, 4096, 100000])}`], () => [`--table-base=${pick([0, 1, 5, 100])}`], () => ['--stack-first'],
  () => ['--no-stack-first'], () => [`-O${pick([0, 1, 2])}`], () => ['--no-merge-data-segments'], () => ['--import-undefined'],
  () => [`--export=${pick(['main', 'tls_var', 'nope', 'get_x', '__heap_base', '__data_end'])}`],
  () => [`--export-if-defined=${pick(['main', 'nope', '__tls_base'])}`], () => ['-u', pick(['lib_mul', 'nothing'])],
  () => [`--entry=${pick(['main', '_start', 'nope'])}`], () => ['--no-demangle'], () => ['--extra-features=atomics,bulk-memory'],
  () => ['--no-growable-memory'], () => [`--unresolved-symbols=${pick(['report-all', 'ignore-all', 'import-dynamic'])}`],
  () => ['--warn-unresolved-symbols'], () => [`--wrap=${pick(['foo', 'lib_add'])}`], () => ['--Bsymbolic'], () => [`--initial-heap=${pick([0, 65536])}`],
  () => ['--gc-sections'], () => ['--print-gc-sections'], () => ['--allow-multiple-definition'], () => ['--whole-archive'],
];

function combination(): string[] {
  const flags: string[] = [];
  if (random() < 0.8) flags.push('--no-entry');
  if (random() < 0.5) flags.push('--allow-undefined');
  for (let k = 1 + Math.floor(random() * 5); k > 0; k--) flags.push(...pick(FLAGS)());
  return [...flags, ...pick(INPUTS).map((f) => C + f)];
}

t.test(`${CASES} random flag combinations: the same file or the same errors as wasm-ld-22`, { skip }, async (t) => {
  for (const d of ['ref', 'ours']) mkdirSync(join(h.tmp, d), { recursive: true });
  const [refOut, ourOut] = ['ref', 'ours'].map((d) => join(h.tmp, d, 'o.wasm'));
  let linked = 0;
  for (let i = 0; i < CASES; i++) {
    const args = combination();
    const line = args.join(' ').replaceAll(C, '');
    rmSync(refOut, { force: true });
    rmSync(ourOut, { force: true });
    const ref = spawnSync(WASM_LD, [...args, '-o', refOut], { encoding: 'utf8', timeout: 60_000 });
    let stderr = '';
    const code = await main(['link', ...args, '-o', ourOut], { stdout: () => {}, stderr: (s) => (stderr += s) });
    t.notMatch(stderr, /internal error|\n\s+at /, `${line}: no stack trace`);
    if (ref.status !== 0 && /--global-base cannot be less than stack size/.test(ref.stderr)) continue;
    if ((ref.status === 0) !== (code === 0)) {
      t.fail(`${line}: wasm-ld-22 exits ${ref.status}, we exit ${code}`, { ref: ref.stderr, ours: stderr });
      continue;
    }
    if (code !== 0) {
      // Each error of ours is one of wasm-ld's. We may give fewer: wasm-ld goes on after some
      // errors that end a phase here (a layout error, then its undefined symbols).
      const want = new Set(diagnosticLines(ref.stderr, false));
      const got = diagnosticLines(stderr, false);
      t.ok(got.length > 0 && got.every((l) => want.has(l)), `${line}: errors wasm-ld-22 gives too`, { ref: [...want], ours: got });
      continue;
    }
    linked++;
    const at = firstDifference(readFileSync(ourOut), readFileSync(refOut));
    t.equal(at, -1, `${line}: ${at < 0 ? 'byte-identical' : `first difference at 0x${at.toString(16)}`}`);
  }
  t.ok(linked > CASES / 3, `most combinations link (${linked} of ${CASES})`);
});
