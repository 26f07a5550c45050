// The deadlock watchdog: on the supervisor, a few times a second, it asks whether every thread of
// the program is in a wait that only another thread of the program can end — an untimed futex
// wait (seen through the rewritten wait instructions, futex-hooks.ts) or a host-managed join of
// such a thread. If so, nothing can ever run again, and the program ends with DEADLOCK_EXIT_CODE
// and a report of what each thread waits for, instead of hanging.
//
// Why the verdict is exact. A thread that runs guest code, sleeps with a timeout, reads input or is
// inside any other host call is not in a watched wait, so the question is only asked when all are.
// What remains is a thread woken by a notify that has not yet left `Atomics.wait`: it still looks
// blocked. The counters settle it. A notifier adds the waiters it woke to NOTIFIED right after the
// notify, before it can itself wait again; a woken waiter first leaves its watched state (WAIT_GEN
// even) and only then adds 1 to WOKEN. The watchdog reads every runnable slot's (state, WAIT_GEN),
// then the two counters, then the slots again. If both reads agree and every WAIT_GEN is odd,
// each thread was in the same wait for the whole time in between, so while the counters were read
// no thread was between a notify and its NOTIFIED update, and no woken thread had yet counted
// itself: NOTIFIED − WOKEN is exactly the number of woken threads still on their way out. When
// it is 0, no one is on the way out and no one can notify: a deadlock. The host itself never
// notifies guest memory. The verdict must also hold at two ticks in a row, with the same waits,
// before it is reported — not needed for the argument above, but cheap insurance.
//
// With the verdict in hand it sets DUMP_STACKS and wakes the blocked threads, each of which writes
// its wasm stack for the report and parks (the program ends right after).
//
// A module whose futex instructions could not all be rewritten has no watchdog (see
// futex-rewrite.ts): a wait the host cannot see would make "every thread is blocked" unknowable.

import { ControlBlock, SlotField, SlotState, WaitKind, Word } from './control-block.js';
import { describeThread } from './thread-context.js';
import { hex32 } from './trace.js';

/** Exit code of a program the watchdog ended: 128 + SIGALRM, what a watchdog alarm would give. */
export const DEADLOCK_EXIT_CODE = 142;
/** How often the watchdog looks. A look reads a few words per worker; it never blocks. */
export const WATCHDOG_INTERVAL_MS = 250;

/** Slot states of a thread that may run guest code. */
const RUNNABLE: ReadonlySet<number> = new Set([SlotState.MAIN, SlotState.CLAIMED, SlotState.START, SlotState.RUNNING]);

interface BlockedThread {
  slot: number;
  state: number;
  gen: number;
}

/** The runnable threads if every one is in a watched wait (and both reads agree), else undefined. */
function allBlocked(cb: ControlBlock): BlockedThread[] | undefined {
  const read = (): BlockedThread[] | undefined => {
    const out: BlockedThread[] = [];
    const inUse = cb.slotsInUse();
    for (let slot = 0; slot < inUse; slot++) {
      const state = cb.load(slot, SlotField.STATE);
      if (!RUNNABLE.has(state)) continue;
      const gen = cb.load(slot, SlotField.WAIT_GEN);
      if ((gen & 1) === 0) return undefined;
      out.push({ slot, state, gen });
    }
    return out.length > 0 ? out : undefined;
  };
  const first = read();
  if (!first) return undefined;
  const notified = Atomics.load(cb.words, Word.NOTIFIED);
  const woken = Atomics.load(cb.words, Word.WOKEN);
  const second = read();
  if (!second || key(first) !== key(second) || notified !== woken) return undefined;
  // A join ends when the joined thread finishes; it can only be hopeless if that thread is one of
  // the blocked ones.
  const slots = new Set(first.map((t) => t.slot));
  for (const t of first) {
    if (cb.load(t.slot, SlotField.WAIT_KIND) === WaitKind.JOIN && !slots.has(cb.load(t.slot, SlotField.WAIT_ADDR))) return undefined;
  }
  return first;
}

function key(threads: BlockedThread[]): string {
  return threads.map((t) => `${t.slot}:${t.state}:${t.gen}`).join(',');
}

/**
 * When the watchdog first saw each slot in its current watched wait, by slot: the wait's WAIT_GEN
 * and the clock then. A thread does not read the clock as it begins a wait: that was a host call
 * on every untimed wait, and a spawner that waits right after spawning held the new thread's core
 * through it (warm spawn over the raw futex hand-off, Node 20 and 24: 1.26-1.29x with it,
 * 1.17x without). The report's duration is therefore counted from the first look that saw the
 * wait, at most one interval after it began.
 */
type FirstSeen = Map<number, { gen: number; atMs: number }>;

function noteWaits(cb: ControlBlock, seen: FirstSeen, nowMs: number): void {
  const inUse = cb.slotsInUse();
  for (let slot = 0; slot < inUse; slot++) {
    const gen = cb.load(slot, SlotField.WAIT_GEN);
    if ((gen & 1) === 0) seen.delete(slot);
    else if (seen.get(slot)?.gen !== gen) seen.set(slot, { gen, atMs: nowMs });
  }
}

