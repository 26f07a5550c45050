// The table of WebAssembly instructions: every opcode of the current spec (WebAssembly 3.0, core
// spec §5.4 "Instructions") with its text-format name and the kind of immediates that follow it.
// The decoder (`instructions.ts`) and the disassembler (`disassemble.ts`) both work from this one
// table, so adding an opcode is one line here.
//
// Covered: control (incl. tail calls, legacy exception handling try/catch/rethrow/delegate and the
// new try_table/throw_ref), typed function references (call_ref, br_on_null, ref.as_non_null), GC
// (0xFB), parametric and variable instructions, tables, memory (multi-memory memargs), numeric,
// saturating truncation and bulk memory (0xFC), SIMD and relaxed SIMD (0xFD), and threads (0xFE).
// Opcodes after a prefix byte are u32 LEBs (spec §5.4: "prefixed instructions"), so SIMD opcodes
// above 0x7f take two bytes.

/** How the immediates of an instruction are encoded (spec §5.4 per instruction). */
export const Imm = {
  /** No immediates. */
  None: 0,
  /** Block type: 0x40 empty, a value type, or an s33 type index (block, loop, if, try). */
  BlockType: 1,
  /** One label index (br, br_if, rethrow, delegate, br_on_null, br_on_non_null). */
  Label: 2,
  /** Vector of label indices and a default label. */
  BrTable: 3,
  /** Function index (call, return_call, ref.func). */
  Func: 4,
  /** Type index then table index (call_indirect, return_call_indirect). */
  CallIndirect: 5,
  /** One type index (call_ref, struct.new, array.get…). */
  Type: 6,
  Local: 7,
  Global: 8,
  /** One table index (table.get/set/grow/size/fill). */
  Table: 9,
  /** Memory argument: align (bit 6 set → a memory index follows), then offset. */
  MemArg: 10,
  I32: 11,
  I64: 12,
  F32: 13,
  F64: 14,
  /** Vector of value types (typed select). */
  SelectT: 15,
  /** A heap type (ref.null, ref.test, ref.cast). */
  HeapType: 16,
  /** One memory index (memory.size, memory.grow, memory.fill). */
  Memory: 17,
  /** Data index then memory index (memory.init). */
  MemoryInit: 18,
  /** Data index (data.drop). */
  Data: 19,
  /** Destination then source memory index (memory.copy). */
  MemoryCopy: 20,
  /** Element index then table index (table.init). */
  TableInit: 21,
  /** Element index (elem.drop). */
  Elem: 22,
  /** Destination then source table index (table.copy). */
  TableCopy: 23,
  /** 16 literal bytes (v128.const). */
  V128: 24,
  /** 16 lane indices (i8x16.shuffle). */
  Shuffle: 25,
  /** One lane index byte (extract_lane, replace_lane). */
  Lane: 26,
  /** Memory argument then a lane index byte (v128.load8_lane…). */
  MemArgLane: 27,
  /** One reserved zero byte (atomic.fence). */
  Fence: 28,
  /** Tag index (throw, legacy catch). */
  Tag: 29,
  /** Block type then a vector of catch clauses (try_table). */
  TryTable: 30,
  /** Type index then field index (struct.get…). */
  TypeField: 31,
  /** Type index then element count (array.new_fixed). */
  TypeCount: 32,
  /** Type index then data index (array.new_data, array.init_data). */
  TypeData: 33,
  /** Type index then element index (array.new_elem, array.init_elem). */
  TypeElem: 34,
  /** Destination then source type index (array.copy). */
  TypeType: 35,
  /** Cast flags byte, label, two heap types (br_on_cast, br_on_cast_fail). */
  BrOnCast: 36,
} as const;
export type Imm = (typeof Imm)[keyof typeof Imm];

/** Prefix bytes of the multi-byte opcode spaces. */
export const Prefix = {
  None: 0,
  Gc: 0xfb,
  Misc: 0xfc,
  Simd: 0xfd,
  Threads: 0xfe,
} as const;
export type Prefix = (typeof Prefix)[keyof typeof Prefix];

