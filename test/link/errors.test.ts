// Link errors through the CLI: each bad input gives one clear diagnostic naming the files (and
// symbol, offset) involved, a non-zero exit, no stack trace. Expected texts follow wasm-ld's
// where it has one, plus our notes and hints.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/cli/main.js';
import { readModule } from '../../src/binary/read-module.js';
import { writeModule } from '../../src/binary/write-module.js';
import { ExternalKind, SectionId, type Import, type WasmModule } from '../../src/binary/types.js';
import { Relocations } from '../../src/binary/reloc-types.js';
import { tempDir } from '../helpers/temp-dir.js';

const C = new URL('../fixtures/c/', import.meta.url).pathname;
const tmp = tempDir('wasmthreads-link-err-');
const corrupt = join(tmp, 'corrupt.o');
writeFileSync(corrupt, readFileSync(C + 'tls.o').subarray(0, 200));
// An object whose code section has two reloc sections (the second a copy of the first).
/** A copy of fixture `name` with the byte `at` bytes after the first occurrence of `after` set to `value`. */
function patched(name: string, after: string, at: number, value: number, out: string): string {
  const b = Buffer.from(readFileSync(C + name));
  b[b.indexOf(Buffer.from(after)) + after.length + at] = value;
  writeFileSync(join(tmp, out), b);
  return join(tmp, out);
}
// The tag's type index (the tag section follows the import of __linear_memory: kind, limits, section
// id, a 5-byte size, count, attribute, type) and the tag import's (kind, attribute, type).
const badTagType = patched('eh_tag.o', '__linear_memory', 11, 7, 'bad-tag-type.o');
const badTagImportType = patched('eh_throw.o', '__cpp_exception', 2, 5, 'bad-tag-import-type.o');
const twoRelocs = join(tmp, 'two-relocs.o');
{
  const mod = readModule(new Uint8Array(readFileSync(C + 'tls.o')));
  const reloc = mod.sections.find((s) => s.id === SectionId.Custom && s.custom === 'reloc' && s.name === 'reloc.CODE');
  if (!reloc) throw new Error('tls.o has no reloc.CODE');
  mod.sections.push({ ...reloc });
  writeFileSync(twoRelocs, writeModule(mod));
}

// debug.o with its reloc..debug_info corrupted: an entry's symbol index out of range, and,
// separately, a second reloc section for .debug_info. Custom sections' relocations are read when
// the section is written (relocations.ts), with the reader's checks.
function withDebugRelocs(name: string, edit: (mod: WasmModule, reloc: { relocations: Relocations }) => void): string {
  const mod = readModule(new Uint8Array(readFileSync(C + 'debug.o')));
  const reloc = mod.sections.find((s) => s.id === SectionId.Custom && s.custom === 'reloc' && s.name === 'reloc..debug_info');
  if (!reloc || reloc.id !== SectionId.Custom || reloc.custom !== 'reloc') throw new Error('debug.o has no reloc..debug_info');
  edit(mod, reloc as unknown as { relocations: Relocations });
  const path = join(tmp, name);
  writeFileSync(path, writeModule(mod));
  return path;
}
const badDebugIndex = withDebugRelocs('bad-debug-index.o', (_, reloc) => {
  const entries = reloc.relocations.toArray();
  entries[1] = { ...entries[1], index: 9999 };
  reloc.relocations = Relocations.from(entries);
});
const twoDebugRelocs = withDebugRelocs('two-debug-relocs.o', (mod, reloc) => mod.sections.push({ ...(reloc as unknown as WasmModule['sections'][number]) }));

// Tables without symbol-table entries (wasm-ld's checks, its wording): an object without reference
// types may import one table, the indirect function table, with no symbol; anything else is an error.
function withTableImports(from: string, name: string, edit: (imports: Import[]) => void): string {
  const mod = readModule(new Uint8Array(readFileSync(C + from)));
  const sec = mod.sections.find((s) => s.id === SectionId.Import);
  if (!sec || sec.id !== SectionId.Import) throw new Error(`${from} has no import section`);
  edit(sec.imports);
  const path = join(tmp, name);
  writeFileSync(path, writeModule(mod));
  return path;
}
const isTable = (i: Import): boolean => i.desc.kind === ExternalKind.Table;
const renamedLegacyTable = withTableImports('fnptr_legacy.o', 'renamed-table.o', (imports) => {
  imports.find(isTable)!.name = 'my_table';
});
const twoLegacyTables = withTableImports('fnptr_legacy.o', 'two-tables.o', (imports) => {
  imports.push({ ...imports.find(isTable)!, name: 'second_table' });
});
const tableWithoutSymbol = withTableImports('fnptr.o', 'table-without-symbol.o', (imports) => {
  imports.push({ ...imports.find(isTable)!, name: 'second_table' });
});

