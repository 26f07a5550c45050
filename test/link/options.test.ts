// The wasm-ld command lines that clang-22, emcc and rustc pass parse into the
// options they mean; nothing that changes the output is dropped.

import { spawnSync } from 'node:child_process';
import t from 'tap';
import { parseLinkArgs, splitResponseFile } from '../../src/link/options.js';

t.test('clang-22 -pthread link line', async (t) => {
  const p = parseLinkArgs(['-m', 'wasm32', '-L/usr/lib/wasm32-wasi', 'crt1.o', 'a.o', '--shared-memory', '-lpthread', '-lc', '/x/libclang_rt.builtins.a', '-o', 'a.wasm']);
  t.equal(p.options.sharedMemory, true);
  t.same(p.options.libraryPaths, ['/usr/lib/wasm32-wasi']);
  t.same(p.options.inputs, ['crt1.o', 'a.o', { library: 'pthread' }, { library: 'c' }, '/x/libclang_rt.builtins.a']);
  t.equal(p.options.output, 'a.wasm');
});

t.test("emcc's link line (3.1.6)", async (t) => {
  const argv = `-o t.wasm t.o -L/s/lib crtbegin.o -lGL-mt -lc-mt -mllvm -combiner-global-alias-analysis=false -mllvm -enable-emscripten-sjlj -mllvm -disable-lsr --import-undefined --import-memory --shared-memory --strip-debug --export-if-defined=main --export-if-defined=emscripten_tls_init --export=stackSave --export=__wasm_call_ctors --export-table -z stack-size=5242880 --initial-memory=16777216 --no-entry --max-memory=16777216 --global-base=1024`.split(' ');
  const p = parseLinkArgs(argv);
  const o = p.options;
  t.equal(o.importUndefined, true);
  t.same(o.importMemory, { module: 'env', name: 'memory' });
  t.equal(o.sharedMemory, true);
  t.equal(o.stripDebug, true);
  t.same(o.exportIfDefined, ['main', 'emscripten_tls_init']);
  t.same(o.exports, ['stackSave', '__wasm_call_ctors']);
  t.equal(o.exportTable, true);
  t.equal(o.stackSize, 5242880);
  t.equal(o.initialMemory, 16777216);
  t.equal(o.maxMemory, 16777216);
  t.equal(o.globalBase, 1024);
  t.equal(o.noEntry, true);
  t.equal(p.warnings.filter((w) => w.startsWith('ignoring -mllvm')).length, 0, '-mllvm accepted quietly');
  const verbose = parseLinkArgs([...argv, '--verbose']);
  t.equal(verbose.warnings.filter((w) => w.startsWith('ignoring -mllvm')).length, 3, 'with a warning each under --verbose');
});

t.test("rustc's link line (-flavor wasm first)", async (t) => {
  const p = parseLinkArgs(['-flavor', 'wasm', '--export', '__heap_base', '-z', 'stack-size=1048576', '--stack-first', '--allow-undefined', '--no-demangle', '--shared-memory', '--max-memory=1073741824', '--import-memory', '--export=__wasm_init_tls', '--gc-sections', '-O1', '--strip-debug', 'x.rlib', '-o', 'x.wasm']);
  const o = p.options;
  t.same(o.exports, ['__heap_base', '__wasm_init_tls']);
  t.equal(o.allowUndefined, true);
  t.equal(o.stackFirst, true);
  t.equal(o.gcSections, true);
  t.same(o.inputs, ['x.rlib']);
  t.same(p.warnings, []);
});

t.test('--whole-archive applies to following inputs and -l', async (t) => {
  const p = parseLinkArgs(['a.o', '--whole-archive', 'b.a', '-lfoo', '--no-whole-archive', 'c.a']);
  t.same(p.options.inputs, ['a.o', { path: 'b.a', wholeArchive: true }, { library: 'foo', wholeArchive: true }, 'c.a']);
});

t.test('response files use GNU quoting and nest', async (t) => {
  t.same(splitResponseFile(`a.o "b c.o" 'd\\e' f\\ g\n--export=x`), ['a.o', 'b c.o', 'd\\e', 'f g', '--export=x']);
  const files: Record<string, string> = { one: '--no-entry @two', two: 'x.o' };
  const p = parseLinkArgs(['@one'], (f) => files[f]);
  t.equal(p.options.noEntry, true);
  t.same(p.options.inputs, ['x.o']);
});

t.test('flags that would change the output are errors', async (t) => {
  for (const f of ['-r', '--relocatable', '--shared', '--pie', '--emit-relocs', '--compress-relocations', '--page-size=1']) {
    t.throws(() => parseLinkArgs([f, 'a.o']), /not supported/, f);
  }
  t.throws(() => parseLinkArgs(['--bogus']), /unknown argument: --bogus/);
  t.throws(() => parseLinkArgs(['-mwasm64']), /wasm32 only/);
});

/**
 * Every option `wasm-ld-22 --help` lists, given a value when it takes one, is understood: accepted
 * (quietly when it cannot change a static wasm32 link), or refused as not supported — never an
 * "unknown argument" for a line wasm-ld takes.
 */
t.test('every option wasm-ld-22 lists is understood, none is an unknown argument', { skip: spawnSync('wasm-ld-22', ['--version']).status === 0 ? false : 'wasm-ld-22 not installed' }, async (t) => {
  const help = spawnSync('wasm-ld-22', ['--help'], { encoding: 'utf8' }).stdout;
  const lines: string[][] = [];
  for (const m of help.matchAll(/^ {2}(-{1,2}[A-Za-z][^\s=<]*)(=?)(\S*)(?: (<[^>]+>))?/gm)) {
    const [, flag, eq, rest, separate] = m;
    if (eq) lines.push([`${flag}=${/^\[/.test(rest) ? rest.slice(1).split(',')[0] : 'x'}`]);
    else if (rest.startsWith('<')) lines.push([`${flag}2`]); // joined: --lto-O<opt-level>
    else if (separate) lines.push([flag, 'x']);
    else lines.push([flag]);
  }
  t.ok(lines.length > 100, `wasm-ld-22 lists ${lines.length} options`);
  for (const line of lines) {
    let error = '';
    try {
      parseLinkArgs([...line, 'a.o']);
    } catch (e) {
      error = String(e);
    }
    t.notMatch(error, /unknown argument/, line.join(' '));
  }
});
