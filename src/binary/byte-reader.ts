// A bounds-checked cursor over wasm bytes whose every error is a `DecodeError` naming the file and
// the ABSOLUTE offset of the bad byte. `base` is the absolute offset of `bytes[0]` inside `file`
// (0 for a whole file; archive members are reported as `lib.a(member.o)` with offsets relative
// to the member, so their reader also has base 0 over the member's bytes).
//
// Sections and subsections are read by narrowing `end` (`withLimit`), so a field that runs past
// its section is reported as such rather than silently reading the next section.

import { DecodeError } from '../diagnostics.js';
import { readS32, readS64, readU32, readU64, type LebCursor } from './leb.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class ByteReader implements LebCursor {
  pos: number;
  end: number;
  /**
   * What is being read (`Import section`, `reloc.CODE`); generic errors (truncated LEB, bad
   * name) are prefixed with it so that every message names its section.
   */
  context: string | undefined;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string | undefined,
    /** Absolute offset of bytes[0] in `file`. */
    readonly base = 0,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start;
    this.end = end;
    this.context = undefined;
  }

  private asBuffer: Buffer | undefined;

  /** `bytes` as a Buffer (a view of the same memory: no copy), made once per reader. */
  buffer(): Buffer {
    return (this.asBuffer ??= Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength));
  }

  /** bytes[start, end) as a string, one char per byte. */
  latin1(start: number, end: number): string {
    return this.buffer().toString('latin1', start, end);
  }

  /** The absolute file offset of index `at` (default: the current position). */
  offset(at = this.pos): number {
    return this.base + at;
  }

  fail(message: string, at: number = this.pos): never {
    const text = this.context === undefined || message.includes(this.context) ? message : `${this.context}: ${message}`;
    throw new DecodeError(text, this.file, this.base + at);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  u8(what = 'byte'): number {
    if (this.pos >= this.end) this.fail(`unexpected end of data reading ${what}`);
    return this.bytes[this.pos++];
  }

  peek(): number {
    if (this.pos >= this.end) this.fail('unexpected end of data');
    return this.bytes[this.pos];
  }

  u32(): number {
    // A one-byte value (most of them) without the call into readU32.
    const p = this.pos;
    if (p < this.end) {
      const b = this.bytes[p];
      if (b < 0x80) {
        this.pos = p + 1;
        return b;
      }
    }
    return readU32(this);
  }

  s32(): number {
    return readS32(this);
  }

  u64(): bigint {
    return readU64(this);
  }

  s64(): bigint {
    return readS64(this);
  }

  /** A little-endian fixed-width u32 (relocation slots, ar headers use text instead). */
  fixedU32(): number {
    const p = this.take(4, 'u32');
    const b = this.bytes;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  /**
   * Reads a vector count and rejects it before anything is allocated if even `minItemSize` bytes
   * per item could not fit in what is left — the guard against corrupt counts like 0xffffffff.
   */
  count(what: string, minItemSize = 1): number {
    const at = this.pos;
    const n = this.u32();
    if (n * minItemSize > this.end - this.pos) {
      this.fail(`${what} count ${n} exceeds the ${this.end - this.pos} bytes left`, at);
    }
    return n;
  }

  /** Advances over `n` bytes and returns the index of the first. */
  take(n: number, what = 'bytes'): number {
    if (n > this.end - this.pos) this.fail(`unexpected end of data: ${what} of ${n} bytes runs past the end`);
    const p = this.pos;
    this.pos += n;
    return p;
  }

  /** A view (no copy) of the next `n` bytes. */
  bytesView(n: number, what = 'bytes'): Uint8Array {
    const p = this.take(n, what);
    return this.bytes.subarray(p, p + n);
  }

  /** A length-prefixed UTF-8 name (core spec §5.2.4). */
  name(what = 'name'): string {
    const lenAt = this.pos;
    const len = this.u32();
    if (len > this.end - this.pos) this.fail(`${what} length ${len} runs past the end`, lenAt);
    const start = this.pos;
    this.pos += len;
    return decodeName(this, start, len, what);
  }

  /** Narrows `end` to `limit`; returns the enclosing end, which `leave` restores. */
  enter(limit: number, what: string): number {
    if (limit > this.end) this.fail(`${what} runs past the end of its enclosing data`);
    const outer = this.end;
    this.end = limit;
    return outer;
  }

  /** Requires everything up to the narrowed `end` to have been read, then restores `outer`. */
  leave(outer: number, what: string): void {
    if (this.pos !== this.end) this.fail(`${what}: ${this.end - this.pos} unread bytes at the end`, this.pos);
    this.end = outer;
  }

  /** Runs `body` with `end` narrowed to `limit`, then requires it to have consumed exactly that. */
  withLimit<T>(limit: number, what: string, body: () => T): T {
    const outer = this.enter(limit, what);
    const result = body();
    this.leave(outer, what);
    return result;
  }
}

/**
 * Names are interned: the same name read again is the string made the first time (a linker keeps
 * every name it reads to its end, and two thirds of emscripten's libc-mt.a's 49,000 names repeat
 * another). Node's native decoder makes the string straight from the reader's memory and a Map,
 * which hashes natively, finds the one made before: 200-340 ns a name, against 1.5 µs for hashing
 * and comparing the bytes in JavaScript as V8 runs a linker's (unoptimised: 50,000 names of 5-35
 * bytes, Node 20 and 22 with --no-opt). The Map is emptied when it holds INTERN_LIMIT names, so that
 * a long-lived process keeps only a bounded number of the names it has read.
 */
const INTERN_LIMIT = 1 << 16;
const interned = new Map<string, string>();

/**
 * `Buffer#utf8Slice`: what `buffer.toString('utf8', start, end)` calls once it has checked its
 * arguments (that check costs as much again, here). Every supported Node has it; the fallback is
 * for one that might not.
 */
type Utf8Slice = (this: Buffer, start: number, end: number) => string;
const utf8Slice: Utf8Slice =
  (Buffer.prototype as unknown as { utf8Slice?: Utf8Slice }).utf8Slice ??
  function (this: Buffer, start: number, end: number): string {
    return this.toString('utf8', start, end);
  };

function decodeName(r: ByteReader, start: number, len: number, what: string): string {
  const end = start + len;
  const name = utf8Slice.call(r.buffer(), start, end);
  const known = interned.get(name);
  if (known !== undefined) return known;
  // The native decoder replaces invalid UTF-8 with U+FFFD: a name that holds one is decoded again
  // strictly, and never interned (the bytes 61 FF 62 would otherwise find the valid "a\uFFFDb").
  if (name.includes('\uFFFD')) {
    try {
      utf8.decode(r.bytes.subarray(start, end));
    } catch {
      return r.fail(`${what} is not valid UTF-8`, start);
    }
    return name;
  }
  if (interned.size >= INTERN_LIMIT) interned.clear();
  interned.set(name, name);
  return name;
}
