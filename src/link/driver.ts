// The link pipeline (lld Driver.cpp linkerMain + Writer.cpp run), one named
// phase per step, each taking the one link context:
//   read inputs → synthetic symbols → resolve (archives lazily) → entry/exports/-u → signature
//   checks → mark live → features → output segments and memory layout → imports → scan
//   relocations → indices → synthesised bodies → exports → write.
// Errors are collected within a phase and thrown between phases (`checkpoint`), so every duplicate
// or undefined symbol is reported at once. `--verbose` logs phase names, `--time-trace` timings.

import { existsSync, readFileSync } from 'node:fs';
import { isTableIndexReloc } from '../binary/reloc-types.js';
import { join } from 'node:path';
import { isArchive } from '../binary/archive.js';
import { isWasm } from '../binary/read-module.js';
import { ExternalKind, SymbolFlag, SymbolKind } from '../binary/types.js';
import { RelocType } from '../binary/reloc-types.js';
import type { Diagnostic } from '../diagnostics.js';
import { DiagnosticSink, WasmthreadsError } from '../diagnostics.js';
import { ArchiveFile, lazyObjectRef } from './archive.js';
import type { ArchiveMemberRef } from './archive.js';
import { makeConfig } from './context.js';
import type { LinkContext } from './context.js';
import { patchBuildId } from './build-id.js';
import { checkFeatures, checkImportExportFeatures, outputFeatures } from './features.js';
import { ObjFile } from './input-files.js';
import { createOutputSegments, hasPassiveInitializedSegments, layoutMemory } from './layout.js';
import { formatLinkMap } from './map-file.js';
import { markLive } from './mark-live.js';
import { checkLinkOptions, type CheckedLinkOptions, type LinkInput, type LinkOptions } from './options.js';
import { scanRelocations } from './relocations.js';
import { SymbolTable } from './symbol-table.js';
import { fileName, formatSignature, newSymbol, typeKey } from './symbols.js';
import type { Sym } from './symbols.js';
import { isStubLibrary, parseStubLibrary, processStubLibraries } from './stub-library.js';
import type { StubFile } from './stub-library.js';
import { makeTrapStub, syntheticFunction } from './synthetic/stubs.js';
import { assignFunctionIndices, assignGlobalIndices, buildModule, calculateExports, calculateImports, encodeModule, fillGotValues, synthesizeBodies } from './write.js';

export interface LinkResult {
  bytes: Uint8Array;
  warnings: Diagnostic[];
  /** `--verbose` / `--time-trace` / `--print-gc-sections` lines. */
  log: string[];
  /** `--trace` / `--trace-symbol` lines (wasm-ld prints them on stdout). */
  messages: string[];
  /** `--why-extract` table, when asked for. */
  whyExtract?: string;
  /** The link map (`-M`, `-Map=FILE`), when asked for; format in map-file.ts. */
  map?: string;
}

