// The pool's boot policy (src/runtime/pool.ts): a Node worker costs 25-65 ms of CPU to start, so
// the supervisor starts one only when no idle, booting or returning worker will do, and counts a
// thread running for less than REPLACE_GRACE_MS as coming back; spawners wake the supervisor only
// when the pool runs short.

import t from 'tap';
import { ControlBlock, SlotField, SlotState, Word } from '../../src/runtime/control-block.js';
import { ExitSignal } from '../../src/runtime/exit.js';
import { claimThread, planBoots, REPLACE_GRACE_MS, startClaimed, type RunningSince } from '../../src/runtime/pool.js';

/** A control block for `slots` pool slots with the given states (slot 1 first) and thread ids. */
function block(states: number[], poolTarget = 4): ControlBlock {
  const cb = new ControlBlock(ControlBlock.allocate(16, poolTarget));
  states.forEach((state, i) => {
    cb.store(i + 1, SlotField.STATE, state);
    cb.store(i + 1, SlotField.TID, 100 + i);
    cb.admitSlot(i + 1);
  });
  return cb;
}

const { IDLE, BOOTING, RUNNING, RETIRED, FINISHED, JOINED, EMPTY } = SlotState;

t.test('spawn/join in a loop boots nothing: a young thread and a returning worker count as coming', async (t) => {
  const cb = block([RUNNING, IDLE, IDLE, RETIRED]);
  const seen: RunningSince = new Map();
  const plan = planBoots(cb, 4, 1, seen, 1000);
  t.same(plan.boot, []);
  t.equal(plan.recheckMs, REPLACE_GRACE_MS, 'looks again when the thread\'s grace ends');
  // The next thread on another slot: again young, again nothing to boot.
  cb.store(1, SlotField.STATE, JOINED);
  cb.store(2, SlotField.STATE, RUNNING);
  t.same(planBoots(cb, 4, 1, seen, 1000 + REPLACE_GRACE_MS / 2).boot, []);
});

t.test('a thread still running after the grace has its worker replaced', async (t) => {
  const cb = block([RUNNING, IDLE, IDLE, IDLE]);
  const seen: RunningSince = new Map();
  t.same(planBoots(cb, 4, 1, seen, 1000).boot, []);
  const later = planBoots(cb, 4, 1, seen, 1000 + REPLACE_GRACE_MS);
  t.same(later.boot, [5], 'the first empty slot');
  t.equal(later.recheckMs, undefined);
  // The same slot with another thread id is another thread: young again.
  cb.store(1, SlotField.TID, 999);
  t.same(planBoots(cb, 4, 1, seen, 1000 + REPLACE_GRACE_MS).boot, []);
  // A host-managed thread that finished but is not joined still holds its worker.
  cb.store(1, SlotField.STATE, FINISHED);
  t.same(planBoots(cb, 4, 1, seen, 1000 + 3 * REPLACE_GRACE_MS).boot, [5]);
});

t.test('waiting spawners: served by coming workers first, never made to wait for a young thread', async (t) => {
  const cb = block([RUNNING, RUNNING, RUNNING, RUNNING, BOOTING]);
  Atomics.store(cb.words, Word.SPAWN_WAITERS, 3);
  const seen: RunningSince = new Map();
  // Three waiters, one worker booting: two more now, as many as the boot limit allows.
  t.same(planBoots(cb, 4, 3, seen, 0).boot, [6, 7]);
  t.same(planBoots(cb, 4, 1, seen, 0).boot, [], 'the limit of one boot at a time is reached');
  // A returning worker serves a waiter too.
  cb.store(5, SlotField.STATE, RETIRED);
  Atomics.store(cb.words, Word.SPAWN_WAITERS, 1);
  t.same(planBoots(cb, 4, 2, seen, 0).boot, []);
});

t.test('--pool-size 0 boots only for waiters', async (t) => {
  const cb = block([RUNNING, EMPTY]);
  const seen: RunningSince = new Map();
  t.same(planBoots(cb, 0, 1, seen, 0).boot, []);
  t.same(planBoots(cb, 0, 1, seen, 100).boot, [], 'an old thread is not replaced either');
  Atomics.store(cb.words, Word.SPAWN_WAITERS, 1);
  t.same(planBoots(cb, 0, 1, seen, 100).boot, [2]);
});

t.test('an initial pool boots up to its target, one at a time on a small machine', async (t) => {
  const cb = block([]);
  const seen: RunningSince = new Map();
  t.same(planBoots(cb, 4, 1, seen, 0).boot, [1]);
  t.same(planBoots(cb, 4, 4, seen, 0).boot, [1, 2, 3, 4]);
});

t.test('spawners wake the supervisor only when it has something to do', async (t) => {
  // Two idle workers of a pool of four, nothing booting: a spawn leaves one idle — short.
  const cb = block([IDLE, IDLE]);
  Atomics.store(cb.words, Word.POOL_IDLE, 2);
  const claimed = claimThread(cb, { arg: 0, func: 0 });
  if (typeof claimed === 'number') throw new Error(`claim failed: ${claimed}`);
  let refill = Atomics.load(cb.words, Word.REFILL);
  startClaimed(cb, claimed.slot);
  t.equal(Atomics.load(cb.words, Word.REFILL), refill + 1, 'pool short, nothing booting: wake it');
  // The same with a worker booting: it wakes the supervisor itself when it comes up.
  Atomics.store(cb.words, Word.BOOTING, 1);
  const again = claimThread(cb, { arg: 0, func: 0 });
  if (typeof again === 'number') throw new Error(`claim failed: ${again}`);
  refill = Atomics.load(cb.words, Word.REFILL);
  startClaimed(cb, again.slot);
  t.equal(Atomics.load(cb.words, Word.REFILL), refill, 'a worker is booting: no wake');
});

t.test('a spawner that finds no idle worker wakes the supervisor only if none is coming', async (t) => {
  for (const [recycling, expectWake] of [[1, false], [0, true]] as const) {
    const cb = block([RUNNING]);
    Atomics.store(cb.words, Word.RECYCLING, recycling);
    // An exiting program ends the wait at once (the spawner unwinds).
    Atomics.store(cb.words, Word.EXIT_STATE, 2);
    const refill = Atomics.load(cb.words, Word.REFILL);
    t.throws(() => claimThread(cb, { arg: 0, func: 0 }), ExitSignal);
    t.equal(Atomics.load(cb.words, Word.REFILL) !== refill, expectWake, `recycling ${recycling}: ${expectWake ? 'wake' : 'no wake'}`);
    t.equal(Atomics.load(cb.words, Word.SPAWN_WAITERS), 0, 'the waiter unregistered');
  }
});
