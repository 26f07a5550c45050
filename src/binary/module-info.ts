// Read-only accessors over a decoded `WasmModule` that the linker, `inspect` and the runtime keep
// needing: index-space sizes (imports first, as the spec numbers them), imports by kind, a
// function's type, the symbol table and segment info of an object, and symbol names resolved
// through imports (an undefined symbol without EXPLICIT_NAME is named by its import's field).

import {
  ExternalKind,
  SectionId,
  SymbolFlag,
  SymbolKind,
  findCustom,
  findSection,
  type DataSegment,
  type Export,
  type FuncType,
  type FunctionBody,
  type Import,
  type ImportDesc,
  type SegmentInfo,
  type SymbolInfo,
  type WasmModule,
  type InitFunc,
  type Comdat,
} from './types.js';
import type { Relocations } from './reloc-types.js';

export type ImportOf<K extends ExternalKind> = Import & { desc: Extract<ImportDesc, { kind: K }> };

export function imports(mod: WasmModule): Import[] {
  return findSection(mod, 2)?.imports ?? [];
}

export function importsOfKind<K extends ExternalKind>(mod: WasmModule, kind: K): ImportOf<K>[] {
  return imports(mod).filter((i): i is ImportOf<K> => i.desc.kind === kind);
}

export function exports(mod: WasmModule): Export[] {
  return findSection(mod, 7)?.exports ?? [];
}

export function types(mod: WasmModule): FuncType[] {
  return findSection(mod, 1)?.types ?? [];
}

export function dataSegments(mod: WasmModule): DataSegment[] {
  return findSection(mod, 11)?.segments ?? [];
}

export function functionBodies(mod: WasmModule): FunctionBody[] {
  return findSection(mod, 10)?.bodies ?? [];
}

/** Sizes of the index spaces; each counts imports first, then definitions. */
export interface IndexSpaceSizes {
  importedFuncs: number;
  funcs: number;
  importedTables: number;
  tables: number;
  importedMemories: number;
  memories: number;
  importedGlobals: number;
  globals: number;
  importedTags: number;
  tags: number;
}

export function indexSpaceSizes(mod: WasmModule): IndexSpaceSizes {
  const n = [0, 0, 0, 0, 0];
  for (const i of imports(mod)) n[i.desc.kind]++;
  return {
    importedFuncs: n[ExternalKind.Func],
    funcs: n[ExternalKind.Func] + (findSection(mod, 3)?.functions.length ?? 0),
    importedTables: n[ExternalKind.Table],
    tables: n[ExternalKind.Table] + (findSection(mod, 4)?.tables.length ?? 0),
    importedMemories: n[ExternalKind.Memory],
    memories: n[ExternalKind.Memory] + (findSection(mod, 5)?.memories.length ?? 0),
    importedGlobals: n[ExternalKind.Global],
    globals: n[ExternalKind.Global] + (findSection(mod, 6)?.globals.length ?? 0),
    importedTags: n[ExternalKind.Tag],
    tags: n[ExternalKind.Tag] + (findSection(mod, 13)?.tags.length ?? 0),
  };
}

/** Number of functions including imports. */
export function functionCount(mod: WasmModule): number {
  return indexSpaceSizes(mod).funcs;
}

/** The type of function `index` (imports first), or undefined if out of range. */
export function functionType(mod: WasmModule, index: number): FuncType | undefined {
  const funcImports = importsOfKind(mod, ExternalKind.Func);
  const typeIndex =
    index < funcImports.length
      ? funcImports[index].desc.typeIndex
      : findSection(mod, 3)?.functions[index - funcImports.length];
  return typeIndex === undefined ? undefined : types(mod)[typeIndex];
}

/** A relocatable object carries a `linking` section. */
export function isRelocatable(mod: WasmModule): boolean {
  return findCustom(mod, 'linking') !== undefined;
}

