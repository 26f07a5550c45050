// The instruction decoder: walks a function body or constant expression one instruction at a time,
// driven by the opcode table in `opcodes.ts`.
//
// How it works: `InstructionReader` is a cursor. Each `next()` reads one opcode (a byte, or a
// prefix byte and a u32 sub-opcode), looks it up, and decodes its immediates into plain number
// fields on the reader itself (`index`, `index2`, `align`, `memory`, `memOffset`, …), so scanning
// a large code section allocates nothing per instruction except for i64 constants (bigint).
// Variable-length immediates (br_table targets, typed-select types, try_table catch clauses,
// v128 bytes) are skipped and remembered by position; `brTableTargets()`, `selectTypes()`,
// `catches()` and `v128Bytes()` decode them on request. The reader tracks block nesting, stops
// after the `end` that closes the expression, and rejects trailing bytes, unknown opcodes and
// truncation with a `DecodeError` carrying the absolute file offset.
//
// Spec: core spec §5.4 (instructions), §5.5.13 (code section: locals), §5.3.2-5.3.5 (value, heap
// and block types), legacy exception handling and the try_table/exnref proposal (now core).

import { DecodeError } from '../diagnostics.js';
import { readS32, readS64, readU32, readU64, type LebCursor } from './leb.js';
import { Imm, Op, isPrefixByte, lookupOpcode, type OpcodeInfo } from './opcodes.js';
import type { ConstExpr, FunctionBody, ValType } from './types.js';

/** try_table catch clause kinds (exception-handling proposal, `catch`, `catch_ref`, …). */
export const CatchKind = {
  catch: 0,
  catch_ref: 1,
  catch_all: 2,
  catch_all_ref: 3,
} as const;
export type CatchKind = (typeof CatchKind)[keyof typeof CatchKind];
const CATCH_KIND_NAMES = ['catch', 'catch_ref', 'catch_all', 'catch_all_ref'] as const;

export interface CatchClause {
  kind: CatchKind;
  /** Tag index, for `catch` and `catch_ref`. */
  tag?: number;
  label: number;
}

/** Block type encodings (spec §5.4.1): 0x40 is empty; a value-type byte; else an s33 type index. */
export const BLOCK_TYPE_EMPTY = -0x40;
/** Reference-type prefixes of value types (spec §5.3.3): `(ref null ht)` and `(ref ht)`. */
const REF_NULL_PREFIX = 0x63;
const REF_PREFIX = 0x64;
/** `blockType` values of reference-typed blocks; the heap type is in `heapType`. */
export const BLOCK_TYPE_REF_NULL = REF_NULL_PREFIX - 0x80;
export const BLOCK_TYPE_REF = REF_PREFIX - 0x80;
/** Bit 6 of a memarg's alignment field says a memory index follows (multi-memory proposal). */
const MEMARG_MEMORY_BIT = 0x40;
const V128_BYTES = 16;
/** br_on_cast flags byte: bit 0 = source nullable, bit 1 = target nullable. */
export const CAST_FLAG_SOURCE_NULL = 1;
export const CAST_FLAG_TARGET_NULL = 2;
/** The spec caps the number of locals of a function at 2^32 - 1. */
const MAX_LOCALS = 2 ** 32 - 1;

export class InstructionReader implements LebCursor {
  pos: number;
  end: number;

