// The starter (src/runtime/starter-module.ts): a pool worker's wait-and-start in wasm. It must
// wait as thread-worker.ts does, start the thread with the slot's TID and ARG, and make exactly the
// isolation check tls.ts makes — leaving to JavaScript every case where tls.ts would find an
// overlap (which it re-checks and reports), and never starting a thread whose blocks overlap.

import t, { type Test } from 'tap';
import { Worker } from 'node:worker_threads';
import { writeModule } from '../../src/binary/write-module.js';
import { ExternalKind, SectionId, ValTypeCode, type TypeIndex } from '../../src/binary/types.js';
import { CONTROL_MEMORY_IMPORT, GUEST_MEMORY_IMPORT, START_ARG_READ, StartResult, STARTER_RUN, STARTER_START, STARTER_TABLE, WRAPPED_MODULE } from '../../src/runtime/host-module-names.js';
import { ControlBlock, SlotField, SlotState, Word, type ControlBuffers } from '../../src/runtime/control-block.js';
import { startArgReaderBytes, starterModuleBytes, type StartCheck } from '../../src/runtime/starter-module.js';
import { blocksFromStartArg, findOverlap, recordBlocks, type StaticLayout } from '../../src/runtime/tls.js';

const { i32 } = ValTypeCode;
const at = { offset: 0, contentOffset: 0 };

/** A guest instance exporting `wasi_thread_start` with this body and params, and its own memory. */
function guest(body: number[], params: number[]): WebAssembly.Exports {
  return new WebAssembly.Instance(new WebAssembly.Module(writeModule({
    version: 1,
    sections: [
      { id: SectionId.Type, types: [{ params, results: [] }], ...at },
      { id: SectionId.Function, functions: [0 as TypeIndex], ...at },
      { id: SectionId.Memory, memories: [{ limits: { flags: 0, min: 1n } }], ...at },
      { id: SectionId.Export, exports: [{ name: 'wasi_thread_start', kind: ExternalKind.Func, index: 0 }, { name: 'memory', kind: ExternalKind.Memory, index: 0 }], ...at },
      { id: SectionId.Code, bodies: [{ bytes: Uint8Array.from(body), offset: 0, bytesOffset: 0 }], ...at },
    ],
  }))).exports;
}

/** (tid, arg) → memory[arg] = tid; memory[arg + 4] += 1. */
const recordingEntry = (): { entry: () => void; memory: Int32Array } => {
  const g = guest([0, 0x20, 1, 0x20, 0, 0x36, 2, 0, 0x20, 1, 0x20, 1, 0x28, 2, 4, 0x41, 1, 0x6a, 0x36, 2, 4, 0x0b], [i32, i32]);
  return { entry: g.wasi_thread_start as () => void, memory: new Int32Array((g.memory as WebAssembly.Memory).buffer) };
};

interface Starter {
  run: (base: number) => number;
  start: (tid: number, arg: number) => void;
  table: WebAssembly.Table;
}

function instantiate(t: Test, controlMemory: WebAssembly.Memory, check?: StartCheck, guestMemory?: WebAssembly.Memory): Starter {
  const given: WebAssembly.ModuleImports = { [CONTROL_MEMORY_IMPORT]: controlMemory };
  if (check) {
    const reader = new WebAssembly.Instance(new WebAssembly.Module(startArgReaderBytes(check.startArg)), { [WRAPPED_MODULE]: { [GUEST_MEMORY_IMPORT]: guestMemory! } });
    given[START_ARG_READ] = reader.exports[START_ARG_READ];
  }
  const bytes = starterModuleBytes(check);
  t.ok(WebAssembly.validate(bytes), 'the starter is valid');
  const e = new WebAssembly.Instance(new WebAssembly.Module(bytes), { [WRAPPED_MODULE]: given }).exports;
  return { run: e[STARTER_RUN] as Starter['run'], start: e[STARTER_START] as Starter['start'], table: e[STARTER_TABLE] as WebAssembly.Table };
}

/** A control block for `maxThreads` threads and a starter (no isolation check) whose entry is `recordingEntry`'s. */
function starterWithEntry(t: Test, maxThreads: number): { buffers: ControlBuffers; cb: ControlBlock; s: Starter; memory: Int32Array } {
  const buffers = ControlBlock.allocate(maxThreads, 1);
  const s = instantiate(t, buffers.controlMemory);
  const { entry, memory } = recordingEntry();
  s.table.set(0, entry);
  return { buffers, cb: new ControlBlock(buffers), s, memory };
}

