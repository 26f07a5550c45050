// Relocatable object files as the linker sees them (lld InputFiles.cpp): the decoded module cut
// into chunks — function bodies, data segments, globals, tables, tags, custom sections — each with
// the relocations that fall inside it, plus the object's symbol table, init functions, comdats,
// target features and producers.
//
// Relocation offsets in `reloc.*` are relative to the target section's contents (tool-conventions
// Linking.md); they are rebased here onto each chunk, found by binary search over chunk starts, as
// lld's `setRelocs` does. A relocation that falls outside every chunk is a corrupt object. A custom
// section's relocations (nearly all of them DWARF's) are kept as their bytes and read, checked and
// applied in one pass when the section is written; those of a section the output drops are never
// read (`.debug_*` under --strip-debug).
//
// TLS-ness of a data symbol: the symbol's WASM_SYM_TLS flag; else, for a defined
// symbol, whether its segment is TLS — by segment flag or by a `.tdata`/`.tbss` name. The fallback
// is what lets LLVM-13-era objects (TLS segment flag, no per-symbol flag) link.

import { LimitsFlag } from '../binary/format.js';
import { readModule } from '../binary/read-module.js';
import { resolveSymbolName } from '../binary/module-info.js';
import { RelocType, type Relocations } from '../binary/reloc-types.js';
import type {
  Comdat,
  FuncType,
  Import,
  InitFunc,
  ProducersField,
  SegmentInfo,
  SymbolInfo,
  TargetFeature,
  WasmModule,
} from '../binary/types.js';
import { ExternalKind, SectionId, SegmentFlag, SymbolFlag, SymbolKind, ValTypeCode } from '../binary/types.js';
import { DecodeError, WasmthreadsError } from '../diagnostics.js';
import { InputCustomSection, NO_RELOCS, type InputFunction, type InputGlobal, type InputSegment, type InputTable, type InputTag, type RelocSpan, type Sym } from './symbols.js';

const TLS_SEGMENT_PREFIXES = ['.tdata', '.tbss'];

export function isTLSSegmentInfo(name: string, flags: number): boolean {
  return (flags & SegmentFlag.TLS) !== 0 || TLS_SEGMENT_PREFIXES.some((p) => name.startsWith(p));
}

/** How the link reads its objects. */
export interface ObjReadOptions {
  /** Custom sections the output will not have (`.debug_*` under `--strip-debug`): not kept, their relocations not decoded. */
  dropped?: (customSectionName: string) => boolean;
}

/** Custom sections the linker regenerates instead of concatenating. */
const REGENERATED_SECTIONS = new Set(['linking', 'name', 'producers', 'target_features', 'dylink.0', '.llvmbc', '.llvmcmd']);

/** `section<N>`, made once per N: every object has section symbols, for its DWARF sections. */
const SECTION_SYMBOL_NAMES: string[] = [];

/** A function's bytes until the code section gives them (one shared empty array, never written). */
const NO_BYTES = new Uint8Array(0);

/** An object without direct calls (shared, never written). */
const NO_FLAGS = new Uint8Array(0);

/** A symbol table not yet compacted (shared, never written). */
const NO_SYMBOL_WORDS = new Int32Array(0);

/** One `{ kind }` per symbol kind, for symbolKinds. */
const KIND_ENTRIES = [0, 1, 2, 3, 4, 5].map((kind) => Object.freeze({ kind }));

export class ObjFile {
  readonly types: FuncType[] = [];
  readonly funcImports: Import[] = [];
  readonly globalImports: Import[] = [];
  readonly tableImports: Import[] = [];
  readonly tagImports: Import[] = [];
  readonly functions: InputFunction[] = [];
  readonly globals: InputGlobal[] = [];
  readonly tables: InputTable[] = [];
  readonly tags: InputTag[] = [];
  readonly segments: InputSegment[] = [];
  readonly customSections: InputCustomSection[] = [];
  /**
   * The symbol table as decoded, until the symbol table has resolved it; then empty, and
   * symbolKind/symbolFlags/symbolIndex answer for it (compactSymbolInfos).
   */
  symbolInfos: SymbolInfo[] = [];
  /** Resolved symbol per symbol-table index (filled by the symbol table). */
  symbols: Sym[] = [];
  initFuncs: InitFunc[] = [];
  comdats: Comdat[] = [];
  features: TargetFeature[] = [];
  producers: ProducersField[] = [];
  /**
   * 1 at each symbol index used as a direct call target (R_WASM_FUNCTION_INDEX_LEB): bytes rather
   * than a Set, which cost each object a hash table that the link keeps to its end.
   */
  private calledDirectlyFlags = NO_FLAGS;