  // ---- The current instruction (valid after next() returned true). ----
  /** The opcode table entry. */
  op!: OpcodeInfo;
  /** Absolute file offset of the opcode's first byte. */
  offset = 0;
  /** Absolute file offset of the first immediate byte (the relocation target, if any). */
  immOffset = 0;
  /** Block nesting depth the instruction sits at (0 = function level; `end`/`else` at their block's level). */
  depth = 0;
  /**
   * First index immediate: label, function, type, local, global, table, tag, data, element or memory
   * index (by `op.imm`); the lane for `Lane`; the cast flags for `BrOnCast`.
   */
  index = 0;
  /**
   * Second immediate: table of call_indirect, memory of memory.init, source of memory.copy /
   * table.copy / array.copy, table of table.init, field of struct.get, count of array.new_fixed,
   * data/elem of array.new_data/elem, label of br_on_cast.
   */
  index2 = 0;
  /** Block type as a signed s33: BLOCK_TYPE_EMPTY, a negative value-type code, or a type index. */
  blockType = 0;
  /** Heap type as a signed s33: negative for abstract types (0x70 func → -16), else a type index. */
  heapType = 0;
  /** br_on_cast: the target heap type (heapType holds the source). */
  heapType2 = 0;
  /** log2 of the alignment of a memory argument (without the memory-index bit). */
  align = 0;
  /** Memory index of a memory argument (0 unless bit 6 of the alignment was set). */
  memory = 0;
  /** Offset of a memory argument; exact below 2^53 (memory64 offsets above are rounded). */
  memOffset = 0;
  /** Lane index of `MemArgLane` instructions. */
  lane = 0;
  /** Value of i32.const (signed), f32.const and f64.const. */
  value = 0;
  /** Value of i64.const (signed). */
  value64 = 0n;
  /** Index into `bytes` of a variable-length immediate (br_table, select t*, try_table, v128). */
  private listPos = 0;
  private listCount = 0;
  private finished = false;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** Absolute file offset of bytes[0]. */
    readonly base: number,
    readonly file: string | undefined,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(message: string, at: number = this.pos): never {
    throw new DecodeError(message, this.file, this.base + at);
  }

  /** True once the `end` closing the whole expression has been read. */
  get done(): boolean {
    return this.finished;
  }

  /**
   * Reads the next instruction; false after the final `end`. Throws on a missing final `end` or
   * on bytes after it.
   */
  next(): boolean {
    if (this.finished) {
      if (this.pos !== this.end) this.fail(`${this.end - this.pos} bytes after the final end of the expression`);
      return false;
    }
    if (this.pos >= this.end) this.fail('expression does not end with end (0x0b)');
    const start = this.pos;
    this.offset = this.base + start;
    this.op = this.readOpcode(start);
    this.immOffset = this.base + this.pos;
    this.readImmediates();
    this.trackNesting();
    return true;
  }

  private readOpcode(start: number): OpcodeInfo {
    const first = this.bytes[this.pos++];
    if (!isPrefixByte(first)) {
      const info = lookupOpcode(0, first);
      if (info === undefined) this.fail(`unknown opcode 0x${hex2(first)}`, start);
      return info;
    }
    const sub = readU32(this);
    const info = lookupOpcode(first, sub);
    if (info === undefined) this.fail(`unknown opcode 0x${hex2(first)} ${sub}`, start);
    return info;
  }

  private trackNesting(): void {
    switch (this.op.prefix === 0 ? this.op.code : -1) {
      case Op.block:
      case Op.loop:
      case Op.if:
      case Op.try:
      case Op.try_table:
        this.depth++;
        return;
      case Op.end:
      case Op.delegate:
        // `delegate` closes its `try` like `end` does.
        if (this.depth === 0) this.finished = true;
        else this.depth--;
        return;
      default:
        return;
    }
  }

  /** Depth at which to show the current instruction: block closers sit at their opener's level. */
  get displayDepth(): number {
    if (this.op.prefix !== 0) return this.depth;
    switch (this.op.code) {
      case Op.block:
      case Op.loop:
      case Op.if:
      case Op.try:
      case Op.try_table:
        return this.depth - 1;
      case Op.else:
      case Op.catch:
      case Op.catch_all:
        return Math.max(0, this.depth - 1);
      default:
        return this.depth;
    }
  }

