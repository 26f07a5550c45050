// Section forms the real archives do not exercise, decoded and round-tripped: all eight element
// segment forms, multi-value types, tags, memory64 and shared limits, multiple tables (funcref
// and externref), extended-const and v128 globals, explicit-memory and passive data, the start
// section and a full `name` section (built by wat2wasm-1.0.32 --enable-all --debug-names); a
// `dylink.0` section (built by clang-22 -fPIC and wasm-ld-22 --experimental-pic -shared); and, by
// hand, the forms no installed tool emits: a table with an initializer (0x40 0x00) and custom
// page-size limits. Decoded values are checked against wasm-objdump -x where it prints them.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { evalConstExpr, i32Const, refFunc } from '../../src/binary/const-expr.js';
import { readModule } from '../../src/binary/read-module.js';
import { writeModule } from '../../src/binary/write-module.js';
import { findCustom, findSection, type WasmModule } from '../../src/binary/types.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOOL_TIMEOUT_MS = 60_000;

const FORMS_WAT = `(module
  (type $mv (func (param i32 i64) (result i64 i32)))
  (type $t0 (func))
  (import "env" "tag_in" (tag $ti (param i32)))
  (import "env" "tab" (table 1 funcref))
  (import "env" "base" (global $base i32))
  (import "env" "mem64" (memory i64 1 2))
  (memory $m1 2 3 shared)
  (tag $e (param i32))
  (table $t1 3 funcref)
  (table $t2 2 externref)
  (global $g (mut i32) (i32.const 7))
  (global $gx i32 (i32.add (i32.const 1) (global.get $base)))
  (global $gv v128 (v128.const i32x4 1 2 3 4))
  (global $gf f64 (f64.const 1.5))
  (func $f (type $mv) (local.get 1) (local.get 0))
  (func $g2 (type $t0))
  (export "f" (func $f))
  (export "e" (tag $e))
  (export "m1" (memory $m1))
  (start $g2)
  (elem (i32.const 0) func $f)
  (elem func $f $g2)
  (elem (table $t1) (i32.const 1) func $g2)
  (elem declare func $f)
  (elem (i32.const 0) funcref (ref.func $f) (ref.null func))
  (elem externref (ref.null extern))
  (elem (table $t2) (i32.const 0) externref (ref.null extern))
  (elem declare externref (ref.null extern))
  (data (memory $m1) (i32.const 16) "explicit")
  (data (i64.const 8) "mem0")
  (data "passive"))`;

function tool(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout: TOOL_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
}

function roundTrips(t: Test, bytes: Uint8Array, file: string): WasmModule {
  const mod = readModule(bytes, file);
  t.equal(Buffer.compare(writeModule(mod), bytes), 0, `${file} round-trips exactly`);
  return mod;
}

t.test('every standard section form, from wat2wasm --enable-all', async (t) => {
  const dir = tempDir('wasmthreads-forms-', t);
  writeFileSync(join(dir, 'forms.wat'), FORMS_WAT);
  tool('wat2wasm', ['--enable-all', '--debug-names', 'forms.wat', '-o', 'forms.wasm'], dir);
  const mod = roundTrips(t, new Uint8Array(readFileSync(join(dir, 'forms.wasm'))), 'forms.wasm');

  const elements = findSection(mod, 9)!.elements;
  t.same(elements.map((e) => e.flags), [0, 1, 2, 3, 4, 5, 6, 7], 'all eight element segment forms');
  const objdump = tool('wasm-objdump', ['-x', '-j', 'Elem', 'forms.wasm'], dir);
  const dumped = [...objdump.matchAll(/flags=(\d+) table=(\d+) count=(\d+)/g)].map((m) => [+m[1], +m[2], +m[3]]);
  const ours = elements.map((e) => [e.flags, e.tableIndex ?? 0, (e.funcIndices ?? e.exprs ?? []).length]);
  t.same(ours, dumped, 'flags, tables and counts match wasm-objdump');
  t.same(elements[2].tableIndex, 1, 'form 2 names table 1');
  t.same(elements[6].tableIndex, 2, 'form 6 names table 2');
  t.same(elements[6].refType, 0x6f, 'form 6 carries externref');
  t.same(elements[1].elemKind, 0, 'form 1 carries elemkind funcref');

  t.same(findSection(mod, 1)!.types[0], { params: [0x7f, 0x7e], results: [0x7e, 0x7f] }, 'multi-value type');
  const imports = findSection(mod, 2)!.imports;
  t.same(imports.map((i) => i.desc.kind), [4, 1, 3, 2], 'tag, table, global and memory imports');
  t.same(imports[3].desc, { kind: 2, memory: { limits: { flags: 5, min: 1n, max: 2n } } }, 'memory64 limits');
  t.same(findSection(mod, 5)!.memories[0].limits, { flags: 3, min: 2n, max: 3n }, 'shared memory limits');
  t.equal(findSection(mod, 13)!.tags.length, 1, 'one defined tag');
  t.same(findSection(mod, 4)!.tables.map((x) => x.type.elemType), [0x70, 0x6f], 'funcref and externref tables');
  t.equal(findSection(mod, 8)!.start, 1, 'start names $g2 (function 1: no function imports)');

  const globals = findSection(mod, 6)!.globals;
  t.equal(evalConstExpr(globals[0].init), 7, 'i32.const global evaluates');
  t.equal(evalConstExpr(globals[1].init), undefined, 'extended-const expression is not a simple constant');
  t.equal(globals[1].init.bytes.length, 6, 'extended-const expression kept whole: i32.const 1, global.get 0, i32.add, end');
  t.equal(globals[2].init.bytes.length, 1 + 1 + 16 + 1, 'v128.const kept whole');
  t.same(findSection(mod, 11)!.segments.map((d) => [d.flags, d.memoryIndex]), [[2, 1], [0, undefined], [1, undefined]], 'explicit, active and passive data');

  const names = findCustom(mod, 'name')!.subsections;
  t.same(names.find((s) => s.type === 1)?.names, new Map([[0, 'f'], [1, 'g2']]), 'function names');
  // wabt 1.0.32 numbers tag names 10 (the GC proposal's field names): decoded as a direct map.
  t.same(names.find((s) => s.type === 10)?.names, new Map([[0, 'ti'], [1, 'e']]), 'tag names (wabt numbering)');
  t.same(names.find((s) => s.type === 5)?.names, new Map([[1, 't1'], [2, 't2']]), 'table names');
  t.same(names.find((s) => s.type === 7)?.names?.get(3), 'gv', 'global names');
});

