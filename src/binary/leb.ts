// LEB128 (core spec §5.2.2 "Integers"): decoding through a cursor, encoding into byte arrays,
// including the "padded to N bytes" forms that relocatable objects use so that the linker can
// patch a value in place without moving code (tool-conventions Linking.md: 5 bytes for 32-bit
// values, 10 for 64-bit).
//
// How decoding works: each byte carries 7 value bits, the high bit says "more follows". The spec
// bounds the length (⌈N/7⌉ bytes for an N-bit value) and requires the unused bits of the last
// byte to be zero (unsigned) or copies of the sign bit (signed); we enforce both, as the spec and
// wasm-tools do. 32-bit values are accumulated in doubles (no per-byte allocation); 64-bit values
// become bigints only at the end.

/** What a decoder reads from: bytes, a position it advances, and how to report a bad encoding. */
export interface LebCursor {
  readonly bytes: Uint8Array;
  pos: number;
  /** One past the last byte the cursor may read (the end of the enclosing section). */
  end: number;
  /** Throws a DecodeError at `at`, an index into `bytes`. */
  fail(message: string, at: number): never;
}

/** Padded widths of relocatable LEB slots (Linking.md). */
export const PADDED_LEB32_WIDTH = 5;
export const PADDED_LEB64_WIDTH = 10;

const TWO_POW_32 = 2 ** 32;

function byteAt(c: LebCursor, start: number, what: string): number {
  if (c.pos >= c.end) c.fail(`unexpected end of data in ${what}`, start);
  return c.bytes[c.pos++];
}

// The 32-bit readers read bytes inline, with no call per byte: a link runs them a few hundred
// thousand times in code V8 has not optimised (the CLI's link runs without V8's optimising tier,
// so nothing is inlined for it).

export function readU32(c: LebCursor): number {
  const start = c.pos;
  const bytes = c.bytes;
  // Most values are under 128, one byte: that case first, without the loop's bookkeeping.
  if (start < c.end) {
    const b = bytes[start];
    if (b < 0x80) {
      c.pos = start + 1;
      return b;
    }
  }
  const end = c.end;
  let pos = start;
  let result = 0;
  let scale = 1;
  for (let i = 0; i < PADDED_LEB32_WIDTH; i++) {
    if (pos >= end) {
      c.pos = pos;
      return c.fail('unexpected end of data in LEB128 u32', start);
    }
    const b = bytes[pos++];
    if (i === PADDED_LEB32_WIDTH - 1 && b & 0xf0) {
      c.pos = pos;
      return c.fail('LEB128 u32 too long or out of range', pos - 1);
    }
    result += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      c.pos = pos;
      return result;
    }
    scale *= 0x80;
  }
  c.pos = pos;
  return c.fail('LEB128 u32 too long', start);
}

export function readS32(c: LebCursor): number {
  const start = c.pos;
  const bytes = c.bytes;
  // One byte (-64..63, most relocation addends) first: bit 6 is the sign.
  if (start < c.end) {
    const b = bytes[start];
    if (b < 0x80) {
      c.pos = start + 1;
      return b & 0x40 ? b - 0x80 : b;
    }
  }
  const end = c.end;
  let pos = start;
  let result = 0;
  let shift = 0;
  for (let i = 0; i < PADDED_LEB32_WIDTH; i++) {
    if (pos >= end) {
      c.pos = pos;
      return c.fail('unexpected end of data in LEB128 s32', start);
    }
    const b = bytes[pos++];
    if (i === PADDED_LEB32_WIDTH - 1) {
      c.pos = pos;
      // Bits 4-6 of the fifth byte lie beyond bit 31 and must repeat the sign (bit 3).
      const high = b & 0x78;
      if (b & 0x80 || (high !== 0 && high !== 0x78)) c.fail('LEB128 s32 too long or out of range', pos - 1);
      return (result | ((b & 0x7f) << shift)) | 0;
    }
    result |= (b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) === 0) {
      c.pos = pos;
      return b & 0x40 ? result | (-1 << shift) : result;
    }
  }
  c.pos = pos;
  return c.fail('LEB128 s32 too long', start);
}

/** Reads an unsigned 64-bit LEB; values below 2^53 take a fast path without bigint arithmetic. */
export function readU64(c: LebCursor): bigint {
  const start = c.pos;
  let low = 0;
  let scale = 1;
  let i = 0;
  for (; i < 7; i++) {
    const b = byteAt(c, start, 'LEB128 u64');
    low += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return BigInt(low);
    scale *= 0x80;
  }
  let result = BigInt(low);
  let shift = 49n;
  for (; i < PADDED_LEB64_WIDTH; i++) {
    const b = byteAt(c, start, 'LEB128 u64');
    if (i === PADDED_LEB64_WIDTH - 1 && b & 0xfe) c.fail('LEB128 u64 too long or out of range', c.pos - 1);
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result;
    shift += 7n;
  }
  return c.fail('LEB128 u64 too long', start);
}