  private readImmediates(): void {
    switch (this.op.imm) {
      case Imm.None:
        return;
      case Imm.BlockType:
        this.blockType = this.readBlockType();
        return;
      case Imm.Label:
      case Imm.Func:
      case Imm.Type:
      case Imm.Local:
      case Imm.Global:
      case Imm.Table:
      case Imm.Memory:
      case Imm.Data:
      case Imm.Elem:
      case Imm.Tag:
        this.index = readU32(this);
        return;
      case Imm.CallIndirect:
      case Imm.MemoryInit:
      case Imm.MemoryCopy:
      case Imm.TableInit:
      case Imm.TableCopy:
      case Imm.TypeField:
      case Imm.TypeCount:
      case Imm.TypeData:
      case Imm.TypeElem:
      case Imm.TypeType:
        this.index = readU32(this);
        this.index2 = readU32(this);
        return;
      default:
        this.readOtherImmediates();
    }
  }

  private readOtherImmediates(): void {
    switch (this.op.imm) {
      case Imm.BrTable:
        this.readBrTable();
        return;
      case Imm.MemArg:
        this.readMemArg();
        return;
      case Imm.MemArgLane:
        this.readMemArg();
        this.lane = this.byte('lane index');
        return;
      case Imm.Lane:
        this.index = this.byte('lane index');
        return;
      case Imm.Fence:
        if (this.byte('atomic.fence flags') !== 0) this.fail('atomic.fence: reserved byte must be 0', this.pos - 1);
        return;
      case Imm.I32:
        this.value = readS32(this);
        return;
      case Imm.I64:
        this.value64 = readS64(this);
        return;
      case Imm.F32:
        this.value = this.view.getFloat32(this.take(4, 'f32 immediate'), true);
        return;
      case Imm.F64:
        this.value = this.view.getFloat64(this.take(8, 'f64 immediate'), true);
        return;
      default:
        this.readRareImmediates();
    }
  }

  private readRareImmediates(): void {
    switch (this.op.imm) {
      case Imm.V128:
      case Imm.Shuffle:
        this.listPos = this.take(V128_BYTES, 'v128 immediate');
        this.listCount = V128_BYTES;
        return;
      case Imm.SelectT:
        this.readSelectTypes();
        return;
      case Imm.HeapType:
        this.heapType = this.readS33('heap type');
        return;
      case Imm.TryTable:
        this.blockType = this.readBlockType();
        this.readCatchClauses();
        return;
      case Imm.BrOnCast:
        this.index = this.byte('cast flags');
        this.index2 = readU32(this);
        this.heapType = this.readS33('heap type');
        this.heapType2 = this.readS33('heap type');
        return;
      default:
        this.fail(`internal: no decoder for immediate kind ${this.op.imm} of ${this.op.name}`, this.offset - this.base);
    }
  }

  private readBrTable(): void {
    const at = this.pos;
    const n = readU32(this);
    if (n > this.end - this.pos) this.fail(`br_table label count ${n} exceeds the bytes left`, at);
    this.listPos = this.pos;
    this.listCount = n;
    for (let i = 0; i < n; i++) readU32(this);
    this.index = readU32(this);
  }

  private readSelectTypes(): void {
    const at = this.pos;
    const n = readU32(this);
    if (n > this.end - this.pos) this.fail(`select type count ${n} exceeds the bytes left`, at);
    this.listPos = this.pos;
    this.listCount = n;
    for (let i = 0; i < n; i++) readValType(this);
  }

  private readCatchClauses(): void {
    const at = this.pos;
    const n = readU32(this);
    if (n > this.end - this.pos) this.fail(`try_table catch count ${n} exceeds the bytes left`, at);
    this.listPos = this.pos;
    this.listCount = n;
    for (let i = 0; i < n; i++) readCatchClause(this);
  }

