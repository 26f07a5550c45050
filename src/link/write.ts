// The writer (lld Writer.cpp run, SyntheticSections.cpp): imports,
// index assignment (imports first in every index space, then synthetic, then input elements),
// type deduplication, the indirect function table and its element segment, the synthesised
// function bodies, exports, and finally the output module, built as the shared `WasmModule` model
// and encoded by binary/write-module.ts. Input function bodies and data segments are copied and
// their relocations patched in place in their padded slots.

import { DataMode, ELEMKIND_FUNCREF, ElemFlag, FUNCREF, LimitsFlag } from '../binary/format.js';
import { NameType } from '../binary/read-custom.js';
import { ExternalKind, SectionId, SymbolKind, ValTypeCode, type Export, type Import, type Section, type WasmModule, type ElementSegment, type DataSegment, type NameSubsection, type ProducersField, type ConstExpr, type FuncIndex, type TableIndex, type TypeIndex } from '../binary/types.js';
import { i32Const } from '../binary/const-expr.js';
import { writeModule } from '../binary/write-module.js';
import { buildIdPayload } from './build-id.js';
import { sizeU32, writeU32 } from '../binary/leb.js';
import { ByteWriter } from '../binary/byte-writer.js';
import type { LinkContext } from './context.js';
import { needsPassiveInitialization } from './layout.js';
import { isExportedSymbol } from './mark-live.js';
import { customChunkSize, relocateInto, symbolVA, tlsRuntimeRelocs, writeCustomChunks, type CustomChunk } from './relocations.js';
import { endsInNul, isMergeableCustomSection, mergeStrings } from './merge-strings.js';
import type { InputFunction, InputGlobal, InputTag, Sym } from './symbols.js';
import { registerType } from '../binary/func-types.js';
import { forEachRelocSymbol, InputCustomSection, isWeak } from './symbols.js';
import { callCtorsBody, collectInitFunctions } from './synthetic/call-ctors.js';
import { initMemoryBody } from './synthetic/init-memory.js';
import { applyGlobalTLSRelocsBody, applyTLSRelocsBody, initTLSBody } from './synthetic/init-tls.js';
import { commandExportBody, syntheticFunction } from './synthetic/stubs.js';
import { displayName } from './symbol-names.js';

const I32 = ValTypeCode.i32;

export interface ImportEntry {
  imp: Import;
  sym?: Sym;
}

/** Decides which undefined symbols become imports and reports the rest. */
export function calculateImports(ctx: LinkContext): ImportEntry[] {
  const c = ctx.config;
  const out: ImportEntry[] = [];
  const counts = [0, 0, 0, 0, 0];
  if (c.importMemory) out.push({ imp: { module: c.importMemory.module, name: c.importMemory.name, desc: { kind: ExternalKind.Memory, memory: { limits: memoryLimits(ctx) } } } });
  const table = ctx.sym.indirectFunctionTable;
  if (c.importTable && table) {
    table.importIndex = counts[1]++;
    table.state = 'undefined';
  }
  const undefinedSymbols: Sym[] = [];
  // Indexed: for-of allocates an object per step in code V8 runs unoptimised.
  const ordered = ctx.symtab.ordered;
  for (let i = 0; i < ordered.length; i++) {
    const s = ordered[i];
    if (!s.live || !s.usedInRegularObj || s.state === 'defined' || s.kind === SymbolKind.Data || s.kind === SymbolKind.Section || s === table) continue;
    if (isWeak(s)) continue;
    const excused = s.explicitImport || s.forceImport || c.unresolvedSymbols === 'import-dynamic' || c.allowUndefinedSymbols.has(s.name);
    const allowed = excused || c.importUndefined;
    if (!allowed || (s.kind === SymbolKind.Function && !s.signature)) {
      undefinedSymbols.push(s);
      continue;
    }
    s.importIndex = counts[s.kind === SymbolKind.Function ? ExternalKind.Func : s.kind === SymbolKind.Table ? ExternalKind.Table : s.kind === SymbolKind.Global ? ExternalKind.Global : ExternalKind.Tag]++;
    out.push({ sym: s, imp: importFor(s) });
    // --import-undefined imports any undefined symbol but excuses only functions (wasm-ld's
    // allowUndefined): an undefined global, table or tag is still reported under the policy.
    if (!excused && s.kind !== SymbolKind.Function) undefinedSymbols.push(s);
  }
  for (let i = 0; i < ordered.length; i++) {
    const s = ordered[i];
    if (s.live && s.kind === SymbolKind.Data && s.state !== 'defined' && !isWeak(s) && s.absolute === undefined) undefinedSymbols.push(s);
  }
  for (const [s, file] of firstReferencingFiles(ctx, undefinedSymbols)) reportUndefined(ctx, s, file);
  // Its size is only known once the slots are assigned: buildModule sets it (tableSize).
  if (c.importTable && table) out.splice(c.importMemory ? 1 : 0, 0, { sym: table, imp: { module: 'env', name: '__indirect_function_table', desc: { kind: ExternalKind.Table, table: { elemType: FUNCREF, limits: { flags: 0, min: 0n } } } } });
  return out;
}

