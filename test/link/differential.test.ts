// Differential tests: the same C fixtures linked by wasm-ld-22 and by wasmthreads must give modules
// that validate and agree on imports, exports, memory and table limits, globals and their init
// values (incl. __tls_size/__tls_align), data segment layout and contents (after string merging),
// table slots, start function, and `.debug_*` sections byte for byte (FUNCTION_OFFSET and
// SECTION_OFFSET relocations, tombstones for collected functions, merged `.debug_str`).
//
// The summaries say what differs when something does; every case is also expected to be
// byte-identical to wasm-ld-22's output (named the same). Exports are compared in order, and so is
// the producers section (fields in wasm-ld's order, each value once).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { link, parseLinkArgs } from '../../src/link/index.js';
import { readModule } from '../../src/binary/read-module.js';
import { writeModule } from '../../src/binary/write-module.js';
import { SectionId } from '../../src/binary/types.js';
import { summarize } from './summarize.js';
import { tempDir } from '../helpers/temp-dir.js';
import { firstDifference } from './harness.js';

const FIXTURES = new URL('../fixtures/c/', import.meta.url).pathname;
const WASM_LD = 'wasm-ld-22';
const hasTool = (tool: string, arg = '--version'): boolean => spawnSync(tool, [arg], { timeout: 10_000 }).status === 0;
const haveWasmLd = hasTool(WASM_LD);
const haveValidate = hasTool('wasm-validate');
const tmp = tempDir('wasmthreads-link-');

export function linkOurs(args: string[]): Uint8Array {
  return link(parseLinkArgs(args).options).bytes;
}

export function linkRef(args: string[], out: string): Uint8Array {
  execFileSync(WASM_LD, [...args, '-o', out], { cwd: FIXTURES, timeout: 60_000 });
  return readFileSync(out);
}