t.test('start calls the entry in its table with (tid, arg); an entry of another type traps', async (t) => {
  const { s, memory } = starterWithEntry(t, 2);
  s.start(7, 64);
  t.equal(memory[16], 7);
  s.table.set(0, guest([0, 0x0b], [i32]).wasi_thread_start as () => void);
  t.throws(() => s.start(1, 2), WebAssembly.RuntimeError, 'another type traps: the runtime uses the starter only for (i32, i32) -> ()');
});

t.test('run: START already stored → RUNNING, the entry called once with the slot\'s TID and ARG', async (t) => {
  const { cb, s, memory } = starterWithEntry(t, 3);
  cb.store(2, SlotField.TID, 42);
  cb.store(2, SlotField.ARG, 128);
  cb.store(2, SlotField.STATE, SlotState.START);
  t.equal(s.run(cb.slotByteOffset(2)), StartResult.RETURNED);
  t.equal(memory[32], 42, 'tid passed');
  t.equal(memory[33], 1, 'called once');
  t.equal(cb.load(2, SlotField.STATE), SlotState.RUNNING);
  t.equal(cb.load(1, SlotField.STATE), SlotState.EMPTY, 'other slots untouched');
});

t.test('run: an exit already requested → EXITING, nothing started', async (t) => {
  const { cb, s, memory } = starterWithEntry(t, 2);
  cb.store(1, SlotField.STATE, SlotState.START);
  Atomics.store(cb.words, Word.EXIT_STATE, 2);
  t.equal(s.run(cb.slotByteOffset(1)), StartResult.EXITING);
  t.equal(memory[1], 0, 'entry not called');
  t.equal(cb.load(1, SlotField.STATE), SlotState.START, 'state left as it was');
});

/** Another thread that, after `delayMs`, stores each (word, value) of `writes`, then notifies each word of `notify`. */
function later(control: SharedArrayBuffer, delayMs: number, writes: [number, number][], notify: number[]): Promise<void> {
  const w = new Worker(`
    const { workerData: { control, delayMs, writes, notify } } = require('node:worker_threads');
    const words = new Int32Array(control);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delayMs);
    for (const [i, v] of writes) Atomics.store(words, i, v);
    for (const i of notify) Atomics.notify(words, i);
  `, { eval: true, workerData: { control, delayMs, writes, notify } });
  return new Promise((resolve, reject) => w.on('exit', () => resolve()).on('error', reject));
}

t.test('run waits in IDLE and CLAIMED until a spawner stores START, then starts the thread', async (t) => {
  const { buffers, cb, s, memory } = starterWithEntry(t, 2);
  cb.store(1, SlotField.STATE, SlotState.IDLE);
  const state = cb.at(1, SlotField.STATE);
  // The spawner, as pool.ts does it: CLAIMED, then TID/ARG, then START, each notified.
  const spawner = later(buffers.control, 100, [[state, SlotState.CLAIMED], [cb.at(1, SlotField.TID), 9], [cb.at(1, SlotField.ARG), 256], [state, SlotState.START]], [state]);
  const before = performance.now();
  t.equal(s.run(cb.slotByteOffset(1)), StartResult.RETURNED);
  t.ok(performance.now() - before >= 90, 'it waited for the spawner');
  t.equal(memory[64], 9);
  t.equal(cb.load(1, SlotField.STATE), SlotState.RUNNING);
  await spawner;
});

t.test('run wakes up for an exit requested while it waits', async (t) => {
  const { buffers, cb, s } = starterWithEntry(t, 2);
  cb.store(1, SlotField.STATE, SlotState.IDLE);
  // exit.ts: EXIT_STATE 2, then every slot's STATE word notified.
  const exit = later(buffers.control, 100, [[Word.EXIT_STATE, 2]], [cb.at(1, SlotField.STATE)]);
  t.equal(s.run(cb.slotByteOffset(1)), StartResult.EXITING);
  t.equal(cb.load(1, SlotField.STATE), SlotState.IDLE);
  await exit;
});

