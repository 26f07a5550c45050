// Every error path of readModule: the exact message and the absolute offset, on a small object
// built from scratch with writeModule and then corrupted at a known place. Also checks that a
// module built from scratch encodes minimally (byte-identical to wat2wasm's output for the same
// module) and that lenient custom sections degrade to raw instead of failing.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { i32Const } from '../../src/binary/const-expr.js';
import { encodeS32 } from '../../src/binary/leb.js';
import { readModule } from '../../src/binary/read-module.js';
import { Relocations, RelocType } from '../../src/binary/reloc-types.js';
import { writeModule } from '../../src/binary/write-module.js';
import {
  SymbolFlag,
  findCustom,
  findSection,
  type CustomSection,
  type Relocation,
  type Section,
  type WasmModule,
} from '../../src/binary/types.js';
import { DecodeError, formatDiagnostic } from '../../src/diagnostics.js';

const AT = { offset: 0, contentOffset: 0 };
const I32 = 0x7f;

/**
 * A relocatable object: `int x = 42; int *get(void) { return &x; }` in miniature — one function
 * whose `i32.const` is a padded slot relocated by R_WASM_MEMORY_ADDR_SLEB against data symbol x.
 */
function tinyObject(): WasmModule {
  const body = Uint8Array.from([0x00, 0x41, ...encodeS32(0, 5), 0x0b]);
  const sections: Section[] = [
    { ...AT, id: 1, types: [{ params: [], results: [I32] }] },
    { ...AT, id: 2, imports: [{ module: 'env', name: '__linear_memory', desc: { kind: 2, memory: { limits: { flags: 0, min: 1n } } } }] },
    { ...AT, id: 3, functions: [0 as never] },
    { ...AT, id: 10, bodies: [{ bytes: body, offset: 0, bytesOffset: 0 }] },
    { ...AT, id: 11, segments: [{ flags: 0, offset: i32Const(0), init: Uint8Array.of(42, 0, 0, 0), initOffset: 0 }] },
    {
      ...AT,
      id: 0,
      name: 'linking',
      custom: 'linking',
      version: 2,
      subsections: [
        {
          type: 8,
          symbols: [
            { kind: 0, flags: 0, index: 0, name: 'get' },
            { kind: 1, flags: 0, name: 'x', segment: 0 as never, offset: 0n, size: 4n },
          ],
        },
        { type: 5, segments: [{ name: '.data.x', alignment: 2, flags: 0 }] },
      ],
    },
    // The slot sits after the body count (1 byte), body size (1), local count (1), opcode (1).
    { ...AT, id: 0, name: 'reloc.CODE', custom: 'reloc', targetSection: 3, relocations: Relocations.from([{ type: 4, offset: 4, index: 1, addend: 0 }]) },
    { ...AT, id: 0, name: 'target_features', custom: 'target_features', features: [{ prefix: '+', name: 'atomics' }] },
  ];
  return { version: 1, sections };
}

/** Asserts readModule(bytes) throws a DecodeError with this message at this offset. */
function rejects(t: Test, bytes: Uint8Array, message: string, offset: number, what: string): void {
  try {
    readModule(bytes, 'x.o');
    t.fail(`${what}: expected a DecodeError`);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    const d = e.diagnostics[0];
    t.equal(d.message, message, `${what}: message`);
    t.equal(d.offset, offset, `${what}: offset 0x${offset.toString(16)}`);
    t.equal(d.file, 'x.o', `${what}: names the file`);
  }
}

function custom(mod: WasmModule, name: string): CustomSection {
  const s = mod.sections.find((s) => s.id === 0 && s.name === name);
  if (s === undefined || s.id !== 0) throw new Error(`no ${name}`);
  return s;
}

const good = writeModule(tinyObject());
const parsed = readModule(good, 'x.o');
const relocSection = custom(parsed, 'reloc.CODE');
const codeSection = findSection(parsed, 10)!;
/** Offset of the first relocation entry: after the name (1+10 bytes), target index, count. */
const firstRelocAt = relocSection.contentOffset + 1 + 'reloc.CODE'.length + 1 + 1;

t.test('the tiny object is valid and round-trips', async (t) => {
  t.equal(Buffer.compare(writeModule(parsed), good), 0);
  t.equal(parsed.sections.length, 8);
  t.same(findCustom(parsed, 'reloc')?.relocations.toArray(), [{ type: RelocType.R_WASM_MEMORY_ADDR_SLEB, offset: 4, index: 1, addend: 0 }]);
});

