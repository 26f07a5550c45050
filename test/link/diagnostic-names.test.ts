// How link diagnostics name symbols, against wasm-ld-22 word for word: wasm-ld demangles the names
// in its lines about symbols (`undefined symbol: missing_cpp(int)`, `duplicate symbol:
// dup_cpp(int)`) unless --no-demangle, and tools grep those lines. Also an undefined symbol with
// local binding, which no compiler emits: a clear error naming it, never a crash (wasm-ld-22
// reports it undefined, and crashes under --allow-undefined).

import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { readModule } from '../../src/binary/read-module.js';
import { writeModule } from '../../src/binary/write-module.js';
import { ExternalKind, LinkingSubsectionType, SectionId, SymbolFlag, SymbolKind, type SymbolInfo } from '../../src/binary/types.js';
import { C_FIXTURES as C, diagnosticLines, haveWasmLd, LinkHarness, WASM_LD } from './harness.js';

const skip = haveWasmLd() ? false : `${WASM_LD} not installed (bash scripts/setup-toolchains.sh)`;
const h = new LinkHarness('diagnostic-names');

function ref(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(WASM_LD, [...args, '-o', join(h.tmp, 'ref.wasm')], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const NAMES = C + 'cpp_names.o';
const CASES: { name: string; args: string[]; want: RegExp; notes?: false }[] = [
  { name: 'undefined C++ functions', args: ['--no-entry', NAMES], want: /error: .*cpp_names\.o: undefined symbol: missing_cpp\(int\)\n/ },
  { name: 'undefined C++ functions, --no-demangle', args: ['--no-entry', '--no-demangle', NAMES], want: /error: .*cpp_names\.o: undefined symbol: _Z11missing_cppi\n/ },
  { name: 'a C++ function defined twice', args: ['--no-entry', NAMES, NAMES], want: /error: duplicate symbol: dup_cpp\(int\)\n/ },
  { name: 'a C++ function defined twice, --no-demangle', args: ['--no-entry', '--no-demangle', NAMES, NAMES], want: /error: duplicate symbol: _Z7dup_cppi\n/ },
  // Ours add notes (where each side comes from) and a hint below wasm-ld's two lines.
  {
    name: 'a C++ thread_local defined as plain data, under --shared-memory',
    args: ['--no-entry', '--shared-memory', C + 'cpp_tls_use.o', C + 'cpp_tls_plain.o'],
    want: /cannot be used against non-TLS symbol `ns::counter`\n.*cannot be used against `ns::counter` in non-TLS section: \.data\n/,
    notes: false,
  },
];

for (const c of CASES) {
  t.test(`${c.name}: wasm-ld-22's lines`, async (t) => {
    const got = await h.ours(c.args);
    t.equal(got.code, 1, 'a failure');
    t.match(got.stderr, c.want);
    t.notMatch(got.stderr, /internal error|\n\s+at /, 'no stack trace');
    if (skip) return;
    const want = ref(c.args);
    t.equal(want.code, 1, `wasm-ld-22 fails: ${want.stderr}`);
    t.same(diagnosticLines(got.stderr, c.notes), diagnosticLines(want.stderr, c.notes), c.notes === false ? 'the same lines' : 'the same lines, notes included');
  });
}

t.test('--why-extract and --trace-symbol name C++ symbols as wasm-ld-22 does, the table where it writes it', async (t) => {
  for (const extra of [[], ['--no-demangle']]) {
    const args = ['--no-entry', ...extra, NAMES, C + 'libcppnames.a', '--why-extract=-', '--trace-symbol=_Z11missing_cppi', '-y', '_ZN2ns4goneEd', '--print-gc-sections'];
    const got = await h.ours(args);
    t.equal(got.code, 0, got.stderr);
    const shown = extra.length ? '_Z11missing_cppi' : 'missing_cpp(int)';
    const row = `${NAMES}\t${C}libcppnames.a(cpp_names_lib.o)\t${shown}\n`;
    t.ok(got.stdout.includes(`reference\textracted\tsymbol\n${row}`), `${extra.join(' ')}: the --why-extract row ${JSON.stringify(row)} in ${JSON.stringify(got.stdout)}`);
    // The member is pulled at once by a strong reference: traced by its definition only.
    t.notMatch(got.stdout, /lazy definition/, 'no lazy definition line for a member pulled at once');
    // wasm-ld writes the table once symbols are resolved, before garbage collection's lines.
    t.match(got.stdout, /^reference\textracted\tsymbol\n[^\n]+\n(removing unused section [^\n]+\n)+$/m, 'the table before the lines of --print-gc-sections');
    if (skip) continue;
    const want = ref(args);
    t.equal(want.code, 0, want.stderr);
    t.equal(got.stdout, want.stdout, `${extra.join(' ') || 'demangled'}: wasm-ld-22's stdout, line for line`);
  }
});

// weak_cpp.o with its first undefined function symbol (`missing_cpp(int)`, weak) turned local.
function withLocalUndefined(flags: number, name: string): string {
  const mod = readModule(new Uint8Array(readFileSync(C + 'weak_cpp.o')));
  const linking = mod.sections.find((s) => s.id === SectionId.Custom && s.custom === 'linking');
  if (!linking || linking.id !== SectionId.Custom || linking.custom !== 'linking') throw new Error('weak_cpp.o has no linking section');
  const imports = mod.sections.find((s) => s.id === SectionId.Import);
  if (!imports || imports.id !== SectionId.Import) throw new Error('weak_cpp.o has no imports');
  // An undefined function's symbol names its import by index among the imported functions.
  const index = imports.imports.filter((i) => i.desc.kind === ExternalKind.Func).findIndex((i) => i.name === '_Z11missing_cppi');
  let sym: SymbolInfo | undefined;
  for (const sub of linking.subsections) {
    if (sub.type === LinkingSubsectionType.SYMBOL_TABLE && 'symbols' in sub) sym = sub.symbols.find((s) => s.kind === SymbolKind.Function && s.flags & SymbolFlag.UNDEFINED && s.index === index);
  }
  if (!sym) throw new Error('weak_cpp.o does not reference _Z11missing_cppi');
  sym.flags = flags;
  const path = join(h.tmp, name);
  writeFileSync(path, writeModule(mod));
  return path;
}

t.test('an undefined symbol with local binding: an error naming it, with or without --allow-undefined', async (t) => {
  const local = withLocalUndefined(SymbolFlag.UNDEFINED | SymbolFlag.BINDING_LOCAL, 'local-undefined.o');
  const weakLocal = withLocalUndefined(SymbolFlag.UNDEFINED | SymbolFlag.BINDING_LOCAL | SymbolFlag.BINDING_WEAK, 'weak-local-undefined.o');
  for (const file of [local, weakLocal]) {
    for (const extra of [[], ['--allow-undefined'], ['--unresolved-symbols=ignore-all'], ['--no-demangle']]) {
      const what = `${file.split('/').pop()} ${extra.join(' ')}`;
      const got = await h.ours(['--no-entry', '--export-all', ...extra, file]);
      t.equal(got.code, 1, `${what}: a failure`);
      const shown = extra[0] === '--no-demangle' ? '_Z11missing_cppi' : 'missing_cpp\\(int\\)';
      t.match(got.stderr, new RegExp(`error: .*${file.split('/').pop()}: undefined symbol: ${shown}\n>>> symbol \\d+ is undefined but has local binding`), what);
      t.match(got.stderr, /hint: the object is malformed/, what);
      t.notMatch(got.stderr, /internal error|\n\s+at /, `${what}: no stack trace`);
    }
    if (skip) continue;
    const want = ref(['--no-entry', '--export-all', file]);
    const got = await h.ours(['--no-entry', '--export-all', file]);
    t.equal(want.code, 1, `wasm-ld-22 fails: ${want.stderr}`);
    t.same(diagnosticLines(got.stderr, false), diagnosticLines(want.stderr, false), "wasm-ld-22's line");
  }
});
