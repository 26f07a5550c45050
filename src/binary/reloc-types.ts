// The table of all 28 WebAssembly relocation types (tool-conventions Linking.md and
// DynamicLinking.md; LLVM WasmRelocs.def): name, how the
// patched slot is encoded and how wide it is, whether the entry carries an addend, and which
// symbol kinds the index may name. The reader validates against it, `inspect` prints from it and
// the linker patches by it, so the facts live in exactly one place.

import { SymbolKind, type Relocation } from './types.js';

/** How a relocation slot is encoded in the target section. */
export type RelocEncoding = 'uleb32' | 'sleb32' | 'uleb64' | 'sleb64' | 'i32' | 'i64';

/**
 * What a relocation's value is, which decides how a linker computes it (lld
 * `InputFile::calcNewValue`):
 * - `function-index`: the function's index; `table-index`: its slot in the indirect table;
 *   `table-index-rel`: the slot minus `__table_base` (position-independent code);
 * - `memory-addr`: the data symbol's address + addend; `memory-addr-rel`: the same minus
 *   `__memory_base` (PIC); `memory-addr-locrel`: minus the address of the patched slot itself;
 *   `memory-addr-tls`: the offset in the TLS block (from `__tls_base`);
 * - `type-index`, `global-index` (a global, or a GOT entry for data/functions), `tag-index`,
 *   `table-number`: the index in that index space;
 * - `function-offset`: offset in the code section; `section-offset`: offset in a custom section.
 */
export type RelocCategory = 'function-index' | 'table-index' | 'table-index-rel' | 'memory-addr' | 'memory-addr-rel' |
  'memory-addr-locrel' | 'memory-addr-tls' | 'type-index' | 'global-index' | 'function-offset' | 'section-offset' |
  'tag-index' | 'table-number';

export interface RelocTypeInfo {
  type: number;
  name: string;
  category: RelocCategory;
  encoding: RelocEncoding;
  /** Bytes patched: 5/10 for padded LEBs, 4/8 for little-endian words. */
  width: number;
  /** Whether the relocation entry has an `addend` field (LLVM `relocTypeHasAddend`). */
  hasAddend: boolean;
  /** Symbol kinds the index may name; empty for R_WASM_TYPE_INDEX_LEB, whose index is a type index. */
  symbolKinds: readonly SymbolKind[];
  /** Whether the addend/value is 64-bit (the addend is then read as a 64-bit SLEB). */
  is64: boolean;
  /** `symbolKinds` as a bit set (bit k: SymbolKind k), for the check on every entry read. */
  kindMask: number;
}

const WIDTH: Record<RelocEncoding, number> = { uleb32: 5, sleb32: 5, uleb64: 10, sleb64: 10, i32: 4, i64: 8 };

const F = [SymbolKind.Function] as const;
const D = [SymbolKind.Data] as const;
const G = [SymbolKind.Global] as const;
// R_WASM_GLOBAL_INDEX_LEB may also name a data or function symbol: a GOT access.
const GOT = [SymbolKind.Global, SymbolKind.Data, SymbolKind.Function] as const;
const S = [SymbolKind.Section] as const;
const TAG = [SymbolKind.Tag] as const;
const TABLE = [SymbolKind.Table] as const;
const NONE = [] as const;

function t(
  type: number,
  name: string,
  category: RelocCategory,
  encoding: RelocEncoding,
  hasAddend: boolean,
  symbolKinds: readonly SymbolKind[],
): RelocTypeInfo {
  const is64 = encoding === 'uleb64' || encoding === 'sleb64' || encoding === 'i64';
  const kindMask = symbolKinds.reduce<number>((m, k) => m | (1 << k), 0);
  return { type, name, category, encoding, width: WIDTH[encoding], hasAddend, symbolKinds, is64, kindMask };
}