t.test('header errors', async (t) => {
  rejects(t, Uint8Array.of(0x01, 0x61, 0x73, 0x6d, 1, 0, 0, 0), 'not a WebAssembly file (bad magic number)', 0, 'bad magic');
  rejects(t, Uint8Array.of(0x00, 0x61), 'not a WebAssembly file (bad magic number)', 0, 'shorter than the magic');
  rejects(t, good.subarray(0, 6), 'truncated header: missing version', 4, 'truncated version');
  const v2 = good.slice();
  v2[4] = 0x0d;
  v2[6] = 0x01;
  rejects(t, v2, 'unsupported wasm version 0x1000d (expected 1)', 4, 'component-model version');
});

t.test('section framing errors', async (t) => {
  const unknown = Uint8Array.from([...good.subarray(0, 8), 0x0e, 0x00]);
  rejects(t, unknown, 'unknown section id 14', 8, 'unknown id');
  const cut = good.subarray(0, codeSection.contentOffset + 3);
  const codeSize = codeSection.contentOffset - codeSection.offset - 1;
  rejects(
    t,
    cut,
    `Code section size ${good[codeSection.offset + 1] | 0} runs past the end of the file (3 bytes left)`,
    codeSection.offset + 1,
    'section past the end of the file',
  );
  t.equal(codeSize, 1, 'a from-scratch section size is minimal (1 byte)');
  const mod = tinyObject();
  [mod.sections[0], mod.sections[1]] = [mod.sections[1], mod.sections[0]];
  const reordered = writeModule(mod);
  rejects(t, reordered, 'Type section out of order (after the Import section)', readSectionOffsets(reordered)[1], 'out of order');
  const dup = tinyObject();
  dup.sections.splice(1, 0, dup.sections[0]);
  const dupBytes = writeModule(dup);
  rejects(t, dupBytes, 'duplicate Type section', readSectionOffsets(dupBytes)[1], 'duplicate');
  const noCode = tinyObject();
  noCode.sections.splice(3, 1);
  const noCodeBytes = writeModule(noCode);
  t.throws(() => readModule(noCodeBytes, 'x.o'), DecodeError, 'function declared without a Code section');
  const dc = tinyObject();
  dc.sections.splice(3, 0, { ...AT, id: 12, count: 2 });
  (custom(dc, 'reloc.CODE') as { targetSection: number }).targetSection = 4; // Code moved down one
  const dcBytes = writeModule(dc);
  const dataContent = readSectionOffsets(dcBytes)[5] + 2; // id byte, 1-byte size
  rejects(t, dcBytes, 'DataCount section says 2 segments but the Data section has 1', dataContent, 'DataCount mismatch');
  const typeCut = Uint8Array.from([...good.subarray(0, 8), 0x01, 0x04, 0x01, 0x60, 0x00, 0x80]);
  rejects(t, typeCut, 'Type section: unexpected end of data in LEB128 u32', 13, 'LEB truncated at the end of its section');
  const typeCount = Uint8Array.from([...good.subarray(0, 8), 0x01, 0x05, 0x01, 0x60, 0x05, 0x7f, 0x00]);
  rejects(t, typeCount, 'Type section: function parameter type count 5 exceeds the 2 bytes left', 12, 'count past the end');
  const hugeCount = Uint8Array.from([...good.subarray(0, 8), 0x01, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f]);
  rejects(t, hugeCount, 'Type section: type count 4294967295 exceeds the 0 bytes left', 10, 'count rejected before allocating');
  const badValType = Uint8Array.from([...good.subarray(0, 8), 0x01, 0x05, 0x01, 0x60, 0x01, 0x55, 0x00]);
  rejects(t, badValType, 'Type section: invalid value type 0x55 in function parameter', 13, 'invalid value type');
  const extra = Uint8Array.from([...good.subarray(0, 8), 0x01, 0x05, 0x01, 0x60, 0x00, 0x00, 0xff]);
  rejects(t, extra, 'Type section: 1 unread bytes at the end', 14, 'section not consumed');
});

/** Absolute offsets of each section's id byte, decoded independently of readModule. */
function readSectionOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let p = 8;
  while (p < bytes.length) {
    out.push(p);
    let size = 0;
    let shift = 0;
    let q = p + 1;
    for (;;) {
      const b = bytes[q++];
      size |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    p = q + size;
  }
  return out;
}

