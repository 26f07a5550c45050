// The in-memory model of a WebAssembly binary (module or relocatable object), shared by the
// reader, the writer, `inspect`, the linker and the runtime.
//
// Design rules:
// - A module is its list of sections in file order, so custom sections keep their place and a
//   read → write round trip reproduces the input byte for byte.
// - Encoding details that toolchains vary and that the writer must reproduce are kept beside the
//   values they encode (`sizeWidth` for padded section-size LEBs, `flags` bytes that have several
//   encodings). Function bodies and constant expressions stay raw bytes: the linker patches
//   relocations in place in those bytes, exactly as wasm-ld does, and `instructions.ts` decodes them
//   when someone wants to look inside.
// - Every section records `offset`, the absolute file offset of its id byte, and `contentOffset`,
//   the absolute offset of its first content byte (after the size LEB). Relocation offsets are
//   relative to `contentOffset` (tool-conventions Linking.md).
//
// Spec references: WebAssembly core spec §5 (binary format), tool-conventions Linking.md,
// wasm-ld (lld/wasm) for what a linker does with them.

import type { Relocations } from './reloc-types.js';

// ---------------------------------------------------------------------------------------------
// Branded index spaces: the type checker keeps a function index from being used as a global index.

export type TypeIndex = number & { readonly __brand: 'TypeIndex' };
export type FuncIndex = number & { readonly __brand: 'FuncIndex' };
export type TableIndex = number & { readonly __brand: 'TableIndex' };
export type MemoryIndex = number & { readonly __brand: 'MemoryIndex' };
export type GlobalIndex = number & { readonly __brand: 'GlobalIndex' };
export type TagIndex = number & { readonly __brand: 'TagIndex' };
export type SegmentIndex = number & { readonly __brand: 'SegmentIndex' };
export type SymbolIndex = number & { readonly __brand: 'SymbolIndex' };

// ---------------------------------------------------------------------------------------------
// Section ids (core spec §5.5.2).

export const SectionId = {
  Custom: 0,
  Type: 1,
  Import: 2,
  Function: 3,
  Table: 4,
  Memory: 5,
  Global: 6,
  Export: 7,
  Start: 8,
  Element: 9,
  Code: 10,
  Data: 11,
  DataCount: 12,
  Tag: 13,
} as const;
export type SectionId = (typeof SectionId)[keyof typeof SectionId];

// ---------------------------------------------------------------------------------------------
// Types.

/** Single-byte value types (numeric, vector, and the abbreviated reference types). */
export const ValTypeCode = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
  exnref: 0x69,
} as const;

/**
 * A value type. Single-byte types are their code; `(ref null? ht)` (0x63 / 0x64 prefixes) is an
 * object whose `heap` is an abstract heap type code (negative-free byte, e.g. 0x70) or a type index.
 */
export type ValType = number | RefType;
export interface RefType {
  nullable: boolean;
  /** Abstract heap type byte (0x70 func, 0x6f extern, …) when `heapIsIndex` is false, else a type index. */
  heap: number;
  heapIsIndex: boolean;
}

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

/**
 * Limits of a memory or table. `flags` is the raw limits byte (bit 0 has max, bit 1 shared,
 * bit 2 memory64, bit 3 custom page size), kept so unusual encodings round-trip.
 */
export interface Limits {
  flags: number;
  min: bigint;
  max?: bigint;
  /** log2 of the page size, when flag bit 3 (custom-page-sizes proposal) is set. */
  pageSizeLog2?: number;
}

export interface MemoryType {
  limits: Limits;
}

export interface TableType {
  elemType: ValType;
  limits: Limits;
}

export interface GlobalType {
  valType: ValType;
  mutable: boolean;
}

export interface TagType {
  /** Always 0 (exception) in the current proposal. */
  attribute: number;
  typeIndex: TypeIndex;
}

