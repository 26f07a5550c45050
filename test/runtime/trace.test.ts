// `run --trace FILE`: a Chrome trace-event JSON document with a track per thread — the thread's
// span, spawns (an instant and a flow arrow to the new thread), host calls, futex waits and wakes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { TraceEvent } from '../../src/runtime/trace.js';
import { runCli, WAT } from './run-helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

const DIST = '../../dist/index.js';
const { run } = (await import(DIST)) as typeof import('../../src/index.js');

const dir = tempDir('wasmthreads-trace-', t);

function load(file: string): TraceEvent[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[]; otherData: { droppedRecords: number } };
  if (doc.otherData.droppedRecords !== 0) throw new Error(`${doc.otherData.droppedRecords} records dropped`);
  return doc.traceEvents;
}

t.test('threads that finish: balanced spans, spawn arrows, futex waits and wakes', async (t) => {
  const file = join(dir, 'pingpong.json');
  const r = await run({ module: `${WAT}pingpong.wasm`, trace: file });
  t.equal(r.exitCode, 0, r.diagnostic?.message ?? 'exit 0');
  const events = load(file);
  t.equal(r.traceEvents, events.filter((e) => e.ph !== 'M').length, 'the result counts the events written');
  const tids = [...new Set(events.filter((e) => e.ph !== 'M').map((e) => e.tid))].sort();
  t.same(tids, [0, 1], 'a track per thread');
  for (const tid of tids) {
    const named = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.tid === tid);
    t.equal(named?.args?.name, tid === 0 ? 'main thread' : `thread ${tid}`);
    const own = events.filter((e) => e.tid === tid && e.ph !== 'M');
    t.ok(own.every((e, i) => i === 0 || e.ts >= own[i - 1].ts), `thread ${tid}: in time order`);
    // B/E nest properly.
    const stack: string[] = [];
    for (const e of own) {
      if (e.ph === 'B') stack.push(e.name);
      if (e.ph === 'E') t.equal(stack.pop(), e.name, `thread ${tid}: ${e.name} ends what began last`);
    }
    // Thread 1 may still be returning from wasi_thread_start when the main thread's proc_exit ends
    // the program: its own span may be open.
    if (tid === 0) t.same(stack, ['main thread', 'wasi_snapshot_preview1.proc_exit'], 'main thread: open spans at exit');
    else t.ok(stack.length === 0 || (stack.length === 1 && stack[0] === `thread ${tid}`), `thread ${tid}: at most its own span open at exit (${stack.join(', ')})`);
  }
  for (let child = 1; child <= 1; child++) {
    t.ok(events.some((e) => e.ph === 'i' && e.tid === 0 && e.name === `spawn thread ${child}`), `spawn of thread ${child} on the main track`);
    const from = events.find((e) => e.ph === 's' && e.id === child);
    const to = events.find((e) => e.ph === 'f' && e.id === child);
    t.equal(from?.tid, 0, 'arrow from the spawner');
    t.equal(to?.tid, child, 'to the new thread');
    t.ok(to && from && to.ts >= from.ts, 'forward in time');
  }
  const waits = events.filter((e) => e.name === 'memory.atomic.wait32' && e.ph === 'B');
  t.ok(waits.length > 0, `${waits.length} futex waits`);
  t.ok(waits.every((e) => e.args?.address === '0x00000100' || e.args?.address === '0x00000104'), 'on the turn or the done flag');
  t.ok(events.some((e) => e.name === 'memory.atomic.wait32' && e.ph === 'E' && e.args?.result === 'woken'), 'some were woken');
  t.ok(events.some((e) => e.name === 'memory.atomic.notify' && (e.args?.woken as number) >= 1), 'wakes that woke someone');
  t.ok(events.some((e) => e.name === 'wasi.thread-spawn' && e.cat === 'host call'), 'host calls by import name');
});

t.test('a deadlocked program: the file shows both threads stuck in their waits', async (t) => {
  const file = join(dir, 'deadlock.json');
  const r = await runCli(['run', '--trace', file, `${WAT}deadlock_mutex.wasm`]);
  t.equal(r.code, 142);
  const events = load(file);
  for (const [tid, address] of [[0, '0x00000104'], [1, '0x00000100']] as const) {
    const own = events.filter((e) => e.tid === tid && e.ph !== 'M');
    const last = own[own.length - 1];
    t.match(last, { ph: 'B', name: 'memory.atomic.wait32', args: { address, expected: 2 } }, `thread ${tid} ends in its wait`);
  }
  t.ok(events.some((e) => e.tid === 1 && e.name === 'wasi_snapshot_preview1.fd_write' && e.ph === 'E'), 'the thread\'s write');
});

t.test('a trace file that cannot be written is a usage error before the run', async (t) => {
  const r = await runCli(['run', '--trace', join(dir, 'no', 'such', 'dir', 't.json'), `${WAT}deadlock_mutex.wasm`]);
  t.equal(r.code, 2);
  t.equal(r.stdout.toString(), '', 'the program did not run');
  t.match(r.stderr, /^wasmthreads: error: .*t\.json: cannot write the trace file: no such file or directory\n$/);
});