t.test('reloc.* errors', async (t) => {
  const bad = good.slice();
  bad[firstRelocAt] = 99;
  rejects(t, bad, 'unknown relocation type 99 in reloc.CODE', firstRelocAt, 'unknown type');
  try {
    readModule(bad, 'x.o');
  } catch (e) {
    t.equal(
      formatDiagnostic((e as DecodeError).diagnostics[0]),
      `wasmthreads: error: x.o: unknown relocation type 99 in reloc.CODE (at offset 0x${firstRelocAt.toString(16)})`,
      'rendered as the issue asks',
    );
  }
  const variants: [string, (m: WasmModule) => void, string, number][] = [
    ['target index', (m) => ((custom(m, 'reloc.CODE') as { targetSection: number }).targetSection = 42), 'reloc.CODE: target section index 42 out of range (6 sections precede it)', firstRelocAt - 2],
    ['symbol index', (m) => editRelocs(m, (r) => (r[0].index = 7)), 'reloc.CODE: R_WASM_MEMORY_ADDR_SLEB symbol index 7 out of range (2 symbols)', firstRelocAt + 2],
    ['symbol kind', (m) => editRelocs(m, (r) => Object.assign(r[0], { type: 0, addend: undefined })), 'reloc.CODE: R_WASM_FUNCTION_INDEX_LEB needs a function symbol but symbol 1 is a data symbol', firstRelocAt + 2],
    ['slot past the section', (m) => editRelocs(m, (r) => (r[0].offset = 6)), 'reloc.CODE: R_WASM_MEMORY_ADDR_SLEB at offset 0x6 runs past the end of section Code (10 bytes)', firstRelocAt + 1],
    ['type index', (m) => editRelocs(m, (r) => Object.assign(r[0], { type: 6, index: 3, addend: undefined })), 'reloc.CODE: R_WASM_TYPE_INDEX_LEB type index 3 out of range (1 types)', firstRelocAt + 2],
  ];
  for (const [what, corrupt, message, offset] of variants) {
    const m = tinyObject();
    corrupt(m);
    rejects(t, writeModule(m), message, offset, what);
  }
  const unordered = tinyObject();
  editRelocs(unordered, (r) => r.push({ type: 4, offset: 2, index: 1, addend: 0 }));
  rejects(t, writeModule(unordered), 'reloc.CODE: relocations not in offset order', firstRelocAt + 4 + 1, 'offset order');
});

/** Edits the tiny object's reloc.CODE entries as objects. */
function editRelocs(m: WasmModule, edit: (entries: Relocation[]) => void): void {
  const section = custom(m, 'reloc.CODE') as unknown as { relocations: Relocations };
  const entries = section.relocations.toArray();
  edit(entries);
  section.relocations = Relocations.from(entries);
}

function symbols(m: WasmModule) {
  const link = custom(m, 'linking') as { subsections: { symbols?: unknown[] }[] };
  return link.subsections[0].symbols as { kind: number; flags: number; index?: number; name?: string; offset?: bigint; size?: bigint }[];
}

t.test('linking errors', async (t) => {
  const linking = custom(parsed, 'linking');
  const versionAt = linking.contentOffset + 1 + 'linking'.length;
  const v1 = good.slice();
  v1[versionAt] = 1;
  rejects(t, v1, 'unsupported linking section version 1 (expected 2)', versionAt, 'version');
  // The symbol table subsection starts after the version byte: type (1), size (1), count (1).
  const firstSymbolAt = versionAt + 1 + 1 + 1 + 1;
  const cases: [string, (m: WasmModule) => void, string, number][] = [
    ['function index', (m) => (symbols(m)[0].index = 5), 'linking: function symbol 0: function index 5 out of range (1 in the module)', firstSymbolAt + 2],
    ['undefined but defined', (m) => (symbols(m)[0].flags = SymbolFlag.UNDEFINED | SymbolFlag.EXPLICIT_NAME), 'linking: function symbol 0 is undefined but index 0 is not an import', firstSymbolAt + 2],
    ['data outside segment', (m) => (symbols(m)[1].size = 8n), 'linking: data symbol `x`: offset 0 + size 8 lies outside segment 0 (4 bytes)', firstSymbolAt + 7 + 4],
  ];
  for (const [what, corrupt, message, offset] of cases) {
    const m = tinyObject();
    corrupt(m);
    rejects(t, writeModule(m), message, offset, what);
  }
  const unknownKind = good.slice();
  unknownKind[firstSymbolAt + 7] = 9; // symbol 1 starts after kind, flags, index and "get"
  rejects(t, unknownKind, 'linking WASM_SYMBOL_TABLE: unknown symbol kind 9 (symbol 1)', firstSymbolAt + 7, 'unknown kind');
});

