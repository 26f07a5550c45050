// Encoding constants of the WebAssembly binary format shared by the reader and the writer (core
// spec §5.3-5.5), named once here so that neither side spells a magic number inline.

export const WASM_MAGIC = Uint8Array.of(0x00, 0x61, 0x73, 0x6d);
export const WASM_VERSION = 1;
/** Magic plus the 4-byte version. */
export const WASM_HEADER_SIZE = 8;

/** Type-section form of a function type. */
export const FUNC_TYPE_FORM = 0x60;
/** `(ref null ht)` and `(ref ht)` prefixes (function-references proposal). */
export const REF_NULL_PREFIX = 0x63;
export const REF_PREFIX = 0x64;
/** The `funcref` reference type, implied by element segment forms 0 and 4. */
export const FUNCREF = 0x70;

/** Bits of the limits flag byte of memories and tables. */
export const LimitsFlag = {
  HAS_MAX: 0x1,
  SHARED: 0x2,
  IS_64: 0x4,
  /** custom-page-sizes proposal: a log2 page size follows the limits. */
  CUSTOM_PAGE_SIZE: 0x8,
} as const;
export const KNOWN_LIMITS_FLAGS = 0xf;

/** Table entry prefix of the function-references form `0x40 0x00 tabletype expr`. */
export const TABLE_WITH_INIT = 0x40;

/** Element segment flag bits (core spec §5.5.12); forms 0..7. */
export const ElemFlag = {
  PASSIVE_OR_DECLARATIVE: 0x1,
  EXPLICIT_TABLE: 0x2,
  EXPRESSIONS: 0x4,
} as const;
export const MAX_ELEM_FLAGS = 7;
/** The elemkind byte of forms 1-3: 0x00 = funcref. */
export const ELEMKIND_FUNCREF = 0x00;

/** Data segment modes (core spec §5.5.14). */
export const DataMode = {
  ACTIVE: 0,
  PASSIVE: 1,
  ACTIVE_EXPLICIT: 2,
} as const;

/** Whether `bytes` holds the wasm magic number at `at` (its start by default). */
export function isWasm(bytes: Uint8Array, at = 0): boolean {
  return bytes.length >= at + 4 && bytes[at] === 0x00 && bytes[at + 1] === 0x61 && bytes[at + 2] === 0x73 && bytes[at + 3] === 0x6d;
}
