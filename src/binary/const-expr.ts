// Constant expressions (core spec §3.3.10, §5.4.9; extended-const proposal): finding where one
// ends while reading, building the few forms the linker emits, and evaluating the simple ones.
//
// The model keeps constant expressions as raw bytes (relocations may point into them, and the
// writer must reproduce them exactly), so reading only has to find the terminating `end`. It
// decodes each instruction's immediates to do so; only the instructions valid in a constant
// expression are accepted (numeric consts, global.get, ref.null, ref.func, the extended-const
// add/sub/mul, v128.const), anything else is a decode error naming the opcode.

import { DecodeError } from '../diagnostics.js';
import type { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { InstructionReader } from './instructions.js';
import { Op } from './opcodes.js';
import type { ConstExpr, GlobalIndex } from './types.js';

/** The instructions a constant expression may hold, as `prefix:code` (prefix 0 for single-byte opcodes). */
const CONSTANT_OPS = new Set<string>([
  Op.i32Const, Op.i64Const, Op.f32Const, Op.f64Const, Op.globalGet, Op.refNull, Op.refFunc,
  Op.i32Add, Op.i32Sub, Op.i32Mul, Op.i64Add, Op.i64Sub, Op.i64Mul, Op.end,
].map((code) => `0:${code}`).concat(`${Op.simdPrefix}:${Op.v128Const}`));

/**
 * Reads a constant expression up to and including its `end`; returns it as a view. The one
 * instruction walker (instructions.ts) decodes it; anything but a constant instruction is an error.
 */
export function readConstExpr(r: ByteReader, what: string): ConstExpr {
  const start = r.pos;
  const ir = new InstructionReader(r.bytes, r.base, r.file, start, r.end);
  let unsupported: { name: string; at: number } | undefined;
  try {
    do {
      ir.next();
      if (!CONSTANT_OPS.has(`${ir.op.prefix}:${ir.op.code}`)) unsupported = { name: ir.op.name, at: ir.offset - r.base };
    } while (!unsupported && !ir.done);
  } catch (e) {
    const d = e instanceof DecodeError ? e.diagnostics[0] : undefined;
    if (d) throw new DecodeError(`${what} (constant expression): ${d.message}`, r.file, d.offset ?? r.base + start);
    throw e;
  }
  if (unsupported) r.fail(`unsupported instruction ${unsupported.name} in ${what} (constant expression)`, unsupported.at);
  r.pos = ir.pos;
  return { bytes: r.bytes.subarray(start, r.pos) };
}

// ---------------------------------------------------------------------------------------------
// Building (always minimal encodings: these are for new modules).

function build(op: number, emit: (w: ByteWriter) => void): ConstExpr {
  const w = new ByteWriter(16);
  w.u8(op);
  emit(w);
  w.u8(Op.end);
  return { bytes: w.finish() };
}

export function i32Const(value: number): ConstExpr {
  return build(Op.i32Const, (w) => w.s32(value | 0));
}

export function i64Const(value: bigint): ConstExpr {
  return build(Op.i64Const, (w) => w.s64(BigInt.asIntN(64, value)));
}

export function globalGet(index: GlobalIndex | number): ConstExpr {
  return build(Op.globalGet, (w) => w.u32(index));
}

export function refFunc(index: number): ConstExpr {
  return build(Op.refFunc, (w) => w.u32(index));
}

// ---------------------------------------------------------------------------------------------
// Evaluating.

/** The value of a simple constant expression: an integer, or a reference to an (imported) global. */
export type ConstValue = number | bigint | { global: number };

/**
 * Evaluates `i32.const N` (→ number), `i64.const N` (→ bigint) or `global.get G` (→ {global});
 * returns undefined for anything else (floats, references, extended-const arithmetic) and for
 * malformed bytes, which callers then show raw.
 */
export function evalConstExpr(expr: ConstExpr): ConstValue | undefined {
  const ir = new InstructionReader(expr.bytes, 0, undefined);
  try {
    if (!ir.next() || ir.op.prefix !== 0) return undefined;
    let value: ConstValue;
    switch (ir.op.code) {
      case Op.i32Const:
        value = ir.value;
        break;
      case Op.i64Const:
        value = ir.value64;
        break;
      case Op.globalGet:
        value = { global: ir.index };
        break;
      default:
        return undefined;
    }
    // Exactly one more instruction, the final `end`, and nothing after it.
    return ir.next() && ir.done && !ir.next() ? value : undefined;
  } catch {
    return undefined;
  }
}
