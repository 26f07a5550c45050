// The library entry `run()` from the built package (dist/index.js): results, diagnostics, and that
// 10 000 spawn/join cycles reuse a handful of workers instead of starting one per thread.

import { readFileSync } from 'node:fs';
import t from 'tap';
import { WAT } from './run-helpers.js';

// The built bundle, typed by its source (the path is a variable so tsc does not look for .d.ts).
const DIST = '../../dist/index.js';
const { run } = (await import(DIST)) as typeof import('../../src/index.js');

t.test('10 000 spawn/join cycles reuse pool workers and never grow memory', async (t) => {
  const r = await run({ module: `${WAT}cycles.wasm`, poolSize: 2 });
  // cycles.wat exits 3 if memory.size changed, 2 if a spawn failed.
  t.equal(r.exitCode, 0, r.diagnostic?.message ?? 'exit 0');
  t.ok(r.workersStarted <= 20, `${r.workersStarted} workers for 10 000 threads`);
});

t.test('a trap comes back as a diagnostic naming the thread', async (t) => {
  const r = await run({ module: `${WAT}trap.wasm` });
  t.equal(r.exitCode, 134);
  t.equal(r.exitTid, 1);
  t.match(r.diagnostic, { severity: 'error', code: 'trap', file: `${WAT}trap.wasm`, message: 'thread 1 trapped: unreachable' });
  t.match(r.diagnostic?.notes?.[0], /^at fail \(wasm:/);
});

t.test('unbounded recursion is a trap (call stack exhausted), its repeated frame written once', async (t) => {
  const r = await run({ module: `${WAT}recursion.wasm` });
  t.equal(r.exitCode, 134);
  t.match(r.diagnostic, { severity: 'error', code: 'trap', message: 'main thread trapped: call stack exhausted' });
  t.ok(r.diagnostic?.notes?.some((n: string) => / \(\d+ times\)$/.test(n) && n.includes('down')), `a collapsed frame of $down: ${r.diagnostic?.notes?.join(' | ')}`);
  t.ok((r.diagnostic?.notes?.length ?? 0) <= 4, 'a few lines, not one per frame');
});

t.test("a trap in the module's start function is a trap of the main thread", async (t) => {
  const r = await run({ module: `${WAT}start_trap.wasm` });
  t.equal(r.exitCode, 134);
  t.match(r.diagnostic, { code: 'trap', message: 'main thread trapped: unreachable' });
  t.match(r.diagnostic?.notes?.[0], /^at init \(wasm:/);
});

t.test('a host function imported with another type is refused before it runs, naming both types', async (t) => {
  await t.rejects(run({ module: `${WAT}import_type.wasm` }), {
    message: /import_type\.wasm: cannot instantiate: incompatible import type for `wasi_snapshot_preview1::proc_exit`: expected \(i32\) -> void, found \(i32\) -> i32/,
  });
  await t.rejects(run({ module: `${WAT}memory64.wasm` }), { message: /memory64\.wasm: cannot instantiate: its memory is 64-bit \(memory64, a wasm64 module\)/ });
});

t.test("a '_start' that takes or returns something is refused, naming its type", async (t) => {
  await t.rejects(run({ module: `${WAT}start_param.wasm` }), { message: /start_param\.wasm: its '_start' function has type \(i32\) -> void; a command's '_start' takes and returns nothing/ });
});

t.test('a module that is not wasm is rejected before any worker starts', async (t) => {
  await t.rejects(run({ module: 'bad.wasm', bytes: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }), { name: 'DecodeError', message: /bad\.wasm: not a WebAssembly file/ });
});

t.test('a missing import is reported with the import name, what the host gives, and exit 1', async (t) => {
  const r = await run({ module: `${WAT}spawn.wasm`, wasi: false });
  t.equal(r.exitCode, 1);
  t.match(r.diagnostic?.message, /^cannot instantiate: unknown import: wasi_snapshot_preview1::\w+ \(function\) has not been defined \(this host gives this module wasi, foo::bar\)$/);
  const unknownCall = await run({ module: `${WAT}spawn.wasm`, bytes: wasiImport('no_such_call') });
  t.equal(unknownCall.exitCode, 1);
  t.equal(unknownCall.diagnostic?.message, 'cannot instantiate: unknown import: wasi_snapshot_preview1::no_such_call (function) has not been defined (not part of wasi_snapshot_preview1 as this host implements it)');
});

/** A module whose only import is the function `name` from wasi_snapshot_preview1 (type () -> ()), with a memory and _start. */
function wasiImport(name: string): Uint8Array {
  const str = (s: string): number[] => [s.length, ...Buffer.from(s)];
  const section = (id: number, body: number[]): number[] => [id, body.length, ...body];
  return new Uint8Array([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 0, 0]),
    ...section(2, [1, ...str('wasi_snapshot_preview1'), ...str(name), 0, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0, 1]),
    ...section(7, [1, ...str('_start'), 0, 1]),
    ...section(10, [1, 4, 0, 0x10, 0, 0x0b]),
  ]);
}

t.test('a single-threaded module that imports a memory it does not share runs', async (t) => {
  let out = '';
  const r = await run({ module: `${WAT}unshared_memory.wasm`, stdout: (d: Uint8Array) => (out += Buffer.from(d).toString()) });
  t.equal(r.exitCode, 7, r.diagnostic?.message ?? 'exit 7: the memory grew');
  t.equal(out, 'unshared memory\n');
});

t.test('a module whose own memory is not shared can grow it between WASI calls', async (t) => {
  let out = '';
  const r = await run({ module: `${WAT}grow_unshared.wasm`, stdout: (d: Uint8Array) => (out += Buffer.from(d).toString()) });
  t.equal(r.exitCode, 0, r.diagnostic?.message ?? 'exit 0');
  t.equal(out, 'line\nline\n');
});

t.test('a WASI call from a module without a memory to read is one clear error', async (t) => {
  const r = await run({ module: `${WAT}no_memory_export.wasm` });
  t.equal(r.exitCode, 1);
  t.equal(r.diagnostic?.message, "a host call needs the module's memory, but the module neither imports a memory nor exports one named 'memory'");
});

t.test('a relocatable object given as the module is named as one, with how to link it', async (t) => {
  const bytes = new Uint8Array(readFileSync(new URL('../fixtures/c/hello.o', import.meta.url)));
  await t.rejects(run({ module: 'hello.wasm', bytes }), { message: /hello\.wasm: a relocatable object \(it has a linking section\), not a linked module/ });
});

t.test('nothing keeps Node alive after run() resolves, even a guest read pending on stdin', async (t) => {
  // A child process calls run() on a guest whose thread is blocked reading stdin (an open pipe that
  // never delivers data) and must then end by itself, without process.exit.
  const { spawn } = await import('node:child_process');
  const script = `const { run } = await import(${JSON.stringify(new URL(DIST, import.meta.url).href)});
    const r = await run({ module: ${JSON.stringify(`${WAT}exit_main_wasi_read.wasm`)} });
    console.log('exit', r.exitCode);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(killer);
  child.stdin.destroy();
  t.equal(code, 0, 'the process ended on its own');
  t.equal(out, 'exit 99\n');
});

const { Readable, Writable } = await import('node:stream');
const WASI_FIXTURES = new URL('../fixtures/wasi/', import.meta.url).pathname;

t.test('the module can be given as bytes, the environment as an object', async (t) => {
  const r = await run({ module: readFileSync(`${WAT}spawn.wasm`), name: 'spawn-from-bytes', env: { A: '1' } });
  t.equal(r.exitCode, 22);
  const bad = await run({ module: readFileSync(`${WAT}trap.wasm`), name: 'named.wasm' });
  t.equal(bad.diagnostic?.file, 'named.wasm', 'messages use the given name');
});

t.test('guest output can be captured: every write whole, each thread in its own order', async (t) => {
  const chunks: string[] = [];
  const r = await run({ module: `${WASI_FIXTURES}print8.wasm`, stdout: (data) => chunks.push(Buffer.from(data).toString()) });
  t.equal(r.exitCode, 0, r.diagnostic?.message ?? 'exit 0');
  t.equal(chunks.length, 80_000, 'one chunk per fd_write');
  const next = new Map<string, number>();
  let bad = 0;
  for (const c of chunks) {
    const m = /^t(\d) (\d{5})\n$/.exec(c);
    if (!m || Number(m[2]) !== (next.get(m[1]) ?? 0)) bad++;
    else next.set(m[1], Number(m[2]) + 1);
  }
  t.equal(bad, 0, 'no torn or reordered line');
  t.equal(next.size, 8);
});

t.test('stdin from a buffer or a stream, stdout into a Writable', async (t) => {
  for (const stdin of ['from a string\n', new TextEncoder().encode('from bytes\n'), Readable.from(['from ', 'a stream\n'])]) {
    let out = '';
    const sink = new Writable({ write(chunk, _enc, done) { out += chunk; done(); } });
    const r = await run({ module: `${WASI_FIXTURES}poll-read.wasm`, args: ['5000'], stdin, stdout: sink });
    t.equal(r.exitCode, 0, r.diagnostic?.message ?? 'end of file reached');
    // poll-read.c prints "read N: <the N bytes>\n" per read, then "eof\n".
    let got = '';
    let rest = out;
    for (let m = /^read (\d+): /.exec(rest); m; m = /^read (\d+): /.exec(rest)) {
      got += rest.slice(m[0].length, m[0].length + Number(m[1]));
      rest = rest.slice(m[0].length + Number(m[1]) + 1);
    }
    t.equal(rest, 'eof\n', 'end of file after the input');
    t.equal(got, typeof stdin === 'string' ? stdin : stdin instanceof Uint8Array ? 'from bytes\n' : 'from a stream\n');
  }
});

t.test('a timeout ends every thread and resolves with 124', async (t) => {
  const started = performance.now();
  const r = await run({ module: `${WAT}forever.wasm`, timeout: 300, deadlockCheck: false });
  t.equal(r.exitCode, 124);
  t.match(r.diagnostic, { code: 'timeout', message: /run cancelled: timed out after 300 ms/ });
  t.ok(performance.now() - started < 30_000, 'it did end');
});

t.test('an AbortSignal ends the run and rejects with its reason', async (t) => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('user pressed stop')), 300);
  await t.rejects(run({ module: `${WAT}forever.wasm`, signal: controller.signal, deadlockCheck: false }), { message: 'user pressed stop' });
  await t.rejects(run({ module: `${WAT}forever.wasm`, signal: AbortSignal.abort(new Error("already")), deadlockCheck: false }), { message: 'already' });
});

t.test('several runs in one process at once', async (t) => {
  const rs = await Promise.all([run({ module: `${WAT}spawn.wasm` }), run({ module: `${WAT}nested.wasm` }), run({ module: `${WAT}spawn.wasm` })]);
  t.same(rs.map((r) => r.exitCode), [22, 7, 22]);
});

t.test('bad options are one clear error naming the option', async (t) => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ module: 42 }, /run: option 'module' must be a path or the module's bytes/],
    [{ module: 'x.wasm', env: 'A=1' }, /run: option 'env' must be an object of strings or \[name, value\] pairs/],
    [{ module: 'x.wasm', maxThread: 3 }, /run: unknown option 'maxThread' \(did you mean 'maxThreads'\?\)/],
    [{ module: 'x.wasm', maxThreads: '8' }, /run: option 'maxThreads' must be an integer, got the string "8"/],
    [{ module: 'x.wasm', stdout: 1 }, /run: option 'stdout' must be 'inherit', a function or a Writable stream/],
    [{ module: WAT }, /cannot read module: is a directory, not a module/],
  ];
  for (const [options, message] of cases) await t.rejects(run(options as never), { message }, JSON.stringify(options));
  const { link } = (await import(DIST)) as typeof import('../../src/index.js');
  t.throws(() => link({ inputs: [], importMemory: 'yes' } as never), { message: /link: option 'importMemory' must be true, false or \{ module, name \}/ });
  t.throws(() => link({ inputs: [], sharedMemroy: true } as never), { message: /link: unknown option 'sharedMemroy' \(did you mean 'sharedMemory'\?\)/ });
  t.throws(() => link({ inputs: [42] } as never), { message: /link: inputs\[0\] must be a path/ });
});

t.test('the shipped wasi-threads example prints from four threads', async (t) => {
  let out = '';
  const r = await run({ module: new URL('../../examples/wasi-threads.wasm', import.meta.url).pathname, stdout: (d) => (out += Buffer.from(d)) });
  t.equal(r.exitCode, 0);
  t.same(out.trim().split('\n').sort(), [1, 2, 3, 4].map((i) => `hello from thread ${i}`));
});