const I32 = 0x7f;
const HIDDEN_ABSOLUTE = SymbolFlag.VISIBILITY_HIDDEN | SymbolFlag.ABSOLUTE;
/** Data symbols the linker defines only when something references them. */
const OPTIONAL_DATA_SYMBOLS = ['__dso_handle', '__data_end', '__stack_low', '__stack_high', '__global_base', '__heap_base', '__heap_end', '__memory_base', '__table_base', '__wasm_first_page_end'];
const START_STOP = /^__(start|stop)_([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * A failed link. wasm-ld prints `--trace` lines and the `--why-extract` table before its errors,
 * so what was gathered up to the failure travels with the error for the CLI to print first.
 */
export class LinkError extends WasmthreadsError {
  constructor(
    diagnostics: Diagnostic[],
    readonly log: string[],
    readonly messages: string[],
    readonly whyExtract: string | undefined,
  ) {
    super(diagnostics);
    this.name = 'LinkError';
  }
}

export function link(given: LinkOptions): LinkResult {
  const options = checkLinkOptions(given);
  const log: string[] = [];
  const messages: string[] = [];
  const ctx = createContext(options, log, messages);
  try {
    return runPhases(ctx, options, log, messages);
  } catch (e) {
    if (!(e instanceof WasmthreadsError)) throw e;
    throw new LinkError(e.diagnostics, log, messages, options.whyExtract !== undefined ? formatWhyExtract(ctx) : undefined);
  }
}

function runPhases(ctx: LinkContext, options: CheckedLinkOptions, log: string[], messages: string[]): LinkResult {
  const phase = <T>(name: string, fn: () => T): T => {
    if (options.verbose) log.push(`phase: ${name}`);
    const t0 = performance.now();
    const r = fn();
    if (options.timeTrace) log.push(`time: ${name}: ${(performance.now() - t0).toFixed(2)} ms`);
    ctx.sink.checkpoint();
    return r;
  };
  phase('read inputs', () => readInputs(ctx, options));
  phase('create synthetic symbols', () => createSyntheticSymbols(ctx));
  phase('resolve symbols', () => resolveInputs(ctx));
  if (options.verbose) {
    for (const f of ctx.objectFiles) {
      for (const t of f.inferredTLS) {
        ctx.log(`${f.name}: \`${t.symbol}\` taken as thread-local: it has no TLS symbol flag, but its segment ${t.segment} ` +
          `${t.byFlag ? 'has the TLS segment flag' : 'is named .tdata/.tbss'} (objects from LLVM 13 and older mark only the segment)`);
      }
    }
  }
  phase('handle entry, exports and -u', () => handleRoots(ctx));
  phase('check signatures', () => checkSignatures(ctx));
  phase('mark live', () => markLive(ctx));
  phase('check features', () => checkFeatures(ctx));
  const layout = phase('layout memory', () => {
    createOutputSegments(ctx);
    defineStartStopSymbols(ctx);
    return layoutMemory(ctx);
  });
  phase('define synthetic values', () => defineSyntheticValues(ctx, layout));
  const imports = phase('calculate imports', () => {
    createIndirectTable(ctx);
    return calculateImports(ctx);
  });
  phase('scan relocations', () => {
    scanRelocations(ctx);
    assignTableIndices(ctx, imports.filter((e) => e.imp.desc.kind === ExternalKind.Table).length);
  });
  let map: string | undefined;
  const bytes = phase('write', () => {
    ctx.numImportedFunctions = imports.filter((e) => e.imp.desc.kind === ExternalKind.Func).length;
    const functions = assignFunctionIndices(ctx, ctx.numImportedFunctions);
    const globals = assignGlobalIndices(ctx, imports.filter((e) => e.imp.desc.kind === ExternalKind.Global).length);
    assignTagIndices(ctx, imports);
    fillGotValues(ctx);
    const ex = calculateExports(ctx, functions, () => globals.length + ctx.exportedDataGlobals.length + imports.filter((e) => e.imp.desc.kind === ExternalKind.Global).length);
    functions.push(...ex.extraFunctions);
    globals.push(...ctx.exportedDataGlobals);
    checkImportExportFeatures(
      ctx,
      imports.flatMap((e) => (e.imp.desc.kind === ExternalKind.Global ? [{ name: e.sym?.name ?? e.imp.name, mutable: e.imp.desc.global.mutable }] : [])),
      ex.exports.flatMap((e) => {
        const g = e.kind === ExternalKind.Global ? globals.find((x) => x.outputIndex === e.index) : undefined;
        return g ? [{ name: g.name, mutable: g.type.mutable }] : [];
      }),
    );
    synthesizeBodies(ctx, ex.extraFunctions);
    const mod = buildModule(ctx, { imports, functions, globals, exports: ex.exports, features: outputFeatures(ctx), startFunction: ctx.sym.initMemory?.live ? ctx.sym.initMemory : undefined });
    ctx.sink.checkpoint();
    const bytes = encodeModule(mod);
    if (ctx.config.buildId) patchBuildId(bytes, ctx.config.buildId);
    if (options.printMap || options.mapFile !== undefined) {
      map = formatLinkMap(ctx, { bytes, functions, globals, numImportedFunctions: ctx.numImportedFunctions, layout });
    }
    return bytes;
  });
  const warnings = ctx.sink.warnings();
  if (ctx.config.fatalWarnings && warnings.length) throw new WasmthreadsError(warnings.map((w) => ({ ...w, severity: 'error' as const })));
  return { bytes, warnings, log, messages, whyExtract: options.whyExtract !== undefined ? formatWhyExtract(ctx) : undefined, map };
}

/** wasm-ld's `--why-extract` format: a header, then one tab-separated row per extraction. */
function formatWhyExtract(ctx: LinkContext): string {
  return ['reference\textracted\tsymbol', ...ctx.whyExtract.map((r) => `${r.reference}\t${r.extracted}\t${r.symbol}`)].join('\n') + '\n';
}

const TRACE_VERB = { undefined: 'reference to', lazy: 'lazy definition of', defined: 'definition of' } as const;

function createContext(options: CheckedLinkOptions, log: string[], messages: string[]): LinkContext {
  const traced = new Set(options.traceSymbols ?? []);
  const sink = new DiagnosticSink();
  const ctx: LinkContext = {
    config: makeConfig(options, new Set()),
    sink,
    objectFiles: [],
    archives: [],
    symtab: undefined as unknown as SymbolTable,
    sym: { data: new Map() },
    syntheticFunctions: [],
    syntheticGlobals: [],
    extraGlobals: [],
    exportedDataGlobals: [],
    numImportedFunctions: 0,
    tableEntries: [],
    outputSegments: [],
    memory: { initialPages: 0, maxPages: undefined },
    allowedFeatures: new Set(),
    types: [],
    typeIndices: new Map(),
    log: (line) => log.push(line),
    traced: (name) => traced.has(name),
    message: (line) => messages.push(line),
    whyExtract: [],
  };
  ctx.symtab = new SymbolTable({
    error: (d) => sink.error(d),
    warn: (d) => sink.warn(d),
    allowMultipleDefinition: !!options.allowMultipleDefinition,
    extract: (ref, record) => {
      if (options.verbose) ctx.log(`extracting ${ref.name} for \`${record.symbol}\` (referenced by ${record.reference})`);
      addObject(ctx, ref.obj);
      ctx.whyExtract.push(record);
    },
    trace: (s, file) => {
      if (traced.has(s.name)) ctx.message(`${file}: ${TRACE_VERB[s.state]} ${s.name}`);
    },
  });
  return ctx;
}

// ---------------------------------------------------------------------------------------------
// Inputs.

interface LoadedInput {
  obj?: ObjFile;
  archive?: ArchiveFile;
  /** An object between --start-lib and --end-lib. */
  lazyObject?: ArchiveMemberRef;
  stub?: StubFile;
  wholeArchive: boolean;
}

function readBytes(ctx: LinkContext, options: CheckedLinkOptions, path: string): Uint8Array | undefined {
  try {
    return options.readFile ? options.readFile(path) : new Uint8Array(readFileSync(path));
  } catch {
    ctx.sink.error({ code: 'missing-input', message: `cannot open ${path}: no such file or it cannot be read`, file: path });
    return undefined;
  }
}

function findLibrary(ctx: LinkContext, options: CheckedLinkOptions, lib: string): string | undefined {
  const names = lib.startsWith(':') ? [lib.slice(1)] : [`lib${lib}.a`];
  for (const dir of options.libraryPaths ?? []) {
    for (const n of names) {
      const p = join(dir, n);
      if (existsSync(p)) return p;
    }
  }
  ctx.sink.error({ code: 'missing-library', message: `unable to find library -l${lib}`, hint: `add the directory holding lib${lib}.a with -L` });
  return undefined;
}

function loadInput(ctx: LinkContext, options: CheckedLinkOptions, input: LinkInput): LoadedInput | undefined {
  let name: string;
  let bytes: Uint8Array | undefined;
  const wholeArchive = typeof input === 'object' && !!input.wholeArchive;
  const lazy = typeof input === 'object' && 'lazy' in input && !!input.lazy;
  if (typeof input === 'string') name = input;
  else if ('bytes' in input) {
    name = input.name;
    bytes = input.bytes;
  } else if ('library' in input) {
    const found = findLibrary(ctx, options, input.library);
    if (!found) return undefined;
    name = found;
  } else name = input.path;
  bytes ??= readBytes(ctx, options, name);
  if (!bytes) return undefined;
  if (isArchive(bytes)) {
    readImportsFile(ctx, options, name);
    return { archive: new ArchiveFile(name, bytes), wholeArchive };
  }
  if (isWasm(bytes)) return lazy ? { lazyObject: lazyObjectRef(name, bytes), wholeArchive } : { obj: new ObjFile(name, bytes), wholeArchive };
  if (isStubLibrary(bytes)) return { stub: parseStubLibrary(name, bytes), wholeArchive };
  if (bytes[0] === 0x42 && bytes[1] === 0x43) ctx.sink.error({ code: 'unsupported-input', message: 'LLVM bitcode (LTO) inputs are not supported; compile without -flto', file: name });
  else ctx.sink.error({ code: 'unknown-input', message: 'unknown file type: not a wasm object or archive', file: name });
  return undefined;
}

/** `libX.imports` beside `libX.a` lists symbols allowed to stay undefined (wasi-libc ships one). */
function readImportsFile(ctx: LinkContext, options: CheckedLinkOptions, archivePath: string): void {
  if (!archivePath.endsWith('.a')) return;
  const p = archivePath.slice(0, -2) + '.imports';
  if (!options.readFile && !existsSync(p)) return;
  try {
    const text = new TextDecoder().decode(options.readFile ? options.readFile(p) : readFileSync(p));
    for (const line of text.split('\n')) if (line.trim() && !line.startsWith('#')) ctx.config.allowUndefinedSymbols.add(line.trim());
  } catch {
    // No .imports file: nothing extra is allowed.
  }
}

function readInputs(ctx: LinkContext, options: CheckedLinkOptions): void {
  for (const f of options.allowUndefinedFiles ?? []) {
    const bytes = readBytes(ctx, options, f);
    if (bytes) for (const line of new TextDecoder().decode(bytes).split('\n')) if (line.trim() && !line.startsWith('#')) ctx.config.allowUndefinedSymbols.add(line.trim());
  }
  if (options.inputs.length === 0) ctx.sink.error({ code: 'usage', message: 'no input files' });
  const loaded: LoadedInput[] = [];
  for (const input of options.inputs) {
    try {
      const l = loadInput(ctx, options, input);
      if (l) loaded.push(l);
    } catch (e) {
      if (e instanceof WasmthreadsError) ctx.sink.diagnostics.push(...e.diagnostics);
      else throw e;
    }
  }
  (ctx as LinkContext & { loaded?: LoadedInput[] }).loaded = loaded;
}

// ---------------------------------------------------------------------------------------------
// Symbols.

function createSyntheticSymbols(ctx: LinkContext): void {
  const st = ctx.symtab;
  const defineFunction = (name: string, params: number[]): Sym => {
    const s = newSymbol(name, 0, SymbolFlag.VISIBILITY_HIDDEN, 'defined');
    s.func = syntheticFunction(name, { params, results: [] });
    s.func.live = false;
    ctx.syntheticFunctions.push(s.func);
    return st.addSynthetic(s);
  };
  const defineGlobal = (name: string, mutable: boolean, flags: number = SymbolFlag.VISIBILITY_HIDDEN): Sym => {
    const s = newSymbol(name, 2, flags, 'defined');
    s.global = { name, type: { valType: I32, mutable }, value: 0, live: false, outputIndex: -1 };
    ctx.syntheticGlobals.push(s.global);
    return st.addSynthetic(s);
  };
  ctx.sym.callCtors = defineFunction('__wasm_call_ctors', []);
  // Default visibility since LLVM 22 (llvm PR #161284): a main module offers its stack pointer to
  // side modules, so --export-dynamic exports it.
  ctx.sym.stackPointer = defineGlobal('__stack_pointer', true, 0);
  ctx.sym.stackPointer.global!.live = true;
  if (ctx.config.sharedMemory) {
    ctx.sym.tlsBase = defineGlobal('__tls_base', true);
    ctx.sym.tlsSize = defineGlobal('__tls_size', false);
    ctx.sym.tlsAlign = defineGlobal('__tls_align', false);
    ctx.sym.initTLS = defineFunction('__wasm_init_tls', [I32]);
  }
}

function resolveInputs(ctx: LinkContext): void {
  const loaded = (ctx as LinkContext & { loaded?: LoadedInput[] }).loaded ?? [];
  for (const l of loaded) {
    if (l.obj) addObject(ctx, l.obj);
    else if (l.lazyObject) {
      for (const d of l.lazyObject.definitions) ctx.symtab.addLazy({ name: d.name, kind: d.kind, ref: l.lazyObject });
    } else if (l.archive) {
      ctx.archives.push(l.archive);
      for (const m of l.archive.skipped) ctx.sink.warn({ code: 'archive-member', message: `archive member '${m}' is neither Wasm object file nor LLVM bitcode`, file: l.archive.name });
      if (l.wholeArchive) {
        for (const ref of l.archive.members) {
          ref.extracted = true;
          addObject(ctx, ref.obj);
        }
      } else for (const def of l.archive.lazySymbols()) ctx.symtab.addLazy(def);
    }
  }
}

/** Resolves an object's symbols, then lists it (post-order, like lld, so table slots match). */
function addObject(ctx: LinkContext, obj: ObjFile): void {
  if (ctx.config.trace) ctx.message(obj.name);
  ctx.symtab.addFile(obj);
  ctx.objectFiles.push(obj);
}

function handleRoots(ctx: LinkContext): void {
  const c = ctx.config;
  const st = ctx.symtab;
  // The option names are what wasm-ld's --why-extract prints for each root.
  for (const name of c.undefinedSymbols) st.fetch(name, '<internal>');
  for (const name of [...c.exports, ...c.exportIfDefined]) st.fetch(name, '--export');
  if (c.entry) st.fetch(c.entry, '--entry');
  const wrapped = addWrappedSymbols(ctx);
  const stubs = ((ctx as LinkContext & { loaded?: LoadedInput[] }).loaded ?? []).flatMap((l) => (l.stub ? [l.stub] : []));
  if (stubs.length) processStubLibraries(ctx, stubs);
  defineOptionalSymbols(ctx);
  wrapSymbols(ctx, wrapped);
  for (const name of c.exports) {
    const s = st.find(name);
    if (!s || s.state !== 'defined') ctx.sink.error({ code: 'export-not-found', message: `symbol exported via --export not found: ${name}`, symbol: name });
    else s.forceExport = true;
  }
  for (const name of c.exportIfDefined) {
    const s = st.find(name);
    if (s?.state === 'defined') s.forceExport = true;
  }
  if (c.entry) {
    const s = st.find(c.entry);
    if (!s || s.state !== 'defined' || s.kind !== SymbolKind.Function) ctx.sink.error({ code: 'no-entry', message: `entry symbol not defined (pass --no-entry to suppress): ${c.entry}`, symbol: c.entry });
    else s.forceExport = true;
  }
  const dtors = st.find('__wasm_call_dtors');
  if (dtors?.state === 'defined' && dtors.kind === SymbolKind.Function) ctx.sym.callDtors = dtors;
  st.demoteLazy();
}

interface WrappedSymbol {
  sym: Sym;
  real: Sym;
  wrap: Sym;
}

/**
 * `--wrap=X` (lld Driver.cpp addWrappedSymbols): only for names some input
 * mentions; `__real_X` and `__wrap_X` become references (pulling `__wrap_X` from an archive).
 */
function addWrappedSymbols(ctx: LinkContext): WrappedSymbol[] {
  const out: WrappedSymbol[] = [];
  for (const name of new Set(ctx.config.wrap)) {
    const sym = ctx.symtab.find(name);
    if (!sym) continue;
    const real = ctx.symtab.reference(`__real_${name}`, '<internal>');
    const wrap = ctx.symtab.reference(`__wrap_${name}`, '<internal>');
    out.push({ sym, real, wrap });
  }
  return out;
}

/** Redirects every object's references: X → `__wrap_X`, `__real_X` → X (lld wrapSymbols). */
function wrapSymbols(ctx: LinkContext, wrapped: WrappedSymbol[]): void {
  if (!wrapped.length) return;
  const redirect = new Map<Sym, Sym>();
  for (const w of wrapped) {
    redirect.set(w.sym, w.wrap);
    redirect.set(w.real, w.sym);
  }
  for (const file of ctx.objectFiles) file.symbols = file.symbols.map((s) => redirect.get(s) ?? s);
  for (const w of wrapped) ctx.symtab.wrap(w.sym, w.real, w.wrap);
}

/** `__data_end`, `__heap_base`… and, without shared memory, an immutable `__tls_base`. */
function defineOptionalSymbols(ctx: LinkContext): void {
  const wanted = (name: string): boolean => {
    const s = ctx.symtab.find(name);
    return (s !== undefined && s.state !== 'defined') || ctx.config.exportAll || ctx.config.exports.includes(name) || ctx.config.exportIfDefined.includes(name);
  };
  for (const name of OPTIONAL_DATA_SYMBOLS) {
    if (!wanted(name)) continue;
    const s = newSymbol(name, 1, HIDDEN_ABSOLUTE, 'defined');
    s.absolute = 0;
    ctx.sym.data.set(name, ctx.symtab.addSynthetic(s));
  }
  // lld addOptionalGlobalSymbol: only a reference defines it — unlike the data symbols above,
  // --export-all or --export=__tls_base alone do not (wasm-ld-22 then reports it not found).
  const referenced = (name: string): boolean => {
    const s = ctx.symtab.find(name);
    return s !== undefined && s.state !== 'defined';
  };
  if (!ctx.config.sharedMemory && referenced('__tls_base')) {
    const s = newSymbol('__tls_base', 2, SymbolFlag.VISIBILITY_HIDDEN, 'defined');
    s.global = { name: '__tls_base', type: { valType: I32, mutable: false }, value: 0, live: false, outputIndex: -1 };
    ctx.syntheticGlobals.push(s.global);
    ctx.sym.tlsBase = ctx.symtab.addSynthetic(s);
  }
}

/**
 * a direct call whose signature differs from the definition cannot validate, so
 * the caller's reference is bound to a trapping `signature_mismatch:NAME` stub, with a warning
 * that says which object's calls will trap.
 */
function checkSignatures(ctx: LinkContext): void {
  const stubs = new Map<string, Sym>();
  for (const file of ctx.objectFiles) {
    file.symbolInfos.forEach((info, i) => {
      if (info.kind !== SymbolKind.Function || !(info.flags & SymbolFlag.UNDEFINED) || !file.calledDirectly.has(i)) return;
      const s = file.symbols[i];
      const want = file.functionType(info.index);
      if (!want || s.state !== 'defined' || !s.func || typeKey(s.func.type) === typeKey(want)) return;
      const key = `${s.name}\0${typeKey(want)}`;
      let stub = stubs.get(key);
      if (!stub) {
        stub = newSymbol(s.name, 0, SymbolFlag.BINDING_LOCAL, 'defined', file);
        stub.isLocal = true;
        stub.func = makeTrapStub(`signature_mismatch:${s.name}`, want);
        stub.func.live = false;
        ctx.syntheticFunctions.push(stub.func);
        stubs.set(key, stub);
        ctx.sink.warn({
          code: 'signature-mismatch',
          message: `function signature mismatch: ${s.name}`,
          symbol: s.name,
          notes: [`defined as ${formatSignature(want)} in ${file.name}`, `defined as ${formatSignature(s.func.type)} in ${fileName(s.file)}`],
          hint: `calls to \`${s.name}\` from ${trappingCallers(file, i).join(', ') || 'no live function'} in ${file.name} will trap (unreachable) at run time; fix the declaration`,
        });
      }
      file.symbols[i] = stub;
    });
  }
}

/** The functions of `file` that call symbol `symbolIndex` directly (their call sites will trap). */
function trappingCallers(file: ObjFile, symbolIndex: number): string[] {
  return file.functions.filter((fn) => !fn.discarded && fn.relocs.some((r) => r.type === RelocType.R_WASM_FUNCTION_INDEX_LEB && r.index === symbolIndex)).map((fn) => fn.name || `function ${fn.index}`);
}

// ---------------------------------------------------------------------------------------------
// After layout.

function defineStartStopSymbols(ctx: LinkContext): void {
  for (const s of ctx.symtab.ordered) {
    const m = START_STOP.exec(s.name);
    if (!m || s.state === 'defined' || s.kind !== SymbolKind.Data) continue;
    const seg = ctx.outputSegments.find((o) => o.name === m[2]);
    if (!seg) continue;
    s.state = 'defined';
    s.flags = HIDDEN_ABSOLUTE;
    s.absolute = 0;
    (s as Sym & { startStop?: { seg: typeof seg; stop: boolean } }).startStop = { seg, stop: m[1] === 'stop' };
  }
}

function defineSyntheticValues(ctx: LinkContext, l: ReturnType<typeof layoutMemory>): void {
  const values: Record<string, number> = {
    __dso_handle: l.globalBase,
    __global_base: l.globalBase,
    __data_end: l.dataEnd,
    __stack_low: l.stackLow,
    __stack_high: l.stackHigh,
    __heap_base: l.heapBase,
    __heap_end: l.heapEnd,
    __memory_base: 0,
    __table_base: ctx.config.tableBase,
    __wasm_first_page_end: 65536,
  };
  for (const [name, s] of ctx.sym.data) s.absolute = values[name];
  for (const s of ctx.symtab.ordered) {
    const ss = (s as Sym & { startStop?: { seg: { startVA: number; size: number }; stop: boolean } }).startStop;
    if (ss) s.absolute = ss.seg.startVA + (ss.stop ? ss.seg.size : 0);
  }
  const set = (s: Sym | undefined, v: number): void => {
    if (s?.global) s.global.value = v;
  };
  set(ctx.sym.stackPointer, l.stackHigh);
  const shared = ctx.config.sharedMemory;
  set(ctx.sym.tlsBase, shared ? 0 : l.tlsBase);
  set(ctx.sym.tlsSize, l.tlsSize);
  set(ctx.sym.tlsAlign, l.tlsAlign);
  if (hasPassiveInitializedSegments(ctx)) {
    const fn = syntheticFunction('__wasm_init_memory', { params: [], results: [] });
    ctx.syntheticFunctions.push(fn);
    ctx.sym.initMemory = fn;
  }
  markSyntheticGlobalsLive(ctx);
}

function markSyntheticGlobalsLive(ctx: LinkContext): void {
  const s = ctx.sym;
  const hasTdata = ctx.outputSegments.some((o) => o.isTLS);
  for (const g of [s.tlsSize, s.tlsAlign]) if (g?.live && g.global) g.global.live = true;
  if (s.tlsBase?.global && (s.tlsBase.live || s.initTLS?.func?.live || (ctx.config.sharedMemory && hasTdata))) {
    s.tlsBase.global.live = true;
    s.tlsBase.live = true;
  }
}

/** The linker's `__indirect_function_table`, when live code refers to it or needs slots. */
function createIndirectTable(ctx: LinkContext): void {
  const sym = ctx.symtab.find('__indirect_function_table');
  if (sym) ctx.sym.indirectFunctionTable = sym;
  const needed = (sym?.live ?? false) || ctx.config.exportTable || usesTableSlots(ctx);
  if (!needed || ctx.config.importTable) return;
  ctx.indirectTable = { name: '__indirect_function_table', type: { elemType: 0x70, limits: { flags: 0, min: 0n } }, live: true, outputIndex: 0 };
  if (sym) {
    sym.state = 'defined';
    // The linker's definition replaces the reference (lld replaceSymbol): objects' EXPORTED or
    // NO_STRIP flags on their undefined reference do not export the table.
    sym.flags = SymbolFlag.VISIBILITY_HIDDEN;
    sym.table = ctx.indirectTable;
  }
}

/** Legacy (MVP) objects have no table symbol: any live table-index relocation needs the table. */
function usesTableSlots(ctx: LinkContext): boolean {
  return ctx.objectFiles.some((f) => [...f.functions, ...f.segments].some((c) => c.live && c.relocs.some((r) => isTableIndexReloc(r.type))));
}

/** Tables: imports, then the objects' own tables, then the indirect function table. */
function assignTableIndices(ctx: LinkContext, numImportedTables: number): void {
  let index = numImportedTables;
  for (const f of ctx.objectFiles) for (const t of f.tables) if (t.live) t.outputIndex = index++;
  if (ctx.indirectTable) ctx.indirectTable.outputIndex = index;
}

/** Tags: imports first, then the objects' defined tags in file order. */
function assignTagIndices(ctx: LinkContext, imports: { imp: { desc: { kind: number } } }[]): void {
  let tag = imports.filter((e) => e.imp.desc.kind === ExternalKind.Tag).length;
  for (const f of ctx.objectFiles) for (const t of f.tags) if (t.live) t.outputIndex = tag++;
}
