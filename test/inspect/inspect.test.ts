// inspect on committed fixtures: JSON and text snapshots (regenerate with TAP_SNAPSHOT=1 and
// review), plus the facts the snapshots must contain checked by hand, and the CLI's errors.

import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect, formatReport, type ModuleReport } from '../../src/inspect/index.js';
import { main } from '../../src/cli/main.js';
import { tempDir } from '../helpers/temp-dir.js';

const DIR = fileURLToPath(new URL('../fixtures/wat/inspect/', import.meta.url));
const FIXTURES = ['all-opcodes.wasm', 'tls-user.o', 'tls-user-mvp.o', 'tls-user.wasm', 'wasi-threads.wasm', 'emscripten-like.wasm', 'single-threaded.wasm'];

function report(name: string, disassemble = false): ModuleReport {
  const r = inspect(readFileSync(join(DIR, name)), name, { disassemble });
  if (r.kind === 'archive') throw new Error('unexpected archive');
  return r;
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

for (const name of FIXTURES) {
  t.test(`snapshot: ${name}`, async (t) => {
    const r = report(name);
    t.matchSnapshot(JSON.stringify(r, null, 2), 'json');
    t.matchSnapshot(formatReport(r), 'text');
  });
}

t.test('TLS layout of an object: segments by flag, relocations and __tls_base users', async (t) => {
  const r = report('tls-user.o');
  t.same(r.tls.segments.map((s) => [s.name, s.size, s.alignment, s.reason]), [
    ['.tdata.counter', 4, 4, 'flag'],
    ['.tbss.zeroed', 16, 16, 'flag'],
    ['.tbss.aligned_slot', 8, 64, 'flag'],
  ]);
  t.same(r.tls.symbols, ['counter', 'zeroed', 'aligned_slot', 'elsewhere']);
  t.same(r.tls.users.map((u) => u.name), ['bump', 'scratch', 'slot', 'peek_elsewhere']);
  t.ok(r.tls.users.every((u) => u.via.includes('R_WASM_MEMORY_ADDR_TLS_SLEB') && u.via.includes('global.get __tls_base')));
  t.equal(r.threadAbi.abi, 'link-time');
  t.equal(r.threadAbi.object?.sharedMemory, 'compatible');
  t.equal(r.threadAbi.object?.atomicInstructions, 1);
});

t.test('an object compiled without atomics: -shared-mem, TLS lowered away', async (t) => {
  const r = report('tls-user-mvp.o');
  t.equal(r.tls.segments.length, 0);
  t.equal(r.threadAbi.object?.disallowsSharedMemory, true);
  t.equal(r.threadAbi.object?.sharedMemory, 'incompatible');
});

t.test('TLS layout of a module linked by wasm-ld-22 with --shared-memory', async (t) => {
  const r = report('tls-user.wasm');
  // counter 4 + zeroed 16 + aligned_slot 8 at 64-byte alignment + elsewhere 4 (wasm-ld lays out .tdata).
  t.equal(r.tls.tlsAlign, 64);
  t.equal(r.tls.tlsSize, r.tls.segments[0]?.size);
  t.equal(r.tls.tlsBase?.mutable, true);
  t.equal(r.tls.initTls?.exported, true);
  t.ok(r.tls.users.some((u) => u.name === '__wasm_init_tls' && u.via.includes('global.set __tls_base')));
  t.ok(r.tls.users.some((u) => u.name === 'bump' && u.via.includes('global.get __tls_base')));
  t.equal(r.threadAbi.abi, 'host-managed');
  t.same(r.memories.map((m) => [m.shared, m.max]), [[true, 2]]);
});

t.test('thread ABI of WAT modules', async (t) => {
  t.equal(report('wasi-threads.wasm').threadAbi.abi, 'wasi-threads');
  t.equal(report('emscripten-like.wasm').threadAbi.abi, 'emscripten');
  t.equal(report('single-threaded.wasm').threadAbi.abi, 'single-threaded');
  t.same(report('single-threaded.wasm').globals[0], { index: 0, type: 'i32', mutable: true, init: 'i32.const 1024', value: 1024 });
});

t.test('cli: text, --section, --json, --disassemble', async (t) => {
  const file = join(DIR, 'tls-user.wasm');
  const text = await cli(['inspect', '--section', 'thread-abi', file]);
  t.equal(text.code, 0);
  t.match(text.out, /thread ABI:\n  host-managed/);
  t.notMatch(text.out, /sections:/);
  const json = await cli(['inspect', '--json', file]);
  t.equal(JSON.parse(json.out).tls.tlsAlign, 64);
  const dis = await cli(['inspect', '-d', '--section', 'code', file]);
  t.match(dis.out, /func\[\d+\] <__wasm_init_tls>:/);
  t.match(dis.out, /memory\.init 0 0/);
});

t.test('cli: bad input gives one clear error and a non-zero exit', async (t) => {
  const dir = tempDir('wt-inspect-');
  const missing = await cli(['inspect', join(dir, 'nope.wasm')]);
  t.equal(missing.code, 1);
  t.match(missing.err, /nope\.wasm: no such file or directory/);
  const bytes = readFileSync(join(DIR, 'tls-user.o'));
  const truncated = join(dir, 'truncated.o');
  writeFileSync(truncated, bytes.subarray(0, 200));
  const bad = await cli(['inspect', truncated]);
  t.equal(bad.code, 1);
  t.match(bad.err, /^wasmthreads: error: .*truncated\.o: .*\(at offset 0x[0-9a-f]+\)\n$/);
  const notWasm = join(dir, 'text.txt');
  writeFileSync(notWasm, 'hello');
  t.match((await cli(['inspect', notWasm])).err, /text\.txt: not a WebAssembly module, object or archive/);
  const flag = await cli(['inspect', '--bogus', notWasm]);
  t.equal(flag.code, 2);
  t.match(flag.err, /unknown option: --bogus/);
  const section = await cli(['inspect', '--section', 'nope', notWasm]);
  t.equal(section.code, 2);
  t.match(section.err, /unknown --section 'nope'/);
  t.equal((await cli(['inspect'])).code, 2);
});
