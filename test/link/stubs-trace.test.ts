// Stub libraries (files starting with #STUB), --start-lib/--end-lib, --trace, --trace-symbol,
// --why-extract and --print-gc-sections, each against wasm-ld-22 on the same command line: the linked modules agree
// (summarize.ts), and the trace lines and why-extract tables are the same text.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { C_FIXTURES as C, haveWasmLd as wasmLdInstalled, LinkHarness, type LinkRun, WASM_LD } from './harness.js';
import { summarize } from './summarize.js';

const haveWasmLd = wasmLdInstalled();
const skip = haveWasmLd ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;
const h = new LinkHarness('stubs');

/** Diagnostic lines without the tool's prefix, for comparing texts. */
const diagnostics = (stderr: string): string[] => stderr.split('\n').filter((l) => /^(\S+: )?(warning|error): /.test(l)).map((l) => l.replace(/^\S+: (warning|error): /, '$1: '));

async function both(args: string[], name: string): Promise<{ a: LinkRun; b: LinkRun }> {
  return { a: h.ref(args, `ref-${name}.wasm`), b: await h.ours(args, `ours-${name}.wasm`) };
}

t.test('#STUB library: the symbol is imported, its deps extracted and exported, as wasm-ld-22', { skip }, async (t) => {
  const { a, b } = await both(['--no-entry', C + 'stub_main.o', C + 'stub_js.stub', C + 'libfix.a'], 'stub');
  t.equal(a.code, 0, 'wasm-ld-22 links');
  t.equal(b.code, 0, 'we link');
  const sa = summarize(readFileSync(a.out));
  const sb = summarize(readFileSync(b.out));
  t.same(sb, sa, 'same module summary');
  t.same(sa.imports, ['env.js_helper:func'], 'js_helper is imported');
  t.ok(sa.exports.lib_add2 && sa.exports.lib_add, 'the deps are exported');
  t.notOk(sa.exports.unused_export, 'a stub entry whose symbol nobody references changes nothing');
});

t.test('#STUB library after the archive: deps are extracted from the archive already seen', { skip }, async (t) => {
  const { a, b } = await both(['--no-entry', C + 'libfix.a', C + 'stub_main.o', C + 'stub_js.stub'], 'stub-late');
  t.equal(b.code, a.code);
  t.same(summarize(readFileSync(b.out)), summarize(readFileSync(a.out)));
});

t.test('#STUB dependency defined nowhere: the same error as wasm-ld-22', { skip }, async (t) => {
  const { a, b } = await both(['--no-entry', C + 'stub_main.o', C + 'stub_missing.stub'], 'stub-missing');
  t.equal(a.code, 1);
  t.equal(b.code, 1);
  t.same(diagnostics(b.stderr), diagnostics(a.stderr), 'same error text');
  t.match(b.stderr, /stub_missing\.stub: undefined symbol: nothere\. Required by js_helper/);
  t.notMatch(b.stderr, /\n\s+at /, 'no stack trace');
});

t.test('--trace-symbol and --why-extract with a stub library print what wasm-ld-22 prints', { skip }, async (t) => {
  const args = ['--no-entry', C + 'stub_main.o', C + 'stub_js.stub', C + 'libfix.a', '-y', 'js_helper', '--trace-symbol=lib_add2', '--why-extract=-'];
  const { a, b } = await both(args, 'stub-trace');
  t.equal(b.code, 0);
  t.match(a.stdout, /stub_js\.stub: importing js_helper/, 'the reference output has the stub lines');
  t.equal(b.stdout, a.stdout, 'same trace lines and why-extract table');
});

t.test('--start-lib/--end-lib objects are lazy; -t and -y lines as wasm-ld-22', { skip }, async (t) => {
  const args = ['--no-entry', '--start-lib', C + 'lib_add.o', C + 'lib_unused.o', '--end-lib', C + 'main_lib.o', C + 'libfix.a', '-t', '-y', 'lib_add', '-y', 'lib_unused', '--trace-symbol=not_a_symbol', '--why-extract=-'];
  const { a, b } = await both(args, 'start-lib');
  t.equal(a.code, 0);
  t.equal(b.code, 0);
  t.same(summarize(readFileSync(b.out)), summarize(readFileSync(a.out)), 'same module: lib_unused.o not loaded');
  t.notOk(summarize(readFileSync(b.out)).exports.unused_export, 'the lazy object nobody needs is left out');
  t.equal(b.stdout, a.stdout, 'same trace and why-extract output');
});

