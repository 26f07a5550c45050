// Program exit: the first exit request wins a CAS on EXIT_STATE in the control block, writes its
// record (code, thread, kind, message), publishes it and wakes everyone. Losers and every other
// thread then unwind their wasm stack with `ExitSignal`, and their workers report themselves free;
// the supervisor observes the record asynchronously, keeps the free workers for a later run and
// terminates the rest (see supervisor.ts). wasi-threads termination
// semantics: proc_exit, a trap, or the main thread returning end all threads.

import { ControlBlock, ExitKind, MESSAGE_BYTES, SlotField, Word } from './control-block.js';
import { sharedClockMs } from './exit-trace.js';

/** Thrown through the wasm stack of a thread once the program is exiting. Never a user error. */
export class ExitSignal extends Error {
  constructor() {
    super('wasmthreads: thread unwound by program exit');
    this.name = 'ExitSignal';
  }
}

/** Exit code for a trap in any thread: 128 + SIGABRT, as wasmtime gives for a trap in main. */
export const TRAP_EXIT_CODE = 134;

export interface ExitRecord {
  code: number;
  tid: number;
  kind: ExitKind;
  message: string;
}

/**
 * Asks the program to exit. Returns true if this request won (it was the first). Never blocks, so
 * the supervisor may call it too (tid -1).
 */
export function requestExit(cb: ControlBlock, record: ExitRecord): boolean {
  if (Atomics.compareExchange(cb.words, Word.EXIT_STATE, 0, 1) !== 0) return false;
  cb.exitTime[0] = sharedClockMs();
  const bytes = new TextEncoder().encode(record.message);
  const len = Math.min(bytes.length, MESSAGE_BYTES);
  cb.message.set(bytes.subarray(0, len));
  Atomics.store(cb.words, Word.EXIT_CODE, record.code);
  Atomics.store(cb.words, Word.EXIT_TID, record.tid);
  Atomics.store(cb.words, Word.EXIT_KIND, record.kind);
  Atomics.store(cb.words, Word.EXIT_MESSAGE_LEN, len);
  Atomics.store(cb.words, Word.EXIT_STATE, 2);
  wakeEveryone(cb);
  return true;
}

/** Wakes every word a thread may be waiting on, so blocked host calls notice the exit at once. */
function wakeEveryone(cb: ControlBlock): void {
  Atomics.notify(cb.words, Word.EXIT_STATE);
  Atomics.notify(cb.words, Word.POOL_IDLE);
  const inUse = cb.slotsInUse();
  for (let slot = 0; slot < inUse; slot++) {
    Atomics.notify(cb.words, cb.at(slot, SlotField.STATE));
    Atomics.notify(cb.words, cb.at(slot, SlotField.CH_STATE));
  }
}

export function exiting(cb: ControlBlock): boolean {
  return Atomics.load(cb.words, Word.EXIT_STATE) !== 0;
}

/** Reads the published exit record (EXIT_STATE must be 2). */
export function readExit(cb: ControlBlock): ExitRecord {
  const len = Atomics.load(cb.words, Word.EXIT_MESSAGE_LEN);
  return {
    code: Atomics.load(cb.words, Word.EXIT_CODE),
    tid: Atomics.load(cb.words, Word.EXIT_TID),
    kind: Atomics.load(cb.words, Word.EXIT_KIND) as ExitKind,
    message: new TextDecoder().decode(cb.message.slice(0, len)),
  };
}

/** Exit code when the program cannot start (an import nobody provides, a missing export). */
export const START_FAILURE_EXIT_CODE = 1;

/** Ends the program from a worker with a diagnostic message, then unwinds this thread. */
export function abortProgram(cb: ControlBlock, tid: number, kind: ExitKind, code: number, message: string): never {
  requestExit(cb, { code, tid, kind, message });
  throw new ExitSignal();
}
