// Memory and table sizes from the command line, against wasm-ld-22:
// - where wasm-ld-22 refuses the sizes, we give its exact lines (one per failed check) and exit 1;
// - where it treats a value as "not given" (--initial-memory=0, --max-memory=0), so do we, and the
//   outputs are byte-identical;
// - where it writes a module no engine accepts (a --global-base or stack past 4 GiB, a table of more
//   than 2^32-1 slots), we refuse with one line naming the problem, never a stack trace.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { C_FIXTURES as C, diagnosticLines, firstDifference, haveWasmLd, LinkHarness, WASM_LD } from './harness.js';

const h = new LinkHarness('memlimits');
const skip = haveWasmLd() ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;
// fnptr.o: data and three address-taken functions (so a table), no entry.
const INPUT = [C + 'fnptr.o', '--no-entry', '--export-all'];

/** 'instantiates', or why V8 does not compile or instantiate the module (it imports nothing). */
function instantiates(path: string): string {
  try {
    new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {});
    return 'instantiates';
  } catch (e) {
    return (e as Error).message;
  }
}

const REFUSED_BY_BOTH: string[][] = [
  ['--initial-memory=65537'],
  ['--initial-memory=65536'],
  ['--initial-memory=4295032832'],
  ['--max-memory=65537'],
  ['--max-memory=100000'],
  ['--max-memory=4295032832'],
  ['--initial-heap=1'],
  ['--initial-heap=99999999999936'],
  ['--initial-memory=131072', '--max-memory=65536'],
  ['--no-growable-memory', '--max-memory=131072'],
  ['-z', 'stack-size=100'],
];

for (const flags of REFUSED_BY_BOTH) {
  t.test(`${flags.join(' ')}: refused with wasm-ld-22's lines`, { skip }, async (t) => {
    const ref = h.ref([...flags, ...INPUT]);
    const ours = await h.ours([...flags, ...INPUT]);
    t.equal(ref.code, 1, `wasm-ld-22 refuses it: ${ref.stderr}`);
    t.equal(ours.code, 1, 'we refuse it');
    t.same(diagnosticLines(ours.stderr), diagnosticLines(ref.stderr), 'the same lines');
  });
}

for (const flags of [['--initial-memory=0'], ['--max-memory=0'], ['--initial-memory=0', '--max-memory=0', '--no-growable-memory'], ['--max-memory=0', '--shared-memory']]) {
  t.test(`${flags.join(' ')}: zero means not given, as in wasm-ld-22`, { skip }, async (t) => {
    // The same file name (it is the module's name in the name section), in two directories.
    const dir = `zero-${flags.join('').replace(/\W/g, '')}`;
    for (const d of ['ref', 'ours']) mkdirSync(join(h.tmp, dir, d), { recursive: true });
    const args = flags.includes('--shared-memory') ? [...flags, ...INPUT, '--no-check-features'] : [...flags, ...INPUT];
    const ref = h.ref(args, join(dir, 'ref', 'o.wasm'));
    const ours = await h.ours(args, join(dir, 'ours', 'o.wasm'));
    t.equal(ref.code, 0, ref.stderr);
    t.equal(ours.code, 0, ours.stderr);
    const at = firstDifference(readFileSync(ours.out), readFileSync(ref.out));
    t.equal(at, -1, at < 0 ? 'byte-identical' : `first differing byte at 0x${at.toString(16)}`);
  });
}

const REFUSED_BY_US: { flags: string[]; line: RegExp }[] = [
  { flags: ['--global-base=4294967295'], line: /^wasmthreads: error: memory too large: the stack and data need 4295032832 bytes, more than the 4294967296 a 32-bit memory can hold\nhint: lower --global-base or -z stack-size/ },
  { flags: ['--global-base=99999999999999'], line: /^wasmthreads: error: memory too large: the stack and data need \d+ bytes/ },
  { flags: ['-z', 'stack-size=99999999999984'], line: /^wasmthreads: error: memory too large: the stack and data need \d+ bytes/ },
  { flags: ['--no-stack-first', '-z', 'stack-size=4294967280'], line: /^wasmthreads: error: memory too large: the stack and data need \d+ bytes/ },
  { flags: ['--table-base=4294967295'], line: /^wasmthreads: error: indirect function table too large: --table-base 4294967295 plus 3 address-taken functions is more than the 4294967295 slots a table can have\n$/ },
  { flags: ['--table-base=99999999999999'], line: /^wasmthreads: error: indirect function table too large: --table-base 99999999999999 plus 3/ },
];

for (const c of REFUSED_BY_US) {
  t.test(`${c.flags.join(' ')}: refused where wasm-ld-22 writes a module no engine accepts`, { skip }, async (t) => {
    const ref = h.ref([...c.flags, ...INPUT]);
    // What wasm-ld-22 does with it, so this case stays one where refusing is right.
    t.equal(ref.code, 0, 'wasm-ld-22 links it');
    t.not(instantiates(ref.out), 'instantiates', `but V8 refuses its output`);
    const ours = await h.ours([...c.flags, ...INPUT]);
    t.equal(ours.code, 1, 'exit code');
    t.match(ours.stderr, c.line);
    t.notMatch(ours.stderr, /internal error|\n\s+at /, 'no stack trace');
  });
}

t.test('a table of exactly 2^32-1 slots still links, as wasm-ld-22 links it', { skip }, async (t) => {
  const ref = h.ref(['--table-base=4294967292', ...INPUT]);
  const ours = await h.ours(['--table-base=4294967292', ...INPUT]);
  t.equal(ref.code, 0, ref.stderr);
  t.equal(ours.code, 0, ours.stderr);
});
