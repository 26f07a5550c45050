// The futex hooks (src/runtime/futex-hooks.ts, futex-rewrite.ts): the fast hooks, in wasm, leave in
// the control block exactly what the JavaScript hooks leave — a watched wait's WAIT_* words and
// WAIT_GEN, WOKEN, NOTIFIED — and give the instruction's results; the program's exit and the
// deadlock dump still unwind through JavaScript.

import t from 'tap';
import { Worker } from 'node:worker_threads';
import { ControlBlock, SlotField, WaitKind, Word } from '../../src/runtime/control-block.js';
import { ExitSignal } from '../../src/runtime/exit.js';
import { FUTEX_TABLE_EXPORT, futexHookInstaller, type HookModules } from '../../src/runtime/futex-hooks.js';
import { fastHookModuleBytes, guestOpsModuleBytes, hookModuleBytes } from '../../src/runtime/futex-rewrite.js';

const modules: HookModules = {
  wrapped: new WebAssembly.Module(hookModuleBytes()),
  fast: { hooks: new WebAssembly.Module(fastHookModuleBytes()), guestOps: new WebAssembly.Module(guestOpsModuleBytes()) },
};

type Wait32 = (addr: number, expected: number, timeoutNs: number, offset: number) => number;
type Wait64 = (addr: number, expected: bigint, timeoutNs: number, offset: number) => number;
type Notify = (addr: number, count: number, offset: number) => number;

/** The three hooks as a rewritten instance gets them, fast or JavaScript, for slot 1 of a fresh control block. */
function hooks(fast: boolean) {
  const buffers = ControlBlock.allocate(2, 1);
  const cb = new ControlBlock(buffers);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const ctx = { cb, slot: 1, memory, controlMemory: buffers.controlMemory, tid: 1 };
  const install = futexHookInstaller(ctx, fast ? modules : { wrapped: modules.wrapped });
  const table = new WebAssembly.Table({ element: 'anyfunc', initial: 3 });
  install({ exports: { [FUTEX_TABLE_EXPORT]: table } } as unknown as WebAssembly.Instance);
  return {
    cb, memory,
    wait32: table.get(0) as Wait32,
    wait64: table.get(1) as Wait64,
    notify: table.get(2) as Notify,
  };
}

/** The words a hook writes, by name. */
function written(cb: ControlBlock) {
  const f = (field: number): number => cb.load(1, field);
  return {
    gen: f(SlotField.WAIT_GEN), kind: f(SlotField.WAIT_KIND), addr: f(SlotField.WAIT_ADDR), value: f(SlotField.WAIT_VALUE),
    woken: Atomics.load(cb.words, Word.WOKEN), notified: Atomics.load(cb.words, Word.NOTIFIED),
  };
}

/** Wakes the waiter at byte `addr` of `memory` from another thread after `ms`. */
function notifyLater(memory: WebAssembly.Memory, addr: number, ms: number): Worker {
  return new Worker(
    `const { workerData: [buf, i, ms] } = require('node:worker_threads');
     const a = new Int32Array(buf);
     const until = Date.now() + 10000;
     setTimeout(function again() { if (Atomics.notify(a, i, 1) === 0 && Date.now() < until) setTimeout(again, 5); }, ms);`,
    { eval: true, workerData: [memory.buffer, addr >> 2, ms] },
  );
}

for (const fast of [false, true]) {
  const which = fast ? 'fast hooks' : 'JavaScript hooks';
  t.test(`${which}: results and what the watchdog reads`, async (t) => {
    const h = hooks(fast);
    new Int32Array(h.memory.buffer)[0x100 >> 2] = 7;
    t.equal(h.wait32(0x80, 8, -1, 0x80), 1, 'not-equal, through the offset');
    t.same(written(h.cb), { gen: 2, kind: WaitKind.WAIT32, addr: 0x100, value: 8, woken: 0, notified: 0 }, 'an untimed wait is marked and unmarked');
    t.equal(h.wait32(0x100, 7, 2e6, 0), 2, 'timed out');
    t.equal(written(h.cb).gen, 2, 'a timed wait is not watched');
    new BigInt64Array(h.memory.buffer)[0x200 >> 3] = 0x1_0000_0005n;
    t.equal(h.wait64(0x200, 0x2_0000_0009n, -1, 0), 1, 'wait64 not-equal');
    t.same(written(h.cb), { gen: 4, kind: WaitKind.WAIT64, addr: 0x200, value: 9, woken: 0, notified: 0 }, 'wait64 shows the low 32 bits');
    t.equal(h.notify(0x100, 1, 0), 0, 'nobody to wake');
    t.equal(written(h.cb).notified, 0);
    const w = notifyLater(h.memory, 0x100, 30);
    t.equal(h.wait32(0x100, 7, -1, 0), 0, 'woken');
    await w.terminate();
    t.same(written(h.cb), { gen: 6, kind: WaitKind.WAIT32, addr: 0x100, value: 7, woken: 1, notified: 0 }, 'a wake-up counted after the wait is unmarked');
    t.throws(() => h.wait32(0x102, 7, -1, 0), { name: 'RuntimeError' }, 'unaligned traps');
    t.throws(() => h.wait32(0xfffc, 7, -1, 4), { name: 'RuntimeError' }, 'out of bounds traps');
    t.throws(() => h.notify(0x100, 1, 0xffffff00), /out of bounds/, 'past 4 GiB traps');
    t.equal(written(h.cb).gen, 6, 'no trap left a wait marked');
  });

  t.test(`${which}: the program's exit and the deadlock dump unwind the waiter`, async (t) => {
    const h = hooks(fast);
    Atomics.store(h.cb.words, Word.DUMP_STACKS, 1);
    t.throws(() => h.wait32(0, 1, -1, 0), ExitSignal, 'dumped and unwound');
    t.ok(h.cb.load(1, SlotField.STACK_LEN) > 0, 'the stack was written for the report');
    t.equal(h.wait32(0, 1, 1e6, 0), 1, 'a timed wait does not dump');
    Atomics.store(h.cb.words, Word.EXIT_STATE, 2);
    t.throws(() => h.wait32(0, 1, 1e6, 0), ExitSignal, 'exiting: unwound');
  });
}