function describeWait(cb: ControlBlock, t: BlockedThread, importNames: string[], nowMs: number, seen: FirstSeen): string {
  const kind = cb.load(t.slot, SlotField.WAIT_KIND);
  const addr = cb.load(t.slot, SlotField.WAIT_ADDR);
  const value = cb.load(t.slot, SlotField.WAIT_VALUE);
  const first = seen.get(t.slot);
  const since = ((first?.gen === t.gen ? nowMs - first.atMs : 0) / 1000).toFixed(2);
  const what = kind === WaitKind.JOIN ? `thread_join(${value})`
    : `${kind === WaitKind.WAIT64 ? 'memory.atomic.wait64' : 'memory.atomic.wait32'} on ${hex32(addr)} (expects ${Math.abs(value) < 65536 ? value : hex32(value)})`;
  const last = cb.load(t.slot, SlotField.LAST_CALL);
  const call = last === 0 ? 'none' : (importNames[last - 1] ?? `import ${last - 1}`);
  const tid = t.slot === 0 ? 0 : cb.load(t.slot, SlotField.TID);
  return `${describeThread(tid)}: ${what} for ${since} s; last host call: ${call}`;
}

export interface Watchdog {
  stop(): void;
}

/**
 * Wakes every thread in a watched futex wait (WAIT_GEN odd), so it looks at the exit and at
 * DUMP_STACKS. A join waits in slices and sees them by itself.
 */
export function wakeWatchedWaits(cb: ControlBlock, memory: WebAssembly.Memory | undefined): void {
  if (!memory) return;
  const guest = new Int32Array(memory.buffer);
  const inUse = cb.slotsInUse();
  for (let slot = 0; slot < inUse; slot++) {
    if ((cb.load(slot, SlotField.WAIT_GEN) & 1) === 0 || cb.load(slot, SlotField.WAIT_KIND) === WaitKind.JOIN) continue;
    const addr = cb.load(slot, SlotField.WAIT_ADDR) >>> 0;
    if (addr + 4 <= guest.byteLength) Atomics.notify(guest, addr >>> 2);
  }
}

/** How long the report waits for the blocked threads' stacks. */
const STACK_WAIT_MS = 1000;

/**
 * Wakes every blocked thread with DUMP_STACKS set and collects the wasm stack each writes (see
 * futex-hooks.ts). The program ends right after, so waking them changes nothing for it.
 */
async function collectStacks(cb: ControlBlock, blocked: BlockedThread[], memory: WebAssembly.Memory | undefined): Promise<Map<number, string[]>> {
  Atomics.store(cb.words, Word.DUMP_STACKS, 1);
  wakeWatchedWaits(cb, memory);
  const stacks = new Map<number, string[]>();
  const deadline = Date.now() + STACK_WAIT_MS;
  while (stacks.size < blocked.length && Date.now() < deadline) {
    for (const t of blocked) {
      const len = cb.load(t.slot, SlotField.STACK_LEN);
      if (len > 0 && !stacks.has(t.slot)) {
        const text = new TextDecoder().decode(cb.channel(t.slot).slice(0, len - 1));
        stacks.set(t.slot, text === '' ? [] : text.split('\n'));
      }
    }
    if (stacks.size < blocked.length) await new Promise((r) => setTimeout(r, 5));
  }
  return stacks;
}

/**
 * Starts looking. `onDeadlock` gets the report (first line, then for each thread a line and its
 * wasm stack) once; the caller ends the program with it. `clockMs` returns the time in
 * milliseconds (any origin); `memory` is the guest memory (to wake the blocked threads for their
 * stacks).
 */
export function startWatchdog(cb: ControlBlock, importNames: string[], clockMs: () => number, memory: WebAssembly.Memory | undefined, onDeadlock: (report: string) => void): Watchdog {
  let previous: string | undefined;
  const seen: FirstSeen = new Map();
  const timer = setInterval(() => {
    if (Atomics.load(cb.words, Word.EXIT_STATE) !== 0) return;
    const at = clockMs();
    noteWaits(cb, seen, at);
    const blocked = allBlocked(cb);
    const now = blocked ? key(blocked) : undefined;
    if (blocked && now === previous) {
      clearInterval(timer);
      const lines = blocked.map((t) => describeWait(cb, t, importNames, at, seen));
      void collectStacks(cb, blocked, memory).then((stacks) => {
        const body = blocked.flatMap((t, i) => [lines[i], ...(stacks.get(t.slot) ?? []).map((f) => `  ${f}`)]);
        onDeadlock(`deadlock: every thread is blocked and none can wake another (${blocked.length} thread${blocked.length === 1 ? '' : 's'})\n${body.join('\n')}`);
      });
    }
    previous = now;
  }, WATCHDOG_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
