// The control block: the shared words through which the supervisor and every thread worker
// coordinate (exit, thread ids, the worker pool, supervisor services, memory-isolation ranges).
// It is a SharedArrayBuffer of Int32 words plus a small byte area for the exit message; every
// thread gets the same buffer, so nothing here needs the supervisor's event loop.
//
// Concurrency rules: every word is read and written with `Atomics`; a word that others wait on
// is changed only with a `store`/`compareExchange` followed by `Atomics.notify`. The supervisor
// never waits synchronously on any of them (it uses `Atomics.waitAsync`).

/** Header words (indices into the Int32 view). */
export const Word = {
  /** 0 running → 1 an exit request won the CAS and is writing its record → 2 record published.
   *  Moves forward only; the CAS 0→1 decides the first (and only) exit. Waiters: supervisor, sleepers. */
  EXIT_STATE: 0,
  /** Exit code of the winning request; valid once EXIT_STATE is 2. */
  EXIT_CODE: 1,
  /** Thread id that asked to exit (-1: the supervisor itself); valid once EXIT_STATE is 2. */
  EXIT_TID: 2,
  /** An `ExitKind`; valid once EXIT_STATE is 2. */
  EXIT_KIND: 3,
  /** Byte length of the UTF-8 exit message in the message area; valid once EXIT_STATE is 2. */
  EXIT_MESSAGE_LEN: 4,
  /** Next thread id to hand out; starts at 1, only ever incremented (`Atomics.add`). */
  NEXT_TID: 5,
  /** Spawned threads not yet gone (running, or host-managed and not yet joined). ≤ MAX_THREADS. */
  LIVE_THREADS: 6,
  /** Constant after set-up: the `--max-threads` limit on LIVE_THREADS. */
  MAX_THREADS: 7,
  /** Number of slots in state IDLE (claimable). Spawners wait on it when it is 0. */
  POOL_IDLE: 8,
  /** Bumped (and notified) whenever the supervisor should look at the pool again. */
  REFILL: 9,
  /** Spawners currently waiting for an idle worker; the supervisor boots that many extra. */
  SPAWN_WAITERS: 10,
  /** Bumped (and notified) when a worker posts a service request on its channel. */
  DOORBELL: 11,
  /** 0 until T0's instance exists (its start function ran `__wasm_init_memory`); then 1.
   *  Pool workers wait for it before instantiating, so no second instance blocks in the
   *  memory-initialisation once-flag while the first is still copying segments. */
  MAIN_READY: 12,
  /** Constant: number of slots (1 + MAX_THREADS). */
  SLOT_COUNT: 13,
  /** Constant after set-up: idle workers the supervisor keeps ready (`--pool-size`). A spawner
   *  bumps REFILL only when it leaves fewer idle than this, so steady spawn/join cycles do not wake
   *  the supervisor at all. */
  POOL_TARGET: 14,
  /** 1 + the highest slot the supervisor ever gave a worker: every slot at or above it is EMPTY.
   *  Only grows (the supervisor raises it before starting the worker). Spawners scan only below
   *  it, so a spawn costs O(workers), not O(--max-threads). */
  SLOTS_IN_USE: 15,
  /** Words 16-17 hold a Float64 (see `ControlBlock.exitTime`): when the winning exit request was
   *  made, in `sharedClockMs()` milliseconds; written before EXIT_STATE becomes 2. For --trace-exit. */
  EXIT_TIME: 16,
  /** Constant after set-up: host memory budget in MiB (`--max-host-memory`); 0: none. A spawn that
   *  finds the process's resident memory plus one more thread past it fails with EAGAIN. */
  MEMORY_BUDGET_MB: 18,
  /** Bit set of `Warned`: which one-time warnings a spawner already printed (set by CAS). */
  WARNED: 19,
  /** Workers whose thread ended and that are building their next instance: they come back to
   *  the pool by themselves, so a spawner counts them as idle-to-be before waking the supervisor. */
  RECYCLING: 20,
  /** Sum of what every hooked `memory.atomic.notify` returned (waiters it woke); see watchdog.ts. */
  NOTIFIED: 21,
  /** Hooked waits that returned 0 ("woken"); bumped after the waiter cleared WAIT_GEN's odd bit. */
  WOKEN: 22,
  /** Set by the deadlock watchdog once it has its verdict: every thread it wakes from its watched
   *  wait writes its wasm stack into its channel bytes (SlotField.STACK_LEN) and parks. */
  DUMP_STACKS: 23,
  /** Workers the supervisor started whose first instance is not built yet (slots in BOOTING):
   *  raised by the supervisor before it starts one, lowered by the worker as it first goes idle.
   *  Like RECYCLING, they come to the pool by themselves. */
  BOOTING: 24,
} as const;
/** 16 Int32 words, the 8-byte EXIT_TIME (Float64-aligned: byte offset 64), then 9 more words. */
export const HEADER_WORDS = 25;