function importFor(s: Sym): Import {
  const module = s.importModule ?? 'env';
  const name = s.importName ?? s.name;
  if (s.kind === SymbolKind.Function) return { module, name, desc: { kind: ExternalKind.Func, typeIndex: 0 as TypeIndex } };
  if (s.kind === SymbolKind.Global) return { module, name, desc: { kind: ExternalKind.Global, global: s.globalType ?? { valType: I32, mutable: false } } };
  if (s.kind === SymbolKind.Table) return { module, name, desc: { kind: ExternalKind.Table, table: s.tableType ?? { elemType: FUNCREF, limits: { flags: 0, min: 0n } } } };
  // Tags: the type index is filled in by buildModule from `s.signature`, like functions'.
  return { module, name, desc: { kind: ExternalKind.Tag, tag: { attribute: 0, typeIndex: 0 as TypeIndex } } };
}

/**
 * Undefined symbols in the order wasm-ld reports them, each with the file it names: by their first
 * relocation, scanning each object's functions, then its data segments, in file order (it reports
 * while scanning relocations, naming the object of the relocation — for `--wrap=X`, an object that
 * referred to X). Symbols no relocation names keep symbol-table order, after the others, and name
 * the file that first mentioned them.
 */
function firstReferencingFiles(ctx: LinkContext, syms: Sym[]): Map<Sym, string | undefined> {
  const wanted = new Set(syms);
  const found = new Map<Sym, string | undefined>();
  for (const f of ctx.objectFiles) {
    if (found.size === wanted.size) break;
    for (const chunk of [...f.functions, ...f.segments]) {
      if (!chunk.live) continue;
      forEachRelocSymbol(f, chunk.relocs, (s) => {
        if (wanted.has(s) && !found.has(s)) found.set(s, f.name);
      });
    }
  }
  for (const s of syms) if (!found.has(s)) found.set(s, s.file?.name);
  return found;
}

function reportUndefined(ctx: LinkContext, s: Sym, file: string | undefined): void {
  const c = ctx.config;
  if (c.unresolvedSymbols === 'ignore-all' || c.allowUndefinedSymbols.has(s.name)) return;
  const d = { code: 'undefined-symbol', message: `undefined symbol: ${displayName(s.name, c.demangle)}`, file, symbol: s.name, hint: 'add the object or library that defines it, or pass --allow-undefined to import it' };
  if (c.warnUnresolvedSymbols) ctx.sink.warn(d);
  else ctx.sink.error(d);
}

export function memoryLimits(ctx: LinkContext): { flags: number; min: bigint; max?: bigint } {
  const { initialPages, maxPages } = ctx.memory;
  let flags = maxPages !== undefined ? LimitsFlag.HAS_MAX : 0;
  if (ctx.config.sharedMemory) flags |= LimitsFlag.SHARED;
  return { flags, min: BigInt(initialPages), max: maxPages !== undefined ? BigInt(maxPages) : undefined };
}

// ---------------------------------------------------------------------------------------------
// Index assignment.

/** Output functions in index order, after the imported ones. */
export function assignFunctionIndices(ctx: LinkContext, numImported: number): InputFunction[] {
  const list: InputFunction[] = [...ctx.syntheticFunctions.filter((f) => f.live)];
  for (const file of ctx.objectFiles) for (const fn of file.functions) if (fn.live) list.push(fn);
  list.forEach((fn, i) => (fn.outputIndex = numImported + i));
  return list;
}

