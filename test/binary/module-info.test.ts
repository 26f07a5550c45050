// module-info accessors and const-expr helpers on a real object compiled here by clang-22
// (an imported function, a defined one, a TLS variable, a constructor): index spaces count imports
// first, undefined symbols take their import's field as name, and the builders' expressions
// evaluate back to their values.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { evalConstExpr, globalGet, i32Const, i64Const } from '../../src/binary/const-expr.js';
import {
  functionCount,
  functionType,
  importsOfKind,
  indexSpaceSizes,
  initFuncs,
  isRelocatable,
  isTlsSymbol,
  segmentInfo,
  symbolName,
  symbolTable,
} from '../../src/binary/module-info.js';
import { readModule } from '../../src/binary/read-module.js';
import { ExternalKind, SegmentFlag } from '../../src/binary/types.js';
import { tempDir } from '../helpers/temp-dir.js';

const SOURCE = `
extern long long ext(int);
_Thread_local int counter = 5;
long long call(int x) { counter += x; return ext(counter); }
__attribute__((constructor(101))) static void init(void) { counter = 9; }
`;

t.test('accessors over a clang-22 object', async (t) => {
  const dir = tempDir('wasmthreads-info-', t);
  writeFileSync(join(dir, 'a.c'), SOURCE);
  execFileSync('clang-22', ['--target=wasm32', '-matomics', '-mbulk-memory', '-O1', '-c', 'a.c', '-o', 'a.o'], { cwd: dir, timeout: 60_000 });
  const mod = readModule(new Uint8Array(readFileSync(join(dir, 'a.o'))), 'a.o');

  t.ok(isRelocatable(mod), 'an object has a linking section');
  const funcImports = importsOfKind(mod, ExternalKind.Func);
  t.same(funcImports.map((i) => i.name), ['ext'], 'the one imported function');
  const sizes = indexSpaceSizes(mod);
  t.equal(sizes.importedFuncs, 1);
  t.equal(functionCount(mod), sizes.funcs);
  t.ok(sizes.funcs >= 3, 'imports first, then call and init');
  t.same(functionType(mod, 0), { params: [0x7f], results: [0x7e] }, 'type of the import: (i32) -> i64');
  t.equal(functionType(mod, sizes.funcs), undefined, 'out of range');

  const syms = symbolTable(mod);
  const names = syms.map((s) => symbolName(mod, s));
  t.ok(names.includes('ext'), 'undefined function symbol named by its import field');
  t.ok(names.includes('call'));
  const counter = syms.find((s) => symbolName(mod, s) === 'counter')!;
  t.ok(isTlsSymbol(counter), 'counter is a TLS symbol');
  const tdata = segmentInfo(mod).find((s) => s.name.startsWith('.tdata'));
  t.ok(tdata && tdata.flags & SegmentFlag.TLS, '.tdata segment carries the TLS flag');
  t.same(initFuncs(mod).map((f) => f.priority), [101], 'constructor priority');
  t.equal(symbolName(mod, syms[initFuncs(mod)[0].symbol]), 'init');
});

t.test('const-expr builders evaluate back', async (t) => {
  t.same([...i32Const(-1).bytes], [0x41, 0x7f, 0x0b]);
  t.equal(evalConstExpr(i32Const(1024)), 1024);
  t.equal(evalConstExpr(i32Const(-0x80000000)), -0x80000000);
  t.equal(evalConstExpr(i64Const(-(1n << 63n))), -(1n << 63n));
  t.same(evalConstExpr(globalGet(3)), { global: 3 });
  t.equal(evalConstExpr({ bytes: Uint8Array.of(0x41, 0x80) }), undefined, 'truncated expression gives up');
  t.equal(evalConstExpr({ bytes: Uint8Array.of(0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b) }), undefined, 'extended-const is not simple');
});