async function runLink(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await main(['link', '-o', join(tmp, 'out.wasm'), ...args], { stdout: () => {}, stderr: (s) => (stderr += s) });
  return { code, stderr };
}

const CASES: { name: string; args: string[]; code: number; expect: RegExp[] }[] = [
  { name: 'undefined symbol', args: ['--no-entry', C + 'undef.o'], code: 1, expect: [/error: .*undef\.o: undefined symbol: not_defined_anywhere/] },
  { name: 'duplicate symbol shows both definitions', args: ['--no-entry', '--export=dup_fn', C + 'dup1.o', C + 'dup2.o'], code: 1, expect: [/duplicate symbol: dup_fn/, />>> defined in .*dup1\.o/, />>> defined in .*dup2\.o/] },
  { name: 'a tag whose type is past the type section (wasm-ld: invalid tag type)', args: ['--no-entry', '--export-all', badTagType], code: 1, expect: [/bad-tag-type\.o: invalid tag type: tag 0 has out-of-range type 7/] },
  { name: 'a tag import whose type is past the type section', args: ['--no-entry', '--allow-undefined', badTagImportType], code: 1, expect: [/bad-tag-import-type\.o: invalid tag type: tag import env\.__cpp_exception has out-of-range type 5/] },
  { name: 'a wasm64 object', args: ['--no-entry', C + 'wasm64.o'], code: 1, expect: [/error: .*wasm64\.o: must specify -mwasm64 to process wasm64 object files/, /hint: wasmthreads links wasm32 only/] },
  {
    name: 'TLS reference against plain data under shared memory',
    args: ['--no-entry', '--shared-memory', C + 'use_tls.o', C + 'def_plain.o'],
    code: 1,
    expect: [/use_tls\.o: relocation R_WASM_MEMORY_ADDR_TLS_SLEB cannot be used against non-TLS symbol `shared_x`/, />>> defined in .*def_plain\.o in segment \.data\.shared_x/, /hint: declare `shared_x` _Thread_local/],
  },
  {
    name: 'object without atomics under shared memory',
    args: ['--no-entry', '--shared-memory', C + 'use_tls.o', C + 'def_tls_mvp.o'],
    code: 1,
    expect: [/--shared-memory is disallowed by .*def_tls_mvp\.o because it was not compiled with 'atomics' or 'bulk-memory' features\./, /hint: .*def_tls_mvp\.o: rebuild it with -matomics -mbulk-memory \(or -pthread; with wasi-sdk, --target=wasm32-wasip1-threads\)/],
  },
  { name: 'two reloc sections for one section', args: ['--no-entry', twoRelocs], code: 1, expect: [/two-relocs\.o: reloc\.CODE: a second relocation section for the same section/] },
  { name: 'debug relocation with an out-of-range symbol index', args: ['--no-entry', badDebugIndex, C + 'debug2.o'], code: 1, expect: [/bad-debug-index\.o: reloc\.\.debug_info: R_WASM_\w+ symbol index 9999 out of range \(\d+ symbols\) \(at offset 0x[0-9a-f]+\)/] },
  { name: 'two reloc sections for one debug section', args: ['--no-entry', twoDebugRelocs, C + 'debug2.o'], code: 1, expect: [/two-debug-relocs\.o: reloc\.\.debug_info: a second relocation section for the same section/] },
  { name: 'table import other than the indirect function table without a symbol', args: ['--no-entry', renamedLegacyTable], code: 1, expect: [/renamed-table\.o: table import my_table is missing a symbol table entry/] },
  { name: 'two table imports without symbols', args: ['--no-entry', twoLegacyTables], code: 1, expect: [/two-tables\.o: multiple table imports, but no corresponding symbol-table entries/] },
  { name: 'a table without a symbol next to one with', args: ['--no-entry', tableWithoutSymbol], code: 1, expect: [/table-without-symbol\.o: expected one symbol table entry for each of the 2 table\(s\) present, but got 1 symbol\(s\) instead/] },
  { name: 'an absolute address of a symbol left to the dynamic linker', args: ['--no-entry', '--unresolved-symbols=import-dynamic', C + 'weak.o'], code: 1, expect: [/weak\.o: relocation R_WASM_MEMORY_ADDR_SLEB cannot be used against symbol `missing_data`; recompile with -fPIC/, /warning: dynamic imports are not yet stable \(--unresolved-symbols=import-dynamic\)/] },
  { name: '--export of a symbol defined nowhere', args: ['--no-entry', '--export=nowhere', C + 'tls.o'], code: 1, expect: [/error: symbol exported via --export not found: nowhere/] },
  { name: 'missing entry', args: [C + 'tls.o'], code: 1, expect: [/entry symbol not defined \(pass --no-entry to suppress\): _start/] },
  { name: 'unaligned max memory', args: ['--no-entry', '--max-memory=100000', C + 'tls.o'], code: 1, expect: [/maximum memory must be aligned to the page size \(65536 bytes\)/] },
  { name: 'initial memory too small', args: ['--no-entry', '--initial-memory=65536', C + 'tls.o'], code: 1, expect: [/initial memory too small, \d+ bytes needed/] },
  { name: '--global-base below the stack with --stack-first', args: ['--no-entry', '--stack-first', '--global-base=1024', C + 'tls.o'], code: 1, expect: [/--global-base cannot be less than stack size when --stack-first is used/] },
  { name: 'corrupt input', args: ['--no-entry', corrupt], code: 1, expect: [/corrupt\.o: .*\(at offset 0x[0-9a-f]+\)/] },
  { name: 'missing input', args: ['--no-entry', join(tmp, 'nope.o')], code: 1, expect: [/cannot open .*nope\.o: No such file or directory$/m] },
  // wasm-ld-22: "cannot open DIR: Is a directory".
  { name: 'directory as input', args: ['--no-entry', tmp], code: 1, expect: [/cannot open .*: Is a directory$/m] },
  { name: 'missing library', args: ['--no-entry', '-lnothere', C + 'tls.o'], code: 1, expect: [/unable to find library -lnothere/] },
  { name: 'unknown flag', args: ['--frobnicate', C + 'tls.o'], code: 2, expect: [/unknown argument: --frobnicate/] },
  { name: 'unsupported flag that would change the output', args: ['-r', C + 'tls.o'], code: 2, expect: [/error: -r is not supported by wasmthreads link/] },
  { name: 'unsupported flag named as given', args: ['--pie', C + 'tls.o'], code: 2, expect: [/error: --pie is not supported by wasmthreads link \(dynamic linking\)/] },
  { name: 'unsupported flag in its single-dash spelling', args: ['--shared-memory', '-shared', C + 'tls.o'], code: 2, expect: [/error: -shared is not supported by wasmthreads link/] },
];