t.test('dylink.0 from wasm-ld-22 --experimental-pic -shared', async (t) => {
  const dir = tempDir('wasmthreads-dylink-', t);
  writeFileSync(join(dir, 'pic.c'), 'static char buf[100];\nchar *get(int i) { return buf + i; }\n');
  tool('clang-22', ['--target=wasm32', '-fPIC', '-O1', '-c', 'pic.c', '-o', 'pic.o'], dir);
  tool('wasm-ld-22', ['--experimental-pic', '-shared', 'pic.o', '-o', 'pic.so'], dir);
  const mod = roundTrips(t, new Uint8Array(readFileSync(join(dir, 'pic.so'))), 'pic.so');
  const dylink = findCustom(mod, 'dylink.0');
  t.ok(dylink, 'dylink.0 decoded');
  const dump = tool('wasm-objdump', ['-x', '-j', 'dylink.0', 'pic.so'], dir);
  const field = (name: string) => Number(new RegExp(`${name}\\s*:\\s*(\\d+)`).exec(dump)?.[1]);
  t.equal(dylink!.info.memorySize, field('mem_size'), 'mem_size matches wasm-objdump');
  t.equal(dylink!.info.memoryAlignment, field('mem_p2align'), 'mem_p2align matches wasm-objdump');
  t.equal(dylink!.info.tableSize, field('table_size'), 'table_size matches wasm-objdump');
});

t.test('forms no installed tool writes: table initializer, custom page size', async (t) => {
  const at = { offset: 0, contentOffset: 0 };
  const mod: WasmModule = {
    version: 1,
    sections: [
      { ...at, id: 1, types: [{ params: [], results: [] }] },
      { ...at, id: 3, functions: [0 as never] },
      {
        ...at,
        id: 4,
        tables: [{ type: { elemType: { nullable: true, heap: 0, heapIsIndex: true }, limits: { flags: 0, min: 1n } }, init: refFunc(0) }],
      },
      { ...at, id: 5, memories: [{ limits: { flags: 0x9, min: 1n, max: 4n, pageSizeLog2: 0 } }] },
      { ...at, id: 10, bodies: [{ bytes: Uint8Array.of(0x00, 0x0b), offset: 0, bytesOffset: 0 }] },
      { ...at, id: 11, segments: [{ flags: 0, offset: i32Const(-1), init: Uint8Array.of(1), initOffset: 0 }] },
    ],
  };
  const bytes = writeModule(mod);
  const back = roundTrips(t, bytes, 'hand.wasm');
  const table = findSection(back, 4)!.tables[0];
  t.same(table.type.elemType, { nullable: true, heap: 0, heapIsIndex: true }, '(ref null 0) element type');
  t.same([...table.init!.bytes], [0xd2, 0x00, 0x0b], 'initializer ref.func 0');
  t.same(findSection(back, 5)!.memories[0].limits, { flags: 0x9, min: 1n, max: 4n, pageSizeLog2: 0 }, 'custom page size');
  t.equal(evalConstExpr(findSection(back, 11)!.segments[0].offset!), -1, 'negative i32.const offset');
});

t.test('rawCustomRelocs: the reloc.* sections of custom sections come back raw, undecoded; the others are decoded', (t) => {
  const bytes = new Uint8Array(readFileSync(new URL('../fixtures/c/debug.o', import.meta.url)));
  const relocs = (m: WasmModule) => m.sections.flatMap((s) => (s.id === 0 && s.name.startsWith('reloc.') ? [`${s.name}:${s.custom}`] : []));
  const all = relocs(readModule(bytes, 'debug.o'));
  t.ok(all.includes('reloc..debug_info:reloc') && all.includes('reloc.CODE:reloc'), all.join(' '));
  const raw = readModule(bytes, 'debug.o', { rawCustomRelocs: true });
  t.same(relocs(raw), all.map((r) => (r.startsWith('reloc..debug_') ? r.replace(/:reloc$/, ':raw') : r)));
  // The raw payload starts at the target section index, as the decoded section's content does.
  const info = raw.sections.find((s) => s.id === 0 && s.name === 'reloc..debug_info');
  const target = raw.sections.findIndex((s) => s.id === 0 && s.name === '.debug_info');
  t.equal(info?.id === 0 && info.custom === 'raw' ? info.payload[0] : -1, target);
  t.end();
});