t.test('target_features is strict; name and producers are lenient', async (t) => {
  const tf = custom(parsed, 'target_features');
  const prefixAt = tf.contentOffset + 1 + 'target_features'.length + 1;
  const bad = good.slice();
  bad[prefixAt] = 0x3f;
  rejects(t, bad, 'unknown feature prefix 0x3f in target_features', prefixAt, 'feature prefix');

  const m = tinyObject();
  const garbage = Uint8Array.of(0x01, 0x09, 0xff, 0xff); // function names, size past the end
  m.sections.push({ ...AT, id: 0, name: 'name', custom: 'raw', payload: garbage });
  m.sections.push({ ...AT, id: 0, name: 'producers', custom: 'raw', payload: Uint8Array.of(0x05) });
  const bytes = writeModule(m);
  const back = readModule(bytes, 'x.o');
  const kinds = back.sections.filter((s) => s.id === 0).map((s) => (s as CustomSection).custom);
  t.same(kinds.slice(-2), ['raw', 'raw'], 'malformed name/producers sections are kept raw');
  t.equal(Buffer.compare(writeModule(back), bytes), 0, 'and still round-trip');
});

t.test('unknown linking subsections are kept raw and round-trip', async (t) => {
  const m = tinyObject();
  (custom(m, 'linking') as { subsections: unknown[] }).subsections.push({ type: 42, raw: Uint8Array.of(1, 2, 3) });
  const bytes = writeModule(m);
  const back = readModule(bytes, 'x.o');
  t.same((custom(back, 'linking') as { subsections: { type: number }[] }).subsections.at(-1)?.type, 42);
  t.equal(Buffer.compare(writeModule(back), bytes), 0);
});

t.test('a module built from scratch is minimal: identical to wat2wasm output', async (t) => {
  const wat = `(module
  (type (func (param i32 i64) (result i32)))
  (import "env" "mem" (memory 1 65536 shared))
  (import "env" "g" (global (mut i32)))
  (func (type 0) (local.get 0))
  (table 2 funcref)
  (global i64 (i64.const -300))
  (export "f" (func 0))
  (elem (i32.const 1) func 0)
  (data (i32.const 1024) "hello")
  (data "passive"))`;
  const dir = mkdtempSync(join(tmpdir(), 'wasmthreads-binary-'));
  try {
    writeFileSync(join(dir, 'm.wat'), wat);
    execFileSync('wat2wasm', ['--enable-threads', join(dir, 'm.wat'), '-o', join(dir, 'm.wasm')], { timeout: 30_000 });
    const reference = new Uint8Array(readFileSync(join(dir, 'm.wasm')));
    const mod = readModule(reference, 'm.wasm');
    const sizesMinimal = mod.sections.every((s) => s.sizeWidth === undefined);
    t.ok(sizesMinimal, 'wat2wasm writes minimal section sizes');
    for (const s of mod.sections) {
      s.offset = 0;
      s.contentOffset = 0;
    }
    t.equal(Buffer.compare(writeModule(mod), reference), 0, 'rewritten bytes equal wat2wasm output');
    const mem = findSection(mod, 2)!.imports[0].desc;
    t.same(mem, { kind: 2, memory: { limits: { flags: 3, min: 1n, max: 65536n } } }, 'shared memory limits');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.test('names holding control characters are escaped: a diagnostic keeps its lines and cannot drive the terminal', (t) => {
  const m = tinyObject();
  const linking = custom(m, 'linking') as { subsections: { type: number; symbols?: { name?: string; segment?: number }[] }[] };
  const x = linking.subsections.find((s) => s.type === 8)!.symbols![1];
  x.name = 'x\n\x1b[2J\x85y';
  x.segment = 9;
  try {
    readModule(writeModule(m), 'evil\r.o');
    t.fail('expected a DecodeError');
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    const text = formatDiagnostic({ ...e.diagnostics[0], notes: ['a note\nwith a newline'], hint: 'a hint\x07' });
    t.equal(text.split('\n').length, 3, 'one line each for the error, the note and the hint');
    t.match(text, /^wasmthreads: error: evil\\x0d\.o: linking: data symbol `x\\x0a\\x1b\[2J\\x85y`: segment index 9 out of range/);
    t.match(text, /\n>>> a note\\x0awith a newline\nhint: a hint\\x07$/);
    t.notMatch(text, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, 'no control characters left');
  }
  t.end();
});
