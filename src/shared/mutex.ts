// A futex mutex in one Int32 word of a SharedArrayBuffer, usable from any worker (and by the
// runtime as well as WASI). Drepper's three-state lock ("Futexes Are Tricky", mutex2):
// 0 = unlocked, 1 = locked, 2 = locked and someone may be waiting. Unlock only calls
// `Atomics.notify` when the word was 2, so the uncontended path is one CAS each way.
//
// It is not robust: a holder that dies leaves it locked. Workers only die at process exit here,
// so that cannot be observed. `Atomics.wait` is not allowed on the Node main thread: the
// supervisor must never take this lock.

const UNLOCKED = 0;
const LOCKED = 1;
const CONTENDED = 2;

export class FutexMutex {
  /** `words[index]` is the lock word; the caller owns the layout of the rest of the buffer. */
  constructor(private readonly words: Int32Array, private readonly index: number) {}

  tryLock(): boolean {
    return Atomics.compareExchange(this.words, this.index, UNLOCKED, LOCKED) === UNLOCKED;
  }

  lock(): void {
    let c = Atomics.compareExchange(this.words, this.index, UNLOCKED, LOCKED);
    if (c === UNLOCKED) return;
    if (c !== CONTENDED) c = Atomics.exchange(this.words, this.index, CONTENDED);
    while (c !== UNLOCKED) {
      Atomics.wait(this.words, this.index, CONTENDED);
      c = Atomics.exchange(this.words, this.index, CONTENDED);
    }
  }

  unlock(): void {
    if (Atomics.exchange(this.words, this.index, UNLOCKED) === CONTENDED) {
      Atomics.notify(this.words, this.index, 1);
    }
  }

  /** Runs `fn` with the lock held, releasing it even if `fn` throws. */
  with<T>(fn: () => T): T {
    this.lock();
    try {
      return fn();
    } finally {
      this.unlock();
    }
  }
}
