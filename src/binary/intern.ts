// Interning decoded values by the bytes that encode them: a value decoded once is handed out
// again, the same object, whenever the same bytes are read, in this module or another. A linker
// reads the same few names, signatures, producers and target features from every object it loads
// and keeps them all until it ends (emscripten's libc-mt.a: two thirds of the 49,000 names in its
// 1,094 members repeat another; 2,681 function types, mostly a handful of signatures): interning
// spares an allocation per repeat, and V8's young-generation collector copying it while it lives.
//
// A table is direct-mapped: each slot holds the last value whose bytes hashed there, and a lookup
// compares the bytes themselves, so a collision only costs a miss. Memory is bounded by the slot
// count and the longest key. Interned values are shared, so they are frozen, all the way down: a
// caller writing to one throws (ES modules are strict) instead of changing another object's.

/** FNV-1a over bytes[start, end). */
export function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h ^ (h >>> 16);
}

/** Whether `key` holds bytes[start, end), one char per byte. */
export function sameBytes(key: string, b: Uint8Array, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let k = 0; k < key.length; k++) if (key.charCodeAt(k) !== b[start + k]) return false;
  return true;
}

export class BytesInterner<T> {
  private readonly keys: string[];
  private readonly values: (T | undefined)[];

  constructor(
    private readonly slots: number,
    /** Longer encodings are not interned. */
    readonly maxLength: number,
  ) {
    this.keys = new Array<string>(slots).fill('');
    this.values = new Array<T | undefined>(slots).fill(undefined);
  }

  /** The value interned for bytes[start, end), if any. */
  get(b: Uint8Array, start: number, end: number): T | undefined {
    if (end - start > this.maxLength) return undefined;
    const slot = hashBytes(b, start, end) & (this.slots - 1);
    const value = this.values[slot];
    return value !== undefined && sameBytes(this.keys[slot], b, start, end) ? value : undefined;
  }

  /** Interns `value` (frozen, deeply) for bytes[start, end); returns it. */
  set(b: Uint8Array, start: number, end: number, value: T): T {
    deepFreeze(value);
    if (end - start > this.maxLength) return value;
    const slot = hashBytes(b, start, end) & (this.slots - 1);
    let key = '';
    for (let i = start; i < end; i++) key += String.fromCharCode(b[i]);
    this.keys[slot] = key;
    this.values[slot] = value;
    return value;
  }
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}
