// The linker's symbols and the chunks they define (lld Symbols.h, InputChunks.h, InputElement.h).
//
// A symbol is one mutable record: resolution replaces its contents in place (as lld's
// `replaceSymbol` does) so every object file's symbol list keeps pointing at the winner. Chunks
// are the pieces copied to the output: function bodies and data segments with their relocations,
// plus the index-assigned elements (globals, tables, tags) and the linker's synthetic functions.

import type { ConstExpr, FuncType, GlobalType, SymbolKind, TableType } from '../binary/types.js';
import { namesSymbol, Relocations } from '../binary/reloc-types.js';
import { SymbolFlag } from '../binary/types.js';
export { formatSignature, lldValTypeName } from '../binary/func-types.js';
import type { ObjFile } from './input-files.js';
import type { ArchiveMemberRef } from './archive.js';
import type { Pieces } from './merge-strings.js';

/**
 * The relocations of one chunk: entries [start, end) of its object's reloc section, whose offsets
 * count from the section's start; `base` is where the chunk starts in that section, so an entry
 * patches the chunk at `list.offset(i) - base`.
 */
export interface RelocSpan {
  list: Relocations;
  start: number;
  end: number;
  base: number;
}

/** A chunk without relocations (synthetic functions, merged segments). */
export const NO_RELOCS: RelocSpan = Object.freeze({ list: new Relocations(0), start: 0, end: 0, base: 0 });

/** Whether some relocation of the span passes `test` (given its type and index). */
export function anyReloc(span: RelocSpan, test: (type: number, index: number) => boolean): boolean {
  for (let i = span.start; i < span.end; i++) if (test(span.list.type(i), span.list.index(i))) return true;
  return false;
}

/**
 * Calls `visit` with each symbol of `file` the span's relocations name, in order (a type-index
 * relocation names a type, not a symbol; an index past the symbol table is skipped).
 */
export function forEachRelocSymbol(file: ObjFile, span: RelocSpan, visit: (s: Sym) => void): void {
  const { list } = span;
  for (let i = span.start; i < span.end; i++) {
    if (!namesSymbol(list.type(i))) continue;
    const s = file.symbols[list.index(i)];
    if (s) visit(s);
  }
}

/** A function in the output: an input function body, or one the linker synthesises. */
export interface InputFunction {
  kind: 'input' | 'synthetic';
  name: string;
  type: FuncType;
  file?: ObjFile;
  /** Body bytes (locals + expression); for input functions still unpatched. */
  bytes: Uint8Array;
  /** Relocations that patch `bytes`. */
  relocs: RelocSpan;
  live: boolean;
  discarded: boolean;
  outputIndex: number;
  /** The object's export name for it (`__attribute__((export_name))`). */
  exportName?: string;
  /** Input index inside its object (defined functions only, imports excluded). */
  index: number;
  /** Slot in the indirect function table, once it has one. */
  tableIndex?: number;
  /** Offset of the body (after its size) in the output code section, for FUNCTION_OFFSET. */
  codeOffset?: number;
  /** A `.command_export` wrapper: the exported function it calls after `__wasm_call_ctors`. */
  wraps?: InputFunction;
}

export interface InputSegment {
  file: ObjFile;
  index: number;
  name: string;
  /** log2 alignment. */
  alignment: number;
  flags: number;
  data: Uint8Array;
  relocs: RelocSpan;
  isTLS: boolean;
  live: boolean;
  discarded: boolean;
  /** Set by layout. */
  outputSegment?: OutputSegment;
  outputOffset: number;
  /** For a merged STRINGS segment: where each of its strings went (merge-strings.ts). */
  pieces?: Pieces;
}

export interface OutputSegment {
  name: string;
  alignment: number;
  flags: number;
  inputs: InputSegment[];
  size: number;
  startVA: number;
  isTLS: boolean;
  isBss: boolean;
  /** Index in the output data section (-1 when not written). */
  index: number;
  passive: boolean;
}

/** A global of the output: from an object, or synthesised (`__stack_pointer`, GOT entries…). */
export interface InputGlobal {
  name: string;
  type: GlobalType;
  /** Input init expression; synthetic globals set `value` instead (filled in by layout). */
  init?: ConstExpr;
  value?: number;
  file?: ObjFile;
  live: boolean;
  outputIndex: number;
}

export interface InputTable {
  name: string;
  type: TableType;
  file?: ObjFile;
  live: boolean;
  outputIndex: number;
}

export interface InputTag {
  name: string;
  type: FuncType;
  file?: ObjFile;
  live: boolean;
  outputIndex: number;
}

/**
 * A custom section of an object that is concatenated into the output (debug info, etc.).
 *
 * It keeps where its bytes lie in the object, not views of them: a link keeps every object's
 * sections to its end (libc-mt.a: 5,300 of them, with 2,700 relocation sections), and a view is a
 * heap object of about 100 bytes that V8's young-generation collector copies twice before it
 * settles, as it does everything a link keeps. `payload` and `rawRelocs` make a view when asked.
 */
export class InputCustomSection {
  /** Offset of this chunk inside the merged output section. */
  outputOffset = 0;
  /** For a merged `.debug_str`: where each of its strings went (merge-strings.ts). */
  pieces: Pieces | undefined = undefined;
  /** Its `reloc.*` section's name, once attached (`attachRelocs`); its bytes are [relocStart, relocEnd) of the object. */
  private relocName: string | undefined = undefined;
  private relocStart = 0;
  private relocEnd = 0;