export function assignGlobalIndices(ctx: LinkContext, numImported: number): InputGlobal[] {
  const list: InputGlobal[] = ctx.syntheticGlobals.filter((g) => g.live);
  for (const file of ctx.objectFiles) for (const g of file.globals) if (g.live) list.push(g);
  list.push(...ctx.extraGlobals);
  list.forEach((g, i) => (g.outputIndex = numImported + i));
  return list;
}

// ---------------------------------------------------------------------------------------------
// Exports and command wrappers.

export interface ExportPlan {
  exports: Export[];
  extraFunctions: InputFunction[];
}

function exportName(s: Sym): string {
  return s.func?.exportName ?? s.name;
}

export function calculateExports(ctx: LinkContext, functions: InputFunction[], globalsCount: () => number): ExportPlan {
  const c = ctx.config;
  const exports: Export[] = [];
  const extraFunctions: InputFunction[] = [];
  if (c.exportMemory) exports.push({ name: c.exportMemory, kind: ExternalKind.Memory, index: 0 });
  const wrap = needsCommandWrappers(ctx);
  const seen = new Set(exports.map((e) => e.name));
  // wasm-ld lists the wrappers' exports after every other symbol's, in symbol order.
  const wrapperExports: Export[] = [];
  // --export-all exports every defined symbol, the linker's own too: wasm-ld 22 exports the
  // address of `__wasm_init_memory_flag` (as an i32 global), a symbol it makes while laying out
  // memory, so after the inputs' symbols and before the `__start_`/`__stop_` symbols it makes
  // after the layout; then the functions it makes as it writes the output, in that order.
  const exportInitMemoryFlag = (): void => {
    if (!c.exportAll || !c.sharedMemory || ctx.initMemoryFlag === undefined || seen.has('__wasm_init_memory_flag')) return;
    seen.add('__wasm_init_memory_flag');
    const g: InputGlobal = { name: '__wasm_init_memory_flag', type: { valType: I32, mutable: false }, value: ctx.initMemoryFlag, live: true, outputIndex: globalsCount() };
    ctx.exportedDataGlobals.push(g);
    exports.push({ name: g.name, kind: ExternalKind.Global, index: g.outputIndex });
  };
  const ordered = ctx.symtab.ordered;
  const startStopAt = ctx.symtab.indexOfPlace(ctx.startStopFrom);
  for (let i = 0; i < ordered.length; i++) {
    if (i === startStopAt) exportInitMemoryFlag();
    const s = ordered[i];
    if (!s.live || !isExportedSymbol(ctx, s) || s.isLocal) continue;
    if (isImplicitMutableSyntheticExport(ctx, s)) continue;
    const name = exportName(s);
    if (seen.has(name)) continue;
    seen.add(name);
    if (s.kind === SymbolKind.Function && s.func) {
      if (wrap && s.func.kind === 'input') {
        const w = syntheticFunction(`${s.name}.command_export`, s.func.type);
        w.outputIndex = functions.length + extraFunctions.length + ctx.numImportedFunctions;
        extraFunctions.push(w);
        w.wraps = s.func;
        wrapperExports.push({ name, kind: ExternalKind.Func, index: w.outputIndex });
      } else exports.push({ name, kind: ExternalKind.Func, index: s.func.outputIndex });
    } else if (s.kind === SymbolKind.Global && s.global) exports.push({ name, kind: ExternalKind.Global, index: s.global.outputIndex });
    else if (s.kind === SymbolKind.Data) {
      const g: InputGlobal = { name, type: { valType: I32, mutable: false }, value: symbolVA(s), live: true, outputIndex: globalsCount() };
      ctx.exportedDataGlobals.push(g);
      exports.push({ name, kind: ExternalKind.Global, index: g.outputIndex });
    } else if (s.kind === SymbolKind.Table && s.table) exports.push({ name, kind: ExternalKind.Table, index: s.table.outputIndex });
    else if (s.kind === SymbolKind.Tag && s.tag) exports.push({ name, kind: ExternalKind.Tag, index: s.tag.outputIndex });
  }
  exportInitMemoryFlag();
  exports.push(...wrapperExports);
  for (const fn of [ctx.sym.initMemory, ctx.sym.applyGlobalTLSRelocs, ctx.sym.applyTLSRelocs]) {
    if (c.exportAll && fn?.live && !seen.has(fn.name)) exports.push({ name: fn.name, kind: ExternalKind.Func, index: fn.outputIndex });
  }
  return { exports, extraFunctions };
}

