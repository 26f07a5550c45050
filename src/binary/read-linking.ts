// Decoders for the custom sections that make a module a relocatable object: `linking` (version 2:
// segment info, init funcs, comdat info, symbol table) and `reloc.*` (tool-conventions
// Linking.md).
//
// These are strict, unlike the `name` and `producers` sections: a linker that misreads them
// produces a wrong program, so every index is checked against the module's index spaces as far
// as they are known when the section is read (the `linking` section comes after the data
// section, each `reloc.*` after `linking` and after its target), with the same checks LLVM's
// WasmObjectFile makes, and every error names the section and the absolute offset.

import type { ByteReader } from './byte-reader.js';
import { RELOC_TYPES, Relocations, type RelocTypeInfo } from './reloc-types.js';
import { readS32, readU32 } from './leb.js';
import {
  LinkingSubsectionType,
  SymbolFlag,
  SymbolKind,
  type Comdat,
  type InitFunc,
  type LinkingSubsection,
  type SegmentIndex,
  type SegmentInfo,
  type SymbolIndex,
  type SymbolInfo,
} from './types.js';

/** What the `linking`/`reloc.*` decoders need to know about the sections before them. */
export interface IndexSpaces {
  types: number;
  importedFuncs: number;
  funcs: number;
  importedGlobals: number;
  globals: number;
  importedTables: number;
  tables: number;
  importedTags: number;
  tags: number;
  /** Content length of each data segment. */
  dataSegmentSizes: number[];
  /** Content size of each section read so far, by section index (file order, customs included). */
  sectionSizes: number[];
  /** Display names of the sections read so far (`Code`, `reloc.CODE`, `.debug_info`). */
  sectionNames: string[];
  /** The symbol table, once the `linking` section has been read. */
  symbols?: SymbolInfo[];
}

export const LINKING_VERSION = 2;

const SUBSECTION_NAMES: Record<number, string> = {
  [LinkingSubsectionType.SEGMENT_INFO]: 'WASM_SEGMENT_INFO',
  [LinkingSubsectionType.INIT_FUNCS]: 'WASM_INIT_FUNCS',
  [LinkingSubsectionType.COMDAT_INFO]: 'WASM_COMDAT_INFO',
  [LinkingSubsectionType.SYMBOL_TABLE]: 'WASM_SYMBOL_TABLE',
};

const KIND_NAMES = ['function', 'data', 'global', 'section', 'tag', 'table'];

/** Comdat entry kinds (Linking.md WASM_COMDAT_*). */
const ComdatKind = { Data: 0, Function: 1, Global: 2, Tag: 3, Table: 4, Section: 5 } as const;

export function readLinking(r: ByteReader, spaces: IndexSpaces): { version: number; subsections: LinkingSubsection[] } {
  const versionAt = r.pos;
  const version = r.u32();
  if (version !== LINKING_VERSION) {
    r.fail(`unsupported linking section version ${version} (expected ${LINKING_VERSION})`, versionAt);
  }
  const subsections: LinkingSubsection[] = [];
  while (!r.atEnd()) {
    const type = r.u32();
    const sizeAt = r.pos;
    const size = r.u32();
    const sizeWidth = widthIfPadded(r.pos - sizeAt, size);
    const name = SUBSECTION_NAMES[type] ?? `subsection ${type}`;
    if (size > r.remaining) r.fail(`linking ${name} size ${size} runs past the end of the section`, sizeAt);
    const sub = r.withLimit(r.pos + size, `linking ${name}`, () => readSubsection(r, type, size, spaces));
    if (sizeWidth !== undefined) sub.sizeWidth = sizeWidth;
    subsections.push(sub);
  }
  return { version, subsections };
}

/** The width to record for a LEB that took `width` bytes: undefined when that is minimal. */
export function widthIfPadded(width: number, value: number): number | undefined {
  let minimal = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) minimal++;
  return width === minimal ? undefined : width;
}

