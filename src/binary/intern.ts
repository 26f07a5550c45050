// Interning decoded values by the bytes that encode them: a value decoded once is handed out
// again, the same object, whenever the same bytes are read, in this module or another. A linker
// reads the same few names, signatures, producers and target features from every object it loads
// and keeps them all until it ends (emscripten's libc-mt.a: two thirds of the 49,000 names in its
// 1,094 members repeat another; 2,681 function types, mostly a handful of signatures): interning
// spares an allocation per repeat, and V8's young-generation collector copying it while it lives.
//
// A table is a Map keyed by the bytes themselves, as a string of one char per byte made by Node's
// native latin1 decoder; the Map hashes and compares its keys natively too. (Hashing and comparing
// the bytes in JavaScript, which a link runs unoptimised, cost several times as much.) It is
// emptied when it holds `limit` keys: memory is bounded by the limit and the longest key.
// Interned values are shared, so they are frozen, all the way down: a caller writing to one
// throws (ES modules are strict) instead of changing another object's.

type Latin1Slice = (this: Buffer, start: number, end: number) => string;
/** `Buffer#latin1Slice`, what `toString('latin1', start, end)` calls after checking its arguments. */
export const latin1Slice: Latin1Slice =
  (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice ??
  function (this: Buffer, start: number, end: number): string {
    return this.toString('latin1', start, end);
  };

export class BytesInterner<T> {
  private readonly values = new Map<string, T>();

  constructor(
    /** How many keys the table holds before it is emptied. */
    private readonly limit: number,
    /** Longer encodings are not interned. */
    readonly maxLength: number,
  ) {}

  /** The value interned for bytes[start, end) of `b` (a ByteReader's `buffer()`), if any. */
  get(b: Buffer, start: number, end: number): T | undefined {
    if (end - start > this.maxLength) return undefined;
    return this.values.get(latin1Slice.call(b, start, end));
  }

  /** Interns `value` (frozen, deeply) for bytes[start, end) of `b`; returns it. */
  set(b: Buffer, start: number, end: number, value: T): T {
    deepFreeze(value);
    if (end - start > this.maxLength) return value;
    if (this.values.size >= this.limit) this.values.clear();
    this.values.set(latin1Slice.call(b, start, end), value);
    return value;
  }
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}