t.test('--strip-debug never reads the relocations of the debug sections it drops', async (t) => {
  const r = await runLink(['--no-entry', '--strip-debug', badDebugIndex, C + 'debug2.o']);
  t.equal(r.code, 0, r.stderr);
});

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const r = await runLink(c.args);
    t.equal(r.code, c.code, 'exit code');
    for (const re of c.expect) t.match(r.stderr, re);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
    t.notMatch(r.stderr, /internal error/, 'not an internal error');
  });
}

t.test('--export of a symbol defined nowhere follows the policy for undefined symbols, as in wasm-ld', async (t) => {
  for (const [flag, code, stderr] of [
    ['--warn-unresolved-symbols', 0, /^wasmthreads: warning: symbol exported via --export not found: nowhere\n$/],
    ['--allow-undefined', 0, /^$/],
    ['--unresolved-symbols=ignore-all', 0, /^$/],
    ['--unresolved-symbols=report-all', 1, /error: symbol exported via --export not found: nowhere/],
  ] as const) {
    const r = await runLink(['--no-entry', '--export=nowhere', flag, C + 'tls.o']);
    t.equal(r.code, code, `${flag}: exit code`);
    t.match(r.stderr, stderr, `${flag}: ${r.stderr || 'nothing on stderr'}`);
  }
});

t.test('signature mismatch links with a warning naming both files', async (t) => {
  const r = await runLink(['--no-entry', C + 'sig_a.o', C + 'sig_b.o']);
  t.equal(r.code, 0);
  t.match(r.stderr, /warning: function signature mismatch: sig_fn/);
  t.match(r.stderr, />>> defined as \(i32\) -> i32 in .*sig_a\.o/);
  t.match(r.stderr, />>> defined as \(i32, i32\) -> i32 in .*sig_b\.o/);
});

t.test('response files and -flavor wasm (as rustc passes them)', async (t) => {
  const rsp = join(tmp, 'args.rsp');
  writeFileSync(rsp, `--no-entry\n"${C}tls.o"\n--export=get_tls -z stack-size=1048576 --stack-first --no-demangle\n`);
  let stderr = '';
  const code = await main(['link', '-flavor', 'wasm', '-o', join(tmp, 'rsp.wasm'), `@${rsp}`, '-mllvm', '-x'], { stdout: () => {}, stderr: (s) => (stderr += s) });
  t.equal(code, 0, stderr);
  t.equal(stderr, '', '-mllvm, passed on every compiler-driven link, is accepted quietly');
  stderr = '';
  const verbose = await main(['link', '-flavor', 'wasm', '--verbose', '-o', join(tmp, 'rsp.wasm'), `@${rsp}`, '-mllvm', '-x'], { stdout: () => {}, stderr: (s) => (stderr += s) });
  t.equal(verbose, 0, stderr);
  t.match(stderr, /warning: ignoring -mllvm: /, 'and said under --verbose');
});
