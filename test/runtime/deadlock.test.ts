// The deadlock watchdog and the futex rewrite behind it: real deadlocks end with exit 142 and a
// report naming each thread's wait; programs that block a lot but are never stuck (contended
// mutexes, timed waits, a thread reading stdin) are never reported; the rewritten futex
// instructions behave exactly as the originals, traps and their offsets included.

import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { readModule } from '../../src/binary/read-module.js';
import { findSection } from '../../src/binary/types.js';
import { FUTEX_TABLE_EXPORT, rewriteFutexes } from '../../src/runtime/futex-rewrite.js';
import { WATCHDOG_INTERVAL_MS } from '../../src/runtime/watchdog.js';
import { CONCURRENT_RUNS, createLimiter, runCli, WAT } from './run-helpers.js';

const DIST = '../../dist/index.js';
const { run } = (await import(DIST)) as typeof import('../../src/index.js');

const REPORT_HEAD = /deadlock: every thread is blocked and none can wake another \(2 threads\)/;

t.test('a two-lock deadlock between futex mutexes exits 142 and names both waits', async (t) => {
  const r = await runCli(['run', `${WAT}deadlock_mutex.wasm`]);
  t.equal(r.code, 142, r.stderr);
  t.equal(r.stdout.toString(), 'main holds A\nthread holds B\n');
  t.match(r.stderr, REPORT_HEAD);
  t.match(r.stderr, /\n>>> main thread: memory\.atomic\.wait32 on 0x00000104 \(expects 2\) for \d+\.\d\d s; last host call: wasi\.thread-spawn\n/);
  t.match(r.stderr, /\n>>> thread 1: memory\.atomic\.wait32 on 0x00000100 \(expects 2\) for \d+\.\d\d s; last host call: wasi_snapshot_preview1\.fd_write\n/);
  // The watchdog dates each wait from the first look that saw it, and reports only a verdict two
  // looks (WATCHDOG_INTERVAL_MS apart) agree on: every wait has lasted at least one interval
  // (less 10 ms for the timers' and the clock's millisecond steps).
  for (const [, seconds] of r.stderr.matchAll(/ for (\d+\.\d\d) s;/g)) t.ok(Number(seconds) >= (WATCHDOG_INTERVAL_MS - 10) / 1000, `waited ${seconds} s, at least one interval`);
  // Each thread's line is followed by its wasm stack: both are stuck in the guest's `lock`.
  t.match(r.stderr, /\n>>> main thread: [^\n]*\n>>> {3}at lock \(wasm-function\[2\]:0xbf\)\n>>> {3}at wasm-function\[7\]:0x156\n/);
  t.match(r.stderr, /\n>>> thread 1: [^\n]*\n>>> {3}at lock \(wasm-function\[2\]:0xbf\)\n>>> {3}at wasm-function\[6\]:0x131\n$/);
});

t.test('threads waiting forever on a futex nobody wakes', async (t) => {
  const r = await run({ module: `${WAT}forever.wasm` });
  t.equal(r.exitCode, 142);
  t.equal(r.exitTid, -1, 'the host ended it');
  t.match(r.diagnostic, { code: 'deadlock', message: REPORT_HEAD });
  const notes = r.diagnostic?.notes ?? [];
  t.match(notes.filter((n) => !n.startsWith('  at ')), [/^main thread: memory\.atomic\.wait32 on 0x00000000 \(expects 0\)/, /^thread 1: memory\.atomic\.wait32 on 0x00000000/]);
  t.ok(notes.some((n) => /^ {2}at forever \(wasm-function\[\d+\]:0x[0-9a-f]+\)$/.test(n)), 'the stacks name the function they wait in');
});