/**
 * a linker-made mutable global (`__stack_pointer`, shared `__tls_base`) reached
 * only through --export-all/--export-dynamic is left out when the output lacks mutable-globals,
 * so such a flag never makes the link fail the import/export feature check (llvm PR #160966).
 */
function isImplicitMutableSyntheticExport(ctx: LinkContext, s: Sym): boolean {
  const synthetic = s === ctx.sym.stackPointer || s === ctx.sym.tlsBase;
  return synthetic && !!s.global?.type.mutable && !s.forceExport && !ctx.allowedFeatures.has('mutable-globals');
}

/** wrappers only when nothing calls `__wasm_call_ctors` itself. */
function needsCommandWrappers(ctx: LinkContext): boolean {
  const ctors = ctx.sym.callCtors;
  // lld: no wrappers when `__wasm_call_ctors` is used or exported — and --export-all exports it.
  if (!ctors || ctors.usedInRegularObj || ctors.forceExport || ctx.config.exportAll) return false;
  if (ctx.config.entry === '__wasm_call_ctors') return false;
  return collectInitFunctions(ctx).length > 0 || !!ctx.sym.callDtors?.func;
}

// ---------------------------------------------------------------------------------------------
// Module assembly.

function constExprFor(g: InputGlobal): ConstExpr {
  if (g.init) return g.init;
  return i32Const(g.value ?? 0);
}

/**
 * The code section, its bodies copied and patched straight into the output when the module is
 * written (SectionBase.content): relocations are written into padded slots, so a body's size is
 * known before it is patched, and each body's offset in the section (`codeOffset`, what
 * R_WASM_FUNCTION_OFFSET_I32 resolves to) is set here, before any custom section is relocated.
 * No body gets a copy of its own, nor the section a buffer.
 */
function codeSection(ctx: LinkContext, functions: InputFunction[]): Section {
  let size = sizeU32(functions.length);
  for (let i = 0; i < functions.length; i++) {
    const fn = functions[i];
    size += sizeU32(fn.bytes.length);
    fn.codeOffset = size;
    size += fn.bytes.length;
  }
  const write = (dest: Uint8Array, at: number): void => {
    let p = writeU32(dest, at, functions.length);
    for (let i = 0; i < functions.length; i++) {
      const fn = functions[i];
      p = writeU32(dest, p, fn.bytes.length);
      if (fn.kind === 'input' && fn.file) relocateInto(ctx, fn.file, fn.bytes, fn.relocs, dest, p);
      else dest.set(fn.bytes, p);
      p += fn.bytes.length;
    }
  };
  return { ...base, id: SectionId.Code, bodies: [], content: { size, write } };
}

function dataSegments(ctx: LinkContext): DataSegment[] {
  const out: DataSegment[] = [];
  for (const seg of ctx.outputSegments) {
    if (seg.index < 0) continue;
    const bytes = new Uint8Array(seg.size);
    for (const input of seg.inputs) {
      const base = seg.startVA + input.outputOffset;
      relocateInto(ctx, input.file, input.data, input.relocs, bytes, input.outputOffset, base);
    }
    if (seg.passive) out.push({ flags: DataMode.PASSIVE, init: bytes, initOffset: 0 });
    else out.push({ flags: DataMode.ACTIVE, offset: i32Const(seg.startVA), init: bytes, initOffset: 0 });
  }
  return out;
}

/** One output custom section: its input chunks in order, the merged strings in one of them. */
interface CustomSectionParts {
  chunks: CustomChunk[];
  merged: InputCustomSection[];
}