  constructor(
    readonly file: ObjFile,
    readonly name: string,
    /** The whole object's bytes, which the payload is [start, end) of. */
    private readonly objectBytes: Uint8Array,
    private readonly start: number,
    private readonly end: number,
    /** Index of this section in its object's section list (for SECTION symbols). */
    readonly sectionIndex: number,
  ) {}

  /** The section's contents (a view into the object). */
  get payload(): Uint8Array {
    return this.objectBytes.subarray(this.start, this.end);
  }

  get size(): number {
    return this.end - this.start;
  }

  /** Attaches the `reloc.*` section `name` found at [start, end) of the object. */
  attachRelocs(name: string, start: number, end: number): void {
    this.relocName = name;
    this.relocStart = start;
    this.relocEnd = end;
  }

  /**
   * Its `reloc.*` section as read (target index, count, entries), applied when the section is
   * written (relocations.ts writeCustomChunks); `offset` is where those bytes start in the object.
   */
  get rawRelocs(): { bytes: Uint8Array; offset: number; name: string } | undefined {
    if (this.relocName === undefined) return undefined;
    return { bytes: this.objectBytes.subarray(this.relocStart, this.relocEnd), offset: this.relocStart, name: this.relocName };
  }

  /** The size of its `reloc.*` section's bytes (0 without one). */
  get relocSize(): number {
    return this.relocEnd - this.relocStart;
  }
}

export type SymbolState = 'defined' | 'undefined' | 'lazy';

export interface Sym {
  name: string;
  kind: SymbolKind;
  flags: number;
  state: SymbolState;
  /** Defining file, or the first file that referenced an undefined symbol; none for synthetic. */
  file?: ObjFile;
  isLocal: boolean;
  // Definitions (by kind).
  func?: InputFunction;
  segment?: InputSegment;
  offset?: number;
  size?: number;
  /** Linker-synthesised data symbols: an absolute address (or TLS offset) set by layout. */
  absolute?: number;
  global?: InputGlobal;
  table?: InputTable;
  tag?: InputTag;
  /** SECTION symbols. */
  section?: InputCustomSection;
  // Undefined references.
  importModule?: string;
  importName?: string;
  /** Whether the import names were given explicitly (import_module/import_name attributes). */
  explicitImport?: boolean;
  signature?: FuncType;
  /** The object whose direct call gave `signature` (undefined functions; for mismatch errors). */
  signatureFromCall?: ObjFile;
  globalType?: GlobalType;
  tableType?: TableType;
  /** Lazy (archive) symbols. */
  lazy?: ArchiveMemberRef;
  /** True once any object references or defines it (as opposed to only lazy/synthetic). */
  usedInRegularObj: boolean;
  forceExport: boolean;
  /** Named by a stub library: stays undefined and becomes an import. */
  forceImport?: boolean;
  /**
   * A trapping stub standing in for a function called with the wrong signature (lld isStub): its
   * address is 0, the null function pointer, as in wasm-ld; it never gets a table slot.
   */
  isStub?: boolean;
  live: boolean;
  /** Slot in the indirect function table. */
  tableIndex?: number;
  /** Output index of an imported function/global/table/tag. */
  importIndex?: number;
  /** Internal GOT global for GLOBAL_INDEX relocations against data/function symbols. */
  gotGlobal?: InputGlobal;
  isTLS: boolean;
}

/**
 * A new symbol with the fields every symbol has. `lazy` is among them although most symbols never
 * get one: V8 gives an object a field added after it was made a property array of its own, and
 * every symbol made for an archive's definition gets it (em++'s C++ link: 621-626 instead of
 * 631-635 M instructions, when every name an archive offered was a symbol).
 */
export function newSymbol(name: string, kind: SymbolKind, flags: number, state: SymbolState, file?: ObjFile): Sym {
  return {
    name,
    kind,
    flags,
    state,
    file,
    isLocal: (flags & SymbolFlag.BINDING_LOCAL) !== 0,
    usedInRegularObj: false,
    forceExport: false,
    live: false,
    isTLS: false,
    lazy: undefined,
  };
}

export const isWeak = (s: Sym): boolean => (s.flags & SymbolFlag.BINDING_WEAK) !== 0;
export const isHidden = (s: Sym): boolean => (s.flags & SymbolFlag.VISIBILITY_HIDDEN) !== 0;
export const isDefined = (s: Sym): boolean => s.state === 'defined';
export const isUndefined = (s: Sym): boolean => s.state !== 'defined';

export const KIND_NAMES = ['WASM_SYMBOL_TYPE_FUNCTION', 'WASM_SYMBOL_TYPE_DATA', 'WASM_SYMBOL_TYPE_GLOBAL', 'WASM_SYMBOL_TYPE_SECTION', 'WASM_SYMBOL_TYPE_TAG', 'WASM_SYMBOL_TYPE_TABLE'];

/** Display name of a file for diagnostics (`lib.a(member.o)` for archive members). */
export function fileName(f: ObjFile | undefined): string {
  return f ? f.name : '<internal>';
}