function linkingSubsection<T>(mod: WasmModule, pick: (s: object) => T | undefined): T | undefined {
  for (const sub of findCustom(mod, 'linking')?.subsections ?? []) {
    const v = pick(sub);
    if (v !== undefined) return v;
  }
  return undefined;
}

export function symbolTable(mod: WasmModule): SymbolInfo[] {
  return linkingSubsection(mod, (s) => ('symbols' in s ? (s.symbols as SymbolInfo[]) : undefined)) ?? [];
}

export function segmentInfo(mod: WasmModule): SegmentInfo[] {
  return linkingSubsection(mod, (s) => ('segments' in s ? (s.segments as SegmentInfo[]) : undefined)) ?? [];
}

export function initFuncs(mod: WasmModule): InitFunc[] {
  return linkingSubsection(mod, (s) => ('initFuncs' in s ? (s.initFuncs as InitFunc[]) : undefined)) ?? [];
}

export function comdats(mod: WasmModule): Comdat[] {
  return linkingSubsection(mod, (s) => ('comdats' in s ? (s.comdats as Comdat[]) : undefined)) ?? [];
}

/** Every `reloc.*` section with the index of the section it patches. */
export function relocSections(mod: WasmModule): { name: string; targetSection: number; relocations: Relocations }[] {
  const out = [];
  for (const s of mod.sections) if (s.id === 0 && s.custom === 'reloc') out.push(s);
  return out;
}

/** Where a symbol's name can come from besides the symbol itself. */
export interface SymbolNameSource {
  /** The name the module gives element `index` of a symbol kind's index space (e.g. an import's field). */
  elementName(kind: SymbolKind, index: number): string | undefined;
  /** The name of section `index`: a custom section's own name. */
  sectionName(index: number): string;
}

/**
 * The one rule for a symbol-table entry's name (tool-conventions Linking.md, WASM_SYMBOL_TABLE):
 * data symbols always carry a name; section symbols are named after their section; other kinds
 * carry one when defined or when EXPLICIT_NAME is set, and otherwise (an undefined symbol) take
 * it from the element they refer to — the import's field. Undefined when nothing names it; each
 * caller says what to show then.
 */
export function resolveSymbolName(sym: SymbolInfo, source: SymbolNameSource): string | undefined {
  if (sym.kind === SymbolKind.Data) return sym.name;
  if (sym.kind === SymbolKind.Section) return source.sectionName(sym.section);
  if (sym.name !== undefined) return sym.name;
  return source.elementName(sym.kind, sym.index);
}

/** Kind of import a symbol of this kind names (section symbols and data symbols name none). */
const IMPORT_KIND_OF_SYMBOL: Partial<Record<SymbolKind, ExternalKind>> = {
  [SymbolKind.Function]: ExternalKind.Func,
  [SymbolKind.Global]: ExternalKind.Global,
  [SymbolKind.Tag]: ExternalKind.Tag,
  [SymbolKind.Table]: ExternalKind.Table,
};

/** A symbol's name read from the module alone (resolveSymbolName over its imports and sections). */
export function symbolName(mod: WasmModule, sym: SymbolInfo): string {
  const name = resolveSymbolName(sym, {
    elementName: (kind, index) => {
      const importKind = IMPORT_KIND_OF_SYMBOL[kind];
      return importKind === undefined ? undefined : importsOfKind(mod, importKind)[index]?.name;
    },
    sectionName: (index) => {
      const s = mod.sections[index];
      return s?.id === SectionId.Custom ? s.name : `section ${index}`;
    },
  });
  return name ?? (sym.kind === SymbolKind.Data || sym.kind === SymbolKind.Section ? '' : `#${sym.index}`);
}

export function isUndefinedSymbol(sym: SymbolInfo): boolean {
  return (sym.flags & SymbolFlag.UNDEFINED) !== 0;
}

export function isTlsSymbol(sym: SymbolInfo): boolean {
  return (sym.flags & SymbolFlag.TLS) !== 0;
}
