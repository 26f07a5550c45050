// `run --trace FILE`: what every thread did, as Chrome trace-event JSON (opens in Perfetto and
// chrome://tracing). Workers record into one SharedArrayBuffer — a fixed area of records per slot,
// written only by that slot's worker — so nothing is lost when the supervisor terminates them at
// exit; the supervisor renders the file afterwards. A record is six float64s:
//   [timestamp ms (shared clock), RecordKind, wasm thread id, name code, a, b]
// Name codes ≥ 0 are import indices (`WebAssembly.Module.imports` order); the negative ones are
// in TraceName. A slot whose area is full drops further records and counts them; the file says
// how many were dropped.
//
// Off, none of this exists: no buffer, no wrapper, no clock read (the worker's call paths test
// `tracer` once when the import object is built, not per call).

import { sharedClockMs } from './exit-trace.js';

export const RecordKind = { BEGIN: 1, END: 2, INSTANT: 3, FLOW_START: 4, FLOW_END: 5 } as const;
export const TraceName = { THREAD: -1, WAIT32: -2, WAIT64: -3, WAKE: -4, SPAWN: -5 } as const;

const RECORD_DOUBLES = 6;
const RECORD_BYTES = RECORD_DOUBLES * 8;
/** Most bytes all slots' areas take together; each slot gets an equal share, at most SLOT_MAX. */
const TOTAL_BYTES = 64 << 20;
const SLOT_MAX_RECORDS = 1 << 16;

export interface TraceBuffers {
  /** Per slot: [records written, records dropped]. */
  counts: SharedArrayBuffer;
  records: SharedArrayBuffer;
  perSlot: number;
}

export function allocateTrace(slotCount: number): TraceBuffers {
  const perSlot = Math.max(256, Math.min(SLOT_MAX_RECORDS, Math.floor(TOTAL_BYTES / RECORD_BYTES / slotCount)));
  return { counts: new SharedArrayBuffer(slotCount * 8), records: new SharedArrayBuffer(slotCount * perSlot * RECORD_BYTES), perSlot };
}

/** One worker's writer. */
export class Tracer {
  private readonly counts: Int32Array;
  private readonly records: Float64Array;
  private readonly cap: number;

  constructor(buffers: TraceBuffers, private readonly slot: number) {
    this.counts = new Int32Array(buffers.counts);
    this.records = new Float64Array(buffers.records, slot * buffers.perSlot * RECORD_BYTES, buffers.perSlot * RECORD_DOUBLES);
    this.cap = buffers.perSlot;
  }

  record(kind: number, tid: number, name: number, a = 0, b = 0): void {
    const n = this.counts[this.slot * 2];
    if (n >= this.cap) {
      this.counts[this.slot * 2 + 1]++;
      return;
    }
    const at = n * RECORD_DOUBLES;
    const r = this.records;
    r[at] = sharedClockMs();
    r[at + 1] = kind;
    r[at + 2] = tid;
    r[at + 3] = name;
    r[at + 4] = a;
    r[at + 5] = b;
    Atomics.store(this.counts, this.slot * 2, n + 1);
  }
}

/** The spawner's side of a spawn: an instant on its track and the start of an arrow to the new thread. */
export function traceSpawn(tracer: Tracer, tid: number, child: number): void {
  tracer.record(RecordKind.INSTANT, tid, TraceName.SPAWN, child);
  tracer.record(RecordKind.FLOW_START, tid, TraceName.SPAWN, child);
}

/** One event of the written file (Chrome trace-event format). */
export interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  id?: number;
  bp?: string;
  s?: string;
  args?: Record<string, unknown>;
}

/** A guest address (or any 32-bit word) as the trace and the deadlock report print it. */
export const hex32 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
const WAIT_RESULTS = ['woken', 'not-equal', 'timed-out'];
const SPECIAL: Record<number, { name: string; cat: string }> = {
  [TraceName.THREAD]: { name: 'thread', cat: 'thread' },
  [TraceName.WAIT32]: { name: 'memory.atomic.wait32', cat: 'futex' },
  [TraceName.WAIT64]: { name: 'memory.atomic.wait64', cat: 'futex' },
  [TraceName.WAKE]: { name: 'memory.atomic.notify', cat: 'futex' },
  [TraceName.SPAWN]: { name: 'spawn', cat: 'thread' },
};