function readSubsection(r: ByteReader, type: number, size: number, spaces: IndexSpaces): LinkingSubsection {
  switch (type) {
    case LinkingSubsectionType.SEGMENT_INFO:
      return { type, segments: readSegmentInfo(r, spaces) };
    case LinkingSubsectionType.INIT_FUNCS:
      return { type, initFuncs: readInitFuncs(r, spaces) };
    case LinkingSubsectionType.COMDAT_INFO:
      return { type, comdats: readComdats(r, spaces) };
    case LinkingSubsectionType.SYMBOL_TABLE: {
      const symbols = readSymbolTable(r, spaces);
      spaces.symbols = symbols;
      return { type, symbols };
    }
    default:
      // Unknown (or the long-removed codes 0-3): kept raw so the object round-trips.
      return { type, raw: r.bytesView(size) };
  }
}

function readSegmentInfo(r: ByteReader, spaces: IndexSpaces): SegmentInfo[] {
  const at = r.pos;
  const n = r.count('segment info', 3);
  if (n > spaces.dataSegmentSizes.length) {
    r.fail(`linking WASM_SEGMENT_INFO names ${n} segments but the Data section has ${spaces.dataSegmentSizes.length}`, at);
  }
  const out: SegmentInfo[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const name = r.name('segment name');
    const alignment = r.u32();
    const flags = r.u32();
    out[i] = { name, alignment, flags };
  }
  return out;
}

function readInitFuncs(r: ByteReader, spaces: IndexSpaces): InitFunc[] {
  const n = r.count('init function', 2);
  const out: InitFunc[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const priority = r.u32();
    const at = r.pos;
    const symbol = r.u32();
    const sym = spaces.symbols?.[symbol];
    if (sym === undefined) {
      r.fail(`linking WASM_INIT_FUNCS: symbol index ${symbol} out of range (${spaces.symbols?.length ?? 0} symbols)`, at);
    }
    if (sym.kind !== SymbolKind.Function) {
      r.fail(`linking WASM_INIT_FUNCS: symbol ${symbol} is a ${KIND_NAMES[sym.kind]} symbol, not a function`, at);
    }
    out[i] = { priority, symbol: symbol as SymbolIndex };
  }
  return out;
}

function readComdats(r: ByteReader, spaces: IndexSpaces): Comdat[] {
  const n = r.count('comdat', 3);
  const out: Comdat[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const name = r.name('comdat name');
    const flagsAt = r.pos;
    const flags = r.u32();
    if (flags !== 0) r.fail(`linking WASM_COMDAT_INFO: unsupported flags ${flags} on comdat \`${name}\``, flagsAt);
    const m = r.count('comdat entry', 2);
    const entries: Comdat['entries'] = new Array(m);
    for (let j = 0; j < m; j++) {
      const kindAt = r.pos;
      const kind = r.u8('comdat entry kind');
      const index = r.u32();
      checkComdatEntry(r, spaces, name, kind, index, kindAt);
      entries[j] = { kind, index };
    }
    out[i] = { name, flags, entries };
  }
  return out;
}

function checkComdatEntry(r: ByteReader, s: IndexSpaces, comdat: string, kind: number, index: number, at: number): void {
  const bad = (what: string): never =>
    r.fail(`linking WASM_COMDAT_INFO: comdat \`${comdat}\` names ${what} ${index}, which is out of range`, at);
  switch (kind) {
    case ComdatKind.Data:
      if (index >= s.dataSegmentSizes.length) bad('data segment');
      return;
    case ComdatKind.Function:
      if (index < s.importedFuncs || index >= s.funcs) bad('defined function');
      return;
    case ComdatKind.Global:
      if (index < s.importedGlobals || index >= s.globals) bad('defined global');
      return;
    case ComdatKind.Tag:
      if (index < s.importedTags || index >= s.tags) bad('defined tag');
      return;
    case ComdatKind.Table:
      if (index < s.importedTables || index >= s.tables) bad('defined table');
      return;
    case ComdatKind.Section:
      if (index >= s.sectionSizes.length) bad('section');
      return;
    default:
      r.fail(`linking WASM_COMDAT_INFO: invalid entry kind ${kind} in comdat \`${comdat}\``, at);
  }
}

