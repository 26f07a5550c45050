// Constant expressions (core spec §3.3.10, §5.4.9; extended-const proposal): finding where one
// ends while reading, building the few forms the linker emits, and evaluating the simple ones.
//
// The model keeps constant expressions as raw bytes (relocations may point into them, and the
// writer must reproduce them exactly), so reading only has to find the terminating `end`. It
// decodes each instruction's immediates to do so; only the instructions valid in a constant
// expression are accepted (numeric consts, global.get, ref.null, ref.func, the extended-const
// add/sub/mul, v128.const), anything else is a decode error naming the opcode.

import type { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { readS32, readS64, readU32, type LebCursor } from './leb.js';
import type { ConstExpr, GlobalIndex } from './types.js';

export const ConstOp = {
  end: 0x0b,
  globalGet: 0x23,
  i32Const: 0x41,
  i64Const: 0x42,
  f32Const: 0x43,
  f64Const: 0x44,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  refNull: 0xd0,
  refFunc: 0xd2,
  simdPrefix: 0xfd,
} as const;

/** `v128.const` is 0xfd 0x0c followed by 16 immediate bytes. */
const V128_CONST = 12;
const V128_BYTES = 16;

/** Reads a constant expression up to and including its `end`; returns it as a view. */
export function readConstExpr(r: ByteReader, what: string): ConstExpr {
  const start = r.pos;
  for (;;) {
    const at = r.pos;
    const op = r.u8(`${what} (constant expression)`);
    if (op === ConstOp.end) return { bytes: r.bytes.subarray(start, r.pos) };
    skipImmediates(r, op, at, what);
  }
}

function skipImmediates(r: ByteReader, op: number, at: number, what: string): void {
  switch (op) {
    case ConstOp.i32Const:
      r.s32();
      return;
    case ConstOp.i64Const:
      r.s64();
      return;
    case ConstOp.f32Const:
      r.take(4, 'f32 constant');
      return;
    case ConstOp.f64Const:
      r.take(8, 'f64 constant');
      return;
    case ConstOp.globalGet:
    case ConstOp.refFunc:
      r.u32();
      return;
    case ConstOp.refNull:
      skipHeapType(r);
      return;
    case ConstOp.i32Add:
    case ConstOp.i32Sub:
    case ConstOp.i32Mul:
    case ConstOp.i64Add:
    case ConstOp.i64Sub:
    case ConstOp.i64Mul:
      return;
    case ConstOp.simdPrefix:
      if (r.u32() !== V128_CONST) r.fail(`unsupported instruction 0xfd in ${what} (constant expression)`, at);
      r.take(V128_BYTES, 'v128 constant');
      return;
    default:
      r.fail(`unsupported opcode 0x${op.toString(16).padStart(2, '0')} in ${what} (constant expression)`, at);
  }
}

/** A heap type is an s33: a negative abstract type (one byte) or a type index. */
function skipHeapType(r: ByteReader): void {
  const b = r.peek();
  if (b >= 0x40 && b < 0x80) {
    r.pos++;
    return;
  }
  const at = r.pos;
  if (r.s64() < 0n) r.fail('invalid heap type', at);
}

// ---------------------------------------------------------------------------------------------
// Building (always minimal encodings: these are for new modules).

function build(op: number, emit: (w: ByteWriter) => void): ConstExpr {
  const w = new ByteWriter(16);
  w.u8(op);
  emit(w);
  w.u8(ConstOp.end);
  return { bytes: w.finish() };
}

export function i32Const(value: number): ConstExpr {
  return build(ConstOp.i32Const, (w) => w.s32(value | 0));
}

export function i64Const(value: bigint): ConstExpr {
  return build(ConstOp.i64Const, (w) => w.s64(BigInt.asIntN(64, value)));
}

export function globalGet(index: GlobalIndex | number): ConstExpr {
  return build(ConstOp.globalGet, (w) => w.u32(index));
}

export function refFunc(index: number): ConstExpr {
  return build(ConstOp.refFunc, (w) => w.u32(index));
}

// ---------------------------------------------------------------------------------------------
// Evaluating.

/** The value of a simple constant expression: an integer, or a reference to an (imported) global. */
export type ConstValue = number | bigint | { global: number };

/** A minimal LEB cursor over an expression's bytes; malformed input makes evaluation give up. */
class ExprCursor implements LebCursor {
  pos = 1;
  readonly end: number;
  constructor(readonly bytes: Uint8Array) {
    this.end = bytes.length;
  }
  fail(): never {
    throw new RangeError('malformed constant expression');
  }
}

/**
 * Evaluates `i32.const N` (→ number), `i64.const N` (→ bigint) or `global.get G` (→ {global});
 * returns undefined for anything else (floats, references, extended-const arithmetic), which
 * callers then show raw.
 */
export function evalConstExpr(expr: ConstExpr): ConstValue | undefined {
  const b = expr.bytes;
  if (b.length < 2) return undefined;
  const c = new ExprCursor(b);
  let value: ConstValue;
  try {
    switch (b[0]) {
      case ConstOp.i32Const:
        value = readS32(c);
        break;
      case ConstOp.i64Const:
        value = readS64(c);
        break;
      case ConstOp.globalGet:
        value = { global: readU32(c) };
        break;
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
  return c.pos === b.length - 1 && b[c.pos] === ConstOp.end ? value : undefined;
}