/** One-time warnings (bits of Word.WARNED). */
export const Warned = { MAX_THREADS: 1, MEMORY_BUDGET: 2 } as const;

/** Per-slot words, at `slotBase(i) + field`. Slot 0 is T0 (the main thread); 1.. are pool workers. */
export const SlotField = {
  /** A `SlotState`; only the transitions listed at `SlotState` happen. Waited on by the worker. */
  STATE: 0,
  /** Thread id running (or last run) on this slot; written by the claimer before START. */
  TID: 1,
  /** The start argument passed to the thread; written by the claimer before START. */
  ARG: 2,
  /** host-managed: the function-table index to call; written by the claimer before START. */
  FUNC: 3,
  /** Stack range [STACK_LO, STACK_HI) of the live thread (0,0: unknown); written by the thread
   *  before its isolation check, cleared by its worker before the slot goes IDLE again. */
  STACK_LO: 4,
  STACK_HI: 5,
  /** TLS block [TLS_LO, TLS_HI) of the live thread (0,0: unknown); as STACK_LO/HI. */
  TLS_LO: 6,
  TLS_HI: 7,
  /** A `ChannelState` of this slot's supervisor-service channel. Waited on by the worker. */
  CH_STATE: 8,
  /** Index of the requested service in the service list; written before CH_STATE becomes PENDING. */
  CH_SERVICE: 9,
  /** Service-defined operation code. */
  CH_OP: 10,
  /** Byte length of the request (worker → supervisor), then of the answer (supervisor → worker). */
  CH_LEN: 11,
  /** Service-defined answer status; written before CH_STATE becomes ANSWERED. */
  CH_STATUS: 12,
  /** host-managed: 1 once `thread_detach` claimed the thread (CAS 0→1, so a second detach fails);
   *  reset to 0 by the claimer before START. A detached thread is released when it finishes. */
  DETACHED: 13,
  /** 1 + the index (in `WebAssembly.Module.imports` order) of the import this slot's thread called
   *  last; 0: none yet. Plain stores: only read for the deadlock report. */
  LAST_CALL: 14,
  /** Odd while the thread is in a wait only another thread can end (an untimed futex wait, a
   *  host-managed join); bumped on entry and on exit, so an unchanged odd value means "still in
   *  the same wait". The WAIT_* words below describe that wait. */
  WAIT_GEN: 15,
  /** A `WaitKind`. */
  WAIT_KIND: 16,
  /** Futex: the address waited on; join: the slot of the thread being joined. */
  WAIT_ADDR: 17,
  /** Futex: the value expected (wait64: its low 32 bits); join: the thread id being joined. */
  WAIT_VALUE: 18,
  /** 1 + byte length of the wasm stack this thread wrote into its channel bytes at a deadlock. */
  STACK_LEN: 19,
} as const;
export const SLOT_WORDS = 20;

/** What a thread in a watched wait (SlotField.WAIT_GEN odd) is waiting for. */
export const WaitKind = { NONE: 0, WAIT32: 1, WAIT64: 2, JOIN: 3 } as const;

/**
 * Slot lifecycle. EMPTY → BOOTING (supervisor starts a worker) → IDLE (fresh instance ready) →
 * CLAIMED (a spawner won the CAS) → START (tid/arg written) → RUNNING → (wasi-threads) RETIRED
 * (the thread returned) → IDLE after re-instantiation, or (host-managed) FINISHED → JOINED → IDLE
 * after re-instantiation. The CAS
 * FINISHED → JOINED is the one release point: its winner (the joiner, the detacher, or the finished
 * thread itself when DETACHED is set) gives the thread's place under MAX_THREADS back.
 * Slot 0 is MAIN for the whole run.
 */
export const SlotState = {
  EMPTY: 0,
  BOOTING: 1,
  IDLE: 2,
  CLAIMED: 3,
  START: 4,
  RUNNING: 5,
  FINISHED: 6,
  JOINED: 7,
  MAIN: 8,
  RETIRED: 9,
} as const;

/** The message a worker posts when its run is over and it can take another (thread-worker.ts). */
export const WORKER_FREE = 'wasmthreads:free';

export const ChannelState = { IDLE: 0, PENDING: 1, SERVING: 2, ANSWERED: 3 } as const;

export const ExitKind = {
  /** `proc_exit`, or the main thread returned. */
  NORMAL: 0,
  /** A wasm trap in some thread. */
  TRAP: 1,
  /** The memory-isolation check found overlapping thread blocks. */
  ISOLATION: 2,
  /** A JavaScript error in the host (a wasmthreads or plug-in bug) or a failed thread start. */
  HOST: 3,
  /** The embedder cancelled the run (`run({ signal, timeout })`). */
  CANCELLED: 4,
  /** The watchdog found every thread blocked with nothing left to wake any of them. */
  DEADLOCK: 5,
} as const;
export type ExitKind = (typeof ExitKind)[keyof typeof ExitKind];