  /** Whether symbol `index` is the target of a direct call (its signature is checked against the call's). */
  isCalledDirectly(index: number): boolean {
    return this.calledDirectlyFlags[index] === 1;
  }

  constructor(
    readonly name: string,
    bytes: Uint8Array,
    /** Archive the object came from, for diagnostics (`lib.a(member.o)`). */
    readonly archiveName?: string,
    private readonly options: ObjReadOptions = {},
  ) {
    // The decoded module is only read here: once its pieces are taken out, it can go.
    // Custom sections the linker copies (debug info...) and their relocations come straight here
    // as offsets into `bytes` (takeCustom), with no section object or view made for each.
    const takeCustom = (section: string, start: number, end: number, relocTarget: number, index: number): void => {
      if (relocTarget >= 0) this.attachRawRelocs(section, start, end, relocTarget);
      else if (!REGENERATED_SECTIONS.has(section) && !this.options.dropped?.(section)) {
        this.customSections.push(new InputCustomSection(this, section, bytes, start, end, index));
      }
    };
    this.parse(readModule(bytes, name, { names: false, rawCustomRelocs: true, onRawCustom: takeCustom }));
  }

  private fail(message: string, offset?: number): never {
    if (offset !== undefined) throw new DecodeError(message, this.name, offset);
    throw new WasmthreadsError({ severity: 'error', code: 'bad-object', message, file: this.name });
  }

  private parse(mod: WasmModule): void {
    let segmentInfos: SegmentInfo[] = [];
    let sawLinking = false;
    let codeSectionIndex = -1;
    let dataSectionIndex = -1;
    // Indexed loops, no closures: this runs for every object a link reads, as V8 runs it unoptimised
    // (where for-of allocates a result object per step and a closure costs a context).
    const sections = mod.sections;
    for (let i = 0; i < sections.length; i++) {
      const s = sections[i];
      switch (s.id) {
        case SectionId.Type:
          for (let k = 0; k < s.types.length; k++) this.types.push(s.types[k]);
          break;
        case SectionId.Import:
          for (let k = 0; k < s.imports.length; k++) this.addImport(s.imports[k]);
          break;
        case SectionId.Function:
          for (let k = 0; k < s.functions.length; k++) {
            const t = s.functions[k];
            const type = this.types[t];
            if (!type) this.fail(`function ${k} has out-of-range type ${t}`, s.contentOffset);
            this.functions.push({ kind: 'input', name: '', type, file: this, bytes: NO_BYTES, relocs: NO_RELOCS, live: false, discarded: false, outputIndex: -1, index: k });
          }
          break;
        case SectionId.Table:
          for (let k = 0; k < s.tables.length; k++) this.tables.push({ name: `table${k}`, type: s.tables[k].type, file: this, live: false, outputIndex: -1 });
          break;
        case SectionId.Global:
          for (let k = 0; k < s.globals.length; k++) {
            const g = s.globals[k];
            this.globals.push({ name: `global${k}`, type: g.type, init: g.init, file: this, live: false, outputIndex: -1 });
          }
          break;
        case SectionId.Export:
          for (let k = 0; k < s.exports.length; k++) {
            const e = s.exports[k];
            const fn = e.kind === ExternalKind.Func ? this.functions[e.index - this.funcImports.length] : undefined;
            if (fn) fn.exportName = e.name;
          }
          break;
        case SectionId.Code:
          codeSectionIndex = i;
          for (let k = 0; k < s.bodies.length; k++) {
            const b = s.bodies[k];
            const fn = this.functions[k];
            if (!fn) this.fail('code section has more bodies than the function section', b.offset);
            fn.bytes = b.bytes;
          }
          break;
        case SectionId.Data:
          dataSectionIndex = i;
          break;
        case SectionId.Tag:
          for (let k = 0; k < s.tags.length; k++) {
            const t = s.tags[k];
            const type = this.types[t.typeIndex];
            // wasm-ld: "invalid tag type".
            if (!type) this.fail(`invalid tag type: tag ${k} has out-of-range type ${t.typeIndex}`, s.contentOffset);
            this.tags.push({ name: `tag${k}`, type, file: this, live: false, outputIndex: -1 });
          }
          break;
        case SectionId.Custom:
          if (s.custom === 'linking') {
            sawLinking = true;
            for (let k = 0; k < s.subsections.length; k++) {
              const sub = s.subsections[k];
              if ('symbols' in sub) this.symbolInfos = sub.symbols;
              else if ('segments' in sub) segmentInfos = sub.segments;
              else if ('initFuncs' in sub) this.initFuncs = sub.initFuncs;
              else if ('comdats' in sub) this.comdats = sub.comdats;
            }
          } else if (s.custom === 'target_features') this.features = s.features;
          else if (s.custom === 'producers') this.producers = s.fields;
          // The raw ones (debug info...) were taken as they were read (takeCustom).
          break;
      }
    }
    if (!sawLinking) this.fail('not a relocatable wasm file (no linking section)');
    this.addLegacyTableSymbol();
    this.nameFunctions();
    this.parseSegments(mod, dataSectionIndex, segmentInfos);
    this.distributeRelocations(mod, codeSectionIndex, dataSectionIndex);
  }

