// Type checks between two entries for one global, table or tag name (lld SymbolTable.cpp
// checkGlobalType / checkTableType / checkTagType). A definition is checked
// against whatever is already there (defined or an undefined reference); a reference only against
// a definition. Globals compare value type and mutability, tables only the element type (wasm-ld
// does not compare limits), tags their signature. Global and table mismatches are errors; a tag
// mismatch is a warning, as in wasm-ld 22. The texts are wasm-ld's, including how types print.

import type { FuncType, GlobalType, SymbolInfo, TableType } from '../binary/types.js';
import { ExternalKind, SymbolFlag, SymbolKind } from '../binary/types.js';
import type { Diagnostic } from '../diagnostics.js';
import type { ObjFile } from './input-files.js';
import { typeKey } from '../binary/func-types.js';
import { fileName, formatSignature, lldValTypeName as valTypeName } from './symbols.js';
import type { Sym } from './symbols.js';


/** `var i32` / `const i64`, as lld prints a WasmGlobalType. */
export function formatGlobalType(t: GlobalType): string {
  return `${t.mutable ? 'var' : 'const'} ${valTypeName(t.valType)}`;
}

/** `type=funcref; limits=[flags=0x0; min=0]`, as lld prints a WasmTableType (flags in decimal). */
export function formatTableType(t: TableType): string {
  const max = t.limits.flags & 1 ? `; max=${t.limits.max}` : '';
  return `type=${valTypeName(t.elemType)}; limits=[flags=0x${t.limits.flags}; min=${t.limits.min}${max}]`;
}

export interface TypeCheckSink {
  error(d: Omit<Diagnostic, 'severity'>): void;
  warn(d: Omit<Diagnostic, 'severity'>): void;
}

/** The type an entry of `file`'s symbol table declares for a global, table or tag. */
function declaredType(file: ObjFile, info: SymbolInfo): GlobalType | TableType | FuncType | undefined {
  const undefinedEntry = (info.flags & SymbolFlag.UNDEFINED) !== 0;
  switch (info.kind) {
    case SymbolKind.Global: {
      if (!undefinedEntry) return file.globals[info.index - file.globalImports.length]?.type;
      const imp = file.importFor(SymbolKind.Global, info.index);
      return imp?.desc.kind === ExternalKind.Global ? imp.desc.global : undefined;
    }
    case SymbolKind.Table: {
      if (!undefinedEntry) return file.tables[info.index - file.tableImports.length]?.type;
      const imp = file.importFor(SymbolKind.Table, info.index);
      return imp?.desc.kind === ExternalKind.Table ? imp.desc.table : undefined;
    }
    case SymbolKind.Tag: {
      if (!undefinedEntry) return file.tags[info.index - file.tagImports.length]?.type;
      const imp = file.importFor(SymbolKind.Tag, info.index);
      return imp?.desc.kind === ExternalKind.Tag ? file.types[imp.desc.tag.typeIndex] : undefined;
    }
  }
  return undefined;
}

/** The type the symbol table already holds for `s`. */
function existingType(s: Sym): GlobalType | TableType | FuncType | undefined {
  if (s.kind === SymbolKind.Global) return s.global?.type ?? s.globalType;
  if (s.kind === SymbolKind.Table) return s.table?.type ?? s.tableType;
  if (s.kind === SymbolKind.Tag) return s.tag?.type ?? s.signature;
  return undefined;
}

/** Reports a mismatch between `existing` and the entry `info` of `file` (same name, same kind). */
export function checkEntryType(existing: Sym, file: ObjFile, info: SymbolInfo, sink: TypeCheckSink): void {
  const oldType = existingType(existing);
  const newType = declaredType(file, info);
  if (!oldType || !newType) return;
  const notes = <T>(fmt: (t: T) => string, a: T, b: T): string[] => [`defined as ${fmt(a)} in ${fileName(existing.file)}`, `defined as ${fmt(b)} in ${file.name}`];
  const base = { symbol: existing.name };
  // The symbol table holds one kind per name, so both types are of the entry's kind.
  if (info.kind === SymbolKind.Global) {
    const [a, b] = [oldType as GlobalType, newType as GlobalType];
    if (a.valType !== b.valType || a.mutable !== b.mutable) sink.error({ ...base, code: 'global-type-mismatch', message: `Global type mismatch: ${existing.name}`, notes: notes(formatGlobalType, a, b) });
  } else if (info.kind === SymbolKind.Table) {
    const [a, b] = [oldType as TableType, newType as TableType];
    if (a.elemType !== b.elemType) sink.error({ ...base, code: 'table-type-mismatch', message: `Table type mismatch: ${existing.name}`, notes: notes(formatTableType, a, b) });
  } else if (info.kind === SymbolKind.Tag) {
    const [a, b] = [oldType as FuncType, newType as FuncType];
    if (typeKey(a) !== typeKey(b)) sink.warn({ ...base, code: 'tag-signature-mismatch', message: `Tag signature mismatch: ${existing.name}`, notes: notes(formatSignature, a, b) });
  }
}
