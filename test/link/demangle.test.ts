// The linker's demangler (src/link/demangle/): LLVM 22's Itanium demangler built to wasm. Checked
// on names whose demangled forms are fixed by the Itanium ABI, then — where the toolchains are
// installed — on every function of emscripten's libc++ and libc++abi against wasm-ld-22's name
// section, and the committed .wasm against a fresh build of it.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { findCustom } from '../../src/binary/types.js';
import { NameType } from '../../src/binary/read-custom.js';
import { readModule } from '../../src/binary/read-module.js';
import { demangle } from '../../src/link/demangle/index.js';
import { link } from '../../src/link/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = join(HERE, '../..');
const EMLIB = '/usr/share/emscripten/cache/sysroot/lib/wasm32-emscripten';
const WASM_LD = '/usr/bin/wasm-ld-22';

t.test('Itanium names demangle; anything else comes back unchanged', async (t) => {
  t.equal(demangle('_Z3fooi'), 'foo(int)');
  t.equal(demangle('_ZNK2ns6Widget3getEv'), 'ns::Widget::get() const');
  t.equal(demangle('_Z5twiceIlET_S0_'), 'long twice<long>(long)');
  t.equal(demangle('_ZNSt3__26threadC2IRFvvEJEvEEOT_DpOT0_'), 'std::__2::thread::thread<void (&)(), void>(void (&)())');
  t.equal(demangle('_ZN3std2rt10lang_start17h0123456789abcdefE'), 'std::rt::lang_start::h0123456789abcdef', "Rust's legacy mangling is Itanium");
  t.equal(demangle('__Z3fooi'), 'foo(int)', 'an extra leading underscore (Mach-O style), as LLVM accepts it');
  t.equal(demangle('_Z1fv.llvm.123'), 'f() (.llvm.123)', 'a compiler suffix is kept, as LLVM shows it');
  for (const plain of ['main', '__wasm_call_ctors', '_start', '_Z', '_Zfoo', '_RNvC6_123foo3bar', '']) t.equal(demangle(plain), plain, `'${plain}' is not demangled`);
  const long = `_Z${'3abc'.length}abc${'i'.repeat(2000)}`;
  t.type(demangle(long), 'string', 'a long name does not break the demangler');
});

const haveLibcxx = existsSync(WASM_LD) && existsSync(`${EMLIB}/libc++-mt-noexcept.a`);
t.test("every function name of libc++ and libc++abi reads as in wasm-ld-22's name section", { skip: haveLibcxx ? false : 'needs wasm-ld-22 and emscripten 3.1.6 (npm run setup)' }, async (t) => {
  const dir = tempDir('wasmthreads-demangle-', t);
  const args = ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=16777216', '--export-all', '--allow-undefined', '--no-check-features',
    '--whole-archive', `${EMLIB}/libc++-mt-noexcept.a`, `${EMLIB}/libc++abi-mt-noexcept.a`, '--no-whole-archive'];
  const ref = spawnSync(WASM_LD, [...args, '-o', join(dir, 'ref.wasm')], { encoding: 'utf8', timeout: 120_000 });
  t.equal(ref.status, 0, ref.stderr);
  const ours = link({ inputs: [{ path: `${EMLIB}/libc++-mt-noexcept.a`, wholeArchive: true }, { path: `${EMLIB}/libc++abi-mt-noexcept.a`, wholeArchive: true }],
    noEntry: true, sharedMemory: true, importMemory: true, maxMemory: 16777216, exportAll: true, allowUndefined: true, checkFeatures: false });
  const functionNames = (bytes: Uint8Array): Map<number, string> => {
    const sub = findCustom(readModule(bytes), 'name')?.subsections.find((s) => s.type === NameType.FUNCTION);
    return (sub && 'names' in sub ? sub.names : undefined) ?? new Map<number, string>();
  };
  const want = functionNames(new Uint8Array(readFileSync(join(dir, 'ref.wasm'))));
  const got = functionNames(ours.bytes);
  t.ok(want.size > 4000, `wasm-ld-22 named ${want.size} functions`);
  const demangled = [...want.values()].filter((n) => n.includes('(')).length;
  t.ok(demangled > 3000, `${demangled} of them demangled`);
  const differing = [...want].filter(([i, n]) => got.get(i) !== n).map(([i, n]) => `${i}: wasm-ld-22 '${n}', wasmthreads '${got.get(i)}'`);
  t.same(differing.slice(0, 10), [], `${differing.length} names differ`);
  t.equal(got.size, want.size);
});

const haveAbi = existsSync('/usr/lib/llvm-22/lib/wasm32-wasi/libc++abi.a') && spawnSync('wasm-opt', ['--version']).status === 0;
t.test('the committed demangler is what its build script makes', { skip: haveAbi ? false : 'needs libc++abi-22-dev-wasm32 and binaryen (npm run setup)' }, async (t) => {
  const dir = tempDir('wasmthreads-demangler-', t);
  const out = join(dir, 'd.wasm');
  const r = spawnSync('bash', [join(REPO, 'src/link/demangle/build.sh'), out], { encoding: 'utf8', timeout: 300_000 });
  t.equal(r.status, 0, r.stderr);
  t.ok(Buffer.from(readFileSync(out)).equals(readFileSync(join(REPO, 'src/link/demangle/itanium-demangle.wasm'))), 'byte for byte: rebuild it with src/link/demangle/build.sh and commit it');
});