  /**
   * Objects from before reference types (LLVM 12 and older; emscripten 3.1.x's libraries still
   * have them) import the indirect function table with no symbol for it, and their
   * `call_indirect`s name table 0 with no relocation. As wasm-ld does, such an object gets an
   * undefined, NO_STRIP (so live) `__indirect_function_table` symbol, added after its own
   * symbols: the linker defines it, `--export-all` exports it and `--import-table` imports it,
   * like any other reference to the table. Any other table without a symbol cannot be linked: a
   * use of it could not be relocated.
   */
  private addLegacyTableSymbol(): void {
    const tableCount = this.tableImports.length + this.tables.length;
    const symbolCount = this.symbolInfos.reduce((n, info) => (info.kind === SymbolKind.Table ? n + 1 : n), 0);
    if (tableCount === symbolCount) return;
    if (symbolCount !== 0) this.fail(`expected one symbol table entry for each of the ${tableCount} table(s) present, but got ${symbolCount} symbol(s) instead`);
    if (this.tables.length) this.fail('unexpected table definition(s) without corresponding symbol-table entries');
    if (tableCount !== 1) this.fail('multiple table imports, but no corresponding symbol-table entries');
    const imp = this.tableImports[0];
    if (imp.name !== '__indirect_function_table' || imp.desc.kind !== ExternalKind.Table || imp.desc.table.elemType !== ValTypeCode.funcref) {
      this.fail(`table import ${imp.name} is missing a symbol table entry`);
    }
    this.symbolInfos = [...this.symbolInfos, { kind: SymbolKind.Table, flags: SymbolFlag.UNDEFINED | SymbolFlag.NO_STRIP, index: 0 }];
  }

  /**
   * Each defined function takes the name of the first symbol-table entry that defines it (as
   * LLVM's reader names it), so one dropped by a COMDAT group or the collector is still named in
   * `--print-gc-sections`.
   */
  private nameFunctions(): void {
    const infos = this.symbolInfos;
    for (let i = 0; i < infos.length; i++) {
      const info = infos[i];
      if (info.kind !== SymbolKind.Function || info.flags & SymbolFlag.UNDEFINED) continue;
      const fn = this.functions[info.index - this.funcImports.length];
      if (fn && !fn.name) fn.name = this.symbolName(info);
    }
  }

  private addImport(imp: Import): void {
    switch (imp.desc.kind) {
      case ExternalKind.Func:
        if (!this.types[imp.desc.typeIndex]) this.fail(`function import ${imp.module}.${imp.name} has out-of-range type ${imp.desc.typeIndex}`);
        this.funcImports.push(imp);
        break;
      case ExternalKind.Table:
        this.tableImports.push(imp);
        break;
      case ExternalKind.Global:
        this.globalImports.push(imp);
        break;
      case ExternalKind.Tag:
        if (!this.types[imp.desc.tag.typeIndex]) this.fail(`invalid tag type: tag import ${imp.module}.${imp.name} has out-of-range type ${imp.desc.tag.typeIndex}`);
        this.tagImports.push(imp);
        break;
      // The memory import (`env.__linear_memory`) is provisional: the linker makes its own memory.
      // Its limits say whether the object was compiled for wasm64 (lld ObjFile::parse).
      case ExternalKind.Memory:
        if (imp.desc.memory.limits.flags & LimitsFlag.IS_64) {
          throw new WasmthreadsError({
            severity: 'error', code: 'wasm64-object', file: this.name,
            message: 'must specify -mwasm64 to process wasm64 object files',
            hint: 'wasmthreads links wasm32 only: compile for wasm32 (--target=wasm32-…), or link wasm64 objects with wasm-ld -mwasm64',
          });
        }
        break;
    }
  }