/** Room for the exit message (a trap's text and wasm stack); longer messages are cut. */
export const MESSAGE_BYTES = 8192;
/** Bytes of each slot's service channel, each way. */
export const CHANNEL_BYTES = 65536;

/**
 * The buffers a thread needs to join the program; structured-cloned into every worker. The control
 * words live in a shared WebAssembly.Memory (`control` is its buffer), so that wasm code can use
 * them too: the import wrappers (host-wrappers.ts) claim pool slots and record host calls with
 * wasm atomics, and JS `Atomics.wait`/`notify` on `control` meet wasm's `memory.atomic.wait32`/
 * `notify` on the same words.
 */
export interface ControlBuffers {
  controlMemory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  channels: SharedArrayBuffer;
}

/** Typed views over the control buffers. Cheap to build; one per thread. */
export class ControlBlock {
  readonly words: Int32Array;
  readonly message: Uint8Array;
  /** [0]: EXIT_TIME as a Float64 (plain access: published by the seq-cst store of EXIT_STATE). */
  readonly exitTime: Float64Array;
  readonly channels: SharedArrayBuffer;
  readonly slotCount: number;

  constructor(buffers: ControlBuffers) {
    this.words = new Int32Array(buffers.control);
    this.slotCount = Atomics.load(this.words, Word.SLOT_COUNT);
    const messageOffset = (HEADER_WORDS + this.slotCount * SLOT_WORDS) * 4;
    this.message = new Uint8Array(buffers.control, messageOffset, MESSAGE_BYTES);
    this.exitTime = new Float64Array(buffers.control, Word.EXIT_TIME * 4, 1);
    this.channels = buffers.channels;
  }

  /** Allocates and initialises the buffers for `maxThreads` spawned threads plus T0. */
  static allocate(maxThreads: number, poolTarget: number, memoryBudgetMb = 0): ControlBuffers {
    const slotCount = maxThreads + 1;
    const pages = Math.ceil(((HEADER_WORDS + slotCount * SLOT_WORDS) * 4 + MESSAGE_BYTES) / 65536);
    const controlMemory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const control = controlMemory.buffer as SharedArrayBuffer;
    const words = new Int32Array(control);
    words[Word.NEXT_TID] = 1;
    words[Word.MAX_THREADS] = maxThreads;
    words[Word.SLOT_COUNT] = slotCount;
    words[Word.POOL_TARGET] = poolTarget;
    words[Word.MEMORY_BUDGET_MB] = memoryBudgetMb;
    words[Word.SLOTS_IN_USE] = 1;
    words[HEADER_WORDS + SlotField.STATE] = SlotState.MAIN;
    // Channel pages are only touched by threads that call a service, so the OS commits them lazily.
    return { controlMemory, control, channels: new SharedArrayBuffer(slotCount * CHANNEL_BYTES) };
  }

  /** Index of `field` of slot `slot` in `words`. */
  at(slot: number, field: number): number {
    return HEADER_WORDS + slot * SLOT_WORDS + field;
  }

  /** Byte address of slot `slot`'s first word in the control memory (what wasm code addresses it by). */
  slotByteOffset(slot: number): number {
    return this.at(slot, 0) * 4;
  }

  load(slot: number, field: number): number {
    return Atomics.load(this.words, this.at(slot, field));
  }

  store(slot: number, field: number, value: number): void {
    Atomics.store(this.words, this.at(slot, field), value);
  }

  /** Stores a slot word and wakes everyone waiting on it. */
  publish(slot: number, field: number, value: number): void {
    Atomics.store(this.words, this.at(slot, field), value);
    Atomics.notify(this.words, this.at(slot, field));
  }

  /** Bumps a header counter and wakes its waiters (REFILL, DOORBELL, POOL_IDLE). */
  bump(word: number, by = 1): void {
    Atomics.add(this.words, word, by);
    Atomics.notify(this.words, word);
  }

  /** Slots that may hold a worker: [0, slotsInUse()). */
  slotsInUse(): number {
    return Atomics.load(this.words, Word.SLOTS_IN_USE);
  }

  /** Supervisor: admits `slot` to the scanned range before its worker starts. */
  admitSlot(slot: number): void {
    if (slot + 1 > this.slotsInUse()) Atomics.store(this.words, Word.SLOTS_IN_USE, slot + 1);
  }

  /** The bytes of slot `slot`'s service channel. */
  channel(slot: number): Uint8Array {
    return new Uint8Array(this.channels, slot * CHANNEL_BYTES, CHANNEL_BYTES);
  }
}
