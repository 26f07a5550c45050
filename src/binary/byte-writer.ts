// A growable byte buffer with the encoders the wasm writer needs (LEB128 with optional padding,
// names as UTF-8, raw bytes). It doubles its capacity when full, so appending is amortised O(1)
// and nothing builds strings or arrays of numbers on the way.

import { PADDED_LEB32_WIDTH, PADDED_LEB64_WIDTH, writeS32, writeS64, writeU32, writeU64 } from './leb.js';

const INITIAL_CAPACITY = 256;
const utf8 = new TextEncoder();

export class ByteWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buf = new Uint8Array(Math.max(capacity, 1));
  }

  get length(): number {
    return this.len;
  }

  private reserve(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(value: number): void {
    this.reserve(1);
    this.buf[this.len++] = value;
  }

  u32(value: number, width?: number): void {
    this.reserve(PADDED_LEB32_WIDTH);
    this.len = writeU32(this.buf, this.len, value, width);
  }

  s32(value: number, width?: number): void {
    this.reserve(PADDED_LEB32_WIDTH);
    this.len = writeS32(this.buf, this.len, value, width);
  }

  u64(value: bigint, width?: number): void {
    this.reserve(PADDED_LEB64_WIDTH);
    this.len = writeU64(this.buf, this.len, value, width);
  }

  s64(value: bigint, width?: number): void {
    this.reserve(PADDED_LEB64_WIDTH);
    this.len = writeS64(this.buf, this.len, value, width);
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  /** Appends `n` bytes that `write` puts straight into the buffer, from `at`. */
  place(n: number, write: (dest: Uint8Array, at: number) => void): void {
    this.reserve(n);
    write(this.buf, this.len);
    this.len += n;
  }

  /** A length-prefixed UTF-8 name; the length is the UTF-8 byte count, not the UTF-16 one. */
  name(value: string): void {
    let ascii = true;
    for (let i = 0; i < value.length; i++) {
      if (value.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      this.u32(value.length);
      this.reserve(value.length);
      for (let i = 0; i < value.length; i++) this.buf[this.len++] = value.charCodeAt(i);
      return;
    }
    const encoded = utf8.encode(value);
    this.u32(encoded.length);
    this.bytes(encoded);
  }

  /** A vector: its length, then each item. */
  vec<T>(items: readonly T[], each: (w: ByteWriter, item: T) => void): void {
    this.u32(items.length);
    for (const item of items) each(this, item);
  }

  /** Appends `content` preceded by its size as a u32 LEB padded to `sizeWidth` when given. */
  sized(content: ByteWriter, sizeWidth?: number): void {
    this.u32(content.length, sizeWidth);
    this.bytes(content.view());
  }

  /** The written bytes, as a view of the internal buffer (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** The written bytes, trimmed to size: the buffer itself when it is exactly full, else a copy. */
  finish(): Uint8Array {
    return this.len === this.buf.length ? this.buf : this.buf.slice(0, this.len);
  }
}