function readSymbolTable(r: ByteReader, spaces: IndexSpaces): SymbolInfo[] {
  const n = r.count('symbol', 2);
  const out: SymbolInfo[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = readSymbol(r, spaces, i);
  return out;
}

function readSymbol(r: ByteReader, s: IndexSpaces, i: number): SymbolInfo {
  const kindAt = r.pos;
  const kind = r.u8('symbol kind');
  const flags = r.u32();
  switch (kind) {
    case SymbolKind.Function:
      return readIndexedSymbol(r, kind, flags, s.importedFuncs, s.funcs, i);
    case SymbolKind.Global:
      return readIndexedSymbol(r, kind, flags, s.importedGlobals, s.globals, i);
    case SymbolKind.Tag:
      return readIndexedSymbol(r, kind, flags, s.importedTags, s.tags, i);
    case SymbolKind.Table:
      return readIndexedSymbol(r, kind, flags, s.importedTables, s.tables, i);
    case SymbolKind.Data:
      return readDataSymbol(r, flags, s);
    case SymbolKind.Section: {
      const at = r.pos;
      const section = r.u32();
      if (section >= s.sectionSizes.length) r.fail(`section symbol ${i}: section index ${section} out of range`, at);
      if ((flags & (SymbolFlag.BINDING_WEAK | SymbolFlag.BINDING_LOCAL)) !== SymbolFlag.BINDING_LOCAL) {
        r.fail(`section symbol ${i} (section ${s.sectionNames[section]}) must have local binding`, kindAt);
      }
      return { kind, flags, section };
    }
    default:
      return r.fail(`linking WASM_SYMBOL_TABLE: unknown symbol kind ${kind} (symbol ${i})`, kindAt);
  }
}

/**
 * Function, global, tag and table symbols: an index into their space. A defined symbol always has
 * a name and must name a definition; an undefined one must name an import, and has a name only
 * with EXPLICIT_NAME (otherwise its name is the import's field).
 */
function readIndexedSymbol(
  r: ByteReader,
  kind: 0 | 2 | 4 | 5,
  flags: number,
  imported: number,
  total: number,
  i: number,
): SymbolInfo {
  const at = r.pos;
  const index = r.u32();
  const undefinedSym = (flags & SymbolFlag.UNDEFINED) !== 0;
  const what = `${KIND_NAMES[kind]} symbol ${i}`;
  if (index >= total) r.fail(`${what}: ${KIND_NAMES[kind]} index ${index} out of range (${total} in the module)`, at);
  if (undefinedSym && index >= imported) r.fail(`${what} is undefined but index ${index} is not an import`, at);
  if (!undefinedSym && index < imported) r.fail(`${what} is defined but index ${index} is an import`, at);
  if (undefinedSym && (flags & SymbolFlag.EXPLICIT_NAME) === 0) return { kind, flags, index };
  return { kind, flags, index, name: r.name('symbol name') };
}

function readDataSymbol(r: ByteReader, flags: number, s: IndexSpaces): SymbolInfo {
  const name = r.name('symbol name');
  if (flags & SymbolFlag.UNDEFINED) return { kind: SymbolKind.Data, flags, name };
  const segAt = r.pos;
  const segment = r.u32();
  const offset = r.u64();
  const size = r.u64();
  // ABSOLUTE symbols carry an address, not a segment-relative offset.
  if ((flags & SymbolFlag.ABSOLUTE) === 0) {
    const segSize = s.dataSegmentSizes[segment];
    if (segSize === undefined) r.fail(`data symbol \`${name}\`: segment index ${segment} out of range`, segAt);
    if (offset + size > BigInt(segSize)) {
      r.fail(`data symbol \`${name}\`: offset ${offset} + size ${size} lies outside segment ${segment} (${segSize} bytes)`, segAt);
    }
  }
  return { kind: SymbolKind.Data, flags, name, segment: segment as SegmentIndex, offset, size };
}

// ---------------------------------------------------------------------------------------------
// reloc.*

export function readReloc(
  r: ByteReader,
  sectionName: string,
  spaces: IndexSpaces,
): { targetSection: number; relocations: Relocations } {
  const targetAt = r.pos;
  const targetSection = r.u32();
  if (targetSection >= spaces.sectionSizes.length) {
    r.fail(`${sectionName}: target section index ${targetSection} out of range (${spaces.sectionSizes.length} sections precede it)`, targetAt);
  }
  const n = r.count(`${sectionName} relocation`, 3);
  const relocations = new Relocations(n);
  readRelocEntries(r, sectionName, n, spaces.sectionSizes[targetSection], spaces.sectionNames[targetSection], spaces, (i, info, offset, index, addend) => relocations.set(i, info.type, offset, index, addend));
  return { targetSection, relocations };
}

/** What a relocation's index is checked against: the object's type count and symbol table. */
/** What relocation entries are checked against: the type count and each symbol's kind. */
export interface RelocIndexSpaces {
  types: number;
  symbols?: readonly { readonly kind: number }[];
}

/**
 * Reads `n` entries of a `reloc.*` section (after its target index and count), checking each —
 * a known type, offsets in order and inside the target section, an index of the right kind —
 * and hands each to `visit`. Also how the linker applies the relocations of custom sections
 * straight from their bytes (relocations.ts), with the same checks and messages.
 */
export function readRelocEntries(
  r: ByteReader,
  sectionName: string,
  n: number,
  targetSize: number,
  target: string,
  spaces: RelocIndexSpaces,
  visit: (i: number, info: RelocTypeInfo, offset: number, index: number, addend: number) => void,
): void {
  // Few calls per entry (a link reads tens of thousands, in code V8 has not optimised): the
  // readers directly, the table directly, the usual symbol check inline.
  const symbols = spaces.symbols ?? [];
  let previous = 0;
  for (let i = 0; i < n; i++) {
    const typeAt = r.pos;
    const type = readU32(r);
    const info = RELOC_TYPES[type];
    if (info === undefined) r.fail(`unknown relocation type ${type} in ${sectionName}`, typeAt);
    const offsetAt = r.pos;
    const offset = readU32(r);
    if (offset < previous) r.fail(`${sectionName}: relocations not in offset order`, offsetAt);
    previous = offset;
    if (offset + info.width > targetSize) {
      r.fail(`${sectionName}: ${info.name} at offset 0x${offset.toString(16)} runs past the end of section ${target} (${targetSize} bytes)`, offsetAt);
    }
    const indexAt = r.pos;
    const index = readU32(r);
    const sym = info.kindMask === 0 ? undefined : symbols[index];
    if (sym === undefined || ((1 << sym.kind) & info.kindMask) === 0) checkRelocIndex(r, sectionName, info.name, info.symbolKinds, index, spaces, indexAt);
    visit(i, info, offset, index, info.hasAddend ? (info.is64 ? safeS64(r, sectionName) : readS32(r)) : 0);
  }
}

/** A 64-bit addend as a number; one past ±2^53 cannot be an address in any real object. */
function safeS64(r: ByteReader, sectionName: string): number {
  const at = r.pos;
  const v = r.s64();
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) r.fail(`${sectionName}: relocation addend ${v} is beyond ±2^53`, at);
  return Number(v);
}

function checkRelocIndex(
  r: ByteReader,
  sectionName: string,
  typeName: string,
  kinds: readonly number[],
  index: number,
  spaces: RelocIndexSpaces,
  at: number,
): void {
  if (kinds.length === 0) {
    if (index >= spaces.types) r.fail(`${sectionName}: ${typeName} type index ${index} out of range (${spaces.types} types)`, at);
    return;
  }
  const symbols = spaces.symbols ?? [];
  const sym = symbols[index];
  if (sym === undefined) {
    r.fail(`${sectionName}: ${typeName} symbol index ${index} out of range (${symbols.length} symbols)`, at);
  }
  if (!kinds.includes(sym.kind)) {
    const wanted = kinds.map((k) => KIND_NAMES[k]).join(' or ');
    r.fail(`${sectionName}: ${typeName} needs a ${wanted} symbol but symbol ${index} is a ${KIND_NAMES[sym.kind]} symbol`, at);
  }
}