/** A small deterministic generator (mulberry32), so a failure names its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('run\'s isolation check agrees with tls.ts on random layouts, blocks and slot states', async (t) => {
  const slots = 6;
  const buffers = ControlBlock.allocate(slots - 1, 1);
  const cb = new ControlBlock(buffers);
  const guestMemory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
  const view = new DataView(guestMemory.buffer);
  Atomics.store(cb.words, Word.SLOTS_IN_USE, slots);
  const states = Object.values(SlotState).filter((s) => s !== SlotState.MAIN);
  let overlapping = 0;
  let started = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const r = prng(seed);
    const n = (max: number): number => Math.floor(r() * max);
    // Addresses in a 4 KiB window, so that blocks often overlap.
    const addr = (): number => 0x800 + n(0x1000);
    const tlsSize = r() < 0.2 ? 0 : 16 * (1 + n(8));
    const withTls = r() < 0.8;
    const main = r() < 0.5;
    const layout: StaticLayout = {
      tlsSize, tlsAlign: 16,
      mainStackLo: main ? 0x400 : 0, mainStackHi: main ? 0x800 + n(0x400) : 0,
      mainTlsLo: main && tlsSize ? 0x1800 + n(0x800) : 0, mainTlsHi: 0,
      startArg: { stackPointer: 4 * n(3), tlsBase: withTls ? 12 + 4 * n(2) : undefined },
    };
    layout.mainTlsHi = layout.mainTlsLo ? layout.mainTlsLo + tlsSize : 0;
    const check: StartCheck = { ...layout, startArg: layout.startArg! };
    const s = instantiate(t, buffers.controlMemory, check, guestMemory);
    const { entry, memory } = recordingEntry();
    s.table.set(0, entry);
    const self = 1 + n(slots - 1);
    for (let slot = 1; slot < slots; slot++) {
      if (slot === self) continue;
      cb.store(slot, SlotField.STATE, states[n(states.length)]);
      const sp = addr();
      const tls = addr();
      recordBlocks(cb, slot, { stackLo: sp - 1024, stackHi: sp, tlsLo: tls, tlsHi: tls + 32 });
    }
    recordBlocks(cb, self, { stackLo: 0, stackHi: 0, tlsLo: 0, tlsHi: 0 });
    // The start argument at 0x100 (or 0: no argument, nothing to check).
    const arg = r() < 0.05 ? 0 : 0x100;
    view.setUint32(0x100 + layout.startArg!.stackPointer, addr(), true);
    if (withTls) view.setUint32(0x100 + layout.startArg!.tlsBase!, addr(), true);
    cb.store(self, SlotField.TID, seed);
    cb.store(self, SlotField.ARG, arg);
    cb.store(self, SlotField.STATE, SlotState.START);
    const result = s.run(cb.slotByteOffset(self));
    const expected = arg === 0 ? undefined : blocksFromStartArg(guestMemory, arg, layout);
    const recorded = { stackLo: cb.load(self, SlotField.STACK_LO) >>> 0, stackHi: cb.load(self, SlotField.STACK_HI) >>> 0, tlsLo: cb.load(self, SlotField.TLS_LO) >>> 0, tlsHi: cb.load(self, SlotField.TLS_HI) >>> 0 };
    t.same(recorded, expected ?? { stackLo: 0, stackHi: 0, tlsLo: 0, tlsHi: 0 }, `seed ${seed}: the blocks tls.ts reads from the argument are recorded`);
    const overlap = expected ? findOverlap(cb, self, layout) : undefined;
    t.equal(result, overlap ? StartResult.CHECK_IN_JS : StartResult.RETURNED, `seed ${seed}: ${overlap?.message ?? 'no overlap'}`);
    t.equal(memory[arg >> 2] === seed, !overlap, `seed ${seed}: the thread started iff there is no overlap`);
    t.equal(cb.load(self, SlotField.STATE), SlotState.RUNNING);
    if (overlap) overlapping++;
    else started++;
  }
  t.ok(overlapping > 50 && started > 50, `both outcomes are exercised (${overlapping} overlaps, ${started} started)`);
});

t.test('a start argument past the memory as the reader knows it goes to JavaScript, with nothing recorded', async (t) => {
  const buffers = ControlBlock.allocate(2, 1);
  const cb = new ControlBlock(buffers);
  const guestMemory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
  const layout = { tlsSize: 16, mainStackLo: 0, mainStackHi: 0, mainTlsLo: 0, mainTlsHi: 0, startArg: { stackPointer: 0, tlsBase: 4 } };
  const s = instantiate(t, buffers.controlMemory, layout, guestMemory);
  const { entry, memory } = recordingEntry();
  s.table.set(0, entry);
  Atomics.store(cb.words, Word.SLOTS_IN_USE, 2);
  for (const arg of [65536 - 4, 0xfffffffc]) {
    cb.store(1, SlotField.ARG, arg);
    cb.store(1, SlotField.STATE, SlotState.START);
    t.equal(s.run(cb.slotByteOffset(1)), StartResult.CHECK_IN_JS, `argument 0x${arg.toString(16)}`);
    t.equal(cb.load(1, SlotField.STACK_HI), 0, 'nothing recorded');
  }
  t.equal(memory[16383], 0, 'not started');
  // The last word in the memory is readable: the argument's two words end exactly at its end.
  cb.store(1, SlotField.ARG, 65536 - 8);
  cb.store(1, SlotField.STATE, SlotState.START);
  new DataView(guestMemory.buffer).setUint32(65536 - 8, 0x4000, true);
  t.equal(s.run(cb.slotByteOffset(1)), StartResult.RETURNED);
  t.equal(cb.load(1, SlotField.STACK_HI), 0x4000);
});