  private parseSegments(mod: WasmModule, dataSectionIndex: number, infos: SegmentInfo[]): void {
    if (dataSectionIndex < 0) return;
    const sec = mod.sections[dataSectionIndex];
    if (sec.id !== SectionId.Data) return;
    sec.segments.forEach((seg, k) => {
      const info = infos[k] ?? { name: `.data.${k}`, alignment: 0, flags: 0 };
      const isTLS = isTLSSegmentInfo(info.name, info.flags);
      this.segments.push({
        file: this,
        index: k,
        name: info.name,
        alignment: info.alignment,
        flags: info.flags,
        data: seg.init,
        relocs: NO_RELOCS,
        isTLS,
        live: false,
        discarded: false,
        outputOffset: 0,
      });
    });
  }

  /**
   * A custom section's `reloc.*`, as the reader left it (its target index, count and entries,
   * unread): kept with its section, to be checked and applied when the section is written; dropped
   * with a section the output will not have.
   */
  private attachRawRelocs(name: string, start: number, end: number, target: number): void {
    const custom = this.customSections.find((c) => c.sectionIndex === target);
    if (!custom) return;
    if (custom.relocSize) this.fail(`${name}: a second relocation section for the same section`, start);
    custom.attachRelocs(name, start, end);
  }

  /** Gives each chunk the span of relocations that falls inside it. */
  private distributeRelocations(mod: WasmModule, codeIndex: number, dataIndex: number): void {
    for (let i = 0; i < mod.sections.length; i++) {
      const s = mod.sections[i];
      if (s.id !== SectionId.Custom || s.custom !== 'reloc') continue;
      const target = mod.sections[s.targetSection];
      if (!target) this.fail(`${s.name} targets missing section ${s.targetSection}`, s.contentOffset);
      // The reader requires offset order, so each chunk's relocations are one run of the list.
      const list = s.relocations;
      if (s.targetSection === codeIndex && target.id === SectionId.Code) {
        const starts = target.bodies.map((b) => b.bytesOffset - target.contentOffset);
        this.assign(list, starts, this.functions, s.name, s.contentOffset);
      } else if (s.targetSection === dataIndex && target.id === SectionId.Data) {
        const starts = target.segments.map((g) => g.initOffset - target.contentOffset);
        this.assign(list, starts, this.segments, s.name, s.contentOffset);
      }
      // Custom sections' relocations stay raw (attachRawRelocs); no other section has any.
    }
  }

  private assign(list: Relocations, starts: number[], chunks: { relocs: RelocSpan; bytes?: Uint8Array; data?: Uint8Array }[], section: string, at: number): void {
    let k = 0;
    let span: RelocSpan | undefined;
    for (let i = 0; i < list.length; i++) {
      const offset = list.offset(i);
      while (k + 1 < starts.length && starts[k + 1] <= offset) k++;
      const chunk = chunks[k];
      const len = (chunk?.bytes ?? chunk?.data)?.length ?? 0;
      const rel = offset - starts[k];
      if (!chunk || rel < 0 || rel >= len) this.fail(`${section}: relocation at offset ${offset} is outside every chunk`, at);
      if (chunk.relocs !== span) {
        if (chunk.relocs !== NO_RELOCS) this.fail(`${section}: a second relocation section for the same section`, at);
        span = chunk.relocs = { list, start: i, end: i, base: starts[k] };
      }
      span.end = i + 1;
      const type = list.type(i);
      // A direct `call` (R_WASM_FUNCTION_INDEX_LEB): the callee's signature is checked against it.
      if (type === RelocType.R_WASM_FUNCTION_INDEX_LEB) {
        if (this.calledDirectlyFlags === NO_FLAGS) this.calledDirectlyFlags = new Uint8Array(this.symbolInfos.length);
        this.calledDirectlyFlags[list.index(i)] = 1;
      }
    }
  }

  /**
   * The symbol table's kinds, flags and indices, three words per entry (an index is the entry's
   * function, global, table or tag index, its section for a section symbol, -1 for data), once
   * its entries are resolved (`compactSymbolInfos`).
   */
  private symbolWords = NO_SYMBOL_WORDS;