/** A constant expression, raw, including its final `end` (0x0b). */
export interface ConstExpr {
  bytes: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Imports and exports.

export const ExternalKind = {
  Func: 0,
  Table: 1,
  Memory: 2,
  Global: 3,
  Tag: 4,
} as const;
export type ExternalKind = (typeof ExternalKind)[keyof typeof ExternalKind];

export type ImportDesc =
  | { kind: 0; typeIndex: TypeIndex }
  | { kind: 1; table: TableType }
  | { kind: 2; memory: MemoryType }
  | { kind: 3; global: GlobalType }
  | { kind: 4; tag: TagType };

export interface Import {
  module: string;
  name: string;
  desc: ImportDesc;
}

export interface Export {
  name: string;
  kind: ExternalKind;
  index: number;
}

// ---------------------------------------------------------------------------------------------
// Module-level entities.

export interface Global {
  type: GlobalType;
  init: ConstExpr;
}

export interface Table {
  type: TableType;
  /** Table initialiser expression (0x40 0x00 encoding, function-references proposal). */
  init?: ConstExpr;
}

/**
 * An element segment (core spec §5.5.12), flags 0..7 kept raw.
 * Either `funcIndices` (flags 0-3) or `exprs` (flags 4-7) is set.
 */
export interface ElementSegment {
  flags: number;
  tableIndex?: TableIndex;
  offset?: ConstExpr;
  /** elemkind byte (flags 1-3) or reference type (flags 5-7). */
  elemKind?: number;
  refType?: ValType;
  funcIndices?: FuncIndex[];
  exprs?: ConstExpr[];
}

export interface DataSegment {
  /** Raw mode byte: 0 active memory 0, 1 passive, 2 active with explicit memory index. */
  flags: number;
  memoryIndex?: MemoryIndex;
  offset?: ConstExpr;
  init: Uint8Array;
  /** Absolute file offset of the first byte of `init`. */
  initOffset: number;
}

export interface FunctionBody {
  /** The body after its size LEB: local declarations, then the expression ending in `end`. */
  bytes: Uint8Array;
  /** Width in bytes of the size LEB in the input (objects may pad it); undefined means minimal. */
  sizeWidth?: number;
  /** Absolute file offset of the size LEB. */
  offset: number;
  /** Absolute file offset of `bytes[0]`. */
  bytesOffset: number;
}

// ---------------------------------------------------------------------------------------------
// The `linking` custom section (Linking.md).

export const SymbolKind = {
  Function: 0,
  Data: 1,
  Global: 2,
  Section: 3,
  Tag: 4,
  Table: 5,
} as const;
export type SymbolKind = (typeof SymbolKind)[keyof typeof SymbolKind];

export const SymbolFlag = {
  BINDING_WEAK: 0x01,
  BINDING_LOCAL: 0x02,
  VISIBILITY_HIDDEN: 0x04,
  UNDEFINED: 0x10,
  EXPORTED: 0x20,
  EXPLICIT_NAME: 0x40,
  NO_STRIP: 0x80,
  TLS: 0x100,
  ABSOLUTE: 0x200,
} as const;

export const SegmentFlag = {
  STRINGS: 0x1,
  TLS: 0x2,
  RETAIN: 0x4,
} as const;

/** One symbol-table entry. `name` is undefined where the encoding omits it (imports without EXPLICIT_NAME). */
export type SymbolInfo =
  | { kind: 0 | 2 | 4 | 5; flags: number; index: number; name?: string }
  | {
      kind: 1;
      flags: number;
      name: string;
      /** Present when the symbol is defined. */
      segment?: SegmentIndex;
      offset?: bigint;
      size?: bigint;
    }
  | { kind: 3; flags: number; section: number };

export interface SegmentInfo {
  name: string;
  /** log2 of the alignment. */
  alignment: number;
  flags: number;
}

export interface InitFunc {
  priority: number;
  symbol: SymbolIndex;
}

/** What a comdat entry names (tool-conventions Linking.md, WASM_COMDAT_*). */
export const ComdatKind = {
  DATA: 0,
  FUNCTION: 1,
  GLOBAL: 2,
  EVENT: 3,
  TABLE: 4,
  SECTION: 5,
} as const;

export interface Comdat {
  name: string;
  flags: number;
  /** `kind` is a ComdatKind. */
  entries: { kind: number; index: number }[];
}

export const LinkingSubsectionType = {
  SEGMENT_INFO: 5,
  INIT_FUNCS: 6,
  COMDAT_INFO: 7,
  SYMBOL_TABLE: 8,
} as const;

export type LinkingSubsection =
  | { type: 5; segments: SegmentInfo[]; sizeWidth?: number }
  | { type: 6; initFuncs: InitFunc[]; sizeWidth?: number }
  | { type: 7; comdats: Comdat[]; sizeWidth?: number }
  | { type: 8; symbols: SymbolInfo[]; sizeWidth?: number }
  | { type: number; raw: Uint8Array; sizeWidth?: number };

// ---------------------------------------------------------------------------------------------
// Relocations (the table of types lives in reloc-types.ts).

export interface Relocation {
  type: number;
  /** Offset relative to the target section's contents. */
  offset: number;
  /** Symbol index, or type index for R_WASM_TYPE_INDEX_LEB. */
  index: number;
  /**
   * Present exactly for the types that carry an addend. A number: 64-bit addends are exact up to
   * ±2^53 and the reader rejects larger ones (no wasm64 address reaches that far).
   */
  addend?: number;
}

// ---------------------------------------------------------------------------------------------
// Other custom sections.

export interface TargetFeature {
  /** '+' used, '-' disallowed, '=' required (legacy). */
  prefix: '+' | '-' | '=';
  name: string;
}

export interface ProducersField {
  name: string;
  values: { name: string; version: string }[];
}

/** A decoded `name` section; unknown subsections stay raw so they round-trip. */
export interface NameSubsection {
  type: number;
  sizeWidth?: number;
  /** type 0: module name. */
  moduleName?: string;
  /** types 1 (functions), 4 (types), 5 (tables), 6 (memories), 7 (globals), 8 (element segments), 9 (data segments), 11 (tags), and 10 when it holds tag names (wabt 1.0.32 numbering): index → name. */
  names?: Map<number, string>;
  /** types 2 (locals), 3 (labels), 10 (GC field names): outer index → (inner index → name). */
  indirectNames?: Map<number, Map<number, string>>;
  raw?: Uint8Array;
}

export interface DylinkInfo {
  memorySize: number;
  memoryAlignment: number;
  tableSize: number;
  tableAlignment: number;
  neededDynlibs: string[];
  exportInfo: { name: string; flags: number }[];
  importInfo: { module: string; field: string; flags: number }[];
}

// ---------------------------------------------------------------------------------------------
// Sections.

interface SectionBase {
  /** Absolute file offset of the id byte. */
  offset: number;
  /** Absolute file offset of the first content byte. */
  contentOffset: number;
  /** Width of the section-size LEB when the input padded it; undefined means minimal. */
  sizeWidth?: number;
  /**
   * The section's content (what follows its size; a custom section's name included), written by
   * whoever built the section straight into the output at its place. When present, writeModule
   * writes it instead of encoding the section's fields, which then say nothing about the content.
   * A linker relocates its code and custom sections this way, into the output itself, instead of
   * building each and copying it in.
   */
  content?: SectionContent;
}

export interface SectionContent {
  size: number;
  /** Writes exactly `size` bytes into `dest` from `at`. */
  write(dest: Uint8Array, at: number): void;
}

export type Section =
  | (SectionBase & { id: 1; types: FuncType[]; raw?: Uint8Array })
  | (SectionBase & { id: 2; imports: Import[] })
  | (SectionBase & { id: 3; functions: TypeIndex[] })
  | (SectionBase & { id: 4; tables: Table[] })
  | (SectionBase & { id: 5; memories: MemoryType[] })
  | (SectionBase & { id: 6; globals: Global[] })
  | (SectionBase & { id: 7; exports: Export[] })
  | (SectionBase & { id: 8; start: FuncIndex })
  | (SectionBase & { id: 9; elements: ElementSegment[] })
  | (SectionBase & { id: 10; bodies: FunctionBody[] })
  | (SectionBase & { id: 11; segments: DataSegment[] })
  | (SectionBase & { id: 12; count: number })
  | (SectionBase & { id: 13; tags: TagType[] })
  | CustomSection;

export type CustomSection = SectionBase & { id: 0; name: string } & (
    | { custom: 'linking'; version: number; subsections: LinkingSubsection[] }
    | { custom: 'reloc'; targetSection: number; relocations: Relocations }
    | { custom: 'target_features'; features: TargetFeature[] }
    | { custom: 'producers'; fields: ProducersField[] }
    | { custom: 'name'; subsections: NameSubsection[] }
    | { custom: 'dylink.0'; info: DylinkInfo; raw: Uint8Array }
    | { custom: 'raw'; payload: Uint8Array }
  );

export interface WasmModule {
  /** Binary format version; 1 for core modules. */
  version: number;
  sections: Section[];
}

/** The section of a module with the given id (the first, for custom sections use findCustom). */
export function findSection<Id extends Exclude<Section['id'], 0>>(
  mod: WasmModule,
  id: Id,
): Extract<Section, { id: Id }> | undefined {
  return mod.sections.find((s) => s.id === id) as Extract<Section, { id: Id }> | undefined;
}

export function findCustom<K extends CustomSection['custom']>(
  mod: WasmModule,
  kind: K,
): Extract<CustomSection, { custom: K }> | undefined {
  return mod.sections.find((s) => s.id === 0 && s.custom === kind) as Extract<CustomSection, { custom: K }> | undefined;
}