function validate(bytes: Uint8Array, name: string): string {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  const r = spawnSync('wasm-validate', ['--enable-threads', '--enable-exceptions', p], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? 'valid' : r.stderr;
}

const f = (n: string): string => join(FIXTURES, n);
const WASI_LIB = '/usr/lib/wasm32-wasi';
const WASI_PROGRAM = ['-L' + WASI_LIB, join(WASI_LIB, 'crt1-command.o'), f('hello.o'), '-lc'];

/** Why a compared field is allowed to differ; for those only the keys (segment names…) are compared. */
type Differences = Partial<Record<keyof ReturnType<typeof summarize>, string>>;

const CASES: { name: string; args: string[]; differences?: Differences; debug?: boolean; invalid?: string }[] = [
  { name: 'threads: shared + imported memory', args: ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', f('tls.o'), f('ctors.o'), f('fnptr.o')] },
  { name: 'threads: TLS helpers exported', args: ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', '--export=__wasm_init_tls', '--export=__tls_size', '--export=__tls_align', '--export=__tls_base', f('tls.o')] },
  { name: 'shared memory, exported memory, no max', args: ['--no-entry', '--shared-memory', f('tls.o'), f('fnptr.o')] },
  { name: 'non-shared TLS (fixed semantics, wasm-ld >= 20)', args: ['--no-entry', f('tls.o'), f('ctors.o')] },
  { name: 'non-shared, imported memory (bss by memory.fill)', args: ['--no-entry', '--import-memory', f('tls.o')] },
  { name: '--no-stack-first with --global-base', args: ['--no-entry', '--no-stack-first', '--global-base=2048', '-z', 'stack-size=32768', f('tls.o'), f('fnptr.o')] },
  { name: 'constructors + command-export wrappers', args: ['--no-entry', '--export=ctor_order', f('ctors.o')] },
  { name: 'constructors called by exported __wasm_call_ctors', args: ['--no-entry', '--export=__wasm_call_ctors', f('ctors.o')] },
  { name: 'weak symbols and weak-undefined stubs', args: ['--no-entry', f('weak.o'), f('strong.o')] },
  { name: 'weak definition kept when alone', args: ['--no-entry', f('weak.o')] },
  { name: 'C++ inline functions (COMDAT)', args: ['--no-entry', f('cpp_a.o'), f('cpp_b.o')] },
  { name: 'archive: lazy extraction, chained members', args: ['--no-entry', f('main_lib.o'), f('libfix.a')] },
  { name: 'archive without index', args: ['--no-entry', f('main_lib.o'), f('libfix_noindex.a')] },
  { name: 'archive with --whole-archive', args: ['--no-entry', f('main_lib.o'), '--whole-archive', f('libfix.a'), '--no-whole-archive'] },
  { name: 'exported data symbols and linker symbols', args: ['--no-entry', '--export=normal_global', '--export=tls_big', '--export=__heap_base', '--export=__data_end', '--export=__stack_pointer', f('tls.o')] },
  { name: 'initial memory and export-all', args: ['--no-entry', '--initial-memory=262144', '--export-all', f('tls.o'), f('fnptr.o')] },
  { name: 'legacy LLVM-13-style TLS object with shared memory', args: ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', f('tls_legacy.o')] },
  { name: 'wasi-libc program', args: WASI_PROGRAM },
  { name: 'string merging: duplicates, tail merging, pointers into strings', args: ['--no-entry', f('strings.o'), f('strings2.o')] },
  { name: 'debug info (-g): DWARF relocations, tombstones, merged .debug_str', args: ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', f('debug.o'), f('debug2.o')], debug: true },
  { name: 'debug info at -O0 (.debug_str concatenated)', args: ['--no-entry', '-O0', f('debug.o'), f('debug2.o')], debug: true },
  { name: 'debug info dropped by --strip-debug', args: ['--no-entry', '--strip-debug', f('debug.o'), f('debug2.o')] },
  // wasm-ld drops .debug_* when stripping even if --keep-section names them; keep-section keeps others.
  { name: '--strip-debug drops a .debug_ section that --keep-section names', args: ['--no-entry', '--strip-debug', '--keep-section=.debug_info', f('debug.o'), f('debug2.o')] },
  { name: '--strip-all keeps --keep-section producers, not .debug_info', args: ['--no-entry', '--strip-all', '--keep-section=.debug_info', '--keep-section=producers', f('debug.o'), f('debug2.o')] },
  { name: 'no string merging at -O0', args: ['--no-entry', '-O0', f('strings.o'), f('strings2.o')] },
  { name: '--export-all with shared memory and constructors: __wasm_init_memory and its flag exported, no command wrappers', args: ['--no-entry', '--export-all', '--shared-memory', '--import-memory', '--max-memory=1048576', f('tls.o'), f('ctors.o')] },
  { name: 'PIC code in an executable: TABLE_INDEX_REL_SLEB, MEMORY_ADDR_REL_SLEB, GOT', args: ['--no-entry', '--export=run', f('pic.o'), f('pic_ext.o')] },
  { name: 'PIC code at -O0 with TLS, shared memory', args: ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', '--export=run', f('pic_O0.o'), f('pic_ext.o')] },
  { name: 'MEMORY_ADDR_LOCREL_I32 in data', args: ['--no-entry', '--export=rel', '--export=target', f('locrel.o')] },
  { name: 'object without reference types (table import, no table symbol) under --export-all: the table exported', args: ['--no-entry', '--export-all', f('fnptr_legacy.o')] },
  { name: 'objects with and without a table symbol, --export-all', args: ['--no-entry', '--export-all', f('ctors.o'), f('fnptr_legacy.o'), f('weak.o')] },
  { name: 'object without reference types, --import-table', args: ['--no-entry', '--import-table', '--export=apply', f('fnptr_legacy.o')] },
  { name: 'object without reference types that takes no function address: the table still made', args: ['--no-entry', '--export=ctor_order', f('ctors.o'), f('fnptr_legacy.o')] },
  { name: '--export-table with objects without reference types: the table exported in symbol order', args: ['--no-entry', '--export-table', '--export=ctor_order', '--export=apply', f('ctors.o'), f('fnptr_legacy.o')] },
  { name: '--export-table with a table symbol', args: ['--no-entry', '--export-table', '--export=apply', '--export=ctor_order', f('ctors.o'), f('fnptr.o')] },
  { name: '--export-table, nothing uses the table', args: ['--no-entry', '--export-table', '--export=ctor_order', f('ctors.o')] },
  { name: '--export-table --export-all, nothing uses the table', args: ['--no-entry', '--export-table', '--export-all', f('ctors.o')] },
  { name: 'weak undefined stubs in symbol-table order, then __wasm_init_memory', args: ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', f('weak_addr.o'), f('weak_call.o')] },
  { name: '--import-memory with --export-memory: the imported memory exported', args: ['--no-entry', '--shared-memory', '--import-memory', '--export-memory', '--max-memory=1048576', f('tls.o')] },
  { name: 'pointers in TLS initializers under shared memory: __wasm_apply_tls_relocs, called by __wasm_init_tls', args: ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', '--export=__wasm_init_tls', f('tls_ptr.o')] },
  { name: 'pointers in TLS initializers to a symbol with a GOT global (-fPIC)', args: ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', '--export=__wasm_init_tls', f('tls_ptr_pic.o'), f('tls_ptr.o')] },
  { name: 'pointers in TLS initializers without shared memory: written at link time', args: ['--no-entry', '--export=get', f('tls_ptr.o'), f('tls_ptr_pic.o')] },
  { name: '--no-merge-data-segments: an output segment per input segment name, strings still merged', args: ['--no-entry', '--no-merge-data-segments', '-O2', f('strings.o'), f('strings2.o'), f('fnptr.o')] },
  { name: '--no-merge-data-segments with shared memory (every TLS segment still in .tdata)', args: ['--no-entry', '--no-merge-data-segments', '--shared-memory', '--import-memory', '--max-memory=1048576', f('tls.o'), f('ctors.o'), f('fnptr.o')] },
  { name: 'undefined functions neither imported nor defined: one undefined_stub per signature', args: ['--no-entry', '--unresolved-symbols=ignore-all', '--export-all', f('undef2.o'), f('undef.o')] },
  { name: '--export-all exports __wasm_init_memory, __wasm_apply_global_tls_relocs and __wasm_apply_tls_relocs', args: ['--no-entry', '--export-all', '--shared-memory', '--import-memory', '--max-memory=1048576', f('tls_ptr_pic.o'), f('tls_ptr.o'), f('got_pic.o'), f('got_def.o')] },
  { name: '--unresolved-symbols=import-dynamic: dylink.0 with memory info', args: ['--no-entry', '--unresolved-symbols=import-dynamic', '--export-all', f('undef.o'), f('fnptr.o'), f('weak_call.o'), f('weak_addr.o')] },
  { name: '--unresolved-symbols=import-dynamic with shared memory: TLS exports in dylink.0', args: ['--no-entry', '--unresolved-symbols=import-dynamic', '--shared-memory', '--import-memory', '--max-memory=1048576', '--export-all', f('undef.o'), f('tls.o'), f('fnptr.o')] },
  { name: '--no-gc-sections keeps the linker\'s own functions too (__wasm_call_ctors, __wasm_init_tls)', args: ['--no-entry', '--no-gc-sections', '--shared-memory', '--import-memory', '--max-memory=1048576', f('tls.o'), f('fnptr.o'), f('weak_call.o')] },
  { name: '--no-gc-sections when objects call __wasm_call_ctors and __wasm_init_tls', args: ['--no-entry', '--no-gc-sections', '--shared-memory', '--import-memory', '--max-memory=1048576', f('calls_synthetic.o'), f('tls.o')] },
  { name: 'C++ weak undefined functions: stubs named with the demangled name', args: ['--no-entry', f('weak_cpp.o')] },
  { name: 'the same with --no-demangle', args: ['--no-entry', '--no-demangle', f('weak_cpp.o')] },
  { name: 'string merging with shared memory (passive .rodata)', args: ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=1048576', '-O2', f('strings.o'), f('strings2.o'), f('tls.o')] },
  // Found by linking random flag combinations with both linkers:
  { name: '--no-gc-sections keeps the stub of a weak function only address-taken', args: ['--no-entry', '--no-gc-sections', f('weak.o'), f('strong.o')] },
  { name: '--no-gc-sections writes the COMDAT copies too, as wasm-ld does', args: ['--no-entry', '--no-gc-sections', '--export-all', f('cpp_a.o'), f('cpp_b.o')] },
  { name: '--global-base=0 and --table-base=0 mean not given', args: ['--no-entry', '--global-base=0', '--table-base=0', '--export-all', f('tls.o'), f('fnptr.o')] },
  { name: '--global-base=0 with --no-stack-first: data at 1024', args: ['--no-entry', '--global-base=0', '--no-stack-first', f('use_tls.o'), f('def_tls.o')] },
  { name: '--wrap of a function whose __wrap_ is undefined, imported with its type under --allow-undefined', args: ['--no-entry', '--allow-undefined', '--wrap=lib_add', f('main_lib.o'), f('libfix.a')] },
  { name: '--entry after --no-entry wins', args: ['--no-entry', '--entry=weak_result', f('weak.o'), f('strong.o')] },
  { name: '--allow-undefined wins over a later --unresolved-symbols=import-dynamic', args: ['--no-entry', '--allow-undefined', '--unresolved-symbols=import-dynamic', f('ctors.o')] },
  { name: 'import-dynamic: a weak function only address-taken is no weak import in dylink.0', args: ['--no-entry', '--unresolved-symbols=import-dynamic', f('weak_addr.o')] },
  { name: "an object's own table is written (it was exported but missing: an invalid module)", args: ['--no-entry', '--export-all', f('tab_a.o'), f('fnptr.o')] },
  { name: '--warn-unresolved-symbols: an undefined global, tags and a table keep index -1, as in wasm-ld (index 0 would name another one)', args: ['--no-entry', '--warn-unresolved-symbols', '--export-all', f('gty_c.o'), f('eh_catch.o'), f('pic_ext.o'), f('gty_b.o')],
    invalid: 'the undefined global, tag and table are index -1' },
  { name: '__start_/__stop_ of a section: defined when referenced, made and exported by --export-all when not', args: ['--no-entry', '--export-all', f('startstop.o'), f('ctors.o')] },
  { name: '--export=__start_SEC and --export-if-defined=__stop_SEC of a section nothing references', args: ['--no-entry', '--export=run_all', '--export=__start_notes', '--export-if-defined=__stop_notes', f('startstop.o')] },
  { name: '__start_/__stop_ made after __wasm_init_memory_flag (shared memory, --export-all)', args: ['--no-entry', '--export-all', '--shared-memory', '--import-memory', '--max-memory=1048576', f('startstop.o'), f('tls.o')] },
  { name: 'a function called and address-taken with the wrong signature: the call traps, the address is 0 (no table slot)', args: ['--no-entry', '--export=call', '--export=callf', f('sig_ptr_a.o'), f('sig_ptr_b.o')] },
  { name: 'the same, definition first, --export-all', args: ['--no-entry', '--export-all', f('sig_ptr_b.o'), f('sig_ptr_a.o')] },
  { name: 'two calls disagree about an undefined function, and a definition comes: the other call gets a stub (a warning, not an error)', args: ['--no-entry', '--export=ua', '--export=ub', f('sig_ua.o'), f('sig_ub.o'), f('sig_def.o')] },
  { name: 'the same, the definition first', args: ['--no-entry', '--export-all', f('sig_def2.o'), f('sig_ua.o'), f('sig_ub.o')] },
  { name: 'two definitions with different signatures are variants: the first kept, the second a stub, neither exported', args: ['--no-entry', '--export-all', f('sig_def.o'), f('sig_def2.o'), f('sig_ua.o'), f('sig_ub.o')] },
  { name: 'variants found in other objects (PIC and not, --no-gc-sections)', args: ['--no-entry', '--allow-undefined', '--export-all', '--no-gc-sections', f('wrap_main.o'), f('pic_O0.o'), f('got_pic.o')] },
  { name: 'an undefined function only address-taken (--warn-unresolved-symbols): a table slot holding its undefined_stub', args: ['--no-entry', '--warn-unresolved-symbols', '--export-all', f('undef_addr.o')] },
  { name: 'the same through the GOT of PIC code: the slot is made, the GOT entry says 0', args: ['--no-entry', '--unresolved-symbols=ignore-all', '--export-all', f('pic_O0.o'), f('sig_def.o')] },
  { name: 'a live __wasm_init_tls without TLS data keeps no __tls_base (shared memory, no data)', args: ['--no-entry', '--shared-memory', '--max-memory=131072', '--export-all', f('calls_synthetic.o')] },
  { name: 'types of imported functions and tags in import order', args: ['--no-entry', '--allow-undefined', '--export-all', f('eh_throw.o'), f('strings2.o'), f('wrap_wrap.o')] },
];

t.test('wasmthreads and wasm-ld-22 agree', { skip: !haveWasmLd ? `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)` : false }, async (t) => {
  for (const c of CASES) {
    t.test(c.name, async (t) => {
      const ref = linkRef(c.args, join(tmp, 'ref.wasm'));
      const ours = linkOurs(c.args);
      if (haveValidate && c.invalid) {
        t.not(validate(ref, 'ref.wasm'), 'valid', `wasm-ld output does not validate: ${c.invalid}`);
        t.not(validate(ours, 'ours.wasm'), 'valid', `nor does ours: ${c.invalid}`);
      } else if (haveValidate) {
        t.equal(validate(ref, 'ref.wasm'), 'valid', 'wasm-ld output validates');
        t.equal(validate(ours, 'ours.wasm'), 'valid', 'our output validates');
      }
      const a = summarize(ref);
      const b = summarize(ours);
      t.same(Object.keys(b.exports), Object.keys(a.exports), 'exports in the same order');
      // The whole file, once our output has the same name (the name section records it).
      const named = Buffer.from(linkOurs([...c.args, '-o', join(tmp, 'ref.wasm')]));
      const at = firstDifference(named, ref);
      t.equal(at, -1, at < 0 ? 'byte-identical to wasm-ld-22' : `first differing byte at offset 0x${at.toString(16)} (sizes ${named.length} and ${ref.length})`);
      for (const k of Object.keys(a) as (keyof typeof a)[]) {
        const why = c.differences?.[k];
        if (why) t.same(Object.keys(b[k]), Object.keys(a[k]), `${k} (names only: ${why})`);
        else t.same(b[k], a[k], k);
      }
      if (c.debug) t.same(Object.keys(a.debug).sort(), ['.debug_abbrev', '.debug_info', '.debug_line', '.debug_loc', '.debug_ranges', '.debug_str'], 'the reference has the DWARF sections compared');
    });
  }
});

t.test('producers: fields in wasm-ld\'s order (language, processed-by, sdk), each value once, whatever order the objects give', { skip: !haveWasmLd ? `${WASM_LD} not installed` : false }, async (t) => {
  // fnptr.o (clang 22 writes processed-by only) rewritten to list sdk, processed-by and language.
  const mod = readModule(new Uint8Array(readFileSync(f('fnptr.o'))));
  const sec = mod.sections.find((s) => s.id === SectionId.Custom && s.custom === 'producers');
  if (!sec || sec.id !== SectionId.Custom || sec.custom !== 'producers') throw new Error('fnptr.o has no producers section');
  sec.fields = [
    { name: 'sdk', values: [{ name: 'Emscripten', version: '3.1.6' }] },
    ...sec.fields,
    { name: 'language', values: [{ name: 'C11', version: '' }, { name: 'C_plus_plus_14', version: '' }] },
  ];
  const edited = join(tmp, 'producers.o');
  writeFileSync(edited, writeModule(mod));
  const args = ['--no-entry', '--export=ctor_order', '--export=apply', f('ctors.o'), edited, f('tls.o')];
  const ref = summarize(linkRef(args, join(tmp, 'ref.wasm'))).producers;
  t.same(ref.map((p) => p.split(':')[0]), ['language', 'processed-by', 'sdk'], 'wasm-ld-22 orders the fields');
  t.same(summarize(linkOurs(args)).producers, ref, 'same producers section');
});

// Real libraries, as the link benchmark links them (benchmarks/link/link.mjs).
const EMSCRIPTEN_LIBC_MT = '/usr/share/emscripten/cache/sysroot/lib/wasm32-emscripten/libc-mt.a';
const LIBRARY_CASES = [
  { name: 'a C hello world against wasi-libc libc.a', needs: join(WASI_LIB, 'libc.a'), args: WASI_PROGRAM },
  // crt1's _start calls __wasm_call_ctors: a relocation names it before anything marks it live.
  { name: 'the same with --no-gc-sections', needs: join(WASI_LIB, 'libc.a'), args: [...WASI_PROGRAM, '--no-gc-sections'] },
  {
    name: "every member of emscripten 3.1.6's libc-mt.a (LLVM 14 objects: no table symbols, DWARF), --whole-archive --export-all",
    needs: EMSCRIPTEN_LIBC_MT,
    args: ['--no-entry', '--shared-memory', '--import-memory', '--max-memory=16777216', '--export-all', '--allow-undefined', '--no-check-features', '--whole-archive', EMSCRIPTEN_LIBC_MT, '--no-whole-archive'],
  },
];
for (const c of LIBRARY_CASES) {
  t.test(`byte-identical to wasm-ld-22: ${c.name}`, { skip: !haveWasmLd || !existsSync(c.needs) ? `needs ${WASM_LD} and ${c.needs} (bash scripts/setup-toolchains.sh)` : false }, async (t) => {
    const out = join(tmp, 'lib.wasm');
    const ref = linkRef(c.args, out);
    const ours = Buffer.from(linkOurs([...c.args, '-o', out]));
    const at = firstDifference(ours, ref);
    t.equal(at, -1, at < 0 ? 'byte-identical' : `first differing byte at offset 0x${at.toString(16)} (sizes ${ours.length} and ${ref.length})`);
  });
}

t.test('linking twice gives identical bytes', async (t) => {
  const args = CASES[0].args;
  t.same(Buffer.from(linkOurs(args)), Buffer.from(linkOurs(args)));
});

/** Runs a WASI command module under node:wasi in a child process; returns its output and exit code. */
function runWasi(bytes: Uint8Array, name: string): { stdout: string; status: number | null } {
  const p = join(tmp, name);
  writeFileSync(p, bytes);
  const script = `
    const { WASI } = require('node:wasi');
    const fs = require('node:fs');
    const wasi = new WASI({ version: 'preview1', args: ['prog', 'x'], env: {}, returnOnExit: true });
    WebAssembly.instantiate(fs.readFileSync(${JSON.stringify(p)}), wasi.getImportObject()).then(({ instance }) => {
      process.exitCode = wasi.start(instance);
    });`;
  const r = spawnSync(process.execPath, ['--no-warnings', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  return { stdout: r.stdout, status: r.status };
}

t.test('a wasi-libc program prints and exits the same with both linkers', { skip: !haveWasmLd || !existsSync(WASI_LIB) ? 'needs wasm-ld-22 and wasi-libc (bash scripts/setup-toolchains.sh)' : false }, async (t) => {
  const ref = runWasi(linkRef(WASI_PROGRAM, join(tmp, 'hello-ref.wasm')), 'hello-ref.wasm');
  const ours = runWasi(linkOurs(WASI_PROGRAM), 'hello-ours.wasm');
  t.equal(ref.stdout, 'hello from wasm, init=40, argc=2\n', 'wasm-ld-22 output prints');
  t.equal(ref.status, 3, 'wasm-ld-22 output exits 3');
  t.equal(ours.stdout, ref.stdout, 'same output');
  t.equal(ours.status, ref.status, 'same exit code');
});

/** Instantiates a linked module (its own or a fresh shared memory) and returns its exports. */
function instantiate(bytes: Uint8Array): WebAssembly.Exports {
  const memory = new WebAssembly.Memory({ initial: 16, maximum: 16, shared: true } as WebAssembly.MemoryDescriptor & { shared: boolean });
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
}

t.test('PIC code linked into an executable computes the right table slots and addresses', async (t) => {
  // 17 only if function pointers taken through __table_base-relative slots call the right function.
  for (const [obj, extra] of [['pic.o', []], ['pic_O0.o', ['--shared-memory', '--import-memory', '--max-memory=1048576']]] as const) {
    const args = ['--no-entry', '--export=run', ...extra, f(obj), f('pic_ext.o')];
    const ours = instantiate(linkOurs(args));
    if (extra.length) (ours.__wasm_init_memory as (() => void) | undefined)?.();
    t.equal((ours.run as () => number)(), 17, `${obj}: run() with our link`);
    if (haveWasmLd) t.equal((instantiate(linkRef(args, join(tmp, 'pic-ref.wasm'))).run as () => number)(), 17, `${obj}: run() with wasm-ld-22's`);
  }
  const lr = instantiate(linkOurs(['--no-entry', '--export=rel', '--export=target', f('locrel.o')]));
  const rel = (lr.rel as WebAssembly.Global).value as number;
  const target = (lr.target as WebAssembly.Global).value as number;
  t.equal(new DataView((lr.memory as WebAssembly.Memory).buffer).getInt32(rel, true), target - rel, 'LOCREL: rel holds target - rel');
});

t.test('a --global-base below the stack without --stack-first lays data first, as the wasm-ld it was written for', async (t) => {
  // emcc 3.1.6 passes --global-base=1024 on every line (wasm-ld 14's data-first layout).
  const files = [f('tls.o'), f('fnptr.o')];
  const ours = linkOurs(['--no-entry', '--export=__heap_base', '--export=__data_end', '--global-base=1024', ...files]);
  const layout = instantiate(ours);
  t.equal((layout.__data_end as WebAssembly.Global).value < 65536, true, 'data ends below the 64 KiB stack: data first');
  if (haveWasmLd) {
    const ref = linkRef(['--no-entry', '--export=__heap_base', '--export=__data_end', '--no-stack-first', '--global-base=1024', ...files], join(tmp, 'gb-ref.wasm'));
    t.same(summarize(ours), summarize(ref), 'the same module as wasm-ld-22 --no-stack-first --global-base=1024');
  }
  // Asked for explicitly, the combination is still an error (wasm-ld 22's text).
  t.throws(() => linkOurs(['--no-entry', '--stack-first', '--global-base=1024', ...files]), { message: /--global-base cannot be less than stack size when --stack-first is used/ });
  // A --global-base above the stack keeps wasm-ld 22's stack-first meaning.
  const high = linkOurs(['--no-entry', '--export=__data_end', '--global-base=131072', ...files]);
  if (haveWasmLd) t.same(summarize(high), summarize(linkRef(['--no-entry', '--export=__data_end', '--global-base=131072', ...files], join(tmp, 'gb2-ref.wasm'))), '--global-base above the stack: as wasm-ld-22');
});