function customSections(ctx: LinkContext): Section[] {
  const groups = new Map<string, CustomSectionParts>();
  const mergeable = (cs: InputCustomSection): boolean => isMergeableCustomSection(cs.name, ctx.config.optimize) && endsInNul(cs.payload);
  const files = ctx.objectFiles;
  for (let f = 0; f < files.length; f++) {
    const sections = files[f].customSections;
    for (let i = 0; i < sections.length; i++) {
      const cs = sections[i];
      let g = groups.get(cs.name);
      if (!g) groups.set(cs.name, (g = { chunks: [], merged: [] }));
      if (!mergeable(cs)) g.chunks.push(cs);
      else {
        // The merged strings take the place of the first mergeable input (lld CustomSection).
        if (g.merged.length === 0) g.chunks.push({ mergedStrings: new Uint8Array() });
        g.merged.push(cs);
      }
    }
  }
  for (const [name, g] of groups) placeCustomChunks(ctx, name, g);
  // Each section's chunks are copied and patched straight into the output when the module is
  // written (SectionBase.content; the `raw` payload is left empty), once every chunk has its
  // offset: SECTION_OFFSET relocations point across chunks. A link with DWARF is mostly these
  // bytes (libc-mt.a's 1.7 of 2 MB), which so get no buffer of their own before the output.
  return [...groups].map(([name, g]) => {
    const header = new ByteWriter(name.length + 5);
    header.name(name);
    const nameBytes = header.finish();
    const size = g.chunks.reduce((n, c) => n + customChunkSize(c), nameBytes.length);
    const write = (dest: Uint8Array, at: number): void => {
      dest.set(nameBytes, at);
      writeCustomChunks(ctx, g.chunks, dest, at + nameBytes.length);
    };
    return { id: SectionId.Custom, offset: 0, contentOffset: 0, name, custom: 'raw', payload: NO_PAYLOAD, content: { size, write } } as Section;
  });
}

const NO_PAYLOAD = new Uint8Array(0);

/** Builds the merged string table (if any) and gives every chunk and string piece its offset. */
function placeCustomChunks(ctx: LinkContext, name: string, g: CustomSectionParts): void {
  const table = g.chunks.find((c): c is { mergedStrings: Uint8Array } => !(c instanceof InputCustomSection));
  if (table) {
    const merged = mergeStrings(ctx, `custom section ${name}`, g.merged.map((cs) => cs.payload));
    table.mergedStrings = merged.table;
    g.merged.forEach((cs, i) => (cs.pieces = merged.pieces[i]));
  }
  let at = 0;
  for (const c of g.chunks) {
    if (c instanceof InputCustomSection) c.outputOffset = at;
    else for (const cs of g.merged) cs.pieces!.shift(at);
    at += customChunkSize(c);
  }
}

function nameSection(ctx: LinkContext, imports: ImportEntry[], functions: InputFunction[], globals: InputGlobal[]): Section {
  const fnNames = new Map<number, string>();
  let fi = 0;
  let gi = 0;
  const globalNames = new Map<number, string>();
  // wasm-ld demangles function names (its --demangle default), not global or segment names; it
  // names `__main_argc_argv` `main` either way.
  const fnName = (name: string): string => displayName(name, ctx.config.demangle);
  for (const e of imports) {
    if (e.imp.desc.kind === ExternalKind.Func) fnNames.set(fi++, fnName(e.sym?.name ?? e.imp.name));
    if (e.imp.desc.kind === ExternalKind.Global) globalNames.set(gi++, e.sym?.name ?? e.imp.name);
  }
  for (const fn of functions) fnNames.set(fn.outputIndex, fnName(fn.name));
  // wasm-ld leaves the globals holding exported data addresses unnamed.
  for (const g of globals) if (!ctx.exportedDataGlobals.includes(g)) globalNames.set(g.outputIndex, g.name);
  const dataNames = new Map<number, string>();
  for (const seg of ctx.outputSegments) if (seg.index >= 0) dataNames.set(seg.index, seg.name);
  const subsections: NameSubsection[] = [];
  if (ctx.config.output) subsections.push({ type: NameType.MODULE, moduleName: ctx.config.output.split('/').pop()! });
  if (fnNames.size) subsections.push({ type: NameType.FUNCTION, names: fnNames });
  if (globalNames.size) subsections.push({ type: NameType.GLOBAL, names: globalNames });
  if (dataNames.size) subsections.push({ type: NameType.DATA_SEGMENT, names: dataNames });
  return { id: SectionId.Custom, offset: 0, contentOffset: 0, name: 'name', custom: 'name', subsections };
}

// wasm-ld's dylink.0 subsection ids (the tool conventions' DynamicLinking.md).
const WASM_DYLINK_MEM_INFO = 1;
const WASM_DYLINK_EXPORT_INFO = 3;
const WASM_DYLINK_IMPORT_INFO = 4;

