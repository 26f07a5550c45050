// Decoders for the type-level pieces shared by several sections (core spec §5.3): value types,
// reference and heap types, function types, limits, table/memory/global/tag types.

import type { ByteReader } from './byte-reader.js';
import { FUNC_TYPE_FORM, KNOWN_LIMITS_FLAGS, LimitsFlag, REF_NULL_PREFIX, REF_PREFIX } from './format.js';
import type { FuncType, GlobalType, Limits, RefType, TableType, TagType, TypeIndex, ValType } from './types.js';

/** Value-type bytes that stand alone: numeric, vector, and the abbreviated reference types. */
const SINGLE_BYTE_VALTYPES = new Set([
  0x7f, 0x7e, 0x7d, 0x7c, 0x7b, // i32 i64 f32 f64 v128
  0x70, 0x6f, 0x69, // funcref externref exnref
  0x6e, 0x6d, 0x6c, 0x6b, 0x6a, 0x71, 0x72, 0x73, 0x74, // any eq i31 struct array none noextern nofunc noexn
]);


/** Abstract heap types are single bytes 0x40..0x7f (negative s33 values); others are type indices. */
export function isAbstractHeapByte(b: number): boolean {
  return b >= 0x40 && b < 0x80;
}

function hex(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}`;
}

export function readValType(r: ByteReader, what: string): ValType {
  const at = r.pos;
  const b = r.u8(what);
  if (SINGLE_BYTE_VALTYPES.has(b)) return b;
  if (b === REF_NULL_PREFIX || b === REF_PREFIX) return readRefTail(r, b === REF_NULL_PREFIX);
  return r.fail(`invalid value type ${hex(b)} in ${what}`, at);
}

function readRefTail(r: ByteReader, nullable: boolean): RefType {
  const b = r.peek();
  if (isAbstractHeapByte(b)) {
    r.pos++;
    return { nullable, heap: b, heapIsIndex: false };
  }
  const at = r.pos;
  const index = r.s64();
  if (index < 0n || index >= 1n << 32n) r.fail('invalid heap type index', at);
  return { nullable, heap: Number(index), heapIsIndex: true };
}

export function readRefType(r: ByteReader, what: string): ValType {
  const at = r.pos;
  const t = readValType(r, what);
  if (typeof t === 'number' && t >= 0x7b) r.fail(`expected a reference type in ${what}, got ${hex(t)}`, at);
  return t;
}

export function readFuncType(r: ByteReader): FuncType {
  const at = r.pos;
  const form = r.u8('type form');
  if (form !== FUNC_TYPE_FORM) {
    r.fail(`unsupported type form ${hex(form)} in Type section (only function types, 0x60, are supported)`, at);
  }
  const params = readValTypes(r, 'function parameter');
  const results = readValTypes(r, 'function result');
  return { params, results };
}

function readValTypes(r: ByteReader, what: string): ValType[] {
  const n = r.count(`${what} type`);
  const out: ValType[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = readValType(r, what);
  return out;
}

export function readLimits(r: ByteReader, what: string): Limits {
  const at = r.pos;
  const flags = r.u8(`${what} limits`);
  if (flags & ~KNOWN_LIMITS_FLAGS) r.fail(`invalid ${what} limits flags ${hex(flags)}`, at);
  const is64 = (flags & LimitsFlag.IS_64) !== 0;
  const min = is64 ? r.u64() : BigInt(r.u32());
  const limits: Limits = { flags, min };
  if (flags & LimitsFlag.HAS_MAX) limits.max = is64 ? r.u64() : BigInt(r.u32());
  if (flags & LimitsFlag.CUSTOM_PAGE_SIZE) limits.pageSizeLog2 = r.u32();
  return limits;
}

export function readTableType(r: ByteReader): TableType {
  const elemType = readRefType(r, 'table element type');
  return { elemType, limits: readLimits(r, 'table') };
}

export function readGlobalType(r: ByteReader): GlobalType {
  const valType = readValType(r, 'global type');
  const at = r.pos;
  const mut = r.u8('global mutability');
  if (mut > 1) r.fail(`invalid global mutability ${hex(mut)}`, at);
  return { valType, mutable: mut === 1 };
}

export function readTagType(r: ByteReader): TagType {
  const at = r.pos;
  const attribute = r.u8('tag attribute');
  if (attribute !== 0) r.fail(`invalid tag attribute ${attribute} (only 0, exception, exists)`, at);
  return { attribute, typeIndex: r.u32() as TypeIndex };
}