/**
 * Writes the recorded events as a trace-event JSON document through `write`, slot by slot (each
 * thread's events are in order; viewers sort across threads themselves). Returns the number of
 * events written and of records dropped.
 */
export function writeTrace(buffers: TraceBuffers, slotCount: number, importNames: string[], origin: number, file: string, write: (chunk: string) => void): { events: number; dropped: number } {
  const counts = new Int32Array(buffers.counts);
  const all = new Float64Array(buffers.records);
  const tids = new Set<number>();
  let dropped = 0;
  let events = 0;
  write('{"traceEvents":[\n');
  write(JSON.stringify({ name: 'process_name', ph: 'M', ts: 0, pid: 1, tid: 0, args: { name: `wasmthreads ${file}` } }));
  for (let slot = 0; slot < slotCount; slot++) {
    const n = Atomics.load(counts, slot * 2);
    dropped += Atomics.load(counts, slot * 2 + 1);
    const base = slot * buffers.perSlot * RECORD_DOUBLES;
    const chunk: string[] = [];
    for (let i = 0; i < n; i++) {
      const at = base + i * RECORD_DOUBLES;
      const e = toEvent(all.subarray(at, at + RECORD_DOUBLES), importNames, origin);
      tids.add(e.tid);
      chunk.push(JSON.stringify(e));
    }
    if (chunk.length > 0) write(',\n' + chunk.join(',\n'));
    events += n;
  }
  for (const tid of [...tids].sort((x, y) => x - y)) {
    write(',\n' + JSON.stringify({ name: 'thread_name', ph: 'M', ts: 0, pid: 1, tid, args: { name: threadName(tid) } }));
    write(',\n' + JSON.stringify({ name: 'thread_sort_index', ph: 'M', ts: 0, pid: 1, tid, args: { sort_index: tid } }));
  }
  write(`\n],"displayTimeUnit":"ms","otherData":${JSON.stringify({ file, droppedRecords: dropped })}}\n`);
  return { events, dropped };
}

const threadName = (tid: number): string => (tid === 0 ? 'main thread' : `thread ${tid}`);

function toEvent(r: Float64Array, importNames: string[], origin: number): TraceEvent {
  const [t, kind, tid, code, a, b] = r;
  const ts = Math.round((t - origin) * 1e6) / 1e3;
  const special = SPECIAL[code];
  const e: TraceEvent = {
    name: code >= 0 ? (importNames[code] ?? `import ${code}`) : (special?.name ?? `event ${code}`),
    cat: code >= 0 ? 'host call' : (special?.cat ?? 'other'),
    ph: 'i', ts, pid: 1, tid,
  };
  const isWait = code === TraceName.WAIT32 || code === TraceName.WAIT64;
  switch (kind) {
    case RecordKind.BEGIN:
    case RecordKind.END:
      e.ph = kind === RecordKind.BEGIN ? 'B' : 'E';
      if (code === TraceName.THREAD) e.name = threadName(tid);
      if (isWait) e.args = kind === RecordKind.BEGIN ? { address: hex32(a), expected: b } : { result: WAIT_RESULTS[b] ?? b };
      break;
    case RecordKind.INSTANT:
      e.s = 't';
      if (code === TraceName.WAKE) e.args = { address: hex32(a), woken: b };
      if (code === TraceName.SPAWN) {
        e.name = `spawn ${threadName(a)}`;
        e.args = { thread: a };
      }
      break;
    case RecordKind.FLOW_START:
    case RecordKind.FLOW_END:
      e.ph = kind === RecordKind.FLOW_START ? 's' : 'f';
      e.name = 'spawn';
      e.cat = 'thread';
      e.id = a;
      if (kind === RecordKind.FLOW_END) e.bp = 'e';
      break;
  }
  return e;
}