/**
 * `dylink.0`, which wasm-ld writes first in an executable linked with
 * --unresolved-symbols=import-dynamic, for the dynamic linker that resolves its imports: the
 * memory and table it needs (a fixed executable: no relocatable data, so size 0 and the largest
 * segment alignment), the exported TLS symbols (their values are offsets from `__tls_base`) and
 * the weak undefined symbols still undefined (a missing one is not an error).
 */
function dylinkSection(ctx: LinkContext, exports: Export[]): Section {
  const w = new ByteWriter(64);
  const sub = (id: number, body: (b: ByteWriter) => void): void => {
    const b = new ByteWriter(32);
    body(b);
    const bytes = b.finish();
    w.u32(id);
    w.u32(bytes.length);
    w.bytes(bytes);
  };
  sub(WASM_DYLINK_MEM_INFO, (b) => {
    b.u32(0);
    b.u32(ctx.outputSegments.reduce((a, seg) => Math.max(a, seg.alignment), 0));
    b.u32(ctx.tableEntries.length);
    b.u32(0);
  });
  const exported = new Set(exports.map((e) => e.name));
  const tlsExports: Sym[] = [];
  const weakImports: Sym[] = [];
  for (const s of ctx.symtab.ordered) {
    if (!s.live) continue;
    if (s.state === 'defined' && s.kind === SymbolKind.Data && s.isTLS && exported.has(s.name)) tlsExports.push(s);
    // wasm-ld makes every weak undefined function a trapping stub (defined, for it), even one
    // only address-taken, which gets no body here; weak data stays undefined.
    if (s.state !== 'defined' && isWeak(s) && s.kind !== SymbolKind.Function) weakImports.push(s);
  }
  if (tlsExports.length) {
    sub(WASM_DYLINK_EXPORT_INFO, (b) => {
      b.u32(tlsExports.length);
      for (const s of tlsExports) {
        b.name(s.name);
        b.u32(s.flags);
      }
    });
  }
  if (weakImports.length) {
    sub(WASM_DYLINK_IMPORT_INFO, (b) => {
      b.u32(weakImports.length);
      for (const s of weakImports) {
        b.name(s.importModule ?? 'env');
        b.name(s.importName ?? s.name);
        b.u32(s.flags);
      }
    });
  }
  return { ...base, id: SectionId.Custom, name: 'dylink.0', custom: 'raw', payload: w.finish() };
}

const PRODUCERS_FIELD_ORDER = ['language', 'processed-by', 'sdk'];

/** Every object's producers, each value once (the first object's version of it). */
function producersSection(ctx: LinkContext): Section | undefined {
  const fields: ProducersField[] = [];
  // Objects share their producers when they list the same ones (interned as read): each list once.
  const seen = new Set<readonly ProducersField[]>();
  const files = ctx.objectFiles;
  for (let i = 0; i < files.length; i++) {
    const producers = files[i].producers;
    if (producers.length === 0 || seen.has(producers)) continue;
    seen.add(producers);
    for (const f of producers) {
      let out = fields.find((x) => x.name === f.name);
      if (!out) fields.push((out = { name: f.name, values: [] }));
      for (const v of f.values) if (!out.values.some((x) => x.name === v.name)) out.values.push(v);
    }
  }
  if (fields.length === 0) return undefined;
  // wasm-ld writes its three fields in this order, whatever order the objects list them in.
  const rank = (name: string): number => {
    const i = PRODUCERS_FIELD_ORDER.indexOf(name);
    return i < 0 ? PRODUCERS_FIELD_ORDER.length : i;
  };
  fields.sort((a, b) => rank(a.name) - rank(b.name));
  return { id: SectionId.Custom, offset: 0, contentOffset: 0, name: 'producers', custom: 'producers', fields };
}

export interface WriteInputs {
  imports: ImportEntry[];
  functions: InputFunction[];
  globals: InputGlobal[];
  exports: Export[];
  features: string[];
  startFunction: InputFunction | undefined;
}

const base = { offset: 0, contentOffset: 0 };