t.test('host-managed: joining a thread that waits forever', async (t) => {
  const r = await run({ module: `${WAT}hm_join_deadlock.wasm` });
  t.equal(r.exitCode, 142);
  t.match(r.diagnostic?.notes, [/^main thread: thread_join\(1\) for .*last host call: wasmthreads\.thread_join$/, /^ {2}at wasm-function\[3\]:0x/, /^thread 1: memory\.atomic\.wait32 on 0x00000040/, /^ {2}at worker \(wasm-function\[2\]:0x/]);
});

t.test('--no-deadlock-check: the same program runs until stopped', async (t) => {
  const r = await run({ module: `${WAT}forever.wasm`, deadlockCheck: false, timeout: 1500 });
  t.equal(r.exitCode, 124, 'the timeout ended it, not the watchdog');
});

t.test('never a deadlock: timed waits, a thread reading stdin', async (t) => {
  const timed = await run({ module: `${WAT}waits_timed.wasm`, timeout: 2000 });
  t.equal(timed.exitCode, 124, `a timed wait can always end: ${timed.diagnostic?.message}`);
  const input = new PassThrough();
  const reading = await run({ module: `${WAT}stdin_wait.wasm`, stdin: input, timeout: 2000 });
  t.equal(reading.exitCode, 124, `pending input may wake it: ${reading.diagnostic?.message}`);
  const fed = new PassThrough();
  setTimeout(() => fed.write('x'), 1200);
  const woken = await run({ module: `${WAT}stdin_wait.wasm`, stdin: fed, timeout: 20_000 });
  t.equal(woken.exitCode, 0, 'and input does wake it');
});

t.test('never a deadlock: contended futex mutexes, many runs', async (t) => {
  const limit = createLimiter(CONCURRENT_RUNS);
  const runs = await Promise.all(Array.from({ length: 8 }, () => limit(() => runCli(['run', `${WAT}contended.wasm`]))));
  for (const r of runs) {
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stderr, '');
  }
});

t.test('rewritten futex instructions behave as the originals', async (t) => {
  const plain = await run({ module: `${WAT}wait_offsets.wasm`, deadlockCheck: false });
  const hooked = await run({ module: `${WAT}wait_offsets.wasm` });
  t.equal(plain.exitCode, 0, `original: ${plain.diagnostic?.message}`);
  t.equal(hooked.exitCode, 0, `rewritten: check ${hooked.exitCode} failed`);
  for (const arg of ['oob', 'big', 'unaligned']) {
    const a = await run({ module: `${WAT}wait_offsets.wasm`, args: [arg], deadlockCheck: false });
    const b = await run({ module: `${WAT}wait_offsets.wasm`, args: [arg] });
    t.equal(b.exitCode, 134, arg);
    t.equal(b.diagnostic?.message, a.diagnostic?.message, `${arg}: the same trap`);
    const frames = (d: typeof a.diagnostic): string[] => (d?.notes ?? []).map((l) => l.replace(/wasm:\/\/wasm\/[0-9a-f]+/, 'wasm://wasm/M'));
    t.same(frames(b.diagnostic), frames(a.diagnostic), `${arg}: the same frames, at the file's offsets`);
    t.ok(frames(a.diagnostic).length > 0, 'there is a frame');
  }
});

t.test('the rewrite keeps every body and instruction offset, and adds only what it says', async (t) => {
  const bytes = new Uint8Array(readFileSync(`${WAT}wait_offsets.wasm`));
  const mod = readModule(bytes);
  const out = rewriteFutexes(mod, bytes);
  if (typeof out !== 'object') return t.fail(`not rewritten: ${out}`);
  t.ok(WebAssembly.validate(out.bytes), 'valid');
  const before = findSection(mod, 10)!.bodies;
  const after = findSection(readModule(out.bytes), 10)!.bodies;
  t.equal(out.sites, 10, 'six wait32, two wait64, two notify');
  t.equal(after.length, before.length + 10, 'one wrapper per (instruction, offset); no two sites share one here');
  t.equal(out.firstWrapper, before.length + 3, 'wrappers come after the three imports and the body');
  before.forEach((b, i) => {
    t.equal(after[i].bytes.length, b.bytes.length, `body ${i} keeps its size`);
    t.equal(after[i].bytesOffset - b.bytesOffset, out.codeShift, `body ${i} moved by codeShift`);
  });
  const exports = WebAssembly.Module.exports(new WebAssembly.Module(out.bytes)).map((e) => `${e.name}:${e.kind}`);
  t.same(exports, [...WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => `${e.name}:${e.kind}`), `${FUTEX_TABLE_EXPORT}:table`]);
  t.equal(rewriteFutexes(readModule(readFileSync(`${WAT}noop.wasm`)), readFileSync(`${WAT}noop.wasm`)), undefined, 'nothing to rewrite');
});
