// The link command line's own errors, against wasm-ld-22 word for word: values of flags that
// change nothing here (--threads, --error-limit, --thinlto-jobs, -O, --color-diagnostics,
// --rsp-quoting) are still checked as wasm-ld checks them; no inputs, no output, and an output or
// map file that cannot be written say what wasm-ld says, after strerror; conflicting options,
// and which errors come out when several apply.

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli/main.js';
import { C_FIXTURES as C, diagnosticLines, haveWasmLd, LinkHarness, WASM_LD } from './harness.js';

const h = new LinkHarness('cli-errors');
const skip = haveWasmLd() ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;
mkdirSync(join(h.tmp, 'dir.wasm'));
writeFileSync(join(h.tmp, 'empty.rsp'), '');

/** `wasmthreads link ARGS…` exactly as given (no -o added). */
async function ours(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await main(['link', ...args], { stdout: () => {}, stderr: (s) => (stderr += s) });
  return { code, stderr };
}

const INPUT = [C + 'fnptr.o', '--no-entry'];
const CASES: string[][] = [
  ['--threads=0', ...INPUT, '-o', 'x.wasm'],
  ['--threads=abc', ...INPUT, '-o', 'x.wasm'],
  ['--error-limit=abc', ...INPUT, '-o', 'x.wasm'],
  ['--thinlto-jobs=x', ...INPUT, '-o', 'x.wasm'],
  ['-Ox', ...INPUT, '-o', 'x.wasm'],
  ['--color-diagnostics=maybe', ...INPUT, '-o', 'x.wasm'],
  ['--rsp-quoting=weird', ...INPUT, '-o', 'x.wasm'],
  [`@${join(h.tmp, 'empty.rsp')}`],
  ['-o', 'x.wasm'],
  INPUT,
  [...INPUT, '-o', join(h.tmp, 'dir.wasm')],
  [...INPUT, '-o', join(h.tmp, 'no-such-dir', 'x.wasm')],
  [...INPUT, '-o', join(h.tmp, 'x.wasm'), `-Map=${join(h.tmp, 'no-such-dir', 'x.map')}`],
  [...INPUT, '-o', join(h.tmp, 'x.wasm'), `--why-extract=${join(h.tmp, 'no-such-dir', 'x.txt')}`],
  // Option conflicts and their order against the link's own errors.
  ['--Bsymbolic', '--Bsymbolic', C + 'fnptr.o', '-o', 'x.wasm'],
  // Warnings about options come once the inputs are read (none when one cannot be), and
  // --fatal-warnings makes each warning one error line, not a warning and an error.
  ['--unresolved-symbols=import-dynamic', '-Bsymbolic', '--no-entry', C + 'wasm64.o', '-o', 'x.wasm'],
  ['--Bsymbolic', '--fatal-warnings', ...INPUT, '-o', 'x.wasm'],
  ['--fatal-warnings', '--no-entry', C + 'sig_a.o', C + 'sig_b.o', '-o', 'x.wasm'],
  ['--import-table', '--export-table', ...INPUT, '-o', 'x.wasm'],
  ['--no-growable-memory', '--max-memory=1048576', '--entry=nope', C + 'fnptr.o', '-o', 'x.wasm'],
  ['--export=nope', C + 'fnptr.o', '-o', 'x.wasm'],
  // The size an --initial-memory must cover: no 16-byte heap alignment unless __heap_base is used.
  ['--no-entry', '--initial-memory=65536', C + 'use_tls.o', C + 'def_tls.o', '-o', 'x.wasm'],
  ['--no-entry', '--initial-memory=65536', '--export=__heap_base', C + 'use_tls.o', C + 'def_tls.o', '-o', 'x.wasm'],
  // --import-undefined excuses undefined functions only: an undefined tag is still an error.
  ['--no-entry', '--import-undefined', '--export-all', C + 'eh_catch.o', '-o', 'x.wasm'],
];

/** `wasm-ld-22 ARGS…` exactly as given, in the temporary directory. */
function ref(args: string[]): { code: number; stderr: string } {
  const r = spawnSync(WASM_LD, args, { cwd: h.tmp, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stderr: r.stderr };
}

for (const args of CASES) {
  t.test(`${args.join(' ').replaceAll(h.tmp, 'TMP').replaceAll(C, '')}: wasm-ld-22's error`, { skip }, async (t) => {
    const want = ref(args);
    const got = await ours(args.map((a) => (a === 'x.wasm' ? join(h.tmp, a) : a)));
    t.equal(want.code, 1, `wasm-ld-22 fails: ${want.stderr}`);
    t.not(got.code, 0, 'a failure');
    t.same(diagnosticLines(got.stderr), diagnosticLines(want.stderr));
    t.notMatch(got.stderr, /internal error|\n\s+at /, 'no stack trace');
  });
}

t.test('the values wasm-ld accepts are accepted', async (t) => {
  for (const flag of ['--threads=2', '--error-limit=-1', '--thinlto-jobs=all', '-O2', '--color-diagnostics', '--color-diagnostics=never', '--rsp-quoting=posix']) {
    const r = await ours([flag, ...INPUT, '-o', join(h.tmp, 'ok.wasm')]);
    t.equal(r.code, 0, `${flag}: ${r.stderr}`);
  }
  const windows = await ours(['--rsp-quoting=windows', ...INPUT, '-o', join(h.tmp, 'ok.wasm')]);
  t.match(windows.stderr, /--rsp-quoting=windows is not supported by wasmthreads link/, 'windows quoting is refused, not ignored');
});

t.test("a single-threaded libc under --shared-memory: wasm-ld-22's two error lines, word for word", { skip }, async (t) => {
  const WASI = '/usr/lib/wasm32-wasi';
  const args = ['--no-entry', '--shared-memory', `${WASI}/crt1-command.o`, C + 'hello.o', `${WASI}/libc.a`, '-o', 'x.wasm'];
  const want = ref(args);
  const got = await ours(args.map((a) => (a === 'x.wasm' ? join(h.tmp, a) : a)));
  t.equal(want.code, 1, want.stderr);
  t.not(got.code, 0);
  // The lines themselves; ours add notes and hints below them.
  t.same(diagnosticLines(got.stderr, false), diagnosticLines(want.stderr, false));
});