  private readMemArg(): void {
    const flagsAt = this.pos;
    const flags = readU32(this);
    if (flags & MEMARG_MEMORY_BIT) {
      this.align = flags & ~MEMARG_MEMORY_BIT;
      this.memory = readU32(this);
    } else {
      this.align = flags;
      this.memory = 0;
    }
    if (this.align >= 64) this.fail(`alignment 2^${this.align} out of range`, flagsAt);
    this.memOffset = this.readOffset();
  }

  /** A memarg offset: u32 normally, u64 for memory64; read as u32 when it fits, to avoid a bigint. */
  private readOffset(): number {
    if (fitsU32Leb(this.bytes, this.pos, this.end)) return readU32(this);
    return Number(readU64(this));
  }

  /**
   * A block type. A reference result type `(ref null? ht)` comes out as the prefix byte read as an
   * s33 (BLOCK_TYPE_REF_NULL / BLOCK_TYPE_REF) with the heap type in `heapType`.
   */
  private readBlockType(): number {
    const b = this.peek('block type');
    if (b === REF_NULL_PREFIX || b === REF_PREFIX) {
      this.pos++;
      this.heapType = this.readS33('heap type');
      return b - 0x80;
    }
    return this.readS33('block type');
  }

  /** An s33 (spec §5.4.1: block types and heap types), within the safe integer range. */
  readS33(what: string): number {
    const b = this.peek(what);
    // Single-byte negative encodings are the abstract type codes; multi-byte ones are indices.
    if ((b & 0x80) === 0) {
      this.pos++;
      return b & 0x40 ? b - 0x80 : b;
    }
    const v = readS64(this);
    if (v < -(1n << 32n) || v >= 1n << 32n) this.fail(`${what} out of range`, this.pos - 1);
    return Number(v);
  }

  private byte(what: string): number {
    if (this.pos >= this.end) this.fail(`unexpected end of data reading ${what}`);
    return this.bytes[this.pos++];
  }

  private peek(what: string): number {
    if (this.pos >= this.end) this.fail(`unexpected end of data reading ${what}`);
    return this.bytes[this.pos];
  }

  private take(n: number, what: string): number {
    if (n > this.end - this.pos) this.fail(`unexpected end of data: ${what} of ${n} bytes runs past the end`);
    const p = this.pos;
    this.pos += n;
    return p;
  }

  // ---- On-demand decoding of variable-length immediates of the current instruction. ----

  /** br_table: the label vector (without the default, which is `index`). */
  brTableTargets(): number[] {
    const sub = this.subReader();
    const out: number[] = [];
    for (let i = 0; i < this.listCount; i++) out.push(readU32(sub));
    return out;
  }

  /** Typed select: the value types. */
  selectTypes(): ValType[] {
    const sub = this.subReader();
    const out: ValType[] = [];
    for (let i = 0; i < this.listCount; i++) out.push(readValType(sub));
    return out;
  }

  /** try_table: the catch clauses. */
  catches(): CatchClause[] {
    const sub = this.subReader();
    const out: CatchClause[] = [];
    for (let i = 0; i < this.listCount; i++) out.push(readCatchClause(sub));
    return out;
  }

  /** v128.const / i8x16.shuffle: the 16 immediate bytes (a view, no copy). */
  v128Bytes(): Uint8Array {
    return this.bytes.subarray(this.listPos, this.listPos + V128_BYTES);
  }

  /** The raw bytes of the current instruction (a view). */
  instructionBytes(): Uint8Array {
    return this.bytes.subarray(this.offset - this.base, this.pos);
  }