export interface OpcodeInfo {
  /** 0 for single-byte opcodes, else the prefix byte. */
  readonly prefix: Prefix;
  /** The opcode byte, or the u32 after the prefix. */
  readonly code: number;
  /** Text-format name, as in the spec. */
  readonly name: string;
  readonly imm: Imm;
  /** log2 of the natural alignment, for instructions with a memory argument. */
  readonly naturalAlign?: number;
  /** ref.test/ref.cast: the target type is `(ref null ht)` rather than `(ref ht)`. */
  readonly nullable?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Table construction helpers. Families are listed in opcode order, so `run` assigns consecutive
// codes and a reviewer can check them against the spec's tables line by line.

type Row = readonly [code: number, name: string, imm?: Imm, naturalAlign?: number];

function run(start: number, names: readonly string[], imm: Imm = Imm.None): Row[] {
  return names.map((name, i) => [start + i, name, imm] as const);
}

/** The names of a comparison/arithmetic family: `${type}.${op}` for each op. */
function family(type: string, ops: string): string[] {
  return ops
    .split(' ')
    .filter((op) => op !== '')
    .map((op) => `${type}.${op}`);
}

function mem(code: number, name: string, naturalAlign: number, imm: Imm = Imm.MemArg): Row {
  return [code, name, imm, naturalAlign];
}

// ---------------------------------------------------------------------------------------------
// Single-byte opcodes (spec §5.4.1-§5.4.7).

const INT_COMPARE = 'eqz eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u';
const FLOAT_COMPARE = 'eq ne lt gt le ge';
const INT_ARITH = 'clz ctz popcnt add sub mul div_s div_u rem_s rem_u and or xor shl shr_s shr_u rotl rotr';
const FLOAT_ARITH = 'abs neg ceil floor trunc nearest sqrt add sub mul div min max copysign';

const SINGLE: Row[] = [
  [0x00, 'unreachable'],
  [0x01, 'nop'],
  [0x02, 'block', Imm.BlockType],
  [0x03, 'loop', Imm.BlockType],
  [0x04, 'if', Imm.BlockType],
  [0x05, 'else'],
  [0x06, 'try', Imm.BlockType],
  [0x07, 'catch', Imm.Tag],
  [0x08, 'throw', Imm.Tag],
  [0x09, 'rethrow', Imm.Label],
  [0x0a, 'throw_ref'],
  [0x0b, 'end'],
  [0x0c, 'br', Imm.Label],
  [0x0d, 'br_if', Imm.Label],
  [0x0e, 'br_table', Imm.BrTable],
  [0x0f, 'return'],
  [0x10, 'call', Imm.Func],
  [0x11, 'call_indirect', Imm.CallIndirect],
  [0x12, 'return_call', Imm.Func],
  [0x13, 'return_call_indirect', Imm.CallIndirect],
  [0x14, 'call_ref', Imm.Type],
  [0x15, 'return_call_ref', Imm.Type],
  [0x18, 'delegate', Imm.Label],
  [0x19, 'catch_all'],
  [0x1a, 'drop'],
  [0x1b, 'select'],
  [0x1c, 'select', Imm.SelectT],
  [0x1f, 'try_table', Imm.TryTable],
  [0x20, 'local.get', Imm.Local],
  [0x21, 'local.set', Imm.Local],
  [0x22, 'local.tee', Imm.Local],
  [0x23, 'global.get', Imm.Global],
  [0x24, 'global.set', Imm.Global],
  [0x25, 'table.get', Imm.Table],
  [0x26, 'table.set', Imm.Table],
  mem(0x28, 'i32.load', 2),
  mem(0x29, 'i64.load', 3),
  mem(0x2a, 'f32.load', 2),
  mem(0x2b, 'f64.load', 3),
  mem(0x2c, 'i32.load8_s', 0),
  mem(0x2d, 'i32.load8_u', 0),
  mem(0x2e, 'i32.load16_s', 1),
  mem(0x2f, 'i32.load16_u', 1),
  mem(0x30, 'i64.load8_s', 0),
  mem(0x31, 'i64.load8_u', 0),
  mem(0x32, 'i64.load16_s', 1),
  mem(0x33, 'i64.load16_u', 1),
  mem(0x34, 'i64.load32_s', 2),
  mem(0x35, 'i64.load32_u', 2),
  mem(0x36, 'i32.store', 2),
  mem(0x37, 'i64.store', 3),
  mem(0x38, 'f32.store', 2),
  mem(0x39, 'f64.store', 3),
  mem(0x3a, 'i32.store8', 0),
  mem(0x3b, 'i32.store16', 1),
  mem(0x3c, 'i64.store8', 0),
  mem(0x3d, 'i64.store16', 1),
  mem(0x3e, 'i64.store32', 2),
  [0x3f, 'memory.size', Imm.Memory],
  [0x40, 'memory.grow', Imm.Memory],
  [0x41, 'i32.const', Imm.I32],
  [0x42, 'i64.const', Imm.I64],
  [0x43, 'f32.const', Imm.F32],
  [0x44, 'f64.const', Imm.F64],
  ...run(0x45, family('i32', INT_COMPARE)),
  ...run(0x50, family('i64', INT_COMPARE)),
  ...run(0x5b, family('f32', FLOAT_COMPARE)),
  ...run(0x61, family('f64', FLOAT_COMPARE)),
  ...run(0x67, family('i32', INT_ARITH)),
  ...run(0x79, family('i64', INT_ARITH)),
  ...run(0x8b, family('f32', FLOAT_ARITH)),
  ...run(0x99, family('f64', FLOAT_ARITH)),
  ...run(0xa7, [
    'i32.wrap_i64',
    'i32.trunc_f32_s',
    'i32.trunc_f32_u',
    'i32.trunc_f64_s',
    'i32.trunc_f64_u',
    'i64.extend_i32_s',
    'i64.extend_i32_u',
    'i64.trunc_f32_s',
    'i64.trunc_f32_u',
    'i64.trunc_f64_s',
    'i64.trunc_f64_u',
    'f32.convert_i32_s',
    'f32.convert_i32_u',
    'f32.convert_i64_s',
    'f32.convert_i64_u',
    'f32.demote_f64',
    'f64.convert_i32_s',
    'f64.convert_i32_u',
    'f64.convert_i64_s',
    'f64.convert_i64_u',
    'f64.promote_f32',
    'i32.reinterpret_f32',
    'i64.reinterpret_f64',
    'f32.reinterpret_i32',
    'f64.reinterpret_i64',
    'i32.extend8_s',
    'i32.extend16_s',
    'i64.extend8_s',
    'i64.extend16_s',
    'i64.extend32_s',
  ]),
  [0xd0, 'ref.null', Imm.HeapType],
  [0xd1, 'ref.is_null'],
  [0xd2, 'ref.func', Imm.Func],
  [0xd3, 'ref.eq'],
  [0xd4, 'ref.as_non_null'],
  [0xd5, 'br_on_null', Imm.Label],
  [0xd6, 'br_on_non_null', Imm.Label],
];

// ---------------------------------------------------------------------------------------------
// 0xFB: GC (spec §5.4.6 "Aggregate reference instructions").

const GC: Row[] = [
  [0, 'struct.new', Imm.Type],
  [1, 'struct.new_default', Imm.Type],
  [2, 'struct.get', Imm.TypeField],
  [3, 'struct.get_s', Imm.TypeField],
  [4, 'struct.get_u', Imm.TypeField],
  [5, 'struct.set', Imm.TypeField],
  [6, 'array.new', Imm.Type],
  [7, 'array.new_default', Imm.Type],
  [8, 'array.new_fixed', Imm.TypeCount],
  [9, 'array.new_data', Imm.TypeData],
  [10, 'array.new_elem', Imm.TypeElem],
  [11, 'array.get', Imm.Type],
  [12, 'array.get_s', Imm.Type],
  [13, 'array.get_u', Imm.Type],
  [14, 'array.set', Imm.Type],
  [15, 'array.len'],
  [16, 'array.fill', Imm.Type],
  [17, 'array.copy', Imm.TypeType],
  [18, 'array.init_data', Imm.TypeData],
  [19, 'array.init_elem', Imm.TypeElem],
  // 20-23: the opcode says whether the target is `(ref ht)` or `(ref null ht)`; see `nullable`.
  [20, 'ref.test', Imm.HeapType],
  [21, 'ref.test', Imm.HeapType],
  [22, 'ref.cast', Imm.HeapType],
  [23, 'ref.cast', Imm.HeapType],
  [24, 'br_on_cast', Imm.BrOnCast],
  [25, 'br_on_cast_fail', Imm.BrOnCast],
  [26, 'any.convert_extern'],
  [27, 'extern.convert_any'],
  [28, 'ref.i31'],
  [29, 'i31.get_s'],
  [30, 'i31.get_u'],
];

// ---------------------------------------------------------------------------------------------
// 0xFC: saturating truncation, bulk memory and table instructions.

const MISC: Row[] = [
  ...run(0, [
    'i32.trunc_sat_f32_s',
    'i32.trunc_sat_f32_u',
    'i32.trunc_sat_f64_s',
    'i32.trunc_sat_f64_u',
    'i64.trunc_sat_f32_s',
    'i64.trunc_sat_f32_u',
    'i64.trunc_sat_f64_s',
    'i64.trunc_sat_f64_u',
  ]),
  [8, 'memory.init', Imm.MemoryInit],
  [9, 'data.drop', Imm.Data],
  [10, 'memory.copy', Imm.MemoryCopy],
  [11, 'memory.fill', Imm.Memory],
  [12, 'table.init', Imm.TableInit],
  [13, 'elem.drop', Imm.Elem],
  [14, 'table.copy', Imm.TableCopy],
  [15, 'table.grow', Imm.Table],
  [16, 'table.size', Imm.Table],
  [17, 'table.fill', Imm.Table],
];

// ---------------------------------------------------------------------------------------------
// 0xFD: SIMD (spec §5.4.8) and relaxed SIMD. Gaps in the code space are reserved opcodes.

const SIMD_LOADS: Row[] = [
  mem(0x00, 'v128.load', 4),
  mem(0x01, 'v128.load8x8_s', 3),
  mem(0x02, 'v128.load8x8_u', 3),
  mem(0x03, 'v128.load16x4_s', 3),
  mem(0x04, 'v128.load16x4_u', 3),
  mem(0x05, 'v128.load32x2_s', 3),
  mem(0x06, 'v128.load32x2_u', 3),
  mem(0x07, 'v128.load8_splat', 0),
  mem(0x08, 'v128.load16_splat', 1),
  mem(0x09, 'v128.load32_splat', 2),
  mem(0x0a, 'v128.load64_splat', 3),
  mem(0x0b, 'v128.store', 4),
  [0x0c, 'v128.const', Imm.V128],
  [0x0d, 'i8x16.shuffle', Imm.Shuffle],
  ...run(0x0e, ['i8x16.swizzle', 'i8x16.splat', 'i16x8.splat', 'i32x4.splat', 'i64x2.splat', 'f32x4.splat', 'f64x2.splat']),
  ...run(
    0x15,
    [
      'i8x16.extract_lane_s',
      'i8x16.extract_lane_u',
      'i8x16.replace_lane',
      'i16x8.extract_lane_s',
      'i16x8.extract_lane_u',
      'i16x8.replace_lane',
      'i32x4.extract_lane',
      'i32x4.replace_lane',
      'i64x2.extract_lane',
      'i64x2.replace_lane',
      'f32x4.extract_lane',
      'f32x4.replace_lane',
      'f64x2.extract_lane',
      'f64x2.replace_lane',
    ],
    Imm.Lane,
  ),
];

const SIMD_INT_COMPARE = 'eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u';

const SIMD_COMPARE_BITWISE: Row[] = [
  ...run(0x23, family('i8x16', SIMD_INT_COMPARE)),
  ...run(0x2d, family('i16x8', SIMD_INT_COMPARE)),
  ...run(0x37, family('i32x4', SIMD_INT_COMPARE)),
  ...run(0x41, family('f32x4', FLOAT_COMPARE)),
  ...run(0x47, family('f64x2', FLOAT_COMPARE)),
  ...run(0x4d, family('v128', 'not and andnot or xor bitselect any_true')),
  mem(0x54, 'v128.load8_lane', 0, Imm.MemArgLane),
  mem(0x55, 'v128.load16_lane', 1, Imm.MemArgLane),
  mem(0x56, 'v128.load32_lane', 2, Imm.MemArgLane),
  mem(0x57, 'v128.load64_lane', 3, Imm.MemArgLane),
  mem(0x58, 'v128.store8_lane', 0, Imm.MemArgLane),
  mem(0x59, 'v128.store16_lane', 1, Imm.MemArgLane),
  mem(0x5a, 'v128.store32_lane', 2, Imm.MemArgLane),
  mem(0x5b, 'v128.store64_lane', 3, Imm.MemArgLane),
  mem(0x5c, 'v128.load32_zero', 2),
  mem(0x5d, 'v128.load64_zero', 3),
  [0x5e, 'f32x4.demote_f64x2_zero'],
  [0x5f, 'f64x2.promote_low_f32x4'],
];

/** 0x60-0xff: lane-wise arithmetic, in code order; '' marks a reserved code. */
const SIMD_ARITH_NAMES = [
  // 0x60
  'i8x16.abs', 'i8x16.neg', 'i8x16.popcnt', 'i8x16.all_true', 'i8x16.bitmask',
  'i8x16.narrow_i16x8_s', 'i8x16.narrow_i16x8_u',
  'f32x4.ceil', 'f32x4.floor', 'f32x4.trunc', 'f32x4.nearest',
  'i8x16.shl', 'i8x16.shr_s', 'i8x16.shr_u', 'i8x16.add', 'i8x16.add_sat_s',
  // 0x70
  'i8x16.add_sat_u', 'i8x16.sub', 'i8x16.sub_sat_s', 'i8x16.sub_sat_u',
  'f64x2.ceil', 'f64x2.floor',
  'i8x16.min_s', 'i8x16.min_u', 'i8x16.max_s', 'i8x16.max_u',
  'f64x2.trunc', 'i8x16.avgr_u',
  'i16x8.extadd_pairwise_i8x16_s', 'i16x8.extadd_pairwise_i8x16_u',
  'i32x4.extadd_pairwise_i16x8_s', 'i32x4.extadd_pairwise_i16x8_u',
  // 0x80
  'i16x8.abs', 'i16x8.neg', 'i16x8.q15mulr_sat_s', 'i16x8.all_true', 'i16x8.bitmask',
  'i16x8.narrow_i32x4_s', 'i16x8.narrow_i32x4_u',
  'i16x8.extend_low_i8x16_s', 'i16x8.extend_high_i8x16_s',
  'i16x8.extend_low_i8x16_u', 'i16x8.extend_high_i8x16_u',
  'i16x8.shl', 'i16x8.shr_s', 'i16x8.shr_u', 'i16x8.add', 'i16x8.add_sat_s',
  // 0x90
  'i16x8.add_sat_u', 'i16x8.sub', 'i16x8.sub_sat_s', 'i16x8.sub_sat_u',
  'f64x2.nearest', 'i16x8.mul', 'i16x8.min_s', 'i16x8.min_u', 'i16x8.max_s', 'i16x8.max_u',
  '', 'i16x8.avgr_u',
  'i16x8.extmul_low_i8x16_s', 'i16x8.extmul_high_i8x16_s',
  'i16x8.extmul_low_i8x16_u', 'i16x8.extmul_high_i8x16_u',
  // 0xa0
  'i32x4.abs', 'i32x4.neg', '', 'i32x4.all_true', 'i32x4.bitmask', '', '',
  'i32x4.extend_low_i16x8_s', 'i32x4.extend_high_i16x8_s',
  'i32x4.extend_low_i16x8_u', 'i32x4.extend_high_i16x8_u',
  'i32x4.shl', 'i32x4.shr_s', 'i32x4.shr_u', 'i32x4.add', '',
  // 0xb0
  '', 'i32x4.sub', '', '', '', 'i32x4.mul', 'i32x4.min_s', 'i32x4.min_u', 'i32x4.max_s',
  'i32x4.max_u', 'i32x4.dot_i16x8_s', '',
  'i32x4.extmul_low_i16x8_s', 'i32x4.extmul_high_i16x8_s',
  'i32x4.extmul_low_i16x8_u', 'i32x4.extmul_high_i16x8_u',
  // 0xc0
  'i64x2.abs', 'i64x2.neg', '', 'i64x2.all_true', 'i64x2.bitmask', '', '',
  'i64x2.extend_low_i32x4_s', 'i64x2.extend_high_i32x4_s',
  'i64x2.extend_low_i32x4_u', 'i64x2.extend_high_i32x4_u',
  'i64x2.shl', 'i64x2.shr_s', 'i64x2.shr_u', 'i64x2.add', '',
  // 0xd0
  '', 'i64x2.sub', '', '', '', 'i64x2.mul',
  'i64x2.eq', 'i64x2.ne', 'i64x2.lt_s', 'i64x2.gt_s', 'i64x2.le_s', 'i64x2.ge_s',
  'i64x2.extmul_low_i32x4_s', 'i64x2.extmul_high_i32x4_s',
  'i64x2.extmul_low_i32x4_u', 'i64x2.extmul_high_i32x4_u',
  // 0xe0
  'f32x4.abs', 'f32x4.neg', '', 'f32x4.sqrt', 'f32x4.add', 'f32x4.sub', 'f32x4.mul', 'f32x4.div',
  'f32x4.min', 'f32x4.max', 'f32x4.pmin', 'f32x4.pmax',
  'f64x2.abs', 'f64x2.neg', '', 'f64x2.sqrt',
  // 0xf0
  'f64x2.add', 'f64x2.sub', 'f64x2.mul', 'f64x2.div', 'f64x2.min', 'f64x2.max', 'f64x2.pmin', 'f64x2.pmax',
  'i32x4.trunc_sat_f32x4_s', 'i32x4.trunc_sat_f32x4_u',
  'f32x4.convert_i32x4_s', 'f32x4.convert_i32x4_u',
  'i32x4.trunc_sat_f64x2_s_zero', 'i32x4.trunc_sat_f64x2_u_zero',
  'f64x2.convert_low_i32x4_s', 'f64x2.convert_low_i32x4_u',
]; // prettier-ignore

const RELAXED_SIMD_NAMES = [
  'i8x16.relaxed_swizzle',
  'i32x4.relaxed_trunc_f32x4_s',
  'i32x4.relaxed_trunc_f32x4_u',
  'i32x4.relaxed_trunc_f64x2_s_zero',
  'i32x4.relaxed_trunc_f64x2_u_zero',
  'f32x4.relaxed_madd',
  'f32x4.relaxed_nmadd',
  'f64x2.relaxed_madd',
  'f64x2.relaxed_nmadd',
  'i8x16.relaxed_laneselect',
  'i16x8.relaxed_laneselect',
  'i32x4.relaxed_laneselect',
  'i64x2.relaxed_laneselect',
  'f32x4.relaxed_min',
  'f32x4.relaxed_max',
  'f64x2.relaxed_min',
  'f64x2.relaxed_max',
  'i16x8.relaxed_q15mulr_s',
  'i16x8.relaxed_dot_i8x16_i7x16_s',
  'i32x4.relaxed_dot_i8x16_i7x16_add_s',
];

const SIMD_ARITH_START = 0x60;
const RELAXED_SIMD_START = 0x100;

const SIMD: Row[] = [
  ...SIMD_LOADS,
  ...SIMD_COMPARE_BITWISE,
  ...run(SIMD_ARITH_START, SIMD_ARITH_NAMES).filter(([, name]) => name !== ''),
  ...run(RELAXED_SIMD_START, RELAXED_SIMD_NAMES),
];

// ---------------------------------------------------------------------------------------------
// 0xFE: threads (threads proposal, now core spec §5.4.7 atomic instructions).

/** The seven widths of each read-modify-write family, in opcode order, with natural alignment. */
const RMW_WIDTHS: readonly (readonly [prefix: string, suffix: string, align: number])[] = [
  ['i32.atomic.rmw', '', 2],
  ['i64.atomic.rmw', '', 3],
  ['i32.atomic.rmw8', '_u', 0],
  ['i32.atomic.rmw16', '_u', 1],
  ['i64.atomic.rmw8', '_u', 0],
  ['i64.atomic.rmw16', '_u', 1],
  ['i64.atomic.rmw32', '_u', 2],
];
const RMW_OPS = ['add', 'sub', 'and', 'or', 'xor', 'xchg', 'cmpxchg'];
const RMW_START = 0x1e;

const THREADS: Row[] = [
  mem(0x00, 'memory.atomic.notify', 2),
  mem(0x01, 'memory.atomic.wait32', 2),
  mem(0x02, 'memory.atomic.wait64', 3),
  [0x03, 'atomic.fence', Imm.Fence],
  mem(0x10, 'i32.atomic.load', 2),
  mem(0x11, 'i64.atomic.load', 3),
  mem(0x12, 'i32.atomic.load8_u', 0),
  mem(0x13, 'i32.atomic.load16_u', 1),
  mem(0x14, 'i64.atomic.load8_u', 0),
  mem(0x15, 'i64.atomic.load16_u', 1),
  mem(0x16, 'i64.atomic.load32_u', 2),
  mem(0x17, 'i32.atomic.store', 2),
  mem(0x18, 'i64.atomic.store', 3),
  mem(0x19, 'i32.atomic.store8', 0),
  mem(0x1a, 'i32.atomic.store16', 1),
  mem(0x1b, 'i64.atomic.store8', 0),
  mem(0x1c, 'i64.atomic.store16', 1),
  mem(0x1d, 'i64.atomic.store32', 2),
  ...RMW_OPS.flatMap((op, i) =>
    RMW_WIDTHS.map(([p, suffix, align], j) => mem(RMW_START + i * RMW_WIDTHS.length + j, `${p}.${op}${suffix}`, align)),
  ),
];

// ---------------------------------------------------------------------------------------------
// The table and its lookup arrays.

/** GC opcodes whose cast target is nullable (`ref.test (ref null ht)`, `ref.cast (ref null ht)`). */
const NULLABLE_CASTS = new Set([21, 23]);

function toInfo(prefix: Prefix, rows: Row[]): OpcodeInfo[] {
  return rows.map(([code, name, imm = Imm.None, naturalAlign]) => {
    const info: OpcodeInfo = { prefix, code, name, imm };
    if (naturalAlign !== undefined) Object.assign(info, { naturalAlign });
    if (prefix === Prefix.Gc && NULLABLE_CASTS.has(code)) Object.assign(info, { nullable: true });
    return Object.freeze(info);
  });
}

/** Every opcode, single-byte ones first, then by prefix and code. */
export const OPCODES: readonly OpcodeInfo[] = Object.freeze([
  ...toInfo(Prefix.None, SINGLE),
  ...toInfo(Prefix.Gc, GC),
  ...toInfo(Prefix.Misc, MISC),
  ...toInfo(Prefix.Simd, SIMD),
  ...toInfo(Prefix.Threads, THREADS),
]);

/** Dense lookup: index by opcode (or sub-opcode after a prefix); holes are undefined. */
export interface OpcodeTables {
  readonly single: readonly (OpcodeInfo | undefined)[];
  readonly prefixed: ReadonlyMap<number, readonly (OpcodeInfo | undefined)[]>;
}

function buildTables(all: readonly OpcodeInfo[]): OpcodeTables {
  const single: (OpcodeInfo | undefined)[] = new Array(256).fill(undefined);
  const prefixed = new Map<number, (OpcodeInfo | undefined)[]>();
  for (const info of all) {
    let table = single;
    if (info.prefix !== Prefix.None) {
      table = prefixed.get(info.prefix) ?? [];
      prefixed.set(info.prefix, table);
    }
    if (table[info.code] !== undefined) throw new Error(`opcodes.ts: duplicate opcode ${info.prefix}:${info.code}`);
    table[info.code] = info;
  }
  return { single, prefixed };
}

/** Immutable lookup tables built once from OPCODES. */
export const OPCODE_TABLES: OpcodeTables = buildTables(OPCODES);

/** The opcode entry for `prefix`/`code`, or undefined for a reserved or unknown opcode. */
export function lookupOpcode(prefix: number, code: number): OpcodeInfo | undefined {
  if (prefix === Prefix.None) return OPCODE_TABLES.single[code];
  return OPCODE_TABLES.prefixed.get(prefix)?.[code];
}

/** True for a byte that starts a multi-byte opcode. */
export function isPrefixByte(byte: number): boolean {
  return byte === Prefix.Gc || byte === Prefix.Misc || byte === Prefix.Simd || byte === Prefix.Threads;
}

/**
 * Opcodes code refers to by name: the instruction walker and inspect read them, and the code that
 * writes function bodies (the linker's synthesised functions, the runtime's futex rewrite, the
 * bench modules) emits them. Prefixed instructions are the prefix byte plus their u32 code.
 */
export const Op = {
  unreachable: 0x00,
  nop: 0x01,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  try: 0x06,
  catch: 0x07,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  brTable: 0x0e,
  return: 0x0f,
  call: 0x10,
  callIndirect: 0x11,
  delegate: 0x18,
  catch_all: 0x19,
  drop: 0x1a,
  select: 0x1b,
  try_table: 0x1f,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  globalGet: 0x23,
  globalSet: 0x24,
  tableGet: 0x25,
  i32Load: 0x28,
  i32Store: 0x36,
  memorySize: 0x3f,
  i32Const: 0x41,
  i64Const: 0x42,
  f32Const: 0x43,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32GeS: 0x4e,
  i64GtU: 0x56,
  f64Lt: 0x63,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Or: 0x72,
  i32Shl: 0x74,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64Shl: 0x86,
  f64Sub: 0xa1,
  i32WrapI64: 0xa7,
  i64ExtendI32U: 0xad,
  f64ConvertI64S: 0xb9,
  refNull: 0xd0,
  refIsNull: 0xd1,
  refFunc: 0xd2,
  /** The empty block type (not an opcode: the byte after `block`/`loop`/`if`). */
  void: 0x40,
  /** 0xFC prefix: bulk memory. */
  bulkPrefix: 0xfc,
  i32TruncSatF64S: 0x02,
  i64TruncSatF64S: 0x06,
  memoryInit: 0x08,
  dataDrop: 0x09,
  memoryFill: 0x0b,
  /** 0xFD prefix: SIMD. */
  simdPrefix: 0xfd,
  v128Const: 0x0c,
  /** 0xFE prefix: atomics. */
  atomicPrefix: 0xfe,
  memoryAtomicNotify: 0x00,
  memoryAtomicWait32: 0x01,
  memoryAtomicWait64: 0x02,
  i32AtomicLoad: 0x10,
  i64AtomicLoad: 0x11,
  i32AtomicStore: 0x17,
  i32AtomicRmwAdd: 0x1e,
  i32AtomicRmwSub: 0x25,
  i32AtomicRmwCmpxchg: 0x48,
} as const;

/** log2 alignment of an i32 access (the natural alignment of i32 loads, stores and atomics). */
export const I32_ALIGN_LOG2 = 2;
