// Decoders for the type-level pieces shared by several sections (core spec §5.3): value types,
// reference and heap types, function types, limits, table/memory/global/tag types.

import type { ByteReader } from './byte-reader.js';
import { BytesInterner } from './intern.js';
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

/**
 * Function types are interned (intern.ts): objects repeat the same few signatures. Only types of
 * one-byte value types with fewer than 128 parameters and results are, whose encoding is then a
 * complete key. A shared FuncType and its arrays are frozen.
 */
const funcTypes = new BytesInterner<FuncType>(1 << 10, 2 + 2 * 127);

/** The end of the plain function type encoded at `at` (form, counts, one-byte types), or -1. */
function plainFuncTypeEnd(b: Uint8Array, at: number, end: number): number {
  if (at >= end || b[at] !== FUNC_TYPE_FORM) return -1;
  let p = at + 1;
  for (let list = 0; list < 2; list++) {
    if (p >= end) return -1;
    const n = b[p++];
    if (n >= 0x80 || p + n > end) return -1;
    for (let k = 0; k < n; k++) if (!SINGLE_BYTE_VALTYPES.has(b[p + k])) return -1;
    p += n;
  }
  return p;
}

export function readFuncType(r: ByteReader): FuncType {
  const at = r.pos;
  const plainEnd = plainFuncTypeEnd(r.bytes, at, r.end);
  if (plainEnd === -1) return readFuncTypeFields(r, at);
  const known = funcTypes.get(r.buffer(), at, plainEnd);
  if (known !== undefined) {
    r.pos = plainEnd;
    return known;
  }
  const type = readFuncTypeFields(r, at);
  funcTypes.set(r.buffer(), at, plainEnd, type);
  return type;
}

function readFuncTypeFields(r: ByteReader, at: number): FuncType {
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