  private subReader(): InstructionReader {
    return new InstructionReader(this.bytes, this.base, this.file, this.listPos, this.end);
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** True if a minimal-or-padded u32 LEB starts at `pos` (≤ 5 bytes, value < 2^32). */
function fitsU32Leb(bytes: Uint8Array, pos: number, end: number): boolean {
  for (let i = 0; i < 5 && pos + i < end; i++) {
    const b = bytes[pos + i];
    if ((b & 0x80) === 0) return i < 4 || b < 0x10;
  }
  return false;
}

function readCatchClause(c: InstructionReader): CatchClause {
  const at = c.pos;
  if (c.pos >= c.end) c.fail('unexpected end of data reading catch clause');
  const kind = c.bytes[c.pos++];
  if (kind > CatchKind.catch_all_ref) c.fail(`unknown catch clause kind ${kind}`, at);
  const k = kind as CatchKind;
  if (k === CatchKind.catch || k === CatchKind.catch_ref) {
    const tag = readU32(c);
    return { kind: k, tag, label: readU32(c) };
  }
  return { kind: k, label: readU32(c) };
}

export function catchKindName(kind: CatchKind): string {
  return CATCH_KIND_NAMES[kind];
}

/**
 * A value type (spec §5.3.4): a single-byte code, or 0x63/0x64 followed by a heap type. Shared
 * with the local-declaration decoder below.
 */
export function readValType(c: InstructionReader): ValType {
  if (c.pos >= c.end) c.fail('unexpected end of data reading value type');
  const at = c.pos;
  const b = c.bytes[c.pos];
  if (b === REF_NULL_PREFIX || b === REF_PREFIX) {
    c.pos++;
    const ht = c.readS33('heap type');
    return ht < 0 ? { nullable: b === REF_NULL_PREFIX, heap: ht & 0x7f, heapIsIndex: false } : { nullable: b === REF_NULL_PREFIX, heap: ht, heapIsIndex: true };
  }
  if (!VALUE_TYPE_BYTES.has(b)) c.fail(`unknown value type 0x${hex2(b)}`, at);
  c.pos++;
  return b;
}

/** Single-byte value types: numbers, vector, and the abbreviated reference types. */
const VALUE_TYPE_BYTES = new Set([
  0x7f, 0x7e, 0x7d, 0x7c, 0x7b, // i32 i64 f32 f64 v128
  0x70, 0x6f, 0x6e, 0x6d, 0x6c, 0x6b, 0x6a, 0x69, // func extern any eq i31 struct array exn
  0x74, 0x73, 0x72, 0x71, // noexn nofunc noextern none
]); // prettier-ignore

// ---------------------------------------------------------------------------------------------
// Function bodies and constant expressions.

export interface LocalDecl {
  count: number;
  type: ValType;
}

export interface DecodedLocals {
  decls: LocalDecl[];
  /** Sum of the counts. */
  total: number;
  /** Index into the body's bytes where the instructions start. */
  codeStart: number;
}

/** Decodes the local declarations at the start of a function body (spec §5.5.13). */
export function readLocals(body: FunctionBody, file?: string): DecodedLocals {
  const c = new InstructionReader(body.bytes, body.bytesOffset, file);
  const at = c.pos;
  const n = readU32(c);
  if (n > c.end - c.pos) c.fail(`local declaration count ${n} exceeds the bytes left`, at);
  const decls: LocalDecl[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const countAt = c.pos;
    const count = readU32(c);
    total += count;
    if (total > MAX_LOCALS) c.fail(`too many locals (${total})`, countAt);
    decls.push({ count, type: readValType(c) });
  }
  return { decls, total, codeStart: c.pos };
}

/** A reader positioned at the first instruction of a function body (after its locals). */
export function bodyReader(body: FunctionBody, file?: string): InstructionReader {
  const { codeStart } = readLocals(body, file);
  return new InstructionReader(body.bytes, body.bytesOffset, file, codeStart);
}

/** A reader over a constant expression; `offset` is the absolute offset of its first byte. */
export function constExprReader(expr: ConstExpr, offset: number, file?: string): InstructionReader {
  return new InstructionReader(expr.bytes, offset, file);
}

/** Calls `visit` for every instruction of a function body; the reader holds the instruction. */
export function forEachInstruction(body: FunctionBody, file: string | undefined, visit: (r: InstructionReader) => void): void {
  const r = bodyReader(body, file);
  while (r.next()) visit(r);
}