  /**
   * Called by the symbol table once it has resolved this object's entries: keeps what the rest of
   * the link reads of them (kind, flags, index) in one typed array and drops the decoded entries.
   * Those were made while the object was read, moments before, and so are still in V8's young
   * generation: dropped now, they are never copied by its collector, where the link keeps anything
   * else it holds to its end copied twice (libc-mt.a: 30,000 entries).
   */
  compactSymbolInfos(): void {
    const infos = this.symbolInfos;
    const words = new Int32Array(infos.length * 3);
    for (let i = 0, w = 0; i < infos.length; i++, w += 3) {
      const info = infos[i];
      words[w] = info.kind;
      words[w + 1] = info.flags;
      words[w + 2] = info.kind === SymbolKind.Section ? info.section : info.kind === SymbolKind.Data ? -1 : info.index;
    }
    this.symbolWords = words;
    this.symbolInfos = [];
  }

  /** How many entries the symbol table has (after compactSymbolInfos). */
  get symbolCount(): number {
    return this.symbolWords.length / 3;
  }

  symbolKind(i: number): SymbolKind {
    return this.symbolWords[i * 3] as SymbolKind;
  }

  symbolFlags(i: number): number {
    return this.symbolWords[i * 3 + 1] >>> 0;
  }

  /** The entry's function, global, table or tag index; its section for a section symbol; -1 for data. */
  symbolIndex(i: number): number {
    return this.symbolWords[i * 3 + 2];
  }

  /** Each entry's kind, as the relocation reader checks them (readRelocEntries' `symbols`). */
  symbolKinds(): { readonly kind: number }[] {
    const out = new Array<{ readonly kind: number }>(this.symbolCount);
    for (let i = 0; i < out.length; i++) out[i] = KIND_ENTRIES[this.symbolKind(i)];
    return out;
  }

  /** The name a symbol-table entry gives (resolveSymbolName: an unnamed import takes its field). */
  symbolName(info: SymbolInfo): string {
    const name = resolveSymbolName(info, this);
    if (name !== undefined) return name;
    return info.kind === SymbolKind.Data || info.kind === SymbolKind.Section ? '' : `<unnamed ${info.kind}:${info.index}>`;
  }

  elementName(kind: SymbolKind, index: number): string | undefined {
    return this.importFor(kind, index)?.name;
  }

  sectionName(index: number): string {
    return (SECTION_SYMBOL_NAMES[index] ??= `section${index}`);
  }

  importFor(kind: SymbolKind, index: number): Import | undefined {
    const list = kind === SymbolKind.Function ? this.funcImports : kind === SymbolKind.Global ? this.globalImports : kind === SymbolKind.Table ? this.tableImports : kind === SymbolKind.Tag ? this.tagImports : [];
    return list[index];
  }

  /** TLS-ness as wasm-ld 22 decides it (see the file comment). */
  isTLSSymbol(info: SymbolInfo): boolean {
    if (info.flags & SymbolFlag.TLS) return true;
    if (info.kind !== SymbolKind.Data || info.segment === undefined) return false;
    const seg = this.segments[info.segment];
    if (!seg?.isTLS) return false;
    this.inferredTLS.push({ symbol: info.name ?? `symbol in ${seg.name}`, segment: seg.name, byFlag: (seg.flags & SegmentFlag.TLS) !== 0 });
    return true;
  }

  /** Symbols taken as TLS without their own TLS flag (LLVM-13-era objects), for --verbose. */
  inferredTLS: { symbol: string; segment: string; byFlag: boolean }[] = [];

  /** The function type of a function symbol (defined or imported). */
  functionType(index: number): FuncType | undefined {
    if (index < this.funcImports.length) {
      const d = this.funcImports[index].desc;
      return d.kind === ExternalKind.Func ? this.types[d.typeIndex] : undefined;
    }
    return this.functions[index - this.funcImports.length]?.type;
  }

  /** The producer line for diagnostics, e.g. `clang 22.1.8`. */
  producerSummary(): string {
    const parts: string[] = [];
    for (const f of this.producers) for (const v of f.values) parts.push(`${v.name} ${v.version}`.trim());
    return parts.join(', ');
  }

  /** Whether the object disallows shared memory (compiled without atomics/bulk-memory). */
  disallowsSharedMem(): boolean {
    return this.features.some((f) => f.prefix === '-' && f.name === 'shared-mem');
  }
}