/** Indexed by type number. */
export const RELOC_TYPES: readonly RelocTypeInfo[] = [
  t(0, 'R_WASM_FUNCTION_INDEX_LEB', 'function-index', 'uleb32', false, F),
  t(1, 'R_WASM_TABLE_INDEX_SLEB', 'table-index', 'sleb32', false, F),
  t(2, 'R_WASM_TABLE_INDEX_I32', 'table-index', 'i32', false, F),
  t(3, 'R_WASM_MEMORY_ADDR_LEB', 'memory-addr', 'uleb32', true, D),
  t(4, 'R_WASM_MEMORY_ADDR_SLEB', 'memory-addr', 'sleb32', true, D),
  t(5, 'R_WASM_MEMORY_ADDR_I32', 'memory-addr', 'i32', true, D),
  t(6, 'R_WASM_TYPE_INDEX_LEB', 'type-index', 'uleb32', false, NONE),
  t(7, 'R_WASM_GLOBAL_INDEX_LEB', 'global-index', 'uleb32', false, GOT),
  t(8, 'R_WASM_FUNCTION_OFFSET_I32', 'function-offset', 'i32', true, F),
  t(9, 'R_WASM_SECTION_OFFSET_I32', 'section-offset', 'i32', true, S),
  t(10, 'R_WASM_TAG_INDEX_LEB', 'tag-index', 'uleb32', false, TAG),
  t(11, 'R_WASM_MEMORY_ADDR_REL_SLEB', 'memory-addr-rel', 'sleb32', true, D),
  t(12, 'R_WASM_TABLE_INDEX_REL_SLEB', 'table-index-rel', 'sleb32', false, F),
  t(13, 'R_WASM_GLOBAL_INDEX_I32', 'global-index', 'i32', false, G),
  t(14, 'R_WASM_MEMORY_ADDR_LEB64', 'memory-addr', 'uleb64', true, D),
  t(15, 'R_WASM_MEMORY_ADDR_SLEB64', 'memory-addr', 'sleb64', true, D),
  t(16, 'R_WASM_MEMORY_ADDR_I64', 'memory-addr', 'i64', true, D),
  t(17, 'R_WASM_MEMORY_ADDR_REL_SLEB64', 'memory-addr-rel', 'sleb64', true, D),
  t(18, 'R_WASM_TABLE_INDEX_SLEB64', 'table-index', 'sleb64', false, F),
  t(19, 'R_WASM_TABLE_INDEX_I64', 'table-index', 'i64', false, F),
  t(20, 'R_WASM_TABLE_NUMBER_LEB', 'table-number', 'uleb32', false, TABLE),
  t(21, 'R_WASM_MEMORY_ADDR_TLS_SLEB', 'memory-addr-tls', 'sleb32', true, D),
  t(22, 'R_WASM_FUNCTION_OFFSET_I64', 'function-offset', 'i64', true, F),
  t(23, 'R_WASM_MEMORY_ADDR_LOCREL_I32', 'memory-addr-locrel', 'i32', true, D),
  t(24, 'R_WASM_TABLE_INDEX_REL_SLEB64', 'table-index-rel', 'sleb64', false, F),
  t(25, 'R_WASM_MEMORY_ADDR_TLS_SLEB64', 'memory-addr-tls', 'sleb64', true, D),
  t(26, 'R_WASM_FUNCTION_INDEX_I32', 'function-index', 'i32', false, F),
  t(27, 'R_WASM_MEMORY_ADDR_LOCREL_I64', 'memory-addr-locrel', 'i64', true, D),
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

/** The category of a relocation type the reader accepted (every type in the table has one). */
export function relocCategory(type: number): RelocCategory {
  return RELOC_TYPES[type]!.category;
}

/** Whether a relocation of this type names a symbol (every category but type-index, which names a type). */
export function namesSymbol(type: number): boolean {
  return RELOC_TYPES[type]?.category !== 'type-index';
}

/** Whether a relocation of this type makes its function take a slot in the indirect table. */
export function isTableIndexReloc(type: number): boolean {
  const c = RELOC_TYPES[type]?.category;
  return c === 'table-index' || c === 'table-index-rel';
}

/** Whether a relocation of this type addresses thread-local data (an offset from `__tls_base`). */
export function isTlsReloc(type: number): boolean {
  return RELOC_TYPES[type]?.category === 'memory-addr-tls';
}

/**
 * Relocation lists are carved out of shared 64 KiB blocks: most reloc sections hold a handful of
 * entries, and a typed array of its own per section (a separate backing store, zeroed and tracked
 * by the collector) cost a tenth of an archive's decoding. A block lives as long as any list in it.
 */
const BLOCK_WORDS = 16384;
let block = new Int32Array(0);
let blockUsed = 0;

function allocate(n: number): Int32Array {
  if (n > BLOCK_WORDS / 4) return new Int32Array(n);
  if (blockUsed + n > block.length) {
    block = new Int32Array(BLOCK_WORDS);
    blockUsed = 0;
  }
  const view = block.subarray(blockUsed, blockUsed + n);
  blockUsed += n;
  return view;
}

/**
 * A reloc section's entries in offset order, packed four 32-bit words to an entry (type, offset,
 * index, addend) in one Int32Array instead of one object per entry: a link reads tens of thousands
 * of them (63,000 in emscripten's libc-mt.a, most against debug sections). Int32 rather than
 * float64 words: code V8 has not optimised (all of a CLI link's) boxes every float64 it reads into
 * a new heap number, and that garbage was a tenth of a link's allocation. Offsets and indices are
 * u32s, read back unsigned. An addend beyond int32 (only 64-bit types have one; the reader rejects
 * those beyond ±2^53) is kept aside, exactly. `addend` is 0 for types without one.
 */
export class Relocations {
  private readonly data: Int32Array;
  /** Addends that do not fit in int32, by entry. */
  private wide: Map<number, number> | undefined;

  constructor(readonly length: number) {
    this.data = allocate(length * 4);
  }

  static from(entries: readonly Relocation[]): Relocations {
    const list = new Relocations(entries.length);
    entries.forEach((r, i) => list.set(i, r.type, r.offset, r.index, r.addend ?? 0));
    return list;
  }

  set(i: number, type: number, offset: number, index: number, addend: number): void {
    const d = this.data;
    d[i * 4] = type;
    d[i * 4 + 1] = offset;
    d[i * 4 + 2] = index;
    d[i * 4 + 3] = addend;
    if ((addend | 0) !== addend) (this.wide ??= new Map()).set(i, addend);
    else this.wide?.delete(i);
  }

  type(i: number): number {
    return this.data[i * 4];
  }

  offset(i: number): number {
    return this.data[i * 4 + 1] >>> 0;
  }

  index(i: number): number {
    return this.data[i * 4 + 2] >>> 0;
  }

  addend(i: number): number {
    return this.wide === undefined ? this.data[i * 4 + 3] : (this.wide.get(i) ?? this.data[i * 4 + 3]);
  }

  /** Entry `i` as an object, with `addend` exactly when its type carries one. */
  at(i: number): Relocation {
    const r: Relocation = { type: this.type(i), offset: this.offset(i), index: this.index(i) };
    if (relocTypeInfo(r.type)?.hasAddend) r.addend = this.addend(i);
    return r;
  }

  /** Every entry as an object (reports and tests; the linker reads them one field at a time). */
  toArray(): Relocation[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }
}