export function readS64(c: LebCursor): bigint {
  const start = c.pos;
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < PADDED_LEB64_WIDTH; i++) {
    const b = byteAt(c, start, 'LEB128 s64');
    if (i === PADDED_LEB64_WIDTH - 1) {
      // Only bit 0 of the tenth byte is value (bit 63); the other six must repeat it.
      if (b !== 0 && b !== 0x7f) c.fail('LEB128 s64 too long or out of range', c.pos - 1);
      return BigInt.asIntN(64, result | (BigInt(b & 0x7f) << shift));
    }
    result |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) return b & 0x40 ? result - (1n << shift) : result;
  }
  return c.fail('LEB128 s64 too long', start);
}

// ---------------------------------------------------------------------------------------------
// Encoding. `width` pads with continuation bytes (0x80 / 0xff for negative) up to that many bytes.

/** Bytes a minimal unsigned LEB of `value` takes. */
export function sizeU32(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

export function sizeU64(value: bigint): number {
  let n = 1;
  for (let v = value >> 7n; v !== 0n; v >>= 7n) n++;
  return n;
}

export function sizeS64(value: bigint): number {
  let n = 1;
  let v = value;
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) return n;
    n++;
  }
}

export function sizeS32(value: number): number {
  let n = 1;
  let v = value | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return n;
    n++;
  }
}

function checkWidth(minimal: number, width: number | undefined, max: number): number {
  if (width === undefined || width <= minimal) return minimal;
  if (width > max) throw new RangeError(`LEB128 width ${width} exceeds ${max} bytes`);
  return width;
}

/** Writes `value` (0 ≤ value < 2^32) at `out[pos]`; returns the position after it. */
export function writeU32(out: Uint8Array, pos: number, value: number, width?: number): number {
  if (!(value >= 0 && value < TWO_POW_32) || !Number.isInteger(value)) {
    throw new RangeError(`u32 out of range: ${value}`);
  }
  const n = checkWidth(sizeU32(value), width, PADDED_LEB32_WIDTH);
  let v = value;
  for (let i = 0; i < n - 1; i++) {
    out[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[pos++] = v;
  return pos;
}

export function writeS32(out: Uint8Array, pos: number, value: number, width?: number): number {
  if (!(value >= -0x80000000 && value <= 0x7fffffff) || !Number.isInteger(value)) {
    throw new RangeError(`s32 out of range: ${value}`);
  }
  const n = checkWidth(sizeS32(value), width, PADDED_LEB32_WIDTH);
  let v = value;
  for (let i = 0; i < n - 1; i++) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>= 7;
  }
  out[pos++] = v & 0x7f;
  return pos;
}

export function writeU64(out: Uint8Array, pos: number, value: bigint, width?: number): number {
  if (value < 0n || value >= 1n << 64n) throw new RangeError(`u64 out of range: ${value}`);
  const n = checkWidth(sizeU64(value), width, PADDED_LEB64_WIDTH);
  let v = value;
  for (let i = 0; i < n - 1; i++) {
    out[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out[pos++] = Number(v);
  return pos;
}

export function writeS64(out: Uint8Array, pos: number, value: bigint, width?: number): number {
  if (value < -(1n << 63n) || value >= 1n << 63n) throw new RangeError(`s64 out of range: ${value}`);
  const n = checkWidth(sizeS64(value), width, PADDED_LEB64_WIDTH);
  let v = value;
  for (let i = 0; i < n - 1; i++) {
    out[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out[pos++] = Number(v & 0x7fn);
  return pos;
}

/** Convenience for tests and patching: the bytes of one LEB. */
export function encodeU32(value: number, width?: number): Uint8Array {
  const out = new Uint8Array(PADDED_LEB32_WIDTH);
  return out.slice(0, writeU32(out, 0, value, width));
}

export function encodeS32(value: number, width?: number): Uint8Array {
  const out = new Uint8Array(PADDED_LEB32_WIDTH);
  return out.slice(0, writeS32(out, 0, value, width));
}

export function encodeU64(value: bigint, width?: number): Uint8Array {
  const out = new Uint8Array(PADDED_LEB64_WIDTH);
  return out.slice(0, writeU64(out, 0, value, width));
}

export function encodeS64(value: bigint, width?: number): Uint8Array {
  const out = new Uint8Array(PADDED_LEB64_WIDTH);
  return out.slice(0, writeS64(out, 0, value, width));
}