t.test('--why-extract names the -u, --export and --entry roots as wasm-ld-22 does', { skip }, async (t) => {
  for (const [name, extra] of [
    ['u', ['--no-entry', '-u', 'lib_mul']],
    ['export', ['--no-entry', '--export=lib_unused']],
    ['entry', ['-e', 'lib_mul']],
  ] as const) {
    const { a, b } = await both([...extra, C + 'libfix.a', '--why-extract=-'], `why-${name}`);
    t.equal(b.code, a.code, `${name}: exit code`);
    t.equal(b.stdout, a.stdout, `${name}: same table`);
  }
});

t.test('--why-extract to a file; an unwritable path is an error', async (t) => {
  const file = join(h.tmp, 'why.txt');
  const ok = await h.ours(['--no-entry', C + 'main_lib.o', C + 'libfix.a', `--why-extract=${file}`], 'why-file.wasm');
  t.equal(ok.code, 0);
  t.equal(readFileSync(file, 'utf8').split('\n')[0], 'reference\textracted\tsymbol');
  t.match(readFileSync(file, 'utf8'), /main_lib\.o\t.*libfix\.a\(lib_add\.o\)\tlib_add\n/);
  const bad = await h.ours(['--no-entry', C + 'main_lib.o', C + 'libfix.a', `--why-extract=${join(h.tmp, 'no/such/dir/why.txt')}`], 'why-bad.wasm');
  t.equal(bad.code, 1);
  t.match(bad.stderr, /cannot open --why-extract= file .*why\.txt/);
});

t.test('unbalanced --start-lib/--end-lib is a usage error', async (t) => {
  t.equal((await h.ours(['--end-lib', C + 'main_lib.o'], 'x.wasm')).code, 2);
  t.equal((await h.ours(['--start-lib', '--start-lib', C + 'main_lib.o'], 'x.wasm')).code, 2);
});

t.test('--print-gc-sections lists what wasm-ld-22 lists, on stdout, in its order', { skip }, async (t) => {
  for (const args of [
    // Unused globals, a tag and a table, and the linker's unused __wasm_call_ctors.
    ['--no-entry', C + 'gmut.o', C + 'gty_a.o', C + 'eh_tag.o', C + 'tab_a.o', C + 'tls.o'],
    // The linker's unused TLS functions and globals under shared memory.
    ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', C + 'tls.o', C + 'ctors.o'],
    // A function dropped by its COMDAT group, named all the same; a weak undefined function
    // whose address is only compared (its stub is not kept).
    ['--no-entry', '--export=ctor_order', C + 'ctors.o', C + 'cpp_a.o', C + 'cpp_b.o', C + 'weak.o', C + 'fnptr.o'],
  ]) {
    const { a, b } = await both(['--print-gc-sections', ...args], 'gc');
    t.equal(b.code, a.code, 'same exit code');
    t.ok(a.stdout.includes('removing unused section'), 'wasm-ld-22 lists something');
    t.equal(b.stdout.replaceAll(C, ''), a.stdout.replaceAll(C, ''), args.slice(-2).join(' '));
  }
});

t.test('--why-extract=- against wasi-libc: the same table as wasm-ld-22 (members pulled by data references are not listed)', { skip: skip || (existsSync('/usr/lib/wasm32-wasi/libc.a') ? false : 'wasi-libc not installed') }, async (t) => {
  const W = '/usr/lib/wasm32-wasi';
  const args = ['--why-extract=-', '-L' + W, W + '/crt1-command.o', C + 'hello.o', '-lc'];
  const { a, b } = await both(args, 'why-libc');
  t.equal(b.code, 0, 'we link');
  // sbrk.o refers to `errno`, a datum: errno.o is pulled in, and wasm-ld does not list it.
  t.notMatch(a.stdout, /errno\.o/, 'wasm-ld-22 does not list errno.o');
  t.equal(b.stdout, a.stdout);
});
