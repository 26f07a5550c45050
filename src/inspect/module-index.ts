// A read-only index over a decoded module for `inspect`: the sections by kind, the import-first
// index spaces, and the best-known name of each function, global and data segment. Names come,
// in order of preference, from the `name` section, the object's symbol table, exports, and import
// fields, so a stripped linked module and a relocatable object both get readable output.

import { valTypeName } from '../binary/disassemble.js';
import { NameType } from '../binary/read-custom.js';
import { SECTION_NAMES } from '../binary/read-module.js';
import { resolveSymbolName } from '../binary/module-info.js';
import {
  findCustom,
  findSection,
  SymbolKind,
  type FuncType,
  type Import,
  type SymbolInfo,
  type WasmModule,
} from '../binary/types.js';

export interface ImportedEntity {
  import: Import;
  /** Index within its kind's index space. */
  index: number;
}

export class ModuleIndex {
  readonly types: FuncType[];
  readonly imports: Import[];
  readonly funcImports: ImportedEntity[] = [];
  readonly globalImports: ImportedEntity[] = [];
  readonly tableImports: ImportedEntity[] = [];
  readonly memoryImports: ImportedEntity[] = [];
  readonly tagImports: ImportedEntity[] = [];
  readonly symbols: SymbolInfo[];
  readonly isObject: boolean;
  private readonly funcNames = new Map<number, string>();
  private readonly globalNames = new Map<number, string>();
  private readonly dataNames = new Map<number, string>();

  constructor(readonly mod: WasmModule) {
    this.types = findSection(mod, 1)?.types ?? [];
    this.imports = findSection(mod, 2)?.imports ?? [];
    this.splitImports();
    const linking = findCustom(mod, 'linking');
    this.isObject = linking !== undefined;
    this.symbols = [];
    for (const sub of linking?.subsections ?? []) if ('symbols' in sub) this.symbols = sub.symbols;
    this.collectNames();
  }

  private splitImports(): void {
    const byKind = [this.funcImports, this.tableImports, this.memoryImports, this.globalImports, this.tagImports];
    for (const imp of this.imports) {
      const list = byKind[imp.desc.kind];
      list.push({ import: imp, index: list.length });
    }
  }

  /** Fills the name maps; earlier sources win. */
  private collectNames(): void {
    for (const sub of findCustom(this.mod, 'name')?.subsections ?? []) {
      const target = this.nameMapFor(sub.type);
      for (const [i, n] of sub.names ?? []) if (target && !target.has(i)) target.set(i, n);
    }
    for (const s of this.symbols) {
      if (s.kind === SymbolKind.Function && s.name !== undefined) setOnce(this.funcNames, s.index, s.name);
      if (s.kind === SymbolKind.Global && s.name !== undefined) setOnce(this.globalNames, s.index, s.name);
    }
    for (const e of findSection(this.mod, 7)?.exports ?? []) {
      if (e.kind === 0) setOnce(this.funcNames, e.index, e.name);
      if (e.kind === 3) setOnce(this.globalNames, e.index, e.name);
    }
    for (const { import: imp, index } of this.funcImports) setOnce(this.funcNames, index, imp.name);
    for (const { import: imp, index } of this.globalImports) setOnce(this.globalNames, index, imp.name);
    this.collectSegmentNames();
  }

  private nameMapFor(type: number): Map<number, string> | undefined {
    if (type === NameType.FUNCTION) return this.funcNames;
    if (type === NameType.GLOBAL) return this.globalNames;
    if (type === NameType.DATA_SEGMENT) return this.dataNames;
    return undefined;
  }

  private collectSegmentNames(): void {
    for (const sub of findCustom(this.mod, 'linking')?.subsections ?? []) {
      if ('segments' in sub) sub.segments.forEach((seg, i) => setOnce(this.dataNames, i, seg.name));
    }
  }

  funcName(index: number): string | undefined {
    return this.funcNames.get(index);
  }

  globalName(index: number): string | undefined {
    return this.globalNames.get(index);
  }

  dataName(index: number): string | undefined {
    return this.dataNames.get(index);
  }

  /** Index of the global with this name (name section, symbols, exports or import field). */
  globalByName(name: string): number | undefined {
    for (const [i, n] of this.globalNames) if (n === name) return i;
    return undefined;
  }

  funcByName(name: string): number | undefined {
    for (const [i, n] of this.funcNames) if (n === name) return i;
    return undefined;
  }

  /** The name of symbol `i` as wasm-objdump shows it (resolveSymbolName, then the best-known name). */
  symbolName(i: number): string | undefined {
    const s = this.symbols[i];
    return s === undefined ? undefined : resolveSymbolName(s, this);
  }

  /** An unnamed function or global symbol: its best-known name (name section, export, import field). */
  elementName(kind: SymbolKind, index: number): string | undefined {
    if (kind === SymbolKind.Function) return this.funcName(index);
    if (kind === SymbolKind.Global) return this.globalName(index);
    return undefined;
  }

  sectionName(i: number): string {
    const s = this.mod.sections[i];
    if (s === undefined) return `section ${i}`;
    return s.id === 0 ? s.name : SECTION_NAMES[s.id];
  }

  /** `(i32 i32) -> (i32)`. */
  signature(typeIndex: number): string {
    const t = this.types[typeIndex];
    if (t === undefined) return `type ${typeIndex}`;
    return `(${t.params.map(valTypeName).join(' ')}) -> (${t.results.map(valTypeName).join(' ')})`;
  }
}

function setOnce(map: Map<number, string>, key: number, value: string): void {
  if (!map.has(key)) map.set(key, value);
}
