// The table of all 28 WebAssembly relocation types (tool-conventions Linking.md and
// DynamicLinking.md; LLVM WasmRelocs.def; ../shared/docs/linking.md §1.5-1.6): name, how the
// patched slot is encoded and how wide it is, whether the entry carries an addend, and which
// symbol kinds the index may name. The reader validates against it, `inspect` prints from it and
// the linker patches by it, so the facts live in exactly one place.

import { SymbolKind } from './types.js';

/** How a relocation slot is encoded in the target section. */
export type RelocEncoding = 'uleb32' | 'sleb32' | 'uleb64' | 'sleb64' | 'i32' | 'i64';

export interface RelocTypeInfo {
  type: number;
  name: string;
  encoding: RelocEncoding;
  /** Bytes patched: 5/10 for padded LEBs, 4/8 for little-endian words. */
  width: number;
  /** Whether the relocation entry has an `addend` field (LLVM `relocTypeHasAddend`). */
  hasAddend: boolean;
  /** Symbol kinds the index may name; empty for R_WASM_TYPE_INDEX_LEB, whose index is a type index. */
  symbolKinds: readonly SymbolKind[];
  /** Whether the addend/value is 64-bit (the addend is then read as a 64-bit SLEB). */
  is64: boolean;
}

const WIDTH: Record<RelocEncoding, number> = { uleb32: 5, sleb32: 5, uleb64: 10, sleb64: 10, i32: 4, i64: 8 };

const F = [SymbolKind.Function] as const;
const D = [SymbolKind.Data] as const;
const G = [SymbolKind.Global] as const;
// R_WASM_GLOBAL_INDEX_LEB may also name a data or function symbol: a GOT access (linking.md §1.6).
const GOT = [SymbolKind.Global, SymbolKind.Data, SymbolKind.Function] as const;
const S = [SymbolKind.Section] as const;
const TAG = [SymbolKind.Tag] as const;
const TABLE = [SymbolKind.Table] as const;
const NONE = [] as const;

function t(
  type: number,
  name: string,
  encoding: RelocEncoding,
  hasAddend: boolean,
  symbolKinds: readonly SymbolKind[],
): RelocTypeInfo {
  const is64 = encoding === 'uleb64' || encoding === 'sleb64' || encoding === 'i64';
  return { type, name, encoding, width: WIDTH[encoding], hasAddend, symbolKinds, is64 };
}

/** Indexed by type number. */
export const RELOC_TYPES: readonly RelocTypeInfo[] = [
  t(0, 'R_WASM_FUNCTION_INDEX_LEB', 'uleb32', false, F),
  t(1, 'R_WASM_TABLE_INDEX_SLEB', 'sleb32', false, F),
  t(2, 'R_WASM_TABLE_INDEX_I32', 'i32', false, F),
  t(3, 'R_WASM_MEMORY_ADDR_LEB', 'uleb32', true, D),
  t(4, 'R_WASM_MEMORY_ADDR_SLEB', 'sleb32', true, D),
  t(5, 'R_WASM_MEMORY_ADDR_I32', 'i32', true, D),
  t(6, 'R_WASM_TYPE_INDEX_LEB', 'uleb32', false, NONE),
  t(7, 'R_WASM_GLOBAL_INDEX_LEB', 'uleb32', false, GOT),
  t(8, 'R_WASM_FUNCTION_OFFSET_I32', 'i32', true, F),
  t(9, 'R_WASM_SECTION_OFFSET_I32', 'i32', true, S),
  t(10, 'R_WASM_TAG_INDEX_LEB', 'uleb32', false, TAG),
  t(11, 'R_WASM_MEMORY_ADDR_REL_SLEB', 'sleb32', true, D),
  t(12, 'R_WASM_TABLE_INDEX_REL_SLEB', 'sleb32', false, F),
  t(13, 'R_WASM_GLOBAL_INDEX_I32', 'i32', false, G),
  t(14, 'R_WASM_MEMORY_ADDR_LEB64', 'uleb64', true, D),
  t(15, 'R_WASM_MEMORY_ADDR_SLEB64', 'sleb64', true, D),
  t(16, 'R_WASM_MEMORY_ADDR_I64', 'i64', true, D),
  t(17, 'R_WASM_MEMORY_ADDR_REL_SLEB64', 'sleb64', true, D),
  t(18, 'R_WASM_TABLE_INDEX_SLEB64', 'sleb64', false, F),
  t(19, 'R_WASM_TABLE_INDEX_I64', 'i64', false, F),
  t(20, 'R_WASM_TABLE_NUMBER_LEB', 'uleb32', false, TABLE),
  t(21, 'R_WASM_MEMORY_ADDR_TLS_SLEB', 'sleb32', true, D),
  t(22, 'R_WASM_FUNCTION_OFFSET_I64', 'i64', true, F),
  t(23, 'R_WASM_MEMORY_ADDR_LOCREL_I32', 'i32', true, D),
  t(24, 'R_WASM_TABLE_INDEX_REL_SLEB64', 'sleb64', false, F),
  t(25, 'R_WASM_MEMORY_ADDR_TLS_SLEB64', 'sleb64', true, D),
  t(26, 'R_WASM_FUNCTION_INDEX_I32', 'i32', false, F),
  t(27, 'R_WASM_MEMORY_ADDR_LOCREL_I64', 'i64', true, D),
];

/** Relocation type numbers by name, for code that wants `RelocType.R_WASM_MEMORY_ADDR_TLS_SLEB`. */
export const RelocType = Object.freeze(
  Object.fromEntries(RELOC_TYPES.map((r) => [r.name, r.type])) as Record<string, number>,
) as Readonly<{
  R_WASM_FUNCTION_INDEX_LEB: 0;
  R_WASM_TABLE_INDEX_SLEB: 1;
  R_WASM_TABLE_INDEX_I32: 2;
  R_WASM_MEMORY_ADDR_LEB: 3;
  R_WASM_MEMORY_ADDR_SLEB: 4;
  R_WASM_MEMORY_ADDR_I32: 5;
  R_WASM_TYPE_INDEX_LEB: 6;
  R_WASM_GLOBAL_INDEX_LEB: 7;
  R_WASM_FUNCTION_OFFSET_I32: 8;
  R_WASM_SECTION_OFFSET_I32: 9;
  R_WASM_TAG_INDEX_LEB: 10;
  R_WASM_MEMORY_ADDR_REL_SLEB: 11;
  R_WASM_TABLE_INDEX_REL_SLEB: 12;
  R_WASM_GLOBAL_INDEX_I32: 13;
  R_WASM_MEMORY_ADDR_LEB64: 14;
  R_WASM_MEMORY_ADDR_SLEB64: 15;
  R_WASM_MEMORY_ADDR_I64: 16;
  R_WASM_MEMORY_ADDR_REL_SLEB64: 17;
  R_WASM_TABLE_INDEX_SLEB64: 18;
  R_WASM_TABLE_INDEX_I64: 19;
  R_WASM_TABLE_NUMBER_LEB: 20;
  R_WASM_MEMORY_ADDR_TLS_SLEB: 21;
  R_WASM_FUNCTION_OFFSET_I64: 22;
  R_WASM_MEMORY_ADDR_LOCREL_I32: 23;
  R_WASM_TABLE_INDEX_REL_SLEB64: 24;
  R_WASM_MEMORY_ADDR_TLS_SLEB64: 25;
  R_WASM_FUNCTION_INDEX_I32: 26;
  R_WASM_MEMORY_ADDR_LOCREL_I64: 27;
}>;

export function relocTypeInfo(type: number): RelocTypeInfo | undefined {
  return RELOC_TYPES[type];
}