export function buildModule(ctx: LinkContext, w: WriteInputs): WasmModule {
  const c = ctx.config;
  // The indirect function table holds --table-base empty slots, then one per address-taken function.
  const tableSize = BigInt(c.tableBase + ctx.tableEntries.length);
  // Types in wasm-ld's order (calculateTypes): those of imported functions and tags, in import
  // order, then defined functions', then defined tags'.
  for (const e of w.imports) {
    if (e.imp.desc.kind === ExternalKind.Func && e.sym?.signature) e.imp.desc = { kind: ExternalKind.Func, typeIndex: registerType(ctx, e.sym.signature) as TypeIndex };
    else if (e.imp.desc.kind === ExternalKind.Tag && e.sym?.signature) e.imp.desc = { kind: ExternalKind.Tag, tag: { attribute: 0, typeIndex: registerType(ctx, e.sym.signature) as TypeIndex } };
    // --import-table: at least that size, no maximum (wasm-ld finalizeIndirectFunctionTable).
    else if (e.imp.desc.kind === ExternalKind.Table && c.importTable && e.sym === ctx.sym.indirectFunctionTable) e.imp.desc.table.limits = { flags: 0, min: tableSize };
  }
  const funcTypes = w.functions.map((fn) => registerType(ctx, fn.type));
  const tagTypes = liveTags(ctx).map((t) => ({ attribute: 0, typeIndex: registerType(ctx, t.type) as TypeIndex }));
  const sections: Section[] = [];
  if (c.unresolvedSymbols === 'import-dynamic') sections.push(dylinkSection(ctx, w.exports));
  const code = w.functions.length ? codeSection(ctx, w.functions) : undefined;
  const data = dataSegments(ctx);
  if (ctx.types.length) sections.push({ ...base, id: SectionId.Type, types: ctx.types });
  if (w.imports.length) sections.push({ ...base, id: SectionId.Import, imports: w.imports.map((e) => e.imp) });
  if (w.functions.length) sections.push({ ...base, id: SectionId.Function, functions: funcTypes as TypeIndex[] });
  // The objects' own live tables in file order, then the indirect function table (the order
  // assignTableIndices numbered them in).
  const tables = ctx.objectFiles.flatMap((f) => f.tables.filter((t) => t.live).map((t) => ({ type: t.type })));
  if (ctx.indirectTable && !c.importTable) {
    const limits = c.growableTable ? { flags: 0, min: tableSize } : { flags: LimitsFlag.HAS_MAX, min: tableSize, max: tableSize };
    tables.push({ type: { elemType: FUNCREF, limits } });
  }
  if (tables.length) sections.push({ ...base, id: SectionId.Table, tables });
  if (!c.importMemory) sections.push({ ...base, id: SectionId.Memory, memories: [{ limits: memoryLimits(ctx) }] });
  // The tag section (id 13) sits between memory and global (exception-handling proposal).
  if (tagTypes.length) sections.push({ ...base, id: SectionId.Tag, tags: tagTypes });
  if (w.globals.length) sections.push({ ...base, id: SectionId.Global, globals: w.globals.map((g) => ({ type: g.type, init: constExprFor(g) })) });
  if (w.exports.length) sections.push({ ...base, id: SectionId.Export, exports: w.exports });
  if (w.startFunction) sections.push({ ...base, id: SectionId.Start, start: w.startFunction.outputIndex as FuncIndex });
  if (ctx.tableEntries.length) {
    const tableIndex = ctx.indirectTable?.outputIndex ?? 0;
    const elem: ElementSegment = tableIndex === 0
      ? { flags: 0, offset: i32Const(c.tableBase), funcIndices: ctx.tableEntries.map((f) => f.outputIndex as FuncIndex) }
      : { flags: ElemFlag.EXPLICIT_TABLE, tableIndex: tableIndex as TableIndex, offset: i32Const(c.tableBase), elemKind: ELEMKIND_FUNCREF, funcIndices: ctx.tableEntries.map((f) => f.outputIndex as FuncIndex) };
    sections.push({ ...base, id: SectionId.Element, elements: [elem] });
  }
  if (c.sharedMemory && data.length) sections.push({ ...base, id: SectionId.DataCount, count: data.length });
  if (code) sections.push(code);
  if (data.length) sections.push({ ...base, id: SectionId.Data, segments: data });
  sections.push(...customSections(ctx));
  const keep = (n: string): boolean => !c.stripAll || c.keepSections.has(n);
  if (keep('name')) sections.push(nameSection(ctx, w.imports, w.functions, w.globals));
  const producers = producersSection(ctx);
  if (producers && keep('producers')) sections.push(producers);
  if (w.features.length && keep('target_features')) {
    sections.push({ ...base, id: SectionId.Custom, name: 'target_features', custom: 'target_features', features: w.features.map((name) => ({ prefix: '+', name })) });
  }
  // Last, so patchBuildId finds the id at the end of the file; --strip-all keeps it, like wasm-ld.
  if (c.buildId) sections.push({ ...base, id: SectionId.Custom, name: 'build_id', custom: 'raw', payload: buildIdPayload(c.buildId) });
  return { version: 1, sections };
}

/** Defined tags in output index order (their indices were assigned after the imported tags). */
function liveTags(ctx: LinkContext): InputTag[] {
  const tags: InputTag[] = [];
  for (const f of ctx.objectFiles) for (const t of f.tags) if (t.live) tags.push(t);
  return tags.sort((a, b) => a.outputIndex - b.outputIndex);
}

export function encodeModule(mod: WasmModule): Uint8Array {
  return writeModule(mod);
}

// ---------------------------------------------------------------------------------------------
// Synthetic bodies.

export function synthesizeBodies(ctx: LinkContext, extraFunctions: InputFunction[]): void {
  const s = ctx.sym;
  const tlsBaseIndex = s.tlsBase?.global?.live ? s.tlsBase.global.outputIndex : undefined;
  if (s.callCtors?.func?.live) s.callCtors.func.bytes = callCtorsBody(collectInitFunctions(ctx));
  if (s.initMemory?.live) {
    const segments = ctx.outputSegments.filter((seg) => needsPassiveInitialization(ctx, seg));
    s.initMemory.bytes = initMemoryBody({ segments, flag: ctx.config.sharedMemory ? ctx.initMemoryFlag : undefined, tlsBaseGlobal: tlsBaseIndex });
  }
  const apply = s.applyGlobalTLSRelocs;
  if (apply && tlsBaseIndex !== undefined) {
    const gotTLS = ctx.symtab.ordered.filter((x) => x.gotGlobal && x.isTLS).map((x) => ({ global: x.gotGlobal!.outputIndex, offset: symbolVA(x) }));
    apply.bytes = applyGlobalTLSRelocsBody(tlsBaseIndex, gotTLS);
  }
  // With no TLS data the body names no `__tls_base` (which is then not written either).
  if (s.initTLS?.func?.live) {
    const tdata = ctx.outputSegments.find((seg) => seg.isTLS && seg.index >= 0);
    s.initTLS.func.bytes = initTLSBody({ tlsBaseGlobal: tlsBaseIndex, tdata: tdata ? { index: tdata.index, size: tdata.size } : undefined, applyTLSRelocs: s.applyTLSRelocs?.outputIndex, applyGlobalTLSRelocs: apply?.outputIndex });
  }
  if (s.applyTLSRelocs) s.applyTLSRelocs.bytes = applyTLSRelocsBody(tlsRuntimeRelocs(ctx));
  const dtors = s.callDtors?.func?.live ? s.callDtors.func.outputIndex : undefined;
  const ctors = s.callCtors?.func?.live ? s.callCtors.func.outputIndex : undefined;
  for (const w of extraFunctions) {
    const target = w.wraps!;
    w.bytes = commandExportBody(target.type.params.length, ctors, target.outputIndex, dtors);
  }
}

/** Values of GOT globals once layout and table slots are known. */
export function fillGotValues(ctx: LinkContext): void {
  const ordered = ctx.symtab.ordered;
  for (let i = 0; i < ordered.length; i++) {
    const s = ordered[i];
    const g = s.gotGlobal;
    if (!g) continue;
    // A stub's address is 0 in its GOT entry, even where it took a table slot (lld: isStub ? 0 : slot).
    if (s.kind === SymbolKind.Function) g.value = s.isStub ? 0 : s.state === 'defined' ? (s.func?.tableIndex ?? 0) : (s.tableIndex ?? 0);
    // Until `__wasm_apply_global_tls_relocs` runs, wasm-ld leaves the offset inside the block.
    else if (s.isTLS && ctx.config.sharedMemory) g.value = symbolVA(s);
    else g.value = s.isTLS && s.segment?.outputSegment ? s.segment.outputSegment.startVA + symbolVA(s) : symbolVA(s);
  }
}

